// Function names for image offsets, from the COFF symbol table of the UNSIGNED build of the
// same sources (build/cross/driver/FileBackup.sys keeps its symbols; the shipped image is
// stripped). Loading checks that the two images have identical loaded sections, so a name is
// never reported for bytes it does not describe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/artifacts/pe_image.h"

namespace ksim {

class Symbols {
 public:
  // Reads `unsigned_path` and checks its loaded sections equal `shipped`'s; false with a reason.
  bool load(const std::string& unsigned_path, const pe::Image& shipped, std::string* error);

  // "fbk::sender::start()+0x2a", or "" when no function symbol precedes the RVA.
  std::string describe(uint32_t rva) const;
  // The RVA of a function by its demangled ("fbk::sender::start()") or raw symbol name; 0 if absent.
  uint32_t rva_of(const std::string& name) const;
  bool empty() const { return functions_.empty(); }

 private:
  struct Function {
    uint32_t rva;
    std::string raw;
    std::string demangled;
  };
  std::vector<Function> functions_;  // sorted by rva
};

}  // namespace ksim
