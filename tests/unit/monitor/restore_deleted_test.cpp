// fbmon restore --deleted: the plan (a table over target missing/existing, its own backups, the
// kept file's versions), then runs on the in-memory fake: content and versions back, the vault
// entry gone only after the copies read back; an existing target keeps its content as backup 1;
// failures undo what was created and leave the vault entry.
#include "monitor/lib/restore_deleted.h"

#include <gtest/gtest.h>

#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/text.h"
#include "tests/support/fake_vault.h"

namespace {

using fbmon::DeletedStepKind;
using fbtest::add_kept_file;
using fbtest::fake_bytes;
using fbtest::fake_slot;
using fbtest::fake_vault_name;

constexpr int64_t kTime = 134397397975120000;
const std::u16string kTarget = u"C:\\d\\a.txt";

std::string kinds(const fbmon::DeletedRestorePlan& plan) {
  std::string out;
  for (const fbmon::DeletedStep& s : plan.steps) {
    if (!out.empty()) out += " ";
    switch (s.kind) {
      case DeletedStepKind::kCheck: out += "check"; break;
      case DeletedStepKind::kSnapshot: out += "snapshot"; break;
      case DeletedStepKind::kCopyVersion: out += "v" + std::to_string(s.slot); break;
      case DeletedStepKind::kWrite: out += "write"; break;
      case DeletedStepKind::kPromote: out += "promote" + std::to_string(s.slot); break;
      case DeletedStepKind::kRemove: out += "remove"; break;
    }
  }
  return out;
}

TEST(RestoreDeletedPlan, OrdersEveryCase) {
  struct Case {
    const char* name;
    bool exists;
    uint32_t target_highest;
    std::vector<uint32_t> kept;
    uint32_t max_versions;
    std::string steps;
    bool versions_stay;
  };
  const Case cases[] = {
      {"missing, no versions", false, 0, {}, 3, "check write remove", false},
      {"missing, versions", false, 0, {1, 2, 4}, 3, "check write v1 v2 v4 remove", false},
      {"exists, no backups, versions", true, 0, {1, 2}, 3, "check snapshot v1 v2 write promote3 remove", false},
      {"exists, versions past MaxVersions", true, 0, {1, 2, 3, 4, 5}, 3,
       "check snapshot v1 v2 v3 v4 v5 write promote6 remove", false},
      {"exists, no versions", true, 2, {}, 3, "check snapshot write promote3 remove", false},
      {"exists with own backups", true, 4, {1}, 3, "check snapshot write promote5", true},
      {"exists, nine kept versions", true, 0, {1, 2, 3, 4, 5, 6, 7, 8, 9}, 9, "check snapshot write promote9", true},
      {"exists with nine backups", true, 9, {}, 9, "check snapshot write promote9 remove", false},
  };
  for (const Case& c : cases) {
    fbmon::DeletedRestoreRequest r;
    r.target_exists = c.exists;
    r.target_highest_slot = c.target_highest;
    r.kept_slots = c.kept;
    r.max_versions = c.max_versions;
    const fbmon::DeletedRestorePlan plan = fbmon::plan_restore_deleted(r);
    EXPECT_EQ(kinds(plan), c.steps) << c.name;
    EXPECT_EQ(plan.versions_stay, c.versions_stay) << c.name;
  }
}

struct Fixture {
  fbtest::FakeMonitorFs fs;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(5);  // tiny: many chunks
  fbmon::RestoreDeletedOptions options;
  Fixture() {
    options.max_versions = 3;
    options.process_id = 777;
    options.now = kTime + 1;
  }
  fbmon::DeletedFile kept(uint64_t id) {
    fbmon::DeviceTable t;
    t.add(u"\\Device\\HarddiskVolume3", u"C:");
    const fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, t, true);
    EXPECT_TRUE(l.ok);
    for (const fbmon::DeletedFile& d : l.files)
      if (d.id == id) return d;
    ADD_FAILURE() << "no entry " << id;
    return fbmon::DeletedFile();
  }
  fbmon::RestoreDeletedReport restore(uint64_t id) {
    const fbmon::DeletedFile d = kept(id);
    fbmon::RestoreDeletedReport r =
        fbmon::run_restore_deleted(fs, d, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
    EXPECT_EQ(fs.open_handles(), 0u) << "a handle leaked";
    EXPECT_EQ(fs.bad_closes, 0);
    return r;
  }
  std::string content(const std::u16string& name) {
    return fs.streams.count(name) ? std::string(fs.streams[name].begin(), fs.streams[name].end()) : "<none>";
  }
  bool slot_ok(const std::u16string& file, uint32_t slot) {
    return fbmon::inspect_slot(fs, fbmon::view(file), slot, true, buffer.data(), 5).trusted();
  }
  bool vault_has(uint64_t id) {
    for (const auto& kv : fs.streams)
      if (kv.first.compare(0, fake_vault_name(id).size(), fake_vault_name(id)) == 0) return true;
    return false;
  }
};

TEST(RestoreDeleted, PutsContentAndVersionsBackThenEmptiesTheEntry) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "the deleted content", {"version one", "version two"}, kTime);
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(r.target, kTarget);
  EXPECT_EQ(f.content(kTarget), "the deleted content");
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "version one");
  EXPECT_EQ(f.content(fake_slot(kTarget, 2)), "version two");
  EXPECT_TRUE(f.slot_ok(kTarget, 1));
  EXPECT_TRUE(f.slot_ok(kTarget, 2));
  EXPECT_EQ(r.restored_bytes, 19u);
  EXPECT_EQ(r.versions_copied, 2u);
  EXPECT_TRUE(r.entry_removed);
  EXPECT_FALSE(r.undo_copy);
  EXPECT_FALSE(f.vault_has(7)) << "link, record and streams are gone";
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(r.lines[0], "done: read the kept file C:\\$FileBackupVault\\0000000000000007");
  EXPECT_EQ(r.lines[1], "done: write the kept content to C:\\d\\a.txt and read it back");
  EXPECT_EQ(r.lines[2], "done: copy C:\\$FileBackupVault\\0000000000000007:backup (and its metadata) to "
                        "C:\\d\\a.txt:backup and read it back");
  EXPECT_EQ(r.lines[4], "done: remove C:\\$FileBackupVault\\0000000000000007 and its record from the vault");
}

TEST(RestoreDeleted, DryRunChangesNothing) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept", {"v1"}, kTime);
  const auto before = f.fs.streams;
  f.options.dry_run = true;
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(f.fs.streams, before);
  ASSERT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(r.lines[1], "would write the kept content to C:\\d\\a.txt and read it back");
}

TEST(RestoreDeleted, ToOutLeavesTheOriginalPathAlone) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept", {"v1"}, kTime);
  f.options.out = u"C:\\e\\copy.txt";
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(u"C:\\e\\copy.txt"), "kept");
  EXPECT_EQ(f.content(fake_slot(u"C:\\e\\copy.txt", 1)), "v1");
  EXPECT_EQ(f.content(kTarget), "<none>");

  Fixture g;
  add_kept_file(g.fs, 7, u"\\d\\a.txt", "kept", {}, kTime);
  g.options.out = u"C:\\e\\copy.txt:backup";
  const fbmon::RestoreDeletedReport bad = g.restore(7);
  ASSERT_FALSE(bad.ok);
  EXPECT_EQ(bad.error.failure, fbmon::Failure::kUsage);
  EXPECT_TRUE(g.vault_has(7));
}

TEST(RestoreDeleted, AnExistingTargetKeepsItsContentAsBackupOne) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept", {"k1", "k2"}, kTime);
  f.fs.streams[kTarget] = fake_bytes("a newer file at the same name");
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_TRUE(r.undo_copy);
  EXPECT_EQ(f.content(kTarget), "kept");
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "a newer file at the same name");
  EXPECT_TRUE(f.slot_ok(kTarget, 1));
  EXPECT_EQ(f.content(fake_slot(kTarget, 2)), "k1");
  EXPECT_EQ(f.content(fake_slot(kTarget, 3)), "k2");
  EXPECT_TRUE(f.slot_ok(kTarget, 3));
  EXPECT_EQ(f.content(kTarget + u":backup.tmp"), "<none>");
  EXPECT_FALSE(f.vault_has(7));
}

TEST(RestoreDeleted, AnExistingTargetWithItsOwnBackupsLeavesTheVersionsInTheVault) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept", {"k1"}, kTime);
  f.fs.streams[kTarget] = fake_bytes("newer");
  f.fs.streams[fake_slot(kTarget, 1)] = fake_bytes("own");
  f.fs.streams[fake_slot(kTarget, 1, true)] = fbtest::fake_backup_record(fake_bytes("own"), kTime, 1);
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_TRUE(r.versions_stay);
  EXPECT_FALSE(r.entry_removed);
  EXPECT_EQ(f.content(kTarget), "kept");
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "newer");
  EXPECT_EQ(f.content(fake_slot(kTarget, 2)), "own");
  EXPECT_TRUE(f.vault_has(7));
  EXPECT_EQ(f.content(fake_slot(fake_vault_name(7), 1)), "k1");
}

TEST(RestoreDeleted, AFailedCopyUndoesWhatItCreatedAndKeepsTheEntry) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept content", {"v1", "v2"}, kTime);
  f.fs.fail_writes_to = fake_slot(kTarget, 2);
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kOther);
  EXPECT_NE(fbmon::error_line(r.error).find("nothing was changed, the kept file stays in the vault"), std::string::npos)
      << fbmon::error_line(r.error);
  for (const auto& kv : f.fs.streams)
    EXPECT_NE(kv.first.compare(0, kTarget.size(), kTarget), 0) << "left behind: " << fbmon::to_utf8(kv.first);
  EXPECT_TRUE(f.vault_has(7));
  EXPECT_EQ(f.content(fake_vault_name(7)), "kept content");
  EXPECT_EQ(f.content(fake_slot(fake_vault_name(7), 2)), "v2");
}

// fbmon not connected to the driver (its port refused, or an older driver): the driver's
// delete-then-create gives the file fbmon creates the kept file's history and removes the
// vault's name before fbmon's first write. The copy then fails; the created file holds the
// only copy of that history and must not be deleted by the undo.
TEST(RestoreDeleted, AKeptFileTheDriverAdoptedMeanwhileIsNeverDeletedByTheUndo) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept content", {"v1"}, kTime);
  f.fs.before_first_target_write = [&] {
    // What the engine's adoption leaves: the kept content as backup 1 of the new file, the
    // kept versions after it, the vault's name and record gone.
    f.fs.streams[fake_slot(kTarget, 1)] = fake_bytes("kept content");
    f.fs.streams[fake_slot(kTarget, 1, true)] = fbtest::fake_backup_record(fake_bytes("kept content"), kTime, 4312);
    f.fs.streams[fake_slot(kTarget, 2)] = fake_bytes("v1");
    f.fs.streams[fake_slot(kTarget, 2, true)] = fbtest::fake_backup_record(fake_bytes("v1"), kTime, 4312);
    for (auto it = f.fs.streams.begin(); it != f.fs.streams.end();)
      it = it->first.compare(0, fake_vault_name(7).size(), fake_vault_name(7)) == 0 ? f.fs.streams.erase(it) : std::next(it);
  };
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.detail.find("the kept file is no longer in the vault"), std::string::npos) << r.error.detail;
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "kept content");
  EXPECT_EQ(f.content(fake_slot(kTarget, 2)), "v1");
  EXPECT_NE(f.content(kTarget), "<none>") << "the file holding the history was deleted";
}

// The same adoption while this run holds the kept file open: the vault's name is delete
// pending (it opens no more, N11), the copy read through the open handle completes, and the
// read-back fails. The created file holds the history: it stays.
TEST(RestoreDeleted, AKeptFileWhoseVaultNameWentDeletePendingIsNeverDeletedByTheUndo) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept content", {}, kTime);
  f.fs.before_first_target_write = [&] {
    f.fs.streams[fake_slot(kTarget, 1)] = fake_bytes("kept content");  // the driver's adoption
    f.fs.unreadable.insert(fake_vault_name(7));  // STATUS_DELETE_PENDING on a new open
  };
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.detail.find("the kept file is no longer in the vault"), std::string::npos) << r.error.detail;
  EXPECT_EQ(f.content(kTarget), "kept content");
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "kept content");
}

TEST(RestoreDeleted, AFailedWriteOverAnExistingTargetKeepsItsContentAsBackupOne) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept content, long enough", {}, kTime);
  f.fs.streams[kTarget] = fake_bytes("current");
  f.fs.fail_writes_to = kTarget;
  f.fs.fail_writes_after = 3;
  const fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kOther);
  EXPECT_NE(r.error.detail.find("the previous content is backup 1"), std::string::npos) << r.error.detail;
  EXPECT_EQ(f.content(fake_slot(kTarget, 1)), "current");
  EXPECT_TRUE(f.vault_has(7));
}

TEST(RestoreDeleted, RefusesAFileInUseAndOneThatWasNotDeleted) {
  Fixture f;
  add_kept_file(f.fs, 7, u"\\d\\a.txt", "kept", {}, kTime);
  f.fs.streams[kTarget] = fake_bytes("current");
  f.fs.in_use.insert(kTarget);
  fbmon::RestoreDeletedReport r = f.restore(7);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kFileInUse);
  EXPECT_EQ(f.content(kTarget), "current");
  EXPECT_EQ(f.content(kTarget + u":backup.tmp"), "<none>");
  EXPECT_TRUE(f.vault_has(7));

  Fixture g;
  add_kept_file(g.fs, 8, u"\\d\\a.txt", "kept", {}, kTime);
  g.fs.links[fake_vault_name(8)] = 2;
  r = g.restore(8);
  ASSERT_FALSE(r.ok);
  EXPECT_NE(r.error.detail.find("still has another name"), std::string::npos);
  EXPECT_EQ(g.content(kTarget), "<none>");
  EXPECT_TRUE(g.vault_has(8));
}

}  // namespace
