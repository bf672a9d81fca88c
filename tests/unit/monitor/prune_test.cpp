// fbmon prune: which slots go (a table over --keep/--older-than/--all), and on an in-memory
// file system what survives: the file's own content always, the kept backups renumbered
// newest-first from 1, `:backup.tmp` untouched.
#include "monitor/lib/prune.h"

#include <gtest/gtest.h>

#include <stdio.h>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/text.h"
#include "monitor/lib/win32_path.h"
#include "tests/support/monitor_fake_fs.h"

namespace {

const std::u16string kFile = u"C:\\d\\a.txt";
constexpr int64_t kDay = 864000000000LL;
constexpr int64_t kNow = 134400000000000000LL;

std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::u16string stream(uint32_t slot, bool meta = false) {
  std::u16string n = kFile + u":backup";
  if (slot == 0) n += u".tmp";
  if (slot >= 2) n += u"." + std::u16string(1, char16_t(u'0' + slot));
  if (meta) n += u".meta";
  return n;
}

void put_backup(fbtest::FakeMonitorFs& fs, uint32_t slot, const std::string& content, int64_t age_days) {
  fs.streams[stream(slot)] = bytes(content);
  fb::BackupMetadata m;
  m.backup_time = kNow - age_days * kDay;
  m.original_size = content.size();
  m.content_hash = fb::crc32c(content.data(), content.size());
  m.writer_process_id = 1;
  m.trigger = fb::Trigger::kWrite;
  std::vector<uint8_t> record(fb::kBackupMetadataSize);
  fb::encode_backup_metadata(m, record.data(), record.size());
  fs.streams[stream(slot, true)] = record;
}

std::string content(fbtest::FakeMonitorFs& fs, const std::u16string& name) {
  return fs.streams.count(name) ? std::string(fs.streams[name].begin(), fs.streams[name].end()) : "<none>";
}

fbmon::PruneOptions options(uint32_t keep, uint32_t older, bool all, bool dry = false) {
  fbmon::PruneOptions o;
  o.file = kFile;
  o.keep = keep;
  o.older_than_days = older;
  o.all = all;
  o.dry_run = dry;
  o.now = kNow;
  return o;
}

TEST(MonitorPrune, SelectsBySelectors) {
  const std::vector<uint32_t> slots{1, 2, 3, 4};
  const std::vector<int64_t> times{kNow - 1 * kDay, kNow - 10 * kDay, kNow - 40 * kDay, 0 /* undated */};
  struct Case { const char* name; fbmon::PruneOptions o; std::vector<uint32_t> gone; };
  const Case cases[] = {
      {"keep 2", options(2, 0, false), {3, 4}},
      {"keep 0", options(0, 0, false), {1, 2, 3, 4}},
      {"keep 9", options(9, 0, false), {}},
      {"older than 5 days keeps the undated one", options(fbmon::kKeepUnset, 5, false), {2, 3}},
      {"older than 30 days", options(fbmon::kKeepUnset, 30, false), {3}},
      {"keep 2 and older than 5: both must hold", options(2, 5, false), {3}},
      {"keep 0 and older than 5", options(0, 5, false), {2, 3}},
      {"all", options(fbmon::kKeepUnset, 0, true), {1, 2, 3, 4}},
      {"no selector deletes nothing", options(fbmon::kKeepUnset, 0, false), {}},
  };
  for (const Case& c : cases) EXPECT_EQ(fbmon::slots_to_prune(slots, times, c.o), c.gone) << c.name;
}

TEST(MonitorPrune, DeletesDataAndMetadataRenumbersAndNeverTouchesTheFile) {
  fbtest::FakeMonitorFs fs;
  fs.streams[kFile] = bytes("the file's own content");
  put_backup(fs, 1, "one day", 1);
  put_backup(fs, 2, "forty days", 40);
  put_backup(fs, 3, "three days", 3);
  fs.streams[stream(0)] = bytes("a backup the driver is writing");
  fbmon::PruneReport r = fbmon::run_prune(fs, options(fbmon::kKeepUnset, 30, false, /*dry=*/true));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.deleted, 1u);
  EXPECT_EQ(content(fs, stream(2)), "forty days");  // dry run: nothing changed
  for (const std::string& l : r.lines) printf("sample prune --dry-run: %s\n", l.c_str());

  r = fbmon::run_prune(fs, options(fbmon::kKeepUnset, 30, false));
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(r.deleted, 1u);
  EXPECT_EQ(r.kept, 2u);
  EXPECT_EQ(r.bytes_freed, 10u + fb::kBackupMetadataSize);
  EXPECT_EQ(content(fs, kFile), "the file's own content");
  EXPECT_EQ(content(fs, stream(1)), "one day");
  EXPECT_EQ(content(fs, stream(2)), "three days");  // renumbered from 3
  EXPECT_EQ(content(fs, stream(3)), "<none>");
  EXPECT_EQ(content(fs, stream(3, true)), "<none>");
  EXPECT_EQ(content(fs, stream(0)), "a backup the driver is writing");
  EXPECT_EQ(fs.open_handles(), 0u);
  std::vector<uint8_t> buffer(64);
  for (const fbmon::SlotInspection& s :
       fbmon::inspect_backups(fs, fbmon::view(kFile), true, buffer.data(), static_cast<uint32_t>(buffer.size())))
    if (s.slot != 0) {
      EXPECT_TRUE(s.trusted()) << "slot " << s.slot << " " << fbmon::integrity_problem(s);
    }

  r = fbmon::run_prune(fs, options(fbmon::kKeepUnset, 0, true));
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.deleted, 2u);
  EXPECT_EQ(content(fs, kFile), "the file's own content");
  EXPECT_EQ(content(fs, stream(1)), "<none>");

  r = fbmon::run_prune(fs, options(fbmon::kKeepUnset, 0, true));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kNoBackup);
}

// The renumbering fails (a reader holds slot 3): the deletion stands, nothing kept is lost, and
// the line says so.
TEST(MonitorPrune, AFailedRenumberingLosesNothingKept) {
  fbtest::FakeMonitorFs fs;
  fs.streams[kFile] = bytes("content");
  put_backup(fs, 1, "v1", 1);
  put_backup(fs, 2, "v2", 40);
  put_backup(fs, 3, "v3", 2);
  fs.fail_renames_of = stream(3);
  const fbmon::PruneReport r = fbmon::run_prune(fs, options(fbmon::kKeepUnset, 30, false));
  EXPECT_FALSE(r.ok);
  EXPECT_NE(fbmon::error_line(r.error).find("the kept backups could not be renumbered; they are intact"),
            std::string::npos)
      << fbmon::error_line(r.error);
  EXPECT_EQ(content(fs, kFile), "content");
  EXPECT_EQ(content(fs, stream(1)), "v1");
  EXPECT_EQ(content(fs, stream(2)), "<none>");
  EXPECT_EQ(content(fs, stream(3)), "v3");
  EXPECT_EQ(fs.open_handles(), 0u);
}

TEST(MonitorPaths, JoinNeverDoublesTheRootSeparator) {
  EXPECT_EQ(fbmon::join_path(u"C:\\", u"gap.txt"), u"C:\\gap.txt");
  EXPECT_EQ(fbmon::join_path(u"C:\\d", u"a.txt"), u"C:\\d\\a.txt");
  EXPECT_EQ(fbmon::join_path(u"C:\\d\\", u"a.txt"), u"C:\\d\\a.txt");
  EXPECT_EQ(fbmon::join_path(u"", u"a.txt"), u"a.txt");
}

}  // namespace

// prune --deleted: which kept files of the vault go (a table), then a run on the fake: the
// chosen entries lose link, record and streams, the rest and any still-named file stay.
#include "tests/support/fake_vault.h"

namespace {

fbmon::DeletedFile kept_entry(uint64_t id, const std::u16string& original, int64_t age_days, bool record_ok = true,
                              uint32_t links = 1) {
  fbmon::DeletedFile d;
  d.id = id;
  d.record = record_ok ? fbmon::RecordState::kOk : fbmon::RecordState::kMalformed;
  d.original = record_ok ? original : u"";
  d.info.time = kNow - age_days * kDay;
  d.links = links;
  return d;
}

TEST(PruneDeleted, ChoosesByKeepAgeAndAll) {
  // Newest first, as list_vault sorts them.
  const std::vector<fbmon::DeletedFile> files = {
      kept_entry(1, u"C:\\d\\a.txt", 1),  kept_entry(2, u"C:\\d\\b.txt", 2),         kept_entry(3, u"c:\\D\\A.txt", 5),
      kept_entry(4, u"C:\\d\\a.txt", 40), kept_entry(5, u"C:\\d\\a.txt", 0, true, 2),  // not deleted: never
      kept_entry(6, u"", 0, false),
  };
  struct Case { const char* name; uint32_t keep; uint32_t days; bool all; std::vector<size_t> doomed; };
  const Case cases[] = {
      {"all", fbmon::kKeepUnset, 0, true, {0, 1, 2, 3, 5}},
      {"keep 1 per path", 1, 0, false, {2, 3}},
      {"keep 0", 0, 0, false, {0, 1, 2, 3, 5}},
      {"keep 2", 2, 0, false, {3}},
      {"older than 3 days (unknown time stays)", fbmon::kKeepUnset, 3, false, {2, 3}},
      {"older than 30 days", fbmon::kKeepUnset, 30, false, {3}},
      {"keep 1 and older than 3", 1, 3, false, {2, 3}},
      {"keep 2 and older than 3", 2, 3, false, {3}},
      {"nothing asked", fbmon::kKeepUnset, 0, false, {}},
  };
  for (const Case& c : cases) {
    fbmon::PruneOptions o;
    o.keep = c.keep;
    o.older_than_days = c.days;
    o.all = c.all;
    o.now = kNow;
    EXPECT_EQ(fbmon::deleted_to_prune(files, o), c.doomed) << c.name;
  }
}

TEST(PruneDeleted, RemovesTheChosenEntriesAndSaysSo) {
  fbtest::FakeMonitorFs fs;
  fbtest::add_kept_file(fs, 1, u"\\d\\a.txt", "new", {"n1"}, kNow - kDay);
  fbtest::add_kept_file(fs, 2, u"\\d\\a.txt", "old", {"o1", "o2"}, kNow - 10 * kDay);
  fbmon::DeviceTable t;
  t.add(u"\\Device\\HarddiskVolume3", u"C:");
  const fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, t, true);
  ASSERT_TRUE(l.ok);
  fbmon::PruneOptions o;
  o.keep = 1;
  o.now = kNow;
  o.dry_run = true;
  const auto before = fs.streams;
  fbmon::PruneReport r = fbmon::run_prune_deleted(fs, l.files, o);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(fs.streams, before);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "would delete the kept C:\\d\\a.txt, deleted 2026-11-14 13:20:00.000 UTC (id 0000000000000002, "
                        "3 B, 2 versions)");
  o.to_local = [](int64_t t) { return t + 36000000000LL; };  // an hour east of UTC
  r = fbmon::run_prune_deleted(fs, l.files, o);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "would delete the kept C:\\d\\a.txt, deleted 2026-11-14 14:20:00.000 (id 0000000000000002, "
                        "3 B, 2 versions)");
  o.dry_run = false;
  r = fbmon::run_prune_deleted(fs, l.files, o);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.deleted, 1u);
  EXPECT_EQ(r.kept, 1u);
  EXPECT_EQ(fs.open_handles(), 0u);
  for (const auto& kv : fs.streams)
    EXPECT_EQ(kv.first.find(u"0000000000000002"), std::u16string::npos) << fbmon::to_utf8(kv.first);
  EXPECT_EQ(fs.streams.count(fbtest::fake_vault_name(1)), 1u);
  EXPECT_EQ(fs.streams.count(fbtest::fake_slot(fbtest::fake_vault_name(1), 1)), 1u);
}

}  // namespace
