// Benchmark targets as ratios against a baseline measured in the same run (or, where an issue
// sets one, an absolute bound). Each bench file declares its own targets next to its
// benchmarks with FB_BENCH_TARGET; bench_main.cpp prints every target's measured value after
// the run and exits non-zero if one is missed.
#pragma once

namespace fbbench {

enum class Compare { kAtLeast, kAtMost };

struct Target {
  const char* title;        // what the target means, in words
  const char* numerator;    // benchmark name (its "_median" aggregate is used when present)
  const char* denominator;  // baseline benchmark name, or nullptr for an absolute bound in ns
  Compare compare;
  double bound;             // ratio numerator/denominator of real time per iteration, or ns
};

int register_target(const Target& target);

}  // namespace fbbench

#define FB_BENCH_CONCAT_(a, b) a##b
#define FB_BENCH_CONCAT(a, b) FB_BENCH_CONCAT_(a, b)
// Ratios are of real time per iteration: "baseline time / ours >= 20" means ours is 20x faster.
#define FB_BENCH_TARGET(...) \
  static const int FB_BENCH_CONCAT(fb_bench_target_, __LINE__) = ::fbbench::register_target({__VA_ARGS__})
