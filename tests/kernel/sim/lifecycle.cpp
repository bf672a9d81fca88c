#include "tests/kernel/sim/lifecycle.h"

#include <vector>

namespace ksim {
namespace {

std::vector<ResetHook>& hooks() {
  static std::vector<ResetHook> all;
  return all;
}

}  // namespace

void add_reset_hook(ResetHook hook) { hooks().push_back(hook); }

void reset_all() {
  for (ResetHook hook : hooks()) hook();
}

}  // namespace ksim
