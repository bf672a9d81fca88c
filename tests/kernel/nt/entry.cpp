#include "tests/kernel/nt/entry.h"

#include <cstdio>
#include <string>

#include "tests/kernel/verifier/verifier.h"

namespace ksim {

const char* irql_name(nt::KIRQL irql) {
  switch (irql) {
    case nt::PASSIVE_LEVEL: return "PASSIVE_LEVEL";
    case nt::APC_LEVEL: return "APC_LEVEL";
    case nt::DISPATCH_LEVEL: return "DISPATCH_LEVEL";
    default: return "a device IRQL";
  }
}

Entry::Entry(const char* routine, nt::KIRQL max_irql, const void* caller, const void* caller_sp)
    : routine_(routine), caller_(caller) {
  KThreadState& t = current_thread();
  verifier::note_image_stack(caller_sp);
  if (t.irql > max_irql) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s called at IRQL %u; its maximum is %s", routine, t.irql, irql_name(max_irql));
    verifier::report(verifier::kIrqlChecking, caller, buf);
  }
}

void Entry::violation(const char* check, const std::string& detail) const {
  verifier::report(check, caller_, std::string(routine_) + ": " + detail);
}

}  // namespace ksim
