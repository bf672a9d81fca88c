// The first line of every simulated export:
//   KSIM_API void* ExAllocatePoolWithTag(...) { KSIM_ENTER(DISPATCH_LEVEL); ... }
// checks the routine's documented maximum IRQL (Driver Verifier's IRQL checking), remembers the
// image address that called it (for every report the routine makes) and samples the image's
// stack depth at the call.
#pragma once

#include <string>

#include "tests/kernel/nt/kthread.h"
#include "tests/kernel/sim/nt_types.h"

namespace ksim {

class Entry {
 public:
  // `caller`: __builtin_return_address(0) of the export; `caller_sp`: the image's stack pointer
  // at the call (the export's frame address is just below it).
  Entry(const char* routine, nt::KIRQL max_irql, const void* caller, const void* caller_sp);
  const char* routine() const { return routine_; }
  const void* caller() const { return caller_; }
  // Reports a DDI compliance violation of this routine with `detail`.
  void violation(const char* check, const std::string& detail) const;

 private:
  const char* routine_;
  const void* caller_;
};

const char* irql_name(nt::KIRQL irql);

}  // namespace ksim

#define KSIM_ENTER(max_irql)                                                                  \
  const ::ksim::Entry ksim_entry(__func__, (max_irql), __builtin_return_address(0), \
                                 __builtin_frame_address(0))
