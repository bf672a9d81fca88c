#include "tests/kernel/fltmgr/verifier.h"

#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt::verifier {
namespace {
thread_local const void* t_caller = nullptr;
}  // namespace

void violation(const char* check, const std::string& detail) { ksim::verifier::report(check, t_caller, detail); }

void set_caller(const void* caller) { t_caller = caller; }

}  // namespace ksim::flt::verifier
