// The export registry: every simulation module adds its table at static-initialization time
// (ksim::ExportTable), the loader looks names up here.
#include "tests/kernel/sim/exports.h"

#include <strings.h>

#include <cstring>
#include <vector>

namespace ksim {
namespace {

// A function-local static: registrars in other translation units run before main in an
// unspecified order, so the vector must exist before the first add_exports.
std::vector<const Export*>& registry() {
  static std::vector<const Export*> exports;
  return exports;
}

}  // namespace

void add_exports(const Export* table, size_t count) {
  for (size_t i = 0; i < count; ++i) registry().push_back(&table[i]);
}

const Export* find_export(const char* module, const char* name) {
  for (const Export* e : registry())
    if (strcasecmp(e->module, module) == 0 && std::strcmp(e->name, name) == 0) return e;
  return nullptr;
}

}  // namespace ksim
