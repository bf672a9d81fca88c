// A story written once and told at two layers:
//   - kEngine: the engine harness (tests/model/filter_harness.h), the engine called as driver/
//     calls it, on the NTFS model;
//   - kImage: the SHIPPED FileBackup.sys loaded into this process, its DriverEntry run with the
//     story's configuration in the simulated registry, every operation dispatched by the
//     simulated Filter Manager (tests/kernel/fltmgr/) to the image's callbacks, and the events
//     read by a watcher connected to \FileBackupPort and decoded with common/'s decoder.
// The same assertions hold at both layers: file content, every slot and its metadata, events.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/engine/config.h"
#include "common/engine/ops.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/sim/harness.h"
#include "tests/kernel/sim/nt_types.h"
#include "tests/model/filter_harness.h"
#include "tests/model/ntfs_model.h"

namespace ksim::stories {

using fbmodel::Name;
using fbmodel::RecordedEvent;

enum class Layer { kEngine, kImage };
const char* layer_name(Layer layer);

// An application's open file at either layer.
struct AppFile {
  fbmodel::AppHandle* engine = nullptr;
  flt::SimFile* image = nullptr;
};

// The operations a story may perform, and what it may inspect.
class World {
 public:
  virtual ~World() = default;
  // A fresh volume and filter with this configuration (the image: a new DriverEntry).
  virtual void start(const fb::EngineConfig& config, uint64_t capacity) = 0;
  // Runs on the fresh volume before the filter attaches to it: what a previous boot left there.
  std::function<void(fbmodel::Volume&)> before_attach;
  virtual fbmodel::Volume& volume() = 0;

  virtual fb::NtStatus open(const Name& path, uint32_t access, fb::CreateDisposition disposition, AppFile** out,
                            uint16_t share = fb::share::kAll, const Name& stream = Name(), uint32_t options = 0) = 0;
  virtual fb::NtStatus write(AppFile* file, uint64_t offset, const std::string& data) = 0;
  virtual fb::NtStatus set_end_of_file(AppFile* file, uint64_t size) = 0;
  virtual fb::NtStatus set_allocation(AppFile* file, uint64_t size) = 0;
  virtual fb::NtStatus rename(AppFile* file, const Name& target, bool replace_if_exists) = 0;
  virtual fb::NtStatus delete_on_close(AppFile* file) = 0;
  // FileDispositionInformation DeleteFile FALSE: a pending delete cancelled (N11).
  virtual fb::NtStatus cancel_delete(AppFile* file) = 0;
  virtual void map_writable(AppFile* file, uint32_t protection) = 0;
  virtual fb::NtStatus paging_write(AppFile* file, uint64_t offset, const std::string& data) = 0;
  virtual fb::NtStatus zero_data(AppFile* file, uint64_t offset, uint64_t length) = 0;
  virtual void close(AppFile* file) = 0;
  // Whether the filter tracks this open (the engine's handle context exists).
  virtual bool tracked(AppFile* file) = 0;
  // The requests that follow come from a process connected to the driver's port (fbmon).
  virtual void set_own_client(bool own) = 0;
  // The requests that follow come from the SMB server for a remote user (N13): kernel mode,
  // creates with SL_FORCE_ACCESS_CHECK (the remote user's access is checked), set-information
  // from kernel mode.
  virtual void set_share_requestor(bool share) = 0;
  // A write / rename the driver sees where it can do no backup I/O (inside a file system's own
  // request: the top-level IRP is set).
  virtual fb::NtStatus write_unobserved(AppFile* file, uint64_t offset, const std::string& data) = 0;
  virtual fb::NtStatus rename_unobserved(AppFile* file, const Name& target, bool replace_if_exists) = 0;
  // The cache keeps the file's stream (and its stream context) after the handle closes (N12).
  virtual void hold_context(AppFile* file) = 0;
  // Forget the events so far (the next events() starts after them).
  virtual void clear_events() = 0;

  // The events so far, in order; `expected` is how many the story waits for (the image's
  // sender thread delivers them asynchronously).
  virtual std::vector<RecordedEvent> events(size_t expected) = 0;
  // Ends the story: everything closed, the filter unloaded, no leak anywhere.
  virtual void finish() = 0;
};

// The GoogleTest fixture: one story, parameterised by layer. At the image layer it loads the
// shipped image first (ksim::KernelTest).
class StoryTest : public KernelTest, public ::testing::WithParamInterface<Layer> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // The story's steps.
  void start(fb::EngineConfig config = fb::EngineConfig(), uint64_t capacity = 1ull << 30);
  fbmodel::Volume& volume() { return world_->volume(); }
  World& world() { return *world_; }

  // The shared assertions (tests/scenario/scenario_support.h, at both layers).
  struct Expected {
    fb::Trigger trigger;
    fb::Outcome outcome;
    fb::SkipReason skip = fb::SkipReason::kNone;
    fb::NtStatus status = fb::nt::kSuccess;
    uint64_t file_size = 0;
    Name path;
  };
  static Expected backed_up(fb::Trigger t, uint64_t size, Name path = Name());
  static Expected skipped(fb::Trigger t, fb::SkipReason reason, uint64_t size, Name path = Name());
  static Expected failed(fb::Trigger t, fb::NtStatus status, uint64_t size, Name path = Name());
  void expect_events(const std::vector<Expected>& expected, const Name& default_path);
  void expect_backup(const Name& path, uint32_t slot, const std::string& content, fb::Trigger trigger);
  std::vector<uint32_t> slots(const Name& path);
  bool has_temp(const Name& path);
  void seed_backup(const Name& path, uint32_t slot, const std::string& content,
                   fb::Trigger trigger = fb::Trigger::kWrite);
  Layer layer() const { return GetParam(); }
  // Whole saves, as the harness offers them: open existing for write, write, close; and
  // fopen("w"): CREATE_ALWAYS (or another overwriting disposition) without sharing, write, close.
  fb::NtStatus edit(const Name& path, uint64_t offset, const std::string& data);
  fb::NtStatus overwrite(const Name& path, const std::string& data,
                         fb::CreateDisposition disposition = fb::CreateDisposition::kOverwriteIf);

  std::unique_ptr<World> world_;
};

Name slot_stream(uint32_t slot, bool meta = false);

}  // namespace ksim::stories
