// Low-resources simulation in the manner of Driver Verifier's, at the image layer: a story is
// told once to count its fault points (every pool allocation of the image, every fallible
// Filter Manager call: context allocation, name query, FltCreateFileEx2, read, write, query and
// set information, volume information, port send; and the sender thread's creation at load),
// then once per point with that one call failing. After each: no crash, no verifier finding
// (no leak at unload), the application's operations got the same results as without the
// filter, the file's content is the same, the earlier backup is intact, and either the backup
// was made after all or a FAILED or skipped event says why - or, for a fault during
// DriverEntry, the load failed cleanly with everything undone.
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <thread>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "common/engine/vault_record.h"

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/nt/pool.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/stories/image_world.h"

namespace ksim::stories {
namespace {

using fb::CreateDisposition;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
const Name kDoc = kDocs + u"report.docx";
const Name kTemp = kDocs + u"~WRL0001.tmp";
constexpr uint32_t kReadWrite = access::kReadData | access::kWriteData;

// --- PsCreateSystemThread can fail too (an IAT interposer: the ntoskrnl simulation has no hook) ----
using CreateThreadFn = NTSTATUS(KSIM_API*)(void*, uint32_t, void*, void*, void*, void*, void*);
CreateThreadFn g_nt_create_thread = nullptr;
std::atomic<bool> g_fail_thread_creation{false};
KSIM_API NTSTATUS create_thread_interposer(void* handle, uint32_t access, void* attributes, void* process,
                                           void* client_id, void* routine, void* context) {
  if (g_fail_thread_creation.exchange(false)) return static_cast<NTSTATUS>(0xC000009A);
  return g_nt_create_thread(handle, access, attributes, process, client_id, routine, context);
}
void route_thread_creation(const LoadedImage& image) {
  void** slot = image.import_slot("ntoskrnl.exe", "PsCreateSystemThread");
  if (slot == nullptr) return;
  const long page = sysconf(_SC_PAGESIZE);
  void* start = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(slot) & ~static_cast<uintptr_t>(page - 1));
  mprotect(start, static_cast<size_t>(page), PROT_READ | PROT_WRITE);
  if (*slot != reinterpret_cast<void*>(&create_thread_interposer)) g_nt_create_thread = reinterpret_cast<CreateThreadFn>(*slot);
  *slot = reinterpret_cast<void*>(&create_thread_interposer);
  mprotect(start, static_cast<size_t>(page), PROT_READ);
}

// What a telling of a story produced.
struct Telling {
  bool loaded = false;
  bool watcher = false;  // the watcher's connection was admitted (an allocation failure may refuse it)
  std::vector<fb::NtStatus> results;  // each application operation's status
  std::string content;
  bool earlier_backup_intact = false;
  bool in_vault = false;  // intact thanks to a vault entry whose record names the document
  bool backed_up = false;
  std::vector<RecordedEvent> events;
};

using Story = std::function<void(World&, Telling*)>;

// "12 (Filter Manager call FltCreateFileEx2 at pre-create: report.docx.~fb0001:backup.tmp; events FAILED 0xc000009a)"
std::string describe(uint64_t point, const char* what, const std::string& kind, const std::string& where,
                     const Telling& t) {
  std::string out = std::to_string(point) + " (" + what + (kind.empty() ? "" : " " + kind) + " at " + where + ";";
  if (t.events.empty()) out += " no event";
  for (const RecordedEvent& e : t.events) {
    char status[16];
    std::snprintf(status, sizeof status, "0x%08x", static_cast<unsigned>(e.event.status));
    const char* outcome = e.event.outcome == fb::Outcome::kFailed    ? "FAILED "
                          : e.event.outcome == fb::Outcome::kSkipped ? "skipped "
                                                                      : "outcome ";
    out += std::string(" event ") + outcome + std::to_string(static_cast<int>(e.event.outcome)) + " " + status;
  }
  return out + ")";
}

// S1: open, write, close, with an earlier version in slot 1 (MaxVersions 2).
void s1_in_place(World& w, Telling* t) {
  AppFile* h = nullptr;
  t->results.push_back(w.open(kDoc, kReadWrite, CreateDisposition::kOpen, &h));
  if (h == nullptr) return;
  t->results.push_back(w.write(h, 0, "VERSION 2"));
  w.close(h);
}

// S4: CREATE_ALWAYS.
void s4_overwrite(World& w, Telling* t) {
  AppFile* h = nullptr;
  t->results.push_back(w.open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0));
  if (h == nullptr) return;
  t->results.push_back(w.write(h, 0, "version 2"));
  w.close(h);
}

// S5: a temp file renamed over the original.
void s5_rename_over(World& w, Telling* t) {
  w.volume().put(kTemp, "version 2");
  AppFile* h = nullptr;
  t->results.push_back(w.open(kTemp, access::kDelete, CreateDisposition::kOpen, &h));
  if (h == nullptr) return;
  t->results.push_back(w.rename(h, kDoc, true));
  w.close(h);
}

class FaultStory : public KernelTest, public ::testing::WithParamInterface<const char*> {
 protected:
  Story story() const {
    const std::string name = GetParam();
    if (name == "S1") return s1_in_place;
    if (name == "S4") return s4_overwrite;
    return s5_rename_over;
  }

  // A fresh image (DriverEntry runs once per load).
  void reload() {
    verifier::set_image(nullptr, nullptr);
    reset_all();
    image_.reset();
    std::string error;
    image_ = LoadedImage::load(shipped_image_path(), LoadOptions{}, &error);
    ASSERT_NE(image_, nullptr) << error;
    verifier::set_image(image_.get(), &symbols_);
  }

  // One telling; `arm` runs just before DriverEntry.
  Telling tell(const std::function<void()>& arm, const std::function<void()>& disarm) {
    Telling t;
    fb::EngineConfig config;
    config.max_versions = 2;
    ImageWorld world([this] { verify_unload(); }, image_.get());
    world.expect_load_failure = true;
    world.require_watcher = false;
    route_thread_creation(*image_);
    // start() is split so the fault can hit DriverEntry: the volume first, then the load.
    arm();
    world.start(config, 1ull << 30);
    t.loaded = world.entry_status() == 0;
    t.watcher = world.watcher().connected();
    // The story's files exist before it runs (put on the model directly: no filter involved).
    world.volume().put(kDoc, "version 1");
    seed(world.volume());
    story()(world, &t);
    disarm();
    // The sender thread delivers events asynchronously: wait until none has arrived for 60 ms
    // (a FAILED event followed by kept-in-vault is two), so a late one is not taken for silence.
    if (t.loaded && t.watcher) {
      size_t seen = world.watcher().events().size();
      for (;;) {
        world.watcher().wait_for_events(seen + 1, 60);
        const size_t now = world.watcher().events().size();
        if (now == seen) break;
        seen = now;
      }
    }
    t.events = world.events(0);
    world.finish();
    t.content = world.volume().content(kDoc);
    const std::string slot1 = world.volume().content(kDoc, slot_stream(1));
    const std::string slot2 = world.volume().content(kDoc, slot_stream(2));
    t.earlier_backup_intact = slot1 == "version 0" || slot2 == "version 0";
    if (!t.earlier_backup_intact) t.in_vault = t.earlier_backup_intact = vault_holds_version_0(world.volume());
    t.backed_up = slot1 == "version 1";
    return t;
  }

  // times: how many fallible calls in a row fail from each point on (2: a persistent shortage,
  // which the engine's one retry meets again).
  void run(bool require_report, uint32_t times = 1);

  // The original path a vault file's record names, decoded as fbmon deleted does
  // (common/engine/vault_record.h); empty without a valid record.
  static Name record_path(fbmodel::Volume& v, const Name& vault_file) {
    const Name info = vault_file + u".info";
    if (!v.exists(info)) return Name();
    const std::string record = v.content(info);
    fb::VaultRecord r;
    if (!fb::decode_vault_record_header(reinterpret_cast<const uint8_t*>(record.data()),
                                        static_cast<uint32_t>(record.size()), &r))
      return Name();
    Name original;
    for (uint32_t i = 0; i < r.path_units; ++i)
      original.push_back(static_cast<char16_t>(static_cast<uint8_t>(record[40 + 2 * i]) |
                                               static_cast<uint8_t>(record[41 + 2 * i]) << 8));
    return original;
  }
  // Version 0 in a slot of a vault file whose record names the document.
  static bool vault_holds_version_0(fbmodel::Volume& v) {
    const Name prefix = fbmodel::fold(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\");
    for (const Name& f : v.file_names()) {
      if (f.compare(0, prefix.size(), prefix) != 0 || f.find(u".INFO") != Name::npos) continue;
      if (fbmodel::fold(record_path(v, f)) != fbmodel::fold(kDoc)) continue;
      for (uint32_t slot = 1; slot <= 3; ++slot)
        if (v.exists(f, slot_stream(slot)) && v.content(f, slot_stream(slot)) == "version 0") return true;
    }
    return false;
  }

  static void seed(fbmodel::Volume& v) {
    fb::BackupMetadata meta;
    meta.backup_time = 132000000000000000;
    meta.original_size = 9;
    meta.content_hash = fb::crc32c("version 0", 9);
    meta.writer_process_id = kRequestor;
    meta.trigger = Trigger::kWrite;
    uint8_t record[fb::kBackupMetadataSize];
    fb::encode_backup_metadata(meta, record, sizeof record);
    v.put(kDoc, "version 0", slot_stream(1));
    v.put(kDoc, std::string(reinterpret_cast<char*>(record), sizeof record), slot_stream(1, true));
  }
};

// Every fault point; `require_report`: a point where no backup was made must have an event and,
// for a single failure (times 1), the earlier version must survive wherever the filter loaded.
void FaultStory::run(bool require_report, uint32_t times) {
  // Baseline: no fault. Counts the points.
  size_t pool_before = 0, pool_after = 0;
  uint64_t flt_points = 0;
  Telling baseline = tell(
      [&] {
        flt::faults::disarm();
        pool_before = pool::allocation_count();
      },
      [&] {
        pool_after = pool::allocation_count();
        flt_points = flt::faults::calls();
      });
  ASSERT_TRUE(baseline.loaded);
  ASSERT_TRUE(baseline.backed_up) << "the story backs up when nothing fails";
  for (const auto& v : take_violations()) ADD_FAILURE() << "baseline: " << v.text();
  const uint64_t pool_points = pool_after - pool_before;
  const uint64_t points = pool_points + flt_points + 1;  // + the sender thread's creation

  int silent = 0, failed_or_skipped = 0, backed_up = 0, load_failures = 0, unwatched = 0, history_lost_reported = 0,
      history_lost_silently = 0, kept_in_vault = 0, lost_unrecoverable = 0;
  std::vector<std::string> silent_points, lost_points, reported_loss_points;
  for (uint64_t point = 1; point <= points; ++point) {
    reload();
    if (HasFatalFailure()) return;
    std::atomic<uint64_t> counter{0};
    std::atomic<uint32_t> repeats{0};  // set after failed_tag and failed_thread
    uint32_t failed_tag = 0;
    std::thread::id failed_thread;
    const char* what = "";
    std::string kind, where;
    auto arm = [&] {
      if (point <= pool_points) {
        what = "pool allocation";
        pool::set_failure([&, point, times](size_t bytes, uint32_t tag) {
          // A persistent shortage: the next allocations of the same tag on the same thread (the
          // retry) fail too, not another thread's.
          if (repeats.load() > 0 && tag == failed_tag && std::this_thread::get_id() == failed_thread) {
            --repeats;
            return true;
          }
          if (++counter != point) return false;
          failed_tag = tag;
          failed_thread = std::this_thread::get_id();
          repeats = times - 1;
          const char* callback = flt::faults::current_callback();
          where = std::string(*callback != 0 ? callback : "outside callbacks") + ": " + pool::tag_text(tag) + " " +
                  std::to_string(bytes) + " bytes";
          return true;
        });
      } else if (point <= pool_points + flt_points) {
        what = "Filter Manager call";
        flt::faults::arm(point - pool_points, times);
      } else {
        what = "PsCreateSystemThread";
        g_fail_thread_creation = true;  // DriverEntry does not retry it: the load fails cleanly
      }
    };
    auto disarm = [&] {
      if (flt::faults::fired()) {
        kind = flt::faults::kind_text(flt::faults::fired_kind());
        where = flt::faults::fired_where();
      }
      pool::set_failure({});
      flt::faults::disarm();
      g_fail_thread_creation = false;
    };
    const Telling t = tell(arm, disarm);
    SCOPED_TRACE(std::string("fault point ") + std::to_string(point) + ": " + what + (kind.empty() ? "" : " " + kind));
    for (const auto& v : take_violations()) ADD_FAILURE() << v.text();
    // Without the filter (a failed load) the application sees exactly the file system.
    EXPECT_EQ(t.results, baseline.results) << "the application's operations got other results";
    EXPECT_EQ(t.content, baseline.content);
    bool failure_reported = false;
    for (const RecordedEvent& e : t.events)
      if (e.event.outcome == fb::Outcome::kFailed || e.event.outcome == fb::Outcome::kSkipped) failure_reported = true;
    if (t.in_vault) ++kept_in_vault;
    if (!t.earlier_backup_intact) {
      // S4 and S5 only: an overwrite (rename over) whose rescue (adoption) failed still runs (the
      // user's I/O never fails because of us), and NTFS deletes every named stream with it (N1,
      // N5): without the filter, or with a FAILED event saying so, that is the documented limit.
      // Anywhere else it is a loss.
      const bool overwrite = std::string(GetParam()) == "S4" || std::string(GetParam()) == "S5";
      if (overwrite && (!t.loaded || failure_reported)) {
        ++history_lost_reported;
        if (t.loaded) {
          reported_loss_points.push_back(describe(point, what, kind, where, t));
          // Issue 11: the filter was loaded, so the earlier version must survive, in the
          // document's slots or in the vault; a report alone is not enough. Except where the
          // data itself could not be read (FltReadFile: STATUS_IO_DEVICE_ERROR) or there was no
          // room to copy it (FltWriteFile: STATUS_DISK_FULL) before the overwrite took it:
          // neither is a shortage a retry can outlast, and nothing else holds a copy (N1).
          const bool unrecoverable = kind == "FltReadFile" || kind == "FltWriteFile";
          if (unrecoverable) ++lost_unrecoverable;
          if (require_report && times == 1 && !unrecoverable) ADD_FAILURE() << "the earlier backup was lost (reported)";
        }
      } else {
        ++history_lost_silently;
        lost_points.push_back(describe(point, what, kind, where, t));
        if (require_report) ADD_FAILURE() << "the earlier backup was lost";
      }
    }
    if (!t.loaded) {
      ++load_failures;
      EXPECT_TRUE(t.events.empty());
      continue;
    }
    if (t.backed_up) {
      ++backed_up;
      continue;
    }
    bool reported = false;
    for (const RecordedEvent& e : t.events)
      if (e.event.outcome == fb::Outcome::kFailed || e.event.outcome == fb::Outcome::kSkipped) reported = true;
    if (reported) {
      ++failed_or_skipped;
    } else if (!t.watcher) {
      ++unwatched;  // the failure refused the watcher itself: nobody to tell (the queue counts the drop)
    } else {
      ++silent;
      silent_points.push_back(std::to_string(point) + " (" + what + (kind.empty() ? "" : " " + kind) + ")");
      if (require_report) ADD_FAILURE() << "no backup and no FAILED or skipped event";
    }
  }
  std::printf("fault injection %s%s: %llu fault points exercised (%llu pool allocations, %llu Filter Manager calls, 1 "
              "thread creation): %d load failures undone, %d backed up anyway, %d FAILED/skipped events, %d watcher refused, "
              "%d silent, %d earlier versions lost with the overwrite (N1, reported), %d earlier versions lost silently, "
              "%d earlier versions kept in the vault, %d of the losses unreadable or without room (read or write failed)",
              GetParam(), times > 1 ? " (each failure twice)" : "", static_cast<unsigned long long>(points), static_cast<unsigned long long>(pool_points),
              static_cast<unsigned long long>(flt_points), load_failures, backed_up, failed_or_skipped, unwatched, silent, history_lost_reported,
              history_lost_silently, kept_in_vault, lost_unrecoverable);
  for (const std::string& p : silent_points) std::printf(" [silent at %s]", p.c_str());
  for (const std::string& p : lost_points) std::printf(" [history lost at %s]", p.c_str());
  std::printf("\n");
  // The breakdown: each point where the filter loaded and the earlier version went with the
  // overwrite, with the call that failed and where (callback: object or pool tag).
  for (const std::string& p : reported_loss_points) std::printf("  %s lost at %s\n", GetParam(), p.c_str());
}

TEST_P(FaultStory, EachFallibleCallFailsInTurn) { run(false); }

// The same, also requiring a FAILED or skipped event wherever no backup was made, and the
// earlier version intact unless an event says it went (S4 with N1, S5 with N5). Found, before
// it was enabled: a failed name query or completion allocation in pre-create, a failed stream
// context in post-create, a failed name query in pre-set-information left the save untracked
// and unreported; an earlier version that could not be carried by the S4 rescue or the S5
// adoption was dropped under a BackedUp event (S4 42 points, S5 22).
TEST_P(FaultStory, EveryFailureIsReported) { run(true); }

// Each fallible call failing twice in a row: the one retry (worth_one_retry) meets the shortage
// again. Every point where no backup was made still has its FAILED or skipped event, and an
// earlier version that did not survive is never lost silently.
TEST_P(FaultStory, APersistentShortageIsStillReported) { run(true, 2); }

INSTANTIATE_TEST_SUITE_P(ImageLayer, FaultStory, ::testing::Values("S1", "S4", "S5"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace ksim::stories
