#include "tests/kernel/loader/pe_loader.h"

#include <strings.h>
#include <sys/mman.h>

#include <cstring>
#include <mutex>

#include "tests/kernel/sim/exports.h"

namespace ksim {
namespace {

// PE/COFF specification values.
constexpr uint16_t kRelBasedAbsolute = 0;
constexpr uint16_t kRelBasedDir64 = 10;
constexpr size_t kOptImageBase = 24;
constexpr size_t kOptSizeOfImage = 56;
constexpr size_t kOptSizeOfHeaders = 60;
constexpr uint8_t kUnwFlagEHandler = 0x1;
constexpr uint8_t kUnwFlagUHandler = 0x2;
constexpr uint8_t kUnwFlagChainInfo = 0x4;
constexpr size_t kPage = 4096;
constexpr size_t kTrapSlot = 16;

std::mutex g_images_mutex;
std::vector<const LoadedImage*> g_images;

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

template <typename T>
T read(const void* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

}  // namespace

const LoadedImage* image_containing(const void* address) {
  std::lock_guard<std::mutex> lock(g_images_mutex);
  for (const LoadedImage* image : g_images)
    if (image->contains(address)) return image;
  return nullptr;
}

std::string trap_name_anywhere(const void* address) {
  std::lock_guard<std::mutex> lock(g_images_mutex);
  for (const LoadedImage* image : g_images) {
    std::string name = image->trap_name(address);
    if (!name.empty()) return name;
  }
  return {};
}

std::unique_ptr<LoadedImage> LoadedImage::load(const std::string& path, const LoadOptions& options,
                                               std::string* error) {
  std::unique_ptr<LoadedImage> image(new LoadedImage());
  if (!image->file_.load(path, error)) return nullptr;
  const size_t slash = path.find_last_of('/');
  image->name_ = slash == std::string::npos ? path : path.substr(slash + 1);
  if (image->file_.machine() != pe::kMachineAmd64) {
    *error = path + " is not an AMD64 image";
    return nullptr;
  }
  if (!image->map_sections(error) || !image->relocate(error) || !image->bind_imports(options, error) ||
      !image->protect_sections(error))
    return nullptr;
  std::lock_guard<std::mutex> lock(g_images_mutex);
  g_images.push_back(image.get());
  return image;
}

LoadedImage::~LoadedImage() {
  {
    std::lock_guard<std::mutex> lock(g_images_mutex);
    for (auto it = g_images.begin(); it != g_images.end(); ++it)
      if (*it == this) {
        g_images.erase(it);
        break;
      }
  }
  if (base_ != nullptr) munmap(base_, size_);
  if (trap_page_ != nullptr) munmap(trap_page_, kPage);
}

bool LoadedImage::contains(const void* address) const {
  const auto a = reinterpret_cast<uintptr_t>(address);
  const auto b = reinterpret_cast<uintptr_t>(base_);
  return base_ != nullptr && a >= b && a - b < size_;
}

uint32_t LoadedImage::rva_of(const void* address) const {
  return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(address) - reinterpret_cast<uintptr_t>(base_));
}

bool LoadedImage::map_sections(std::string* error) {
  const auto& bytes = file_.bytes();
  const size_t opt = file_.optional_header_offset();
  uint32_t size_of_image = 0, size_of_headers = 0;
  if (!pe::read_u64(bytes, opt + kOptImageBase, &preferred_base_) ||
      !pe::read_u32(bytes, opt + kOptSizeOfImage, &size_of_image) ||
      !pe::read_u32(bytes, opt + kOptSizeOfHeaders, &size_of_headers) || size_of_headers > bytes.size()) {
    *error = "truncated optional header";
    return false;
  }
  size_ = round_up(size_of_image, kPage);
  // No address hint: the kernel maps a driver wherever it likes, and the preferred base
  // (0x140000000) is never where this lands, so relocation is always exercised.
  void* where = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (where == MAP_FAILED) {
    *error = "mmap of the image failed";
    return false;
  }
  base_ = static_cast<uint8_t*>(where);
  if (reinterpret_cast<uint64_t>(base_) == preferred_base_) {
    *error = "image landed at its preferred base; relocation would go untested";
    return false;
  }
  std::memcpy(base_, bytes.data(), size_of_headers);
  for (const pe::Section& s : file_.sections()) {
    if (static_cast<size_t>(s.virtual_address) + s.virtual_size > size_) {
      *error = "section " + s.name + " lies outside SizeOfImage";
      return false;
    }
    const size_t copy = std::min<size_t>(s.raw_size, s.virtual_size);
    if (static_cast<size_t>(s.raw_offset) + copy > bytes.size()) {
      *error = "section " + s.name + " is truncated in the file";
      return false;
    }
    std::memcpy(base_ + s.virtual_address, bytes.data() + s.raw_offset, copy);
  }
  return true;
}

bool LoadedImage::relocate(std::string* error) {
  const pe::DataDirectory dir = file_.directory(pe::kDirBaseReloc);
  if (dir.rva == 0 || dir.size == 0) {
    *error = "no base relocations: the image cannot be loaded at another address";
    return false;
  }
  const uint64_t delta = reinterpret_cast<uint64_t>(base_) - preferred_base_;
  size_t at = dir.rva;
  const size_t end = static_cast<size_t>(dir.rva) + dir.size;
  while (at + 8 <= end) {
    const uint32_t page = read<uint32_t>(base_ + at);
    const uint32_t block = read<uint32_t>(base_ + at + 4);
    if (block < 8 || at + block > end) {
      *error = "malformed base relocation block";
      return false;
    }
    for (size_t e = at + 8; e + 2 <= at + block; e += 2) {
      const uint16_t entry = read<uint16_t>(base_ + e);
      const uint16_t type = entry >> 12;
      const uint32_t rva = page + (entry & 0xfff);
      if (type == kRelBasedAbsolute) continue;  // padding
      if (type != kRelBasedDir64) {
        *error = "unsupported base relocation type " + std::to_string(type);
        return false;
      }
      if (static_cast<size_t>(rva) + 8 > size_) {
        *error = "base relocation outside the image";
        return false;
      }
      const uint64_t relocated = read<uint64_t>(base_ + rva) + delta;
      std::memcpy(base_ + rva, &relocated, 8);
      ++relocations_applied_;
    }
    at += block;
  }
  return true;
}

bool LoadedImage::bind_imports(const LoadOptions& options, std::string* error) {
  std::vector<std::string> missing;
  std::vector<std::pair<uint32_t, std::string>> to_trap;
  for (const pe::Import& imp : file_.imports()) {
    const std::string full = imp.dll + "!" + (imp.by_ordinal ? "#" + std::to_string(imp.ordinal) : imp.name);
    if (static_cast<size_t>(imp.iat_rva) + 8 > size_) {
      *error = "IAT slot of " + full + " lies outside the image";
      return false;
    }
    const Export* e = imp.by_ordinal ? nullptr : find_export(imp.dll.c_str(), imp.name.c_str());
    if (e == nullptr) {
      missing.push_back(full);
      to_trap.emplace_back(imp.iat_rva, full);
      continue;
    }
    // Windows semantics for both kinds: the slot holds the export's address. For a routine that
    // is its entry point; for a variable (PsThreadType, MmUserProbeAddress) the variable's
    // address, which the importing code dereferences itself.
    std::memcpy(base_ + imp.iat_rva, &e->address, 8);
  }
  if (missing.empty()) return true;
  if (!options.unbound_imports_trap) {
    *error = "imports no simulation module provides:";
    for (const std::string& m : missing) *error += " " + m;
    return false;
  }
  void* page = mmap(nullptr, kPage, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) {
    *error = "mmap of the trap page failed";
    return false;
  }
  trap_page_ = static_cast<uint8_t*>(page);
  if (to_trap.size() > kPage / kTrapSlot) {
    *error = "too many unbound imports for the trap page";
    return false;
  }
  for (size_t i = 0; i < to_trap.size(); ++i) {
    uint8_t* slot = trap_page_ + i * kTrapSlot;
    std::memcpy(base_ + to_trap[i].first, &slot, 8);
    trapped_.push_back(to_trap[i].second);
  }
  return true;
}

std::string LoadedImage::trap_name(const void* address) const {
  if (trap_page_ == nullptr) return {};
  const auto a = reinterpret_cast<uintptr_t>(address), t = reinterpret_cast<uintptr_t>(trap_page_);
  if (a < t || a - t >= kPage) return {};
  const size_t i = (a - t) / kTrapSlot;
  return i < trapped_.size() ? trapped_[i] : std::string();
}

bool LoadedImage::protect_sections(std::string* error) {
  // Headers read-only; every section as its characteristics say; nothing both W and X.
  if (mprotect(base_, kPage, PROT_READ) != 0) {
    *error = "mprotect of the headers failed";
    return false;
  }
  for (const pe::Section& s : file_.sections()) {
    int prot = 0;
    if (s.characteristics & pe::kSectionMemRead) prot |= PROT_READ;
    if (s.characteristics & pe::kSectionMemWrite) prot |= PROT_WRITE;
    if (s.characteristics & pe::kSectionMemExecute) prot |= PROT_EXEC;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) {
      *error = "section " + s.name + " is both writable and executable";
      return false;
    }
    const size_t span = round_up(std::max(s.virtual_size, 1u), kPage);
    if (mprotect(base_ + s.virtual_address, span, prot) != 0) {
      *error = "mprotect of section " + s.name + " failed";
      return false;
    }
  }
  return true;
}

void** LoadedImage::import_slot(const std::string& module, const std::string& name) const {
  for (const pe::Import& imp : file_.imports())
    if (strcasecmp(imp.dll.c_str(), module.c_str()) == 0 && imp.name == name)
      return reinterpret_cast<void**>(base_ + imp.iat_rva);
  return nullptr;
}

bool LoadedImage::c_scope_table(uint32_t rva, std::vector<ScopeRecord>* scopes, std::string* why) const {
  const pe::DataDirectory dir = file_.directory(pe::kDirException);
  if (dir.rva == 0) {
    *why = "no exception directory";
    return false;
  }
  // RUNTIME_FUNCTION { BeginAddress, EndAddress, UnwindInfoAddress }, sorted by address.
  for (size_t at = dir.rva; at + 12 <= static_cast<size_t>(dir.rva) + dir.size; at += 12) {
    const uint32_t begin = read<uint32_t>(base_ + at), end = read<uint32_t>(base_ + at + 4);
    uint32_t info = read<uint32_t>(base_ + at + 8);
    if (rva < begin || rva >= end) continue;
    // UNWIND_INFO: Version:3 Flags:5, SizeOfProlog, CountOfCodes, Frame; codes (2 bytes each,
    // padded to an even count); then the handler RVA and its data.
    const uint8_t version_flags = base_[info];
    const uint8_t flags = version_flags >> 3;
    if (flags & kUnwFlagChainInfo) {
      *why = "chained unwind information";
      return false;
    }
    if (!(flags & (kUnwFlagEHandler | kUnwFlagUHandler))) {
      *why = "function has no language handler";
      return false;
    }
    const uint8_t codes = base_[info + 2];
    const size_t handler_at = info + 4 + 2 * static_cast<size_t>((codes + 1) & ~1);
    const uint32_t handler = read<uint32_t>(base_ + handler_at);
    // The handler must be __C_specific_handler: either the IAT-bound address itself or an
    // image thunk `jmp qword ptr [rip+disp32]` (FF 25) through its IAT slot.
    void** iat = import_slot("ntoskrnl.exe", "__C_specific_handler");
    const uint8_t* h = base_ + handler;
    bool is_c_handler = false;
    if (iat != nullptr && h[0] == 0xff && h[1] == 0x25) {
      const int32_t disp = read<int32_t>(h + 2);
      is_c_handler = reinterpret_cast<void**>(const_cast<uint8_t*>(h) + 6 + disp) == iat;
    }
    if (!is_c_handler) {
      *why = "language handler is not __C_specific_handler";
      return false;
    }
    const uint8_t* data = base_ + handler_at + 4;
    const uint32_t count = read<uint32_t>(data);
    scopes->clear();
    for (uint32_t i = 0; i < count; ++i) {
      const uint8_t* r = data + 4 + 16 * static_cast<size_t>(i);
      scopes->push_back({read<uint32_t>(r), read<uint32_t>(r + 4), read<uint32_t>(r + 8), read<uint32_t>(r + 12)});
    }
    return true;
  }
  *why = "no .pdata entry covers the address";
  return false;
}

void LoadedImage::mark_unloaded() {
  unloaded_ = true;
  mprotect(base_, size_, PROT_NONE);
}

}  // namespace ksim
