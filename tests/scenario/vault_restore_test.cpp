// Deletes kept by the vault, end to end at the engine layer: the engine keeps the file (the
// filter harness plays the callbacks on the NTFS model), then fbmon's own code
// (monitor/lib/vault_listing, restore_deleted) lists and restores it on the same volume
// (tests/support/model_monitor_fs.h). Nothing of the vault's format is restated here: the
// listing reads what the engine wrote.
#include <gtest/gtest.h>

#include "monitor/lib/restore_deleted.h"
#include "monitor/lib/vault_listing.h"
#include "tests/scenario/scenario_support.h"
#include "tests/support/model_monitor_fs.h"

namespace fbscenario {
namespace {

using fb::Outcome;
using fbmodel::AppHandle;
using fb::SkipReason;
using fb::Trigger;
namespace nt = fb::nt;

const std::u16string kDocWin32 = u"C:\\Users\\me\\Documents\\report.docx";
const std::u16string kVault = u"C:\\$FileBackupVault";

class VaultRestore : public ScenarioTest {
 protected:
  fbtest::ModelMonitorFs monitor_fs() { return fbtest::ModelMonitorFs(*volume, harness->fs(), harness->target()); }

  fbmon::VaultListing list() {
    fbtest::ModelMonitorFs fs = monitor_fs();
    fbmon::VaultListing l = fbmon::list_vault(fs, kVault, fbtest::ModelMonitorFs::devices(), true);
    EXPECT_TRUE(l.ok) << fbmon::error_line(l.error);
    EXPECT_EQ(harness->fs().open_count(), 0) << "the listing left a handle open";
    return l;
  }

  // A document with two earlier versions and a third made by an edit now.
  void document_with_versions() {
    fb::EngineConfig config;
    config.max_versions = 3;
    start(config);
    volume->put(kDoc, "version 3");
    seed_backup(kDoc, 1, "version 2");
    seed_backup(kDoc, 2, "version 1");
    ASSERT_EQ(harness->edit(kDoc, 0, "V"), nt::kSuccess);  // backs up "version 3"
    harness->clear_events();
  }

  // What a restore left in the vault: nothing of the kept file, no record.
  bool vault_empty() {
    const Name prefix = fbmodel::fold(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\");
    for (const Name& n : volume->file_names())
      if (n.compare(0, prefix.size(), prefix) == 0) return false;
    return true;
  }
};

// N13: the SMB server deletes for a remote user from kernel mode (its create carries
// SL_FORCE_ACCESS_CHECK, its set-information no flag). The vault keeps the file as for a local
// delete, and `fbmon deleted` lists it with its path and versions.
TEST_F(VaultRestore, N13_DeleteOverAShareIsKeptAndListed) {
  document_with_versions();
  harness->set_requestor(fbmodel::FilterHarness::Requestor::kShare);
  ASSERT_EQ(harness->del(kDoc), nt::kSuccess);
  EXPECT_FALSE(volume->exists(kDoc));
  ASSERT_EQ(vault_files().size(), 1u);
  EXPECT_EQ(volume->content(vault_files()[0]), "Version 3");
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 9, kDoc}});

  const fbmon::VaultListing l = list();
  ASSERT_EQ(l.files.size(), 1u);
  const fbmon::DeletedFile& d = l.files[0];
  EXPECT_EQ(d.record, fbmon::RecordState::kOk);
  EXPECT_TRUE(fbmon::equal_ascii_nocase(fbmon::view(d.original), fbmon::view(kDocWin32))) << fbmon::to_utf8(d.original);
  EXPECT_EQ(d.versions, 3u);
  EXPECT_EQ(d.size, 9u);
  EXPECT_EQ(d.info.size, 9u);
  EXPECT_EQ(d.info.process_id, 4242u);
  EXPECT_EQ(d.links, 1u);
  EXPECT_TRUE(d.restorable());
}

// A delete that is asked for but not done yet is not listed as deleted: the file still has its
// name, so fbmon sees two names and refuses to restore it.
TEST_F(VaultRestore, APendingDeleteIsListedAsStillNamed) {
  document_with_versions();
  AppHandle* reader = nullptr;
  ASSERT_EQ(harness->open(kDoc, fb::access::kReadData, fb::CreateDisposition::kOpen, &reader), nt::kSuccess);
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, fb::access::kDelete, fb::CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->delete_on_close(h), nt::kSuccess);
  harness->close(h);  // the reader still holds it: delete pending, the name is still there
  {
    const fbmon::VaultListing l = list();
    ASSERT_EQ(l.files.size(), 1u);
    EXPECT_EQ(l.files[0].links, 2u);
    EXPECT_FALSE(l.files[0].restorable());
  }
  harness->close(reader);
  const fbmon::VaultListing l = list();
  ASSERT_EQ(l.files.size(), 1u);
  EXPECT_EQ(l.files[0].links, 1u);
  EXPECT_TRUE(l.files[0].restorable());
}

// A plain delete, then `fbmon restore --deleted`: content and every version are back at the
// name, the vault entry (link and record) is gone, and the driver goes on backing the file up.
TEST_F(VaultRestore, PlainDeleteThenRestoreDeletedBringsContentAndVersionsBack) {
  document_with_versions();
  ASSERT_EQ(harness->del(kDoc), nt::kSuccess);
  ASSERT_FALSE(volume->exists(kDoc));
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 9, kDoc}});
  harness->clear_events();
  const fbmon::VaultListing l = list();
  const fbmon::DeletedChoice choice = fbmon::choose_deleted(l.files, kDocWin32, 0, [](int64_t t) { return t; });
  ASSERT_NE(choice.file, nullptr) << fbmon::error_line(choice.error);

  fbtest::ModelMonitorFs fs = monitor_fs();
  fbmon::RestoreDeletedOptions options;
  options.max_versions = 9;
  options.process_id = 777;
  options.now = 134400000000000000;
  std::vector<uint8_t> buffer(4);  // tiny: many chunks
  const fbmon::RestoreDeletedReport r =
      fbmon::run_restore_deleted(fs, *choice.file, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(fs.open_targets(), 0u);
  EXPECT_EQ(harness->fs().open_count(), 0);
  EXPECT_TRUE(r.entry_removed);
  EXPECT_EQ(r.versions_copied, 3u);

  EXPECT_EQ(volume->content(kDoc), "Version 3");
  expect_backup(kDoc, 1, "version 3", Trigger::kWrite);
  expect_backup(kDoc, 2, "version 2", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_TRUE(vault_empty()) << "the kept file and its record are gone";
  EXPECT_TRUE(list().files.empty());
  expect_events({});  // fbmon's own I/O: the driver leaves a connected client alone

  // The restored file is an ordinary protected file again: its next edit is backed up.
  ASSERT_EQ(harness->edit(kDoc, 0, "v"), nt::kSuccess);
  expect_backup(kDoc, 1, "Version 3", Trigger::kWrite);
  expect_backup(kDoc, 2, "version 3", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)});
}

// Deleted twice: the newest comes back, the older stays listed for `--id`.
TEST_F(VaultRestore, DeletedTwiceTheNewestComesBack) {
  volume->put(kDoc, "first life");
  ASSERT_EQ(harness->edit(kDoc, 0, "F"), nt::kSuccess);
  ASSERT_EQ(harness->del(kDoc), nt::kSuccess);
  harness->advance_clock(10ll * 60 * 10000000);  // past the name's history window: a new file
  volume->put(kDoc, "second life");
  ASSERT_EQ(harness->edit(kDoc, 0, "S"), nt::kSuccess);
  ASSERT_EQ(harness->del(kDoc), nt::kSuccess);
  const fbmon::VaultListing l = list();
  ASSERT_EQ(l.files.size(), 2u);
  const fbmon::DeletedChoice c = fbmon::choose_deleted(l.files, kDocWin32, 0, [](int64_t t) { return t; });
  ASSERT_NE(c.file, nullptr);
  EXPECT_EQ(c.matches, 2u);
  EXPECT_FALSE(c.note.empty());
  fbtest::ModelMonitorFs fs = monitor_fs();
  std::vector<uint8_t> buffer(64);
  const fbmon::RestoreDeletedReport r =
      fbmon::run_restore_deleted(fs, *c.file, fbmon::RestoreDeletedOptions(), buffer.data(), 64);
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(volume->content(kDoc), "Second life");
  expect_backup(kDoc, 1, "second life", Trigger::kWrite);
  ASSERT_EQ(list().files.size(), 1u);
  EXPECT_EQ(volume->content(vault_files()[0]), "First life");
}

}  // namespace
}  // namespace fbscenario
