#include "tests/artifacts/pe_image.h"

#include <fstream>
#include <iterator>

namespace pe {

bool read_u16(const std::vector<uint8_t>& b, size_t at, uint16_t* out) {
  if (at > b.size() || b.size() - at < 2) return false;
  *out = static_cast<uint16_t>(b[at] | b[at + 1] << 8);
  return true;
}

bool read_u32(const std::vector<uint8_t>& b, size_t at, uint32_t* out) {
  if (at > b.size() || b.size() - at < 4) return false;
  *out = static_cast<uint32_t>(b[at]) | static_cast<uint32_t>(b[at + 1]) << 8 |
         static_cast<uint32_t>(b[at + 2]) << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
  return true;
}

bool read_u64(const std::vector<uint8_t>& b, size_t at, uint64_t* out) {
  uint32_t lo = 0, hi = 0;
  if (!read_u32(b, at, &lo) || !read_u32(b, at + 4, &hi)) return false;
  *out = static_cast<uint64_t>(hi) << 32 | lo;
  return true;
}

void write_u16(std::vector<uint8_t>& b, size_t at, uint16_t value) {
  b.at(at) = static_cast<uint8_t>(value);
  b.at(at + 1) = static_cast<uint8_t>(value >> 8);
}

void write_u32(std::vector<uint8_t>& b, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) b.at(at + i) = static_cast<uint8_t>(value >> (8 * i));
}

bool Image::load(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path;
    return false;
  }
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse(std::move(bytes), error);
}

bool Image::parse(std::vector<uint8_t> bytes, std::string* error) {
  bytes_ = std::move(bytes);
  uint16_t mz = 0;
  uint32_t pe_offset = 0, signature = 0;
  if (!read_u16(bytes_, 0, &mz) || mz != 0x5a4d) {
    *error = "not a PE image (no MZ header)";
    return false;
  }
  if (!read_u32(bytes_, 0x3c, &pe_offset) || !read_u32(bytes_, pe_offset, &signature) ||
      signature != 0x00004550) {
    *error = "not a PE image (no PE signature)";
    return false;
  }
  file_header_ = pe_offset + 4;
  uint16_t section_count = 0, optional_size = 0;
  if (!read_u16(bytes_, file_header_, &machine_) ||
      !read_u16(bytes_, file_header_ + 2, &section_count) ||
      !read_u16(bytes_, file_header_ + 16, &optional_size) ||
      !read_u16(bytes_, file_header_ + 18, &file_characteristics_)) {
    *error = "truncated COFF file header";
    return false;
  }
  optional_header_ = file_header_ + 20;
  if (!read_u16(bytes_, optional_header_, &optional_magic_)) {
    *error = "truncated optional header";
    return false;
  }
  if (optional_magic_ != kOptionalMagicPe32Plus) {
    // Still report machine/magic facts; the remaining layout below is PE32+ only.
    *error = "not PE32+ (optional header magic " + std::to_string(optional_magic_) + ")";
    return false;
  }
  uint32_t directory_count = 0;
  if (!read_u32(bytes_, optional_header_ + kOptEntryPoint, &entry_point_) ||
      !read_u32(bytes_, optional_header_ + kOptChecksum, &checksum_) ||
      !read_u16(bytes_, optional_header_ + kOptSubsystem, &subsystem_) ||
      !read_u16(bytes_, optional_header_ + kOptDllCharacteristics, &dll_characteristics_) ||
      !read_u32(bytes_, optional_header_ + 108, &directory_count)) {
    *error = "truncated optional header";
    return false;
  }
  if (directory_count > 16 || kOptDataDirectories + 8 * directory_count > optional_size) {
    *error = "bad data directory count";
    return false;
  }
  for (uint32_t i = 0; i < directory_count; ++i) {
    DataDirectory d;
    if (!read_u32(bytes_, optional_header_ + kOptDataDirectories + 8 * i, &d.rva) ||
        !read_u32(bytes_, optional_header_ + kOptDataDirectories + 8 * i + 4, &d.size)) {
      *error = "truncated data directories";
      return false;
    }
    directories_.push_back(d);
  }
  const size_t section_table = optional_header_ + optional_size;
  for (uint16_t i = 0; i < section_count; ++i) {
    const size_t at = section_table + 40 * static_cast<size_t>(i);
    if (at + 40 > bytes_.size()) {
      *error = "truncated section table";
      return false;
    }
    Section s;
    s.header_offset = at;
    for (size_t c = 0; c < 8 && bytes_[at + c] != 0; ++c) s.name.push_back(static_cast<char>(bytes_[at + c]));
    read_u32(bytes_, at + 8, &s.virtual_size);
    read_u32(bytes_, at + 12, &s.virtual_address);
    read_u32(bytes_, at + 16, &s.raw_size);
    read_u32(bytes_, at + 20, &s.raw_offset);
    read_u32(bytes_, at + 36, &s.characteristics);
    sections_.push_back(s);
  }
  return parse_imports(error);
}

DataDirectory Image::directory(int index) const {
  if (index < 0 || static_cast<size_t>(index) >= directories_.size()) return {};
  return directories_[static_cast<size_t>(index)];
}

const Section* Image::section_of(uint32_t rva) const {
  for (const Section& s : sections_) {
    const uint32_t span = s.virtual_size != 0 ? s.virtual_size : s.raw_size;
    if (rva >= s.virtual_address && rva - s.virtual_address < span) return &s;
  }
  return nullptr;
}

bool Image::rva_to_offset(uint32_t rva, size_t* offset) const {
  const Section* s = section_of(rva);
  if (s == nullptr || rva - s->virtual_address >= s->raw_size) return false;
  *offset = static_cast<size_t>(s->raw_offset) + (rva - s->virtual_address);
  return *offset < bytes_.size();
}

bool Image::read_c_string(uint32_t rva, std::string* out) const {
  size_t at = 0;
  if (!rva_to_offset(rva, &at)) return false;
  out->clear();
  for (; at < bytes_.size() && bytes_[at] != 0; ++at) {
    out->push_back(static_cast<char>(bytes_[at]));
    if (out->size() > 4096) return false;
  }
  return at < bytes_.size();
}

bool Image::parse_imports(std::string* error) {
  const DataDirectory dir = directory(kDirImport);
  if (dir.rva == 0 || dir.size == 0) return true;  // no imports at all
  size_t at = 0;
  if (!rva_to_offset(dir.rva, &at)) {
    *error = "import directory outside the image";
    return false;
  }
  for (;; at += 20) {  // IMAGE_IMPORT_DESCRIPTOR
    uint32_t lookup = 0, name_rva = 0, thunk = 0;
    if (!read_u32(bytes_, at, &lookup) || !read_u32(bytes_, at + 12, &name_rva) ||
        !read_u32(bytes_, at + 16, &thunk)) {
      *error = "truncated import descriptor";
      return false;
    }
    if (lookup == 0 && name_rva == 0 && thunk == 0) return true;
    std::string dll;
    if (!read_c_string(name_rva, &dll)) {
      *error = "bad import DLL name";
      return false;
    }
    size_t entry = 0;
    if (!rva_to_offset(lookup != 0 ? lookup : thunk, &entry)) {
      *error = "bad import lookup table of " + dll;
      return false;
    }
    for (uint32_t slot = thunk;; entry += 8, slot += 8) {
      uint64_t value = 0;
      if (!read_u64(bytes_, entry, &value)) {
        *error = "truncated import lookup table of " + dll;
        return false;
      }
      if (value == 0) break;
      Import imp;
      imp.dll = dll;
      imp.iat_rva = slot;
      if (value & (1ull << 63)) {
        imp.by_ordinal = true;
        imp.ordinal = static_cast<uint16_t>(value & 0xffff);
      } else if (!read_c_string(static_cast<uint32_t>(value & 0x7fffffff) + 2, &imp.name)) {
        *error = "bad import name in " + dll;
        return false;
      }
      imports_.push_back(imp);
    }
  }
}

// Sum of the file as little-endian 16-bit words with end-around carry, the checksum field
// itself counted as zero, folded to 16 bits, plus the file length (imagehlp's algorithm).
uint32_t Image::compute_checksum() const {
  const size_t checksum_at = optional_header_ + kOptChecksum;
  uint64_t sum = 0;
  for (size_t i = 0; i < bytes_.size(); i += 2) {
    if (i >= checksum_at && i < checksum_at + 4) continue;
    uint32_t word = bytes_[i];
    if (i + 1 < bytes_.size()) word |= static_cast<uint32_t>(bytes_[i + 1]) << 8;
    sum += word;
    sum = (sum & 0xffff) + (sum >> 16);
  }
  sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint32_t>(sum & 0xffff) + static_cast<uint32_t>(bytes_.size());
}

}  // namespace pe
