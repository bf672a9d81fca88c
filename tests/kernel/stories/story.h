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
#include "common/protocol/stats.h"
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
  // FileDispositionInformationEx, DELETE | POSIX_SEMANTICS: the name goes at this handle's close (N11).
  virtual fb::NtStatus delete_posix(AppFile* file) = 0;
  // `fbmon config set` then reload: the engine configured anew (the image: the values written to
  // the simulated registry, then a ReloadConfig request over the port, as fbmon sends it).
  // MaxVersions is written whatever its value, so it is in force "valid from the registry".
  virtual void reconfigure(const fb::EngineConfig& config) = 0;
  // The calendar moves on by `units` of 100 ns (the engine's clock; the simulated system time).
  virtual void advance_clock(int64_t units) = 0;
  virtual void map_writable(AppFile* file, uint32_t protection) = 0;
  virtual fb::NtStatus paging_write(AppFile* file, uint64_t offset, const std::string& data) = 0;
  virtual fb::NtStatus zero_data(AppFile* file, uint64_t offset, uint64_t length) = 0;
  virtual void close(AppFile* file) = 0;
  // Whether the filter tracks this open (the engine's handle context exists).
  virtual bool tracked(AppFile* file) = 0;
  // The requests that follow come from a process connected to the driver's port (fbmon).
  virtual void set_own_client(bool own) = 0;
  // Who opens the files from now on: an application (user mode), the SMB server for a remote
  // user (kernel mode with SL_FORCE_ACCESS_CHECK, N13) or a kernel component (kernel mode).
  enum class Requestor { kApplication, kShare, kKernel };
  virtual void set_requestor(Requestor requestor) = 0;
  // A write / rename the driver sees where it can do no backup I/O (inside a file system's own
  // request: the top-level IRP is set).
  virtual fb::NtStatus write_unobserved(AppFile* file, uint64_t offset, const std::string& data) = 0;
  virtual fb::NtStatus rename_unobserved(AppFile* file, const Name& target, bool replace_if_exists) = 0;
  // The cache keeps the file's stream (and its stream context) after the handle closes (N12).
  virtual void hold_context(AppFile* file) = 0;
  // From now on the cache and memory manager keep every stream after its last close, with its
  // stream context (N12), until purge_streams() lets go of them all and the contexts are torn
  // down. (The engine harness always keeps them until then.)
  virtual void cache_streams() = 0;
  virtual void purge_streams() = 0;
  // The file system answers the application's next create with STATUS_REPARSE (N4).
  virtual void reparse_next_create(uint32_t tag) = 0;
  // The driver's statistics as `fbmon stats` gets them (the image: over the port, decoded with
  // common/'s decoder; the engine: what the driver would encode). False if they cannot be had.
  virtual bool statistics(fb::Statistics* out) = 0;
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

// The driver's defaults with MaxVersions `n` (the image reads it from the simulated registry).
inline fb::EngineConfig versions(uint32_t n) {
  fb::EngineConfig c;
  c.max_versions = n;
  return c;
}

}  // namespace ksim::stories
