#include "tests/kernel/nt/clock.h"

#include <time.h>

#include <atomic>

namespace ksim::clock {
namespace {

// Seconds from 1601-01-01 to 1970-01-01 (the FILETIME epoch to the Unix epoch).
constexpr int64_t kEpochDelta100ns = 11644473600LL * 10000000LL;
std::atomic<int64_t> g_offset{0};

int64_t to_100ns(const timespec& ts) { return static_cast<int64_t>(ts.tv_sec) * 10000000LL + ts.tv_nsec / 100; }

}  // namespace

int64_t system_time() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return to_100ns(ts) + kEpochDelta100ns + g_offset.load(std::memory_order_relaxed);
}

int64_t interrupt_time() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return to_100ns(ts);
}

void set_offset(int64_t hundred_ns) { g_offset.store(hundred_ns); }

}  // namespace ksim::clock
