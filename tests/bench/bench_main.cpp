// fb_bench's main: runs the registered benchmarks with the console reporter, then checks every
// FB_BENCH_TARGET against the times measured in this same run.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/ratios.h"

namespace fbbench {
namespace {

std::vector<Target>& targets() {
  static std::vector<Target> all;
  return all;
}

// Remembers real time per iteration (ns) of every run and aggregate, keyed by name.
class RecordingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const double seconds = run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      ns_[run.benchmark_name()] = seconds * 1e9;
    }
  }

  // The median aggregate when repetitions were asked for, else the single run.
  bool lookup(const std::string& name, double* ns) const {
    for (const std::string& key : {name + "_median", name}) {
      auto it = ns_.find(key);
      if (it != ns_.end()) {
        *ns = it->second;
        return true;
      }
    }
    return false;
  }

 private:
  std::map<std::string, double> ns_;
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
