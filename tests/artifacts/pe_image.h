// A minimal reader of PE32+ images for the artifact checks: headers, sections, data
// directories and the import table, parsed from bytes with bounds checks (a truncated or
// malformed image is an error, never a crash). Also computes the PE checksum the way
// CheckSumMappedFile / the Windows loader do.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pe {

struct Section {
  std::string name;
  uint32_t virtual_address = 0;
  uint32_t virtual_size = 0;
  uint32_t raw_offset = 0;
  uint32_t raw_size = 0;
  uint32_t characteristics = 0;
  size_t header_offset = 0;  // file offset of this IMAGE_SECTION_HEADER
};

struct Import {
  std::string dll;
  std::string name;  // empty when imported by ordinal
  uint16_t ordinal = 0;
  bool by_ordinal = false;
  uint32_t iat_rva = 0;  // the import address table slot a loader fills (tests/kernel/loader)
};

struct DataDirectory {
  uint32_t rva = 0;
  uint32_t size = 0;
};

// Offsets and values from the PE/COFF specification.
constexpr uint16_t kMachineAmd64 = 0x8664;
constexpr uint16_t kOptionalMagicPe32Plus = 0x20b;
constexpr uint16_t kSubsystemNative = 1;
constexpr uint16_t kSubsystemWindowsGui = 2;
constexpr uint16_t kSubsystemWindowsCui = 3;
constexpr uint16_t kDllCharHighEntropyVa = 0x0020;
constexpr uint16_t kDllCharDynamicBase = 0x0040;
constexpr uint16_t kDllCharNxCompat = 0x0100;
constexpr uint16_t kFileRelocsStripped = 0x0001;
constexpr uint32_t kSectionMemExecute = 0x20000000;
constexpr uint32_t kSectionMemRead = 0x40000000;
constexpr uint32_t kSectionMemWrite = 0x80000000;
constexpr int kDirImport = 1;
constexpr int kDirException = 3;
constexpr int kDirSecurity = 4;
constexpr int kDirBaseReloc = 5;

class Image {
 public:
  // Reads and parses the file; false with a reason in *error.
  bool load(const std::string& path, std::string* error);
  bool parse(std::vector<uint8_t> bytes, std::string* error);

  uint16_t machine() const { return machine_; }
  uint16_t optional_magic() const { return optional_magic_; }
  uint16_t file_characteristics() const { return file_characteristics_; }
  uint16_t subsystem() const { return subsystem_; }
  uint16_t dll_characteristics() const { return dll_characteristics_; }
  uint32_t entry_point() const { return entry_point_; }
  uint32_t stored_checksum() const { return checksum_; }
  const std::vector<Section>& sections() const { return sections_; }
  DataDirectory directory(int index) const;
  const std::vector<Import>& imports() const { return imports_; }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

  // The section containing an RVA, or nullptr.
  const Section* section_of(uint32_t rva) const;
  // The checksum the header should hold for these bytes.
  uint32_t compute_checksum() const;

  // Header field offsets, for the mutations that prove each check can fail.
  size_t file_header_offset() const { return file_header_; }
  size_t optional_header_offset() const { return optional_header_; }
  static constexpr size_t kOptChecksum = 64;          // within IMAGE_OPTIONAL_HEADER64
  static constexpr size_t kOptEntryPoint = 16;
  static constexpr size_t kOptSubsystem = 68;
  static constexpr size_t kOptDllCharacteristics = 70;
  static constexpr size_t kOptDataDirectories = 112;

 private:
  bool parse_imports(std::string* error);
  bool rva_to_offset(uint32_t rva, size_t* offset) const;
  bool read_c_string(uint32_t rva, std::string* out) const;

  std::vector<uint8_t> bytes_;
  size_t file_header_ = 0;
  size_t optional_header_ = 0;
  uint16_t machine_ = 0;
  uint16_t optional_magic_ = 0;
  uint16_t file_characteristics_ = 0;
  uint16_t subsystem_ = 0;
  uint16_t dll_characteristics_ = 0;
  uint32_t entry_point_ = 0;
  uint32_t checksum_ = 0;
  std::vector<DataDirectory> directories_;
  std::vector<Section> sections_;
  std::vector<Import> imports_;
};

// Little-endian reads and writes with bounds checks.
bool read_u16(const std::vector<uint8_t>& b, size_t at, uint16_t* out);
bool read_u32(const std::vector<uint8_t>& b, size_t at, uint32_t* out);
bool read_u64(const std::vector<uint8_t>& b, size_t at, uint64_t* out);
void write_u16(std::vector<uint8_t>& b, size_t at, uint16_t value);
void write_u32(std::vector<uint8_t>& b, size_t at, uint32_t value);

}  // namespace pe
