#include "tests/kernel/stories/story.h"

#include <cstring>
#include <functional>
#include <list>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "common/paths/stream_names.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/sim/nt_types.h"
#include "tests/kernel/nt/threads.h"
#include "tests/kernel/stories/image_driver.h"
#include "tests/kernel/stories/image_world.h"

namespace ksim::stories {

const char* layer_name(Layer layer) { return layer == Layer::kEngine ? "engine" : "image"; }

Name slot_stream(uint32_t slot, bool meta) {
  char16_t units[fb::kMaxBackupSuffixUnits];
  uint32_t len = 0;
  fb::build_backup_suffix(slot, meta ? fb::BackupPart::kMeta : fb::BackupPart::kData, units,
                          fb::kMaxBackupSuffixUnits, &len);
  return Name(units + 1, units + len);
}

namespace {


// --- the engine harness -----------------------------------------------------------------------------

class EngineWorld final : public World {
 public:
  void start(const fb::EngineConfig& config, uint64_t capacity) override {
    files_.clear();
    harness_.reset();
    volume_ = std::make_unique<fbmodel::Volume>(capacity);
    if (before_attach) before_attach(*volume_);
    fbmodel::HarnessOptions options;
    options.config = config;
    options.buffer_size = 64 * 1024;  // the driver's copy buffers (driver/runtime/kernel_services.h kBufferBytes)
    harness_ = std::make_unique<fbmodel::FilterHarness>(*volume_, options);
    // What the driver's InstanceSetup does on the volume (driver/callbacks/instance.cpp).
    harness_->engine().vault_scan(harness_->target(), fbmodel::view(Name(u"\\Device\\HarddiskVolume2")));
  }
  fbmodel::Volume& volume() override { return *volume_; }
  fb::NtStatus open(const Name& path, uint32_t access, fb::CreateDisposition d, AppFile** out, uint16_t share,
                    const Name& stream, uint32_t options) override {
    *out = nullptr;
    fbmodel::AppHandle* h = nullptr;
    const fb::NtStatus s = harness_->open(path, access, d, &h, share, stream, options);
    if (h != nullptr) {
      files_.push_back(AppFile{h, nullptr});
      *out = &files_.back();
    }
    return s;
  }
  fb::NtStatus write(AppFile* f, uint64_t offset, const std::string& data) override {
    return harness_->write(f->engine, offset, data);
  }
  fb::NtStatus set_end_of_file(AppFile* f, uint64_t size) override { return harness_->set_end_of_file(f->engine, size); }
  fb::NtStatus set_allocation(AppFile* f, uint64_t size) override { return harness_->set_allocation(f->engine, size); }
  fb::NtStatus rename(AppFile* f, const Name& target, bool replace) override {
    return harness_->rename(f->engine, target, replace);
  }
  fb::NtStatus delete_on_close(AppFile* f) override { return harness_->delete_on_close(f->engine); }
  fb::NtStatus cancel_delete(AppFile* f) override { return harness_->cancel_delete(f->engine); }
  void map_writable(AppFile* f, uint32_t protection) override { harness_->map_writable(f->engine, protection); }
  fb::NtStatus paging_write(AppFile* f, uint64_t offset, const std::string& data) override {
    return harness_->paging_write(f->engine, offset, data);
  }
  fb::NtStatus zero_data(AppFile* f, uint64_t offset, uint64_t length) override {
    return harness_->zero_data(f->engine, offset, length);
  }
  void close(AppFile* f) override { harness_->close(f->engine); }
  bool tracked(AppFile* f) override { return f->engine->tracked; }
  void set_own_client(bool own) override { harness_->set_own_client(own); }
  fb::NtStatus write_unobserved(AppFile* f, uint64_t offset, const std::string& data) override {
    return harness_->write_unobserved(f->engine, offset, data);
  }
  fb::NtStatus rename_unobserved(AppFile* f, const Name& target, bool replace) override {
    return harness_->rename_unobserved(f->engine, target, replace);
  }
  void hold_context(AppFile* f) override { held_.push_back(harness_->hold_context(f->engine)); }
  void reconfigure(const fb::EngineConfig& config) override { harness_->engine().configure(config); }
  fb::NtStatus delete_posix(AppFile* f) override { return harness_->delete_posix(f->engine); }
  void advance_clock(int64_t units) override { harness_->advance_clock(units); }
  void cache_streams() override {}  // the harness keeps every stream context until tear_down_streams
  void set_requestor(Requestor r) override {
    using H = fbmodel::FilterHarness::Requestor;
    harness_->set_requestor(r == Requestor::kShare ? H::kShare : r == Requestor::kKernel ? H::kKernel : H::kApplication);
  }
  void purge_streams() override { harness_->tear_down_streams(); }
  void reparse_next_create(uint32_t tag) override { harness_->reparse_next_create(tag); }
  bool statistics(fb::Statistics* out) override {
    harness_->engine().fill_statistics(out);
    return true;
  }
  void clear_events() override { harness_->clear_events(); }
  std::vector<RecordedEvent> events(size_t) override { return harness_->events(); }
  void finish() override {
    if (harness_ == nullptr) return;  // finished already
    held_.clear();
    EXPECT_EQ(harness_->engine_handle_leaks(), 0) << "the engine returned with handles open (N5/N6)";
    EXPECT_EQ(harness_->buffers().outstanding(), 0);
    harness_.reset();
  }

 private:
  std::unique_ptr<fbmodel::Volume> volume_;
  std::unique_ptr<fbmodel::FilterHarness> harness_;
  std::list<AppFile> files_;
  std::vector<std::shared_ptr<void>> held_;
};

}  // namespace

// --- the fixture -------------------------------------------------------------------------------------

void StoryTest::SetUp() {
  KernelTest::SetUp();
  if (HasFatalFailure()) return;
  if (layer() == Layer::kEngine)
    world_ = std::make_unique<EngineWorld>();
  else
    world_ = std::make_unique<ImageWorld>([this] { verify_unload(); }, image_.get());
}

void StoryTest::TearDown() {
  if (world_ != nullptr) world_->finish();  // a story that stopped early still unloads the driver
  world_.reset();
  KernelTest::TearDown();
}

void StoryTest::start(fb::EngineConfig config, uint64_t capacity) { world_->start(config, capacity); }

fb::NtStatus StoryTest::edit(const Name& path, uint64_t offset, const std::string& data) {
  AppFile* h = nullptr;
  fb::NtStatus s = world_->open(path, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &h);
  if (!fb::nt_success(s)) return s;
  s = world_->write(h, offset, data);
  world_->close(h);
  return s;
}

fb::NtStatus StoryTest::overwrite(const Name& path, const std::string& data, fb::CreateDisposition disposition) {
  AppFile* h = nullptr;
  fb::NtStatus s = world_->open(path, fb::access::kWriteData, disposition, &h, 0);
  if (!fb::nt_success(s) || h == nullptr) return s;  // failed, or reparsed (N4: nothing opened)
  if (!data.empty()) s = world_->write(h, 0, data);
  world_->close(h);
  return s;
}

StoryTest::Expected StoryTest::backed_up(fb::Trigger t, uint64_t size, Name path) {
  return {t, fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, size, std::move(path)};
}
StoryTest::Expected StoryTest::skipped(fb::Trigger t, fb::SkipReason reason, uint64_t size, Name path) {
  return {t, fb::Outcome::kSkipped, reason, fb::nt::kSuccess, size, std::move(path)};
}
StoryTest::Expected StoryTest::failed(fb::Trigger t, fb::NtStatus status, uint64_t size, Name path) {
  return {t, fb::Outcome::kFailed, fb::SkipReason::kNone, status, size, std::move(path)};
}

void StoryTest::expect_events(const std::vector<Expected>& expected, const Name& default_path) {
  const std::vector<RecordedEvent> events = world_->events(expected.size());
  ASSERT_EQ(events.size(), expected.size()) << "at the " << layer_name(layer()) << " layer";
  for (size_t i = 0; i < events.size(); ++i) {
    const fb::BackupEvent& e = events[i].event;
    const Expected& x = expected[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(e.trigger, x.trigger);
    EXPECT_EQ(e.outcome, x.outcome);
    EXPECT_EQ(e.skip_reason, x.skip);
    EXPECT_EQ(e.status, x.status);
    EXPECT_EQ(e.file_size, x.file_size);
    EXPECT_EQ(e.bytes_copied, x.outcome == fb::Outcome::kBackedUp ? x.file_size : 0u);
    EXPECT_EQ(e.slot, x.outcome == fb::Outcome::kBackedUp || x.outcome == fb::Outcome::kBackupLost ? 1u : 0u);
    EXPECT_EQ(e.process_id, kRequestor);
    EXPECT_GT(e.time, 0);
    EXPECT_EQ(fbmodel::fold(events[i].path), fbmodel::fold(x.path.empty() ? default_path : x.path));
  }
}

void StoryTest::expect_backup(const Name& path, uint32_t slot, const std::string& content, fb::Trigger trigger) {
  SCOPED_TRACE(slot);
  EXPECT_EQ(volume().content(path, slot_stream(slot)), content);
  const std::string record = volume().content(path, slot_stream(slot, true));
  fb::BackupMetadata meta;
  ASSERT_EQ(fb::decode_backup_metadata(reinterpret_cast<const uint8_t*>(record.data()), record.size(), &meta),
            fb::MetadataError::kOk);
  EXPECT_EQ(meta.original_size, content.size());
  EXPECT_EQ(meta.content_hash, fb::crc32c(content.data(), content.size()));
  EXPECT_EQ(meta.trigger, trigger);
  EXPECT_EQ(meta.writer_process_id, kRequestor);
}

std::vector<uint32_t> StoryTest::slots(const Name& path) {
  std::vector<uint32_t> out;
  for (uint32_t s = 1; s <= 9; ++s)
    if (volume().exists(path, slot_stream(s))) out.push_back(s);
  return out;
}

bool StoryTest::has_temp(const Name& path) { return volume().exists(path, slot_stream(0)); }

void StoryTest::seed_backup(const Name& path, uint32_t slot, const std::string& content, fb::Trigger trigger) {
  volume().put(path, content, slot_stream(slot));
  fb::BackupMetadata meta;
  meta.backup_time = 132000000000000000;
  meta.original_size = content.size();
  meta.content_hash = fb::crc32c(content.data(), content.size());
  meta.writer_process_id = kRequestor;
  meta.trigger = trigger;
  uint8_t record[fb::kBackupMetadataSize];
  fb::encode_backup_metadata(meta, record, sizeof record);
  volume().put(path, std::string(reinterpret_cast<char*>(record), sizeof record), slot_stream(slot, true));
}

}  // namespace ksim::stories
