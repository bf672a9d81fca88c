#include "tests/kernel/e2e/image_host.h"

#include <unistd.h>

#include <cstring>

#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/nt/objects.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/nt/symlinks.h"
#include "tests/kernel/nt/threads.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/sim/nt_types.h"
#include "tests/kernel/stories/image_driver.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::e2e {

std::string host_image_path() { return FB_KERNEL_IMAGE; }
std::string host_symbols_path() { return FB_KERNEL_SYMBOLS; }

namespace {

constexpr uint64_t kCapacity = 1ull << 34;  // 16 GiB: MinFreeSpace (512 MiB) never bites by accident

std::vector<uint8_t> qword(uint64_t v) {
  std::vector<uint8_t> b(8);
  std::memcpy(b.data(), &v, 8);
  return b;
}

// Stock Windows keeps no object-type lists (the story fixture's StockObjectTypeList, story.h):
// an OBJECT_TYPE's TypeList is empty and points at itself.
void stock_type_list() {
  ob::g_thread_type.TypeList.Flink = &ob::g_thread_type.TypeList;
  ob::g_thread_type.TypeList.Blink = &ob::g_thread_type.TypeList;
}

}  // namespace

ImageHost::ImageHost()
    : ntfs_(std::make_unique<fbmodel::Volume>(kCapacity)), fat_(std::make_unique<fbmodel::Volume>(kCapacity)) {}

ImageHost::~ImageHost() {
  if (loaded_) {
    std::string ignored;
    unload(&ignored);
  }
  verifier::set_image(nullptr, nullptr);
  reset_all();
}

void ImageHost::write_config(const HostConfig& c) {
  using stories::kParametersKey;
  registry::create_key(stories::kServiceKey);
  registry::create_key(kParametersKey);
  if (c.has_max_versions) registry::set_dword(kParametersKey, u"MaxVersions", c.max_versions);
  if (c.has_enabled) registry::set_dword(kParametersKey, u"Enabled", c.enabled);
  if (c.has_max_file_size) registry::set_value(kParametersKey, u"MaxFileSize", nt::REG_QWORD, qword(c.max_file_size));
  if (c.has_min_free_space)
    registry::set_value(kParametersKey, u"MinFreeSpace", nt::REG_QWORD, qword(c.min_free_space));
  if (c.has_protected_folders) registry::set_multi_string(kParametersKey, u"ProtectedFolders", c.protected_folders);
  if (c.has_folder_names) registry::set_multi_string(kParametersKey, u"FolderNames", c.folder_names);
  if (c.has_include_extensions)
    registry::set_multi_string(kParametersKey, u"IncludeExtensions", c.include_extensions);
  if (c.has_exclude_extensions)
    registry::set_multi_string(kParametersKey, u"ExcludeExtensions", c.exclude_extensions);
}

bool ImageHost::load(const HostConfig& config, std::string* error) {
  if (loaded_) {
    *error = "already loaded";
    return false;
  }
  verifier::set_image(nullptr, nullptr);
  reset_all();  // a fresh simulated kernel, as after a reboot; the model volumes stay
  verifier::take_violations();
  install_fault_handler();
  stock_type_list();
  for (const std::string& path : {host_image_path(), host_symbols_path()})
    if (access(path.c_str(), R_OK) != 0) {
      *error = path + " is missing: build it with ./build.sh (cross tree and fb_dist)";
      return false;
    }
  if (image_ != nullptr) unloaded_.push_back(std::move(image_));
  image_ = LoadedImage::load(host_image_path(), LoadOptions{}, error);
  if (image_ == nullptr) return false;
  symbols_ = Symbols();
  if (!symbols_.load(host_symbols_path(), image_->file(), error)) return false;
  verifier::set_image(image_.get(), &symbols_);

  flt::FilterManager& fm = flt::FilterManager::get();
  fm.add_volume(stories::kNtfsVolume, flt::kFsTypeNtfs, ntfs_.get());
  fm.add_volume(stories::kFatVolume, flt::kFsTypeFat, fat_.get());
  symlinks::add(u"\\GLOBAL??\\C:", stories::kNtfsVolume);
  symlinks::add(u"\\GLOBAL??\\E:", stories::kFatVolume);
  write_config(config);
  stories::route_file_object_dereference(*image_);
  const NTSTATUS status = stories::call_driver_entry(*image_);
  if (status != 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "DriverEntry returned 0x%08x", static_cast<unsigned>(status));
    *error = buf;
    return false;
  }
  loaded_ = true;
  return true;
}

bool ImageHost::unload(std::string* findings) {
  findings->clear();
  if (!loaded_) return true;
  flt::FilterManager& fm = flt::FilterManager::get();
  const NTSTATUS status = fm.unload();
  if (status != 0) {
    *findings = "the driver refused to unload\n";
    return false;
  }
  loaded_ = false;
  if (!threads::join_all(5000)) *findings += "a system thread of the driver is still running after its unload\n";
  verifier::run_unload_checks();
  image_->mark_unloaded();
  if (fm.live_filter_files() != 0) *findings += "a file the driver opened is still open\n";
  if (fm.open_kernel_handles() != 0) *findings += "a handle the driver opened is still open\n";
  for (const std::string& v : take_violations()) *findings += v + "\n";
  return findings->empty();
}

std::vector<std::string> ImageHost::take_violations() {
  std::vector<std::string> out;
  for (const verifier::Violation& v : verifier::take_violations()) out.push_back(v.text());
  return out;
}

}  // namespace ksim::e2e
