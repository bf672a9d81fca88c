// Simulated executive pool (ExAllocatePoolWithTag / ExFreePool[WithTag]) with Driver Verifier's
// special pool and pool tracking: every block ends at a no-access guard page (an overrun faults
// at once; slack before the guard is checked at free), new blocks are filled with a poison
// pattern (nothing may rely on pool being zeroed), freed blocks stay inaccessible for a while (a
// use after free faults), a double free, a free of a non-pool address and a free with the wrong
// tag are reported, and every block still allocated when the driver unloads is listed with its
// tag, size and allocating function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ksim::pool {

struct Outstanding {
  const void* block;
  size_t bytes;
  uint32_t tag;
  std::string tag_text;  // the four characters, as !poolused shows them
  const void* caller;    // the image address that allocated it
};

std::vector<Outstanding> outstanding();
// One kPoolTracking violation per outstanding block ("pool leak at unload"); returns the count.
size_t report_leaks();
// Frees every block and forgets the quarantine (harness teardown; no reports).
void reset();
// Driver Verifier's low resources simulation, deterministic: allocations for which `fail`
// returns true return nullptr. An empty function restores normal behaviour.
void set_failure(std::function<bool(size_t bytes, uint32_t tag)> fail);
// Allocations made so far (successful ones).
size_t allocation_count();

std::string tag_text(uint32_t tag);

}  // namespace ksim::pool
