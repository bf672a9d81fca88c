// The shipped FileBackup.sys loaded by the host kernel OUTSIDE GoogleTest: for the programs that
// run the image for another process or tool (the end-to-end driver host that fbmon.exe talks
// to under Wine, tests/kernel/e2e/host/; the instruction-cost measurement, tests/bench/
// driver_cost/). The same steps as the story fixture (tests/kernel/sim/harness.h and
// stories/image_world.h): fresh simulated kernel, the signed image mapped and bound, names from
// the unsigned build, the service key in the simulated registry, an NTFS and a FAT volume over
// NTFS models, DriverEntry; the unload runs the same leak checks. Every failure is a message,
// never an abort: the caller decides.
//
// The model volumes belong to the host and outlive a reload (fltmc unload + fltmc load), so a
// story can go on across it, as files on a disk do.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/kernel/loader/pe_loader.h"
#include "tests/kernel/loader/symbols.h"
#include "tests/model/ntfs_model.h"

namespace ksim::e2e {

// The Parameters values a load reads (docs/registry.md). Unset optional values stay absent, so
// the driver takes its defaults as on a fresh install.
struct HostConfig {
  bool has_max_versions = false;
  uint32_t max_versions = 1;
  bool has_enabled = false;
  uint32_t enabled = 1;
  bool has_max_file_size = false;
  uint64_t max_file_size = 0;
  bool has_min_free_space = false;
  uint64_t min_free_space = 0;
  bool has_protected_folders = false;
  std::vector<std::u16string> protected_folders;
  bool has_folder_names = false;
  std::vector<std::u16string> folder_names;
  bool has_include_extensions = false;
  std::vector<std::u16string> include_extensions;
  bool has_exclude_extensions = false;
  std::vector<std::u16string> exclude_extensions;
};

class ImageHost {
 public:
  ImageHost();
  ~ImageHost();
  ImageHost(const ImageHost&) = delete;
  ImageHost& operator=(const ImageHost&) = delete;

  // Maps the shipped image (fresh simulated kernel), writes `config` into the simulated
  // registry, adds the volumes (C: is the NTFS volume) and runs DriverEntry. False with *error.
  bool load(const HostConfig& config, std::string* error);
  // fltmc unload: the filter's unload callback, its threads joined, then the leak checks. The
  // findings (verifier violations, files or handles left open) go to *findings, one per line.
  // False if the driver refused or anything was found.
  bool unload(std::string* findings);
  bool loaded() const { return loaded_; }

  // Rewrites the Parameters values (what fbmon config leaves in the registry) without a reload.
  void write_config(const HostConfig& config);

  fbmodel::Volume& volume() { return *ntfs_; }
  const LoadedImage& image() const { return *image_; }
  const Symbols& symbols() const { return symbols_; }
  // Verifier violations recorded since the last call, as text.
  std::vector<std::string> take_violations();

 private:
  std::unique_ptr<fbmodel::Volume> ntfs_, fat_;
  std::unique_ptr<LoadedImage> image_;
  std::vector<std::unique_ptr<LoadedImage>> unloaded_;  // kept reserved: use after unload faults
  Symbols symbols_;
  bool loaded_ = false;
  bool type_list_saved_ = false;
};

// Paths of the images (the CMake definitions FB_KERNEL_IMAGE / FB_KERNEL_SYMBOLS).
std::string host_image_path();
std::string host_symbols_path();

}  // namespace ksim::e2e
