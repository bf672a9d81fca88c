#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/restore.h"
#include "monitor/lib/text.h"

#include <gtest/gtest.h>

#include <stdio.h>

#include "common/copy/backup_metadata.h"
#include "common/base/crc32c.h"
#include "common/engine/versions.h"
#include "tests/support/monitor_fake_fs.h"

namespace {

const std::u16string kFile = u"C:\\d\\a.txt";
constexpr int64_t kTime = 134397397975120000;  // 2026-11-21 13:03:17.512 UTC

std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }
std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

std::u16string slot_name(uint32_t slot, bool meta = false) {
  std::u16string n = kFile + u":backup";
  if (slot == 0) n += u".tmp";
  if (slot >= 2) n += u"." + std::u16string(1, char16_t(u'0' + slot));
  if (meta) n += u".meta";
  return n;
}

std::vector<uint8_t> record_for(const std::vector<uint8_t>& data, int64_t time, uint64_t pid) {
  fb::BackupMetadata m;
  m.backup_time = time;
  m.original_size = data.size();
  m.content_hash = fb::crc32c(data.data(), data.size());
  m.writer_process_id = pid;
  m.trigger = fb::Trigger::kWrite;
  std::vector<uint8_t> record(fb::kBackupMetadataSize);
  EXPECT_EQ(fb::encode_backup_metadata(m, record.data(), record.size()), fb::MetadataError::kOk);
  return record;
}

void put_backup(fbtest::FakeMonitorFs& fs, uint32_t slot, const std::string& content, uint64_t pid = 4312) {
  fs.streams[slot_name(slot)] = bytes(content);
  fs.streams[slot_name(slot, true)] = record_for(bytes(content), kTime - slot * 36000000000LL, pid);
}

struct Fixture {
  fbtest::FakeMonitorFs fs;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(7);  // tiny: many chunks
  fbmon::RestoreOptions options;
  Fixture() {
    options.file = kFile;
    options.max_versions = 3;
    options.process_id = 777;
    options.now = kTime + 1;
  }
  fbmon::RestoreReport restore() {
    fbmon::RestoreReport r = fbmon::run_restore(fs, options, buffer.data(), static_cast<uint32_t>(buffer.size()));
    EXPECT_EQ(fs.open_handles(), 0u) << "a handle leaked";
    EXPECT_EQ(fs.bad_closes, 0);
    return r;
  }
  std::string content(const std::u16string& name) { return fs.streams.count(name) ? text(fs.streams[name]) : "<none>"; }
};

TEST(MonitorRestore, RestoresTruncatesAndKeepsTheCurrentContentAsBackupOne) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current content, longer than the backup");
  put_backup(f.fs, 1, "old v1");
  put_backup(f.fs, 2, "old v2");
  const fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(kFile), "old v1");  // no stale tail
  EXPECT_EQ(r.restored_bytes, 6u);
  EXPECT_EQ(f.content(slot_name(1)), "current content, longer than the backup");
  EXPECT_EQ(f.content(slot_name(2)), "old v1");
  EXPECT_EQ(f.content(slot_name(3)), "old v2");
  EXPECT_EQ(f.content(slot_name(0)), "<none>");
  // The undo copy has a valid record naming this process.
  fbmon::SlotInspection undo = fbmon::inspect_slot(f.fs, fbmon::view(kFile), 1, true, f.buffer.data(), 7);
  EXPECT_TRUE(undo.trusted());
  EXPECT_EQ(undo.check.metadata.writer_process_id, 777u);
  EXPECT_EQ(undo.check.metadata.backup_time, kTime + 1);
  EXPECT_EQ(f.fs.open_handles(), 0u);

  // Restoring again undoes the restore.
  ASSERT_TRUE(f.restore().ok);
  EXPECT_EQ(f.content(kFile), "current content, longer than the backup");
}

TEST(MonitorRestore, ARestoreKeepsEveryBackupEvenAboveMaxVersions) {
  Fixture f;
  f.options.max_versions = 1;
  f.fs.streams[kFile] = bytes("now");
  put_backup(f.fs, 1, "v1");
  put_backup(f.fs, 2, "v2");
  f.options.version = 2;
  ASSERT_TRUE(f.restore().ok);
  EXPECT_EQ(f.content(kFile), "v2");
  EXPECT_EQ(f.content(slot_name(1)), "now");
  EXPECT_EQ(f.content(slot_name(2)), "v1");
  EXPECT_EQ(f.content(slot_name(3)), "v2");
}

TEST(MonitorRestore, AllNineInUseTheOldestGoesAfterItWasWritten) {
  Fixture f;
  f.options.max_versions = 9;
  f.fs.streams[kFile] = bytes("now");
  for (uint32_t s = 1; s <= 9; ++s) put_backup(f.fs, s, "v" + std::to_string(s));
  f.options.version = 9;
  ASSERT_TRUE(f.restore().ok);
  EXPECT_EQ(f.content(kFile), "v9");
  EXPECT_EQ(f.content(slot_name(1)), "now");
  EXPECT_EQ(f.content(slot_name(9)), "v8");
}

TEST(MonitorRestore, RestoringTheOldestMovesItDownInsteadOfDroppingIt) {
  Fixture f;
  f.fs.streams[kFile] = bytes("now");
  put_backup(f.fs, 1, "v1");
  put_backup(f.fs, 2, "v2");
  put_backup(f.fs, 3, "v3");
  f.options.version = 3;
  const fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(kFile), "v3");
  EXPECT_EQ(f.content(slot_name(1)), "now");
  EXPECT_EQ(f.content(slot_name(2)), "v1");
  EXPECT_EQ(f.content(slot_name(3)), "v2");
  EXPECT_EQ(f.content(slot_name(4)), "v3");
}

// If the driver does not exclude restore's write, it backs the file up into `backup.tmp` before
// the first write (replacing restore's own snapshot, which held the same content) and promotes
// it. Restore must notice and not rotate a second time.
TEST(MonitorRestore, ADriverBackupOfTheRestoreWriteIsNotRotatedTwice) {
  Fixture f;
  f.fs.streams[kFile] = bytes("now");
  put_backup(f.fs, 1, "v1");
  put_backup(f.fs, 2, "v2");
  f.fs.before_first_target_write = [&f] {
    f.fs.streams[slot_name(0)] = f.fs.streams[kFile];
    f.fs.streams[slot_name(0, true)] = record_for(f.fs.streams[kFile], kTime + 2, 4);
    ASSERT_TRUE(fb::nt_success(fb::promote_temp_backup(f.fs, fbmon::view(kFile), 3).status));
  };
  const fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(kFile), "v1");
  EXPECT_EQ(f.content(slot_name(1)), "now");
  EXPECT_EQ(f.content(slot_name(2)), "v1");
  EXPECT_EQ(f.content(slot_name(3)), "v2");
  EXPECT_EQ(f.content(slot_name(4)), "<none>");
  bool noted = false;
  for (const std::string& line : r.lines) noted = noted || line.find("note: the driver backed up") == 0;
  EXPECT_TRUE(noted);
}

// --to an existing file: its content survives as its own backup 1, as in a restore in place,
// and `restore OUT` gives it back; FILE and its backups are untouched.
TEST(MonitorRestore, ToAnExistingFileKeepsItsContentRecoverable) {
  Fixture f;
  f.fs.streams[kFile] = bytes("now");
  put_backup(f.fs, 1, "v1");
  const std::u16string out = u"C:\\elsewhere\\copy.txt";
  f.fs.streams[out] = bytes("precious, longer content of the other file");
  const auto file_streams = [&] {
    auto m = f.fs.streams;
    for (auto it = m.begin(); it != m.end();) it = it->first.compare(0, out.size(), out) == 0 ? m.erase(it) : ++it;
    return m;
  };
  const auto before = file_streams();
  f.options.out = out;
  fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_TRUE(r.undo_copy);
  EXPECT_EQ(f.content(out), "v1");
  EXPECT_EQ(f.content(out + u":backup"), "precious, longer content of the other file");
  EXPECT_EQ(f.content(out + u":backup.tmp"), "<none>");
  EXPECT_EQ(file_streams(), before);
  // Undo: restore OUT in place.
  fbmon::RestoreOptions undo = f.options;
  undo.file = out;
  undo.out.clear();
  r = fbmon::run_restore(f.fs, undo, f.buffer.data(), static_cast<uint32_t>(f.buffer.size()));
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(out), "precious, longer content of the other file");
}

TEST(MonitorRestore, ToTheFileItselfOrAStreamIsRefusedAndChangesNothing) {
  for (const std::u16string& out : {kFile, std::u16string(u"c:\\D\\A.txt"), slot_name(1), slot_name(2, true),
                                   kFile + u"::$DATA"}) {
    Fixture f;
    f.fs.streams[kFile] = bytes("now");
    put_backup(f.fs, 1, "v1");
    put_backup(f.fs, 2, "v2");
    const auto before = f.fs.streams;
    f.options.out = out;
    const fbmon::RestoreReport r = f.restore();
    EXPECT_FALSE(r.ok) << fbmon::to_utf8(out);
    EXPECT_EQ(r.error.failure, fbmon::Failure::kUsage);
    EXPECT_EQ(f.fs.streams, before) << fbmon::to_utf8(out);
    printf("sample refusal (--to %s): %s\n", fbmon::to_utf8(out).c_str(), fbmon::error_line(r.error).c_str());
  }
}

TEST(MonitorRestore, ToAnotherFileLeavesTheFileAndItsBackupsAlone) {
  Fixture f;
  f.fs.streams[kFile] = bytes("now");
  put_backup(f.fs, 1, "v1");
  f.options.out = u"C:\\elsewhere\\copy.txt";
  const auto before = f.fs.streams;
  const fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok) << fbmon::error_line(r.error);
  EXPECT_EQ(f.content(u"C:\\elsewhere\\copy.txt"), "v1");
  auto after = f.fs.streams;
  after.erase(u"C:\\elsewhere\\copy.txt");
  EXPECT_EQ(after, before);
}

TEST(MonitorRestore, RefusesCorruptOrIncompleteBackupsWithoutTouchingAnything) {
  struct Case {
    const char* name;
    void (*damage)(fbtest::FakeMonitorFs&);
    fbmon::Failure failure;
    const char* detail;
  };
  const Case cases[] = {
      {"flipped byte", [](fbtest::FakeMonitorFs& fs) { fs.streams[slot_name(1)][2] ^= 1; },
       fbmon::Failure::kBackupCorrupt, "data: content hash mismatch"},
      {"truncated data", [](fbtest::FakeMonitorFs& fs) { fs.streams[slot_name(1)].resize(3); },
       fbmon::Failure::kBackupIncomplete, "size 3, metadata says 6"},
      {"metadata missing", [](fbtest::FakeMonitorFs& fs) { fs.streams.erase(slot_name(1, true)); },
       fbmon::Failure::kBackupIncomplete, "its metadata stream is missing"},
      {"metadata torn", [](fbtest::FakeMonitorFs& fs) { fs.streams[slot_name(1, true)].resize(20); },
       fbmon::Failure::kBackupIncomplete, "metadata: too short"},
      {"metadata damaged", [](fbtest::FakeMonitorFs& fs) { fs.streams[slot_name(1, true)][40] ^= 1; },
       fbmon::Failure::kBackupCorrupt, "metadata: bad checksum"},
  };
  for (const Case& c : cases) {
    Fixture f;
    f.fs.streams[kFile] = bytes("current");
    put_backup(f.fs, 1, "old v1");
    c.damage(f.fs);
    const auto before = f.fs.streams;
    const fbmon::RestoreReport r = f.restore();
    EXPECT_FALSE(r.ok) << c.name;
    EXPECT_EQ(r.error.failure, c.failure) << c.name;
    EXPECT_EQ(r.error.detail, c.detail) << c.name;
    EXPECT_EQ(f.fs.streams, before) << c.name;
    printf("sample refusal (%s): %s\n", c.name, fbmon::error_line(r.error).c_str());
  }
}

TEST(MonitorRestore, NoBackupOrMissingVersion) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current");
  fbmon::RestoreReport r = f.restore();
  EXPECT_EQ(r.error.failure, fbmon::Failure::kNoBackup);
  put_backup(f.fs, 1, "v1");
  put_backup(f.fs, 3, "v3");
  f.options.version = 2;
  r = f.restore();
  EXPECT_EQ(r.error.failure, fbmon::Failure::kNoSuchVersion);
  EXPECT_EQ(fbmon::error_line(r.error),
            "fbmon: C:\\d\\a.txt has no backup 2 (backups present: 1, 3); pick one of those with --version N, "
            "`fbmon list C:\\d\\a.txt` shows them");
  // A slot whose data is gone but whose metadata is left: incomplete, not "no backup yet".
  f.fs.streams[slot_name(2, true)] = f.fs.streams[slot_name(1, true)];
  r = f.restore();
  EXPECT_EQ(r.error.failure, fbmon::Failure::kBackupIncomplete);
  EXPECT_EQ(fbmon::error_line(r.error),
            "fbmon: backup is incomplete, refusing to restore it: C:\\d\\a.txt:backup.2 (its data stream is missing; "
            "only its metadata is left); pick another with `fbmon list` and --version N");
}

TEST(MonitorRestore, FileInUseStopsBeforeAnythingChanges) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current");
  put_backup(f.fs, 1, "v1");
  f.fs.in_use.insert(kFile);
  const auto before = f.fs.streams;
  const fbmon::RestoreReport r = f.restore();
  EXPECT_EQ(r.error.failure, fbmon::Failure::kFileInUse);
  EXPECT_EQ(r.error.code, 0xC0000043u);
  EXPECT_EQ(f.fs.streams, before);
  printf("sample refusal (in use): %s\n", fbmon::error_line(r.error).c_str());
}

TEST(MonitorRestore, AFailedWriteLeavesThePreviousContentAsBackupOne) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current content");
  put_backup(f.fs, 1, "a longer old version");
  f.fs.fail_writes_to = kFile;
  f.fs.fail_writes_after = 7;
  const fbmon::RestoreReport r = f.restore();
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.detail.find("the previous content is backup 1"), std::string::npos) << r.error.detail;
  EXPECT_EQ(f.content(slot_name(1)), "current content");
  EXPECT_EQ(f.content(slot_name(2)), "a longer old version");
}

TEST(MonitorRestore, AFailedRotationKeepsTheSnapshot) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current");
  put_backup(f.fs, 1, "v1");
  f.fs.fail_renames_of = slot_name(1);
  const fbmon::RestoreReport r = f.restore();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(f.content(kFile), "v1");
  EXPECT_EQ(f.content(slot_name(0)), "current");  // the undo copy survives in :backup.tmp
}

TEST(MonitorRestore, DryRunVerifiesButChangesNothing) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current");
  put_backup(f.fs, 1, "v1");
  f.options.dry_run = true;
  const auto before = f.fs.streams;
  fbmon::RestoreReport r = f.restore();
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.lines.size(), 4u);
  EXPECT_EQ(f.fs.streams, before);
  // A file in use is refused by the dry run as by the real one: no "would ...".
  f.fs.in_use.insert(kFile);
  r = f.restore();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kFileInUse);
  EXPECT_TRUE(r.lines.empty());
  f.fs.in_use.clear();
  f.fs.streams[slot_name(1)][0] ^= 1;
  r = f.restore();
  EXPECT_EQ(r.error.failure, fbmon::Failure::kBackupCorrupt);
}

TEST(MonitorList, ShowsEverySlotWithItsIntegrity) {
  Fixture f;
  f.fs.streams[kFile] = bytes("current");
  put_backup(f.fs, 1, "v1 content", 4312);
  put_backup(f.fs, 2, "v2 content", 1200);
  put_backup(f.fs, 3, "v3 content", 99);
  f.fs.streams[slot_name(2)][0] ^= 1;            // corrupt
  f.fs.streams.erase(slot_name(3, true));         // metadata missing
  f.fs.streams[slot_name(0)] = bytes("partial");  // interrupted backup
  const auto slots = fbmon::inspect_backups(f.fs, fbmon::view(kFile), true, f.buffer.data(), 7);
  EXPECT_EQ(f.fs.open_handles(), 0u);
  const std::string table =
      fbmon::format_backup_list("C:\\d\\a.txt", slots, [](int64_t utc) { return utc + 36000000000LL; });
  EXPECT_EQ(table,
            "C:\\d\\a.txt\n"
            "  slot  time                     size        writer  integrity\n"
            "  1     2026-11-21 13:03:17.512  10 B          4312  ok\n"
            "  2     2026-11-21 12:03:17.512  10 B          1200  bad (data: content hash mismatch)\n"
            "  3     -                        10 B             -  bad (metadata missing)\n"
            "  tmp   -                        7 B              -  bad (metadata missing)  (a backup in progress, or one that was interrupted)\n");
  printf("sample list:\n%s", table.c_str());
  EXPECT_EQ(fbmon::format_backup_list("C:\\d\\b.txt", {}, [](int64_t t) { return t; }), "C:\\d\\b.txt\n  no backups\n");
  const std::string json =
      fbmon::format_backup_list_json("C:\\d\\a.txt", slots, [](int64_t utc) { return utc + 36000000000LL; });
  EXPECT_EQ(json,
            "{\"file\":\"C:\\\\d\\\\a.txt\",\"slots\":["
            "{\"slot\":1,\"time\":\"2026-11-21T13:03:17.512\",\"filetime_utc\":134397361975120000,\"writer\":4312,\"size\":10,\"ok\":true},"
            "{\"slot\":2,\"time\":\"2026-11-21T12:03:17.512\",\"filetime_utc\":134397325975120000,\"writer\":1200,\"size\":10,\"ok\":false,"
            "\"problem\":\"data: content hash mismatch\"},"
            "{\"slot\":3,\"size\":10,\"ok\":false,\"problem\":\"metadata missing\"},"
            "{\"slot\":0,\"size\":7,\"ok\":false,\"problem\":\"metadata missing\"}]}\n");
  const fbmon::FileUsage usage = fbmon::usage_of("C:\\d\\a.txt", slots);
  EXPECT_EQ(usage.slots, 4u);
  EXPECT_EQ(usage.bytes, 10u + 48u + 10u + 48u + 10u + 7u);
  printf("sample list --json:\n%s", json.c_str());
}

}  // namespace
