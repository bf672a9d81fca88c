// fb_bench's main: runs the registered benchmarks with the console reporter, then checks every
// FB_BENCH_TARGET against the times measured in this same run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "tests/bench/ratios.h"

namespace fbbench {
namespace {

std::vector<Target>& targets() {
  static std::vector<Target> all;
  return all;
}

// Remembers real time per iteration (ns) of every benchmark, keyed by its base name (function
// and arguments, e.g. "BM_RuleMatch/2"): options such as Repetitions() or UseRealTime() append
// to the reported name, and a target should not have to spell them. With repetitions, the
// median aggregate wins; otherwise the mean of the repetitions' runs.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const double seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      Times& times = by_name_[base_name(run)];
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") times.median_ns = seconds * 1e9;
      } else {
        times.sum_ns += seconds * 1e9;
        times.runs += 1;
      }
    }
  }

  bool lookup(const std::string& name, double* ns) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return false;
    if (it->second.median_ns >= 0) {
      *ns = it->second.median_ns;
      return true;
    }
    if (it->second.runs == 0) return false;
    *ns = it->second.sum_ns / it->second.runs;
    return true;
  }

 private:
  struct Times {
    double median_ns = -1;
    double sum_ns = 0;
    int runs = 0;
  };

  static std::string base_name(const Run& run) {
    const auto& name = run.run_name;
    return name.args.empty() ? name.function_name : name.function_name + "/" + name.args;
  }

  std::map<std::string, Times> by_name_;
};

bool check(const Target& t, const RecordingReporter& rep) {
  double num = 0, den = 0;
  const char* op = t.compare == Compare::kAtLeast ? ">=" : "<=";
  if (!rep.lookup(t.numerator, &num) || (t.denominator && !rep.lookup(t.denominator, &den))) {
    std::printf("SKIP  %s: %s%s%s not run\n", t.title, t.numerator, t.denominator ? " or " : "",
                t.denominator ? t.denominator : "");
    return true;  // filtered out by --benchmark_filter: nothing to judge
  }
  const double value = t.denominator ? num / den : num;
  const bool ok = t.compare == Compare::kAtLeast ? value >= t.bound : value <= t.bound;
  if (t.denominator)
    std::printf("%s  %s: %s / %s = %.2f (target %s %.2f)\n", ok ? "PASS" : "FAIL", t.title, t.numerator,
                t.denominator, value, op, t.bound);
  else
    std::printf("%s  %s: %s = %.1f ns (target %s %.1f ns)\n", ok ? "PASS" : "FAIL", t.title, t.numerator,
                value, op, t.bound);
  return ok;
}

}  // namespace

int register_target(const Target& target) {
  targets().push_back(target);
  return static_cast<int>(targets().size());
}

}  // namespace fbbench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  fbbench::RecordingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nTargets (measured in this run):\n");
  int failed = 0;
  for (const fbbench::Target& t : fbbench::targets()) failed += fbbench::check(t, reporter) ? 0 : 1;
  std::printf("%d target(s) missed\n", failed);
  return failed == 0 ? 0 : 1;
}
