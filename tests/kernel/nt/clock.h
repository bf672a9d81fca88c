// Simulated time: system time (100 ns units since 1601-01-01 UTC, as KeQuerySystemTime and
// KUSER_SHARED_DATA.SystemTime give it) is the host's real time plus an offset a test may set,
// so waits with timeouts really elapse while a test can still move the calendar.
#pragma once

#include <cstdint>

namespace ksim::clock {

int64_t system_time();  // 100 ns units since 1601 (async-signal-safe: used by the fault handler)
int64_t interrupt_time();  // 100 ns units since an arbitrary boot, monotonic
void set_offset(int64_t hundred_ns);  // added to system_time()

}  // namespace ksim::clock
