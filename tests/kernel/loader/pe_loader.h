// Maps a PE32+ kernel image (the shipped FileBackup.sys) into this Linux process the way the
// Windows kernel loader would: sections at a non-preferred address, DIR64 base relocations
// applied, every import bound by name through ksim::find_export with Windows data-import
// semantics, section protections from the headers. An import no simulation module provides
// fails the load, naming it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/artifacts/pe_image.h"

namespace ksim {

struct LoadOptions {
  // Loader unit tests only: bind imports nobody provides to a no-access trap page, so calling
  // (or reading) one faults and the fault handler names it. Never for a story: a story's image
  // must bind completely.
  bool unbound_imports_trap = false;
};

// One record of a C scope table (__C_specific_handler's handler data, as MSVC emits it).
struct ScopeRecord {
  uint32_t begin_rva, end_rva, handler_rva, target_rva;
};

class LoadedImage {
 public:
  ~LoadedImage();
  LoadedImage(const LoadedImage&) = delete;
  LoadedImage& operator=(const LoadedImage&) = delete;

  // nullptr with a reason in *error.
  static std::unique_ptr<LoadedImage> load(const std::string& path, const LoadOptions& options,
                                           std::string* error);

  const std::string& name() const { return name_; }  // file name, e.g. "FileBackup.sys"
  uint8_t* base() const { return base_; }
  size_t size() const { return size_; }
  uint64_t preferred_base() const { return preferred_base_; }
  const pe::Image& file() const { return file_; }
  void* at_rva(uint32_t rva) const { return base_ + rva; }
  void* entry_point() const { return at_rva(file_.entry_point()); }
  bool contains(const void* address) const;
  uint32_t rva_of(const void* address) const;
  size_t relocations_applied() const { return relocations_applied_; }

  // The IAT slot of an import (nullptr if the image does not import it).
  void** import_slot(const std::string& module, const std::string& name) const;
  // Imports bound to the trap page (LoadOptions::unbound_imports_trap), in import order.
  const std::vector<std::string>& trapped_imports() const { return trapped_; }
  // "module!name" of the trap slot at `address`, or "" if it is not one.
  std::string trap_name(const void* address) const;

  // The unwind information covering `rva` (.pdata), and if its language handler is
  // __C_specific_handler (reached through the image's IAT), that handler's scope table.
  bool c_scope_table(uint32_t rva, std::vector<ScopeRecord>* scopes, std::string* why) const;

  // Driver unload done: every page of the image becomes inaccessible (kept reserved), so any
  // later execution or access faults and is reported as a use after unload.
  void mark_unloaded();
  bool unloaded() const { return unloaded_; }

 private:
  LoadedImage() = default;
  bool map_sections(std::string* error);
  bool relocate(std::string* error);
  bool bind_imports(const LoadOptions& options, std::string* error);
  bool protect_sections(std::string* error);

  std::string name_;
  pe::Image file_;
  uint8_t* base_ = nullptr;
  size_t size_ = 0;
  uint64_t preferred_base_ = 0;
  size_t relocations_applied_ = 0;
  uint8_t* trap_page_ = nullptr;
  std::vector<std::string> trapped_;
  bool unloaded_ = false;
};

// Images currently mapped (loaded or unloaded-but-reserved), for fault handling and reports.
const LoadedImage* image_containing(const void* address);
// "module!name" if `address` is an unbound-import trap slot of any mapped image, else "".
std::string trap_name_anywhere(const void* address);

}  // namespace ksim
