// The vault's variants of SavePatterns (tests/scenario/save_patterns_test.cpp) told at both
// layers (story.h), as issue 16 lists them: S6 and S6b with and without versions, MaxVersions 1
// and 3, a reader holding the file, a POSIX delete, delete-on-close, a delete-on-close open that
// fails, a delete pending until the last close, the vault over its bound, the vault off, a name
// reused after the history window, and an entry a crash left behind. At the image layer the
// bounds and the window are the registry's values and the simulated system time.
#include <algorithm>
#include <atomic>
#include <thread>

#include "common/engine/vault.h"
#include "common/engine/vault_record.h"
#include "monitor/lib/restore_deleted.h"
#include "monitor/lib/vault_listing.h"
#include "tests/model/model_fs.h"
#include "tests/support/fake_vault.h"
#include "tests/support/model_monitor_fs.h"
#include "tests/kernel/nt/clock.h"
#include "tests/kernel/stories/vault_steps.h"

namespace ksim::stories {
namespace {

using fb::CreateDisposition;
using fb::Outcome;
using fb::SkipReason;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;
using namespace vault_steps;

class VaultVariantStory : public StoryTest {
 protected:
  static Expected kept_in_vault(uint64_t size, const Name& path = kDoc) {
    return {Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, size, path};
  }
};

// A record as the engine writes it (common/engine/vault_record.h).
std::string vault_record(int64_t time, uint64_t size, const Name& original) {
  const std::vector<uint8_t> bytes = fbtest::fake_vault_record(original, time, 7, size);  // the engine's encoder
  return std::string(bytes.begin(), bytes.end());
}

TEST_P(VaultVariantStory, S6_DeleteWithTheVaultOffReportsTheBackupLost) {
  fb::EngineConfig config;
  config.vault_max_bytes = 0;
  start(config);
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  EXPECT_FALSE(volume().exists(kDoc));
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({{Trigger::kDelete, Outcome::kBackupLost, SkipReason::kDisabled, nt::kSuccess, 0, kDoc}}, kDoc);
  world().finish();
}

TEST_P(VaultVariantStory, S6_DeleteOnCloseOfAProtectedFileIsKeptInTheVault) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                         fb::create_option::kDeleteOnClose),
            nt::kSuccess);
  EXPECT_TRUE(world().tracked(h)) << "a stream context watches the delete";
  world().close(h);
  EXPECT_FALSE(volume().exists(kDoc));
  ASSERT_EQ(vault_files(volume()).size(), 1u);
  expect_backup(vault_files(volume())[0], 1, "earlier", Trigger::kWrite);
  expect_events({kept_in_vault(7)}, kDoc);
  world().finish();
}

// "Backup lost" is reported for deletes that happen, once each: not for a delete-on-close open
// that failed.
TEST_P(VaultVariantStory, S6_DeleteOnCloseOpenThatFailsReportsNothing) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* editor = nullptr;  // holds the file without sharing delete
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &editor, fb::share::kRead | fb::share::kWrite),
            nt::kSuccess);
  AppFile* h = nullptr;
  EXPECT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                         fb::create_option::kDeleteOnClose),
            nt::kSharingViolation);
  world().close(editor);
  EXPECT_TRUE(volume().exists(kDoc));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({}, kDoc);
  world().finish();
}

// Two handles ask for the delete while a reader holds the file: it is pending until the last
// close (N11), then kept once.
TEST_P(VaultVariantStory, S6_DeleteHappensAtTheLastCloseAndIsKeptOnce) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* reader = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  AppFile* first = nullptr;
  AppFile* second = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &first), nt::kSuccess);
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &second), nt::kSuccess);
  ASSERT_EQ(world().delete_on_close(first), nt::kSuccess);
  ASSERT_EQ(world().delete_on_close(second), nt::kSuccess);  // asked twice: one delete
  world().close(first);
  world().close(second);
  EXPECT_TRUE(volume().exists(kDoc)) << "the reader still holds it: delete pending";
  world().close(reader);
  EXPECT_FALSE(volume().exists(kDoc));
  EXPECT_EQ(vault_files(volume()).size(), 1u);
  expect_events({kept_in_vault(7)}, kDoc);
  world().finish();
}

TEST_P(VaultVariantStory, S6_ExcelSaveWithOneVersionAndNoBackupYet) {
  start();
  volume().put(kDoc, "old");
  excel_save(world(), "new");
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kDeleteThenRename);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({kept_in_vault(3), backed_up(Trigger::kDeleteThenRename, 3)}, kDoc);
  world().finish();
}

TEST_P(VaultVariantStory, S6_ExcelSaveWithOneVersionKeepsOnlyTheReplacedContent) {
  start();
  volume().put(kDoc, "v2");
  seed_backup(kDoc, 1, "v1");
  excel_save(world(), "v3");
  expect_backup(kDoc, 1, "v2", Trigger::kDeleteThenRename);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({kept_in_vault(2), backed_up(Trigger::kDeleteThenRename, 2)}, kDoc);
  world().finish();
}

// DeleteFileW's POSIX delete while a reader holds the file: the name goes at the deleting
// handle's close (N11); the vault's name, deleted at the adoption, is pending until the reader
// closes.
TEST_P(VaultVariantStory, S6_ExcelSaveWithAPosixDeleteWhileAReaderHoldsTheFile) {
  start(versions(3));
  volume().put(kDoc, "v2");
  seed_backup(kDoc, 1, "v1");
  AppFile* reader = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  excel_save(world(), "v3", true);
  EXPECT_EQ(volume().content(kDoc), "v3");
  expect_backup(kDoc, 1, "v2", Trigger::kDeleteThenRename);
  expect_backup(kDoc, 2, "v1", Trigger::kWrite);
  world().close(reader);
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({kept_in_vault(2), backed_up(Trigger::kDeleteThenRename, 2)}, kDoc);
  world().finish();
}

// Word the other way round: the renamed-away original is deleted before the new file takes the
// name; the vault's name made at the rename away holds it.
TEST_P(VaultVariantStory, S6b_OriginalDeletedBeforeTheNewFileTakesTheName) {
  start(versions(3));
  volume().put(kDoc, "v2");
  seed_backup(kDoc, 1, "v1");
  word_save(world(), "v3", true);
  EXPECT_EQ(volume().content(kDoc), "v3");
  expect_backup(kDoc, 1, "v2", Trigger::kRenameAwayThenRename);
  expect_backup(kDoc, 2, "v1", Trigger::kWrite);
  EXPECT_FALSE(volume().exists(kOldDoc));
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({backed_up(Trigger::kRenameAwayThenRename, 2)}, kDoc);
  world().finish();
}

TEST_P(VaultVariantStory, S6b_WordSaveWithoutVersions) {
  start();
  volume().put(kDoc, "old");
  word_save(world(), "new");
  expect_backup(kDoc, 1, "old", Trigger::kRenameAwayThenRename);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1}));
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({backed_up(Trigger::kRenameAwayThenRename, 3)}, kDoc);
  world().finish();
}

// After the history window a new file at the name is unrelated: it starts without history, and
// the deleted one stays kept for `fbmon restore --deleted`.
TEST_P(VaultVariantStory, S6_NameReusedAfterTheWindowStartsWithoutHistory) {
  start();
  volume().put(kDoc, "old");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  world().advance_clock(fb::kNameHistoryWindow + 1);
  ASSERT_EQ(overwrite(kDoc, "unrelated"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  ASSERT_EQ(vault_files(volume()).size(), 1u);
  EXPECT_EQ(volume().content(vault_files(volume())[0]), "old");
  expect_events({kept_in_vault(3)}, kDoc);
  world().finish();
}

// A plain delete leaves a record that names the file, its size and the deleting process, and a
// vault file with its content and versions: everything `fbmon restore --deleted` needs.
TEST_P(VaultVariantStory, S6_PlainDeleteLeavesWhatRestoreDeletedNeeds) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  const std::vector<Name> kept = vault_files(volume());
  ASSERT_EQ(kept.size(), 1u);
  const std::string record = volume().content(kept[0] + u".info");
  fb::VaultRecord r;
  ASSERT_TRUE(fb::decode_vault_record_header(reinterpret_cast<const uint8_t*>(record.data()),
                                             static_cast<uint32_t>(record.size()), &r));
  EXPECT_EQ(r.size, 7u);
  EXPECT_EQ(r.process_id, 4242u);
  Name original;
  for (uint32_t i = 0; i < r.path_units; ++i)
    original.push_back(static_cast<char16_t>(static_cast<uint8_t>(record[fb::kVaultRecordHeaderBytes + 2 * i]) |
                                             static_cast<uint8_t>(record[fb::kVaultRecordHeaderBytes + 1 + 2 * i]) << 8));
  EXPECT_EQ(fbmodel::fold(original), fbmodel::fold(kDoc));
  EXPECT_EQ(volume().content(kept[0]), "content");
  expect_backup(kept[0], 1, "earlier", Trigger::kWrite);
  expect_events({kept_in_vault(7)}, kDoc);
  world().finish();
}

TEST_P(VaultVariantStory, S6_VaultOverItsBoundEvictsTheOldestEntry) {
  fb::EngineConfig config;
  config.vault_max_bytes = 10;
  start(config);
  const Name second = kDocs + u"second.docx";
  volume().put(kDoc, "seven b");
  volume().put(second, "six bb");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  ASSERT_EQ(del(world(), second), nt::kSuccess);
  const std::vector<Name> kept = vault_files(volume());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(volume().content(kept[0]), "six bb");
  const std::vector<RecordedEvent> events = world().events(3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(events[1].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(events[2].event.outcome, Outcome::kVaultEvicted);
  EXPECT_EQ(events[2].event.file_size, 7u);
  world().finish();
}

// A crash left a vault entry nobody will come back for, its record six days and 23 hours old.
// The restart's scan hands it to the engine (within VaultMaxAgeHours, 7 days: kept); two hours
// later the next vault operation (a delete) runs the bounds and the age bound reclaims it, with
// an event the watcher receives. (An eviction at the scan itself happens before any watcher can
// connect: the queue reports it as a gap.)
TEST_P(VaultVariantStory, S6_VaultEntryLeftByACrashIsReclaimedByTheAgeBound) {
  const Name leftover = kVaultFolder + u"0000000000000042";
  constexpr int64_t kHour = 36000000000ll;
  world().before_attach = [&](fbmodel::Volume& v) {
    v.put(leftover, "from before the crash");
    // The record's time, on the clock the layer runs on: the harness's step clock or the
    // simulated system time.
    const int64_t now = layer() == Layer::kEngine ? fbmodel::StepClock::kStart : clock::system_time();
    v.put(leftover + u".info", vault_record(now - (7 * 24 - 1) * kHour, 21, kDoc));
  };
  start();
  EXPECT_TRUE(volume().exists(leftover)) << "within the age bound at the scan";
  world().advance_clock(2 * kHour);
  volume().put(kDoc, "content");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  EXPECT_FALSE(volume().exists(leftover));
  EXPECT_FALSE(volume().exists(leftover + u".info"));
  const std::vector<RecordedEvent> events = world().events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(events[1].event.outcome, Outcome::kVaultEvicted);
  EXPECT_EQ(fbmodel::fold(events[1].path), fbmodel::fold(leftover));
  world().finish();
}

// Concurrency: a delete races a write session. Four threads write through one handle (the
// session backs the file up once, under the file's lock) while a fifth opens the file for
// delete, marks it and closes; the writers' handle closes last, and its cleanup is where the
// delete happens and the vault settles it. Every round: one backup, one kept-in-vault event, the
// name gone, the vault's file holding the last content with the session's backup.
TEST_P(VaultVariantStory, S6_DeleteRacingAWriteSessionKeepsTheFileAndItsBackupOnce) {
  constexpr int kWriters = 4, kRounds = 6, kWritesPerThread = 10;
  constexpr size_t kFileSize = 20000;  // the delete may arrive while the copy runs
  fb::EngineConfig config;
  config.min_free_space = 0;
  start(config);
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    std::string start_content(kFileSize, static_cast<char>('a' + round));
    start_content.replace(0, 7, "round " + std::to_string(round));
    volume().put(kDoc, start_content);
    const std::vector<Name> kept_before = vault_files(volume());
    world().clear_events();
    AppFile* writer = nullptr;
    ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &writer), nt::kSuccess);
    ASSERT_TRUE(world().tracked(writer));
    std::atomic<int> ready{0}, write_errors{0};
    std::atomic<fb::NtStatus> delete_status{nt::kSuccess};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kWriters + 1) std::this_thread::yield();
        for (int w = 0; w < kWritesPerThread; ++w) {
          const uint64_t offset = 16 + static_cast<uint64_t>((t * 7919 + w * 104729 + round * 31) % (kFileSize - 32));
          if (world().write(writer, offset, "w" + std::to_string(t)) != nt::kSuccess) write_errors.fetch_add(1);
        }
      });
    }
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < kWriters + 1) std::this_thread::yield();
      for (int spin = 0; spin < (round % 3) * 200; ++spin) std::this_thread::yield();  // before, during, after the copy
      delete_status = del(world(), kDoc);
    });
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(write_errors.load(), 0);
    EXPECT_EQ(delete_status.load(), nt::kSuccess);
    EXPECT_TRUE(volume().exists(kDoc)) << "the writer's handle keeps the delete pending";
    const std::string last_content = volume().content(kDoc);
    world().close(writer);  // the last close: the delete happens here
    EXPECT_FALSE(volume().exists(kDoc));

    const std::vector<RecordedEvent> events = world().events(2);
    int backed_up = 0, kept = 0;
    for (const RecordedEvent& e : events) {
      if (e.event.outcome == Outcome::kBackedUp) ++backed_up;
      if (e.event.outcome == Outcome::kKeptInVault) ++kept;
    }
    EXPECT_EQ(events.size(), 2u) << "one backup decision and one kept-in-vault event";
    EXPECT_EQ(backed_up, 1);
    EXPECT_EQ(kept, 1);
    const std::vector<Name> kept_now = vault_files(volume());
    ASSERT_EQ(kept_now.size(), kept_before.size() + 1) << "one new vault file";
    Name added;
    for (const Name& n : kept_now)
      if (std::find(kept_before.begin(), kept_before.end(), n) == kept_before.end()) added = n;
    EXPECT_TRUE(volume().content(added) == last_content) << "the vault's name reaches the file as it was deleted";
    EXPECT_TRUE(volume().content(added, u"backup") == start_content) << "with the session's backup (N10)";
    EXPECT_FALSE(volume().exists(added, u"backup.tmp"));
  }
  world().finish();
}

// A plain delete, then `fbmon restore --deleted`: fbmon's own code (monitor/lib/vault_listing,
// restore_deleted) lists the vault the filter left on the volume and puts the file back with
// its content and versions. fbmon holds a control connection while it does, so the driver
// leaves its I/O alone: here it goes straight to the volume (tests/support/model_monitor_fs.h).
TEST_P(VaultVariantStory, S6_PlainDeleteThenRestoreDeletedBringsContentAndVersionsBack) {
  start(versions(3));
  volume().put(kDoc, "version 3");
  seed_backup(kDoc, 1, "version 2");
  seed_backup(kDoc, 2, "version 1");
  ASSERT_EQ(edit(kDoc, 0, "V"), nt::kSuccess);  // backs up "version 3"
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  ASSERT_FALSE(volume().exists(kDoc));
  expect_events({backed_up(Trigger::kWrite, 9), kept_in_vault(9)}, kDoc);
  world().clear_events();

  fbmodel::ModelFs host(volume());
  fb::IoTarget target;
  target.value = &volume();
  fbtest::ModelMonitorFs fs(volume(), host, target);
  const fbmon::VaultListing listing =
      fbmon::list_vault(fs, u"C:\\$FileBackupVault", fbtest::ModelMonitorFs::devices(), true);
  ASSERT_TRUE(listing.ok) << fbmon::error_line(listing.error);
  const fbmon::DeletedChoice choice =
      fbmon::choose_deleted(listing.files, u"C:\\Users\\me\\Documents\\report.docx", 0, [](int64_t t) { return t; });
  ASSERT_NE(choice.file, nullptr) << fbmon::error_line(choice.error);
  fbmon::RestoreDeletedOptions options;
  options.max_versions = 9;
  options.process_id = 777;
  options.now = 134400000000000000;
  std::vector<uint8_t> buffer(4096);
  const fbmon::RestoreDeletedReport r =
      fbmon::run_restore_deleted(fs, *choice.file, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_TRUE(r.entry_removed);
  EXPECT_EQ(r.versions_copied, 3u);
  EXPECT_EQ(volume().content(kDoc), "Version 3");
  expect_backup(kDoc, 1, "version 3", Trigger::kWrite);
  expect_backup(kDoc, 2, "version 2", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 1", Trigger::kWrite);
  EXPECT_TRUE(vault_files(volume()).empty()) << "the kept file and its record are gone";

  // The restored file is an ordinary protected file again: its next edit is backed up.
  ASSERT_EQ(edit(kDoc, 0, "v"), nt::kSuccess);
  expect_backup(kDoc, 1, "Version 3", Trigger::kWrite);
  expect_backup(kDoc, 2, "version 3", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, VaultVariantStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
