#include "tests/kernel/loader/symbols.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ksim {
namespace {

constexpr size_t kSymbolSize = 18;  // IMAGE_SYMBOL
constexpr uint16_t kTypeFunction = 0x20;
constexpr uint8_t kClassExternal = 2, kClassStatic = 3;

std::string demangle(const std::string& raw) {
  int status = 0;
  char* d = abi::__cxa_demangle(raw.c_str(), nullptr, nullptr, &status);
  if (status != 0 || d == nullptr) return raw;
  std::string out(d);
  std::free(d);
  return out;
}

bool same_loaded_sections(const pe::Image& a, const pe::Image& b, std::string* error) {
  for (const pe::Section& s : b.sections()) {
    const pe::Section* t = a.section_of(s.virtual_address);
    if (t == nullptr || t->name != s.name || t->virtual_address != s.virtual_address ||
        t->virtual_size != s.virtual_size) {
      *error = "section " + s.name + " differs between the unsigned and the shipped image";
      return false;
    }
    const size_t n = std::min(s.raw_size, s.virtual_size);
    if (s.raw_offset + n > b.bytes().size() || t->raw_offset + n > a.bytes().size() ||
        std::memcmp(a.bytes().data() + t->raw_offset, b.bytes().data() + s.raw_offset, n) != 0) {
      *error = "section " + s.name + " content differs between the unsigned and the shipped image"
               " (rebuild both: ./build.sh)";
      return false;
    }
  }
  return true;
}

}  // namespace

bool Symbols::load(const std::string& unsigned_path, const pe::Image& shipped, std::string* error) {
  pe::Image image;
  if (!image.load(unsigned_path, error)) return false;
  if (!same_loaded_sections(image, shipped, error)) return false;
  const auto& bytes = image.bytes();
  uint32_t table = 0, count = 0;
  pe::read_u32(bytes, image.file_header_offset() + 8, &table);
  pe::read_u32(bytes, image.file_header_offset() + 12, &count);
  if (table == 0 || count == 0) {
    *error = unsigned_path + " has no COFF symbol table";
    return false;
  }
  const size_t strings = table + static_cast<size_t>(count) * kSymbolSize;
  if (strings + 4 > bytes.size()) {
    *error = "truncated COFF symbol table";
    return false;
  }
  functions_.clear();
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t* s = bytes.data() + table + static_cast<size_t>(i) * kSymbolSize;
    uint32_t value = 0;
    std::memcpy(&value, s + 8, 4);
    int16_t section = 0;
    std::memcpy(&section, s + 12, 2);
    uint16_t type = 0;
    std::memcpy(&type, s + 14, 2);
    const uint8_t storage = s[16], aux = s[17];
    i += aux;
    if (type != kTypeFunction || (storage != kClassExternal && storage != kClassStatic) || section <= 0 ||
        static_cast<size_t>(section) > image.sections().size())
      continue;
    std::string name;
    uint32_t zeroes = 0, offset = 0;
    std::memcpy(&zeroes, s, 4);
    std::memcpy(&offset, s + 4, 4);
    if (zeroes == 0) {
      for (size_t at = strings + offset; at < bytes.size() && bytes[at] != 0; ++at) name.push_back(static_cast<char>(bytes[at]));
    } else {
      for (size_t c = 0; c < 8 && s[c] != 0; ++c) name.push_back(static_cast<char>(s[c]));
    }
    // In an image's symbol table a value is relative to its section.
    const uint32_t rva = image.sections()[static_cast<size_t>(section) - 1].virtual_address + value;
    functions_.push_back({rva, name, demangle(name)});
  }
  std::sort(functions_.begin(), functions_.end(), [](const Function& a, const Function& b) { return a.rva < b.rva; });
  if (functions_.empty()) {
    *error = unsigned_path + " has no function symbols";
    return false;
  }
  return true;
}

std::string Symbols::describe(uint32_t rva) const {
  auto it = std::upper_bound(functions_.begin(), functions_.end(), rva,
                             [](uint32_t r, const Function& f) { return r < f.rva; });
  if (it == functions_.begin()) return {};
  --it;
  char offset[32];
  std::snprintf(offset, sizeof offset, "+0x%x", rva - it->rva);
  return it->demangled + offset;
}

uint32_t Symbols::rva_of(const std::string& name) const {
  for (const Function& f : functions_)
    if (f.demangled == name || f.raw == name) return f.rva;
  return 0;
}

}  // namespace ksim
