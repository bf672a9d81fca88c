// The image layer of a story: the shipped FileBackup.sys, loaded by the fixture, started with
// DriverEntry over the simulated registry and Filter Manager (story.h). Image-only stories use
// its options and its watcher directly.
#pragma once

#include <cstring>
#include <functional>
#include <list>
#include <memory>

#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/nt/clock.h"
#include "tests/kernel/nt/dbgprint.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/nt/threads.h"
#include "tests/kernel/sim/nt_types.h"
#include "tests/kernel/stories/image_driver.h"
#include "tests/kernel/stories/story.h"

namespace ksim::stories {

constexpr uint64_t kRequestor = 4242;


class ImageWorld final : public World {
 public:
  ImageWorld(std::function<void()> verify_unload, LoadedImage* image)
      : verify_unload_(std::move(verify_unload)), image_(image) {}
  ~ImageWorld() override {
    watcher_.close();
    clock::set_offset(0);
  }

  void start(const fb::EngineConfig& config, uint64_t capacity) override {
    ASSERT_FALSE(started_) << "an image story starts once (a second DriverEntry needs a fresh load)";
    started_ = true;
    volume_ = std::make_unique<fbmodel::Volume>(capacity);
    fat_ = std::make_unique<fbmodel::Volume>(capacity);
    if (before_attach) before_attach(*volume_);
    flt::FilterManager& fm = flt::FilterManager::get();
    fm.add_volume(kNtfsVolume, flt::kFsTypeNtfs, volume_.get());
    fm.add_volume(kFatVolume, flt::kFsTypeFat, fat_.get());
    if (!create_service_key) {
      route_file_object_dereference(*image_);
      entry_status_ = call_driver_entry(*image_);
      loaded_ = entry_status_ == 0;
      return;
    }
    registry::create_key(kServiceKey);
    write_parameters(config, false);
    route_file_object_dereference(*image_);
    entry_status_ = call_driver_entry(*image_);
    loaded_ = entry_status_ == 0;
    if (!expect_load_failure) {
      ASSERT_EQ(entry_status_, 0) << "DriverEntry failed";
    }
    if (!loaded_ || !connect_watcher) return;
    const NTSTATUS connected = watcher_.connect(fb::proto::HelloRole::kWatcher);
    if (!require_watcher && connected != 0) return;  // refused (a fault story's allocation failure)
    ASSERT_EQ(connected, 0) << "the watcher could not connect; the driver said:\n" << dbgprint::all_text();
    if (read_events) watcher_.start_reading();
  }
  // The Parameters values (docs/registry.md) that differ from the defaults, as an administrator
  // would have set them; MaxVersions also when `always_max_versions`.
  static void write_parameters(const fb::EngineConfig& config, bool always_max_versions) {
    const fb::EngineConfig defaults;
    auto qword = [](uint64_t v) {  // REG_QWORD values (docs/registry.md)
      std::vector<uint8_t> b(8);
      std::memcpy(b.data(), &v, 8);
      return b;
    };
    if (always_max_versions || config.max_versions != defaults.max_versions)
      registry::set_dword(kParametersKey, u"MaxVersions", config.max_versions);
    if (config.enabled != defaults.enabled) registry::set_dword(kParametersKey, u"Enabled", config.enabled ? 1 : 0);
    if (config.max_file_size != defaults.max_file_size || config.min_free_space != defaults.min_free_space) {
      registry::set_value(kParametersKey, u"MaxFileSize", ksim::nt::REG_QWORD, qword(config.max_file_size));
      registry::set_value(kParametersKey, u"MinFreeSpace", ksim::nt::REG_QWORD, qword(config.min_free_space));
    }
    // The vault's bounds (docs/registry.md): what the image does with them is what it read.
    if (config.vault_max_bytes != defaults.vault_max_bytes || config.vault_max_file_size != defaults.vault_max_file_size) {
      registry::set_value(kParametersKey, u"VaultMaxBytes", ksim::nt::REG_QWORD, qword(config.vault_max_bytes));
      registry::set_value(kParametersKey, u"VaultMaxFileSize", ksim::nt::REG_QWORD, qword(config.vault_max_file_size));
    }
    if (config.vault_max_age_hours != defaults.vault_max_age_hours)
      registry::set_dword(kParametersKey, u"VaultMaxAgeHours", config.vault_max_age_hours);
  }

  fbmodel::Volume& volume() override { return *volume_; }

  void reconfigure(const fb::EngineConfig& config) override {
    write_parameters(config, true);
    PortClient control;  // `fbmon reload`
    ASSERT_EQ(control.connect(fb::proto::HelloRole::kControl, kWatcherProcess + 1), 0);
    uint8_t request[fb::proto::kReloadConfigBytes];
    ASSERT_EQ(fb::proto::encode_reload_config(request, sizeof request).error, fb::proto::Error::kOk);
    std::vector<uint8_t> reply;
    ASSERT_EQ(control.send(request, sizeof request, &reply), 0);
    control.close();
    fb::proto::ReloadConfigReply decoded;
    ASSERT_EQ(fb::proto::decode_reload_config_reply(reply.data(), reply.size(), &decoded), fb::proto::Error::kOk);
    ASSERT_EQ(decoded.status, fb::nt::kSuccess);
  }

  fb::NtStatus open(const Name& path, uint32_t access, fb::CreateDisposition d, AppFile** out, uint16_t share,
                    const Name& stream, uint32_t options) override {
    *out = nullptr;
    flt::OpenRequest r;
    r.path = path;
    r.stream = stream;
    r.access = access;
    r.share = share;
    r.disposition = d;
    r.options = options;
    r.process_id = requestor_;
    r.requestor_mode = requestor_kind_ == Requestor::kApplication ? 1 : 0;  // UserMode, KernelMode
    if (requestor_kind_ == Requestor::kShare) r.sl_flags = flt::kSlForceAccessCheck;  // srv2.sys (N13)
    flt::SimFile* f = nullptr;
    const NTSTATUS s = flt::FilterManager::get().open(r, &f);
    if (f != nullptr) {
      files_.push_back(AppFile{nullptr, f});
      *out = &files_.back();
    }
    return static_cast<fb::NtStatus>(s);
  }
  fb::NtStatus write(AppFile* f, uint64_t offset, const std::string& data) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().write(f->image, offset, data, flt::WriteKind::kCached, requestor_));
  }
  fb::NtStatus set_end_of_file(AppFile* f, uint64_t size) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().set_end_of_file(f->image, size, requestor_));
  }
  fb::NtStatus set_allocation(AppFile* f, uint64_t size) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().set_allocation(f->image, size, requestor_));
  }
  fb::NtStatus rename(AppFile* f, const Name& target, bool replace) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().rename(f->image, target, replace, false, requestor_));
  }
  fb::NtStatus delete_on_close(AppFile* f) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().set_disposition(f->image, true, requestor_));
  }
  fb::NtStatus cancel_delete(AppFile* f) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().set_disposition(f->image, false, requestor_));
  }
  void map_writable(AppFile* f, uint32_t protection) override {
    flt::FilterManager::get().acquire_for_section(f->image, protection, requestor_);
  }
  fb::NtStatus paging_write(AppFile* f, uint64_t offset, const std::string& data) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().write(f->image, offset, data, flt::WriteKind::kPaging));
  }
  fb::NtStatus zero_data(AppFile* f, uint64_t, uint64_t) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().fsctl(f->image, flt::kFsctlSetZeroData, requestor_));
  }
  void close(AppFile* f) override { flt::FilterManager::get().close(f->image, requestor_); }
  bool tracked(AppFile* f) override { return flt::FilterManager::get().has_handle_context(f->image); }
  void set_own_client(bool own) override { requestor_ = own ? kWatcherProcess : kRequestor; }
  fb::NtStatus write_unobserved(AppFile* f, uint64_t offset, const std::string& data) override {
    flt::FilterManager::get().set_nested(true);
    const NTSTATUS s = flt::FilterManager::get().write(f->image, offset, data, flt::WriteKind::kCached, requestor_);
    flt::FilterManager::get().set_nested(false);
    return static_cast<fb::NtStatus>(s);
  }
  fb::NtStatus rename_unobserved(AppFile* f, const Name& target, bool replace) override {
    flt::FilterManager::get().set_nested(true);
    const NTSTATUS s = flt::FilterManager::get().rename(f->image, target, replace, false, requestor_);
    flt::FilterManager::get().set_nested(false);
    return static_cast<fb::NtStatus>(s);
  }
  void hold_context(AppFile*) override { flt::FilterManager::get().set_retain_streams(true); }
  fb::NtStatus delete_posix(AppFile* f) override {
    return static_cast<fb::NtStatus>(flt::FilterManager::get().set_disposition_ex(
        f->image, flt::kFileDispositionDelete | flt::kFileDispositionPosixSemantics, requestor_));
  }
  void advance_clock(int64_t units) override {
    clock_offset_ += units;
    clock::set_offset(clock_offset_);
  }
  void set_requestor(Requestor r) override { requestor_kind_ = r; }
  void cache_streams() override { flt::FilterManager::get().set_retain_streams(true); }
  void purge_streams() override { flt::FilterManager::get().purge_stream_cache(); }
  void reparse_next_create(uint32_t tag) override { flt::FilterManager::get().reparse_next_create(tag); }
  bool statistics(fb::Statistics* out) override {
    PortClient control;  // as `fbmon stats` asks: a control connection, GetStats, the reply decoded
    if (control.connect(fb::proto::HelloRole::kControl, kWatcherProcess + 1) != 0) return false;
    uint8_t request[64];
    const fb::proto::EncodeResult encoded = fb::proto::encode_get_stats(request, sizeof request);
    std::vector<uint8_t> reply;
    const bool sent = encoded.error == fb::proto::Error::kOk &&
                      control.send(request, static_cast<uint32_t>(encoded.size), &reply) == 0;
    control.close();
    fb::proto::StatsReply decoded;
    if (!sent || fb::proto::decode_stats_reply(reply.data(), reply.size(), &decoded) != fb::proto::Error::kOk ||
        decoded.status != fb::nt::kSuccess)
      return false;
    *out = decoded.stats;
    return true;
  }
  void clear_events() override {
    watcher_.wait_for_events(0);
    cleared_ = watcher_.events().size();
  }
  std::vector<RecordedEvent> events(size_t expected) override {
    watcher_.wait_for_events(cleared_ + expected);
    std::vector<RecordedEvent> all = watcher_.events();
    return std::vector<RecordedEvent>(all.begin() + static_cast<long>(std::min(cleared_, all.size())), all.end());
  }
  void finish() override {
    if (!started_ || finished_) return;
    finished_ = true;
    if (!loaded_) {  // a failed DriverEntry must have undone everything itself
      EXPECT_TRUE(flt::FilterManager::get().unregistered()) << "a failed load left its filter registered";
      EXPECT_TRUE(threads::join_all(5000));
      verify_unload_();
      return;
    }
    if (close_watcher_before_unload) watcher_.close();
    EXPECT_EQ(flt::FilterManager::get().unload(), 0) << "the driver refused to unload";
    watcher_.close();
    EXPECT_TRUE(threads::join_all(5000)) << "a system thread of the driver is still running after its unload";
    verify_unload_();
    EXPECT_EQ(flt::FilterManager::get().live_filter_files(), 0u) << "a file the driver opened is still open";
    EXPECT_EQ(flt::FilterManager::get().open_kernel_handles(), 0u) << "a handle the driver opened is still open";
  }

 public:
  // Options, set before start().
  bool create_service_key = true;
  bool connect_watcher = true;
  bool read_events = true;
  bool expect_load_failure = false;
  bool close_watcher_before_unload = true;
  bool require_watcher = true;

  NTSTATUS entry_status() const { return entry_status_; }
  PortClient& watcher() { return watcher_; }
  fbmodel::Volume& fat() { return *fat_; }

 private:
  std::function<void()> verify_unload_;
  LoadedImage* image_;
  bool started_ = false;
  bool finished_ = false;
  bool loaded_ = false;
  NTSTATUS entry_status_ = 0;
  uint64_t requestor_ = kRequestor;
  int64_t clock_offset_ = 0;
  Requestor requestor_kind_ = Requestor::kApplication;
  size_t cleared_ = 0;
  std::unique_ptr<fbmodel::Volume> volume_, fat_;
  PortClient watcher_;
  std::list<AppFile> files_;
};


}  // namespace ksim::stories
