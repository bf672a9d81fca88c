// fbmon deleted: the vault's records parsed (a table of good, truncated and malformed ones, the
// header written by the engine's own encoder), a vault folder listed on the in-memory fake
// (versions, still-named files, missing/denied folders, bad records listed, never fatal), the
// entry restore --deleted takes, and the table and JSON it prints.
#include "monitor/lib/vault_listing.h"

#include <gtest/gtest.h>

#include "monitor/lib/text.h"
#include "tests/support/fake_vault.h"

namespace {

using fbmon::RecordState;
using fbtest::add_kept_file;
using fbtest::fake_vault_name;
using fbtest::fake_vault_record;

constexpr int64_t kHour = 36000000000LL;
constexpr int64_t kTime = 134397397975120000;  // 2026-11-21 13:03:17.512 UTC
int64_t utc(int64_t t) { return t; }

fbmon::DeviceTable devices() {
  fbmon::DeviceTable t;
  t.add(u"\\Device\\HarddiskVolume3", u"C:");
  return t;
}

std::vector<uint8_t> with(std::vector<uint8_t> v, size_t at, uint8_t value) {
  v[at] = value;
  return v;
}

TEST(VaultRecordParse, TellsGoodTruncatedAndMalformedRecordsApart) {
  const std::vector<uint8_t> good = fake_vault_record(u"\\Device\\HarddiskVolume3\\d\\a.txt", kTime, 4312, 11);
  std::vector<uint8_t> longer = good;
  longer.push_back(0);
  struct Case { const char* name; std::vector<uint8_t> bytes; RecordState state; };
  const Case cases[] = {
      {"good", good, RecordState::kOk},
      {"empty (write never started)", {}, RecordState::kTruncated},
      {"magic cut short", {'F', 'B'}, RecordState::kTruncated},
      {"header cut short", std::vector<uint8_t>(good.begin(), good.begin() + 39), RecordState::kTruncated},
      {"path cut short", std::vector<uint8_t>(good.begin(), good.end() - 3), RecordState::kTruncated},
      {"header only", std::vector<uint8_t>(good.begin(), good.begin() + 40), RecordState::kTruncated},
      {"a byte too many", longer, RecordState::kMalformed},
      {"other magic", with(good, 3, '2'), RecordState::kMalformed},
      {"not ours at all", fbtest::fake_bytes("hello, world"), RecordState::kMalformed},
      {"version 2", with(good, 4, 2), RecordState::kMalformed},
      {"reserved u16 set", with(good, 6, 1), RecordState::kMalformed},
      {"reserved u32 set", with(good, 36, 1), RecordState::kMalformed},
      {"negative time", with(good, 15, 0x80), RecordState::kMalformed},
      {"path length 0", with(with(good, 32, 0), 33, 0), RecordState::kMalformed},
  };
  for (const Case& c : cases) {
    const fbmon::ParsedVaultRecord p = fbmon::parse_vault_record(c.bytes);
    EXPECT_EQ(p.state, c.state) << c.name;
    if (c.state == RecordState::kOk) {
      EXPECT_EQ(p.original_nt, u"\\Device\\HarddiskVolume3\\d\\a.txt");
      EXPECT_EQ(p.record.time, kTime);
      EXPECT_EQ(p.record.process_id, 4312u);
      EXPECT_EQ(p.record.size, 11u);
    } else {
      EXPECT_TRUE(p.original_nt.empty()) << c.name;
    }
  }
}

TEST(VaultIds, NameAndParse) {
  EXPECT_EQ(fbmon::vault_id_text(0xa1), "00000000000000a1");
  EXPECT_EQ(fbmon::vault_folder_of(u"C:\\"), u"C:\\$FileBackupVault");
  EXPECT_EQ(fbmon::vault_folder_of(u"D:"), u"D:\\$FileBackupVault");
  EXPECT_EQ(fbmon::vault_file_path(u"C:\\$FileBackupVault", 0xa1, true), u"C:\\$FileBackupVault\\00000000000000a1.info");
  struct Case { const char* text; bool ok; uint64_t id; };
  const Case cases[] = {{"a1", true, 0xa1}, {"00000000000000A1", true, 0xa1}, {"ffffffffffffffff", true, ~0ull},
                        {"0", false, 0},    {"", false, 0},                 {"12345678901234567", false, 0},
                        {"xyz", false, 0},  {"-1", false, 0}};
  for (const Case& c : cases) {
    uint64_t id = 0;
    EXPECT_EQ(fbmon::parse_vault_id(c.text, &id), c.ok) << c.text;
    if (c.ok) {
      EXPECT_EQ(id, c.id) << c.text;
    }
  }
}

TEST(VaultListing, ListsKeptFilesNewestFirstWithVersionsAndBadRecords) {
  fbtest::FakeMonitorFs fs;
  add_kept_file(fs, 1, u"\\d\\old.txt", "old content", {"v1"}, kTime - 5 * kHour);
  add_kept_file(fs, 2, u"\\d\\report.docx", "report", {"r1", "r2", "r3"}, kTime);
  fs.streams[fake_vault_name(3)] = fbtest::fake_bytes("no record");
  fs.streams[fake_vault_name(4)] = fbtest::fake_bytes("bad record");
  fs.streams[fake_vault_name(4, true)] = fbtest::fake_bytes("garbage");
  fs.streams[fake_vault_name(5)] = fbtest::fake_bytes("cut record");
  fs.streams[fake_vault_name(5, true)] = std::vector<uint8_t>(20, 0);
  fs.streams[fake_vault_name(5, true)][0] = 'F';
  fs.streams[fake_vault_name(5, true)][1] = 'B';
  fs.streams[fake_vault_name(5, true)][2] = 'V';
  fs.streams[fake_vault_name(5, true)][3] = '1';
  add_kept_file(fs, 6, u"\\d\\pending.txt", "p", {}, kTime + kHour);
  fs.links[fake_vault_name(6)] = 2;  // a delete that has not happened
  fs.streams[fbtest::kFakeVault + u"\\notes.txt"] = fbtest::fake_bytes("not ours");  // left alone
  fs.streams[fake_vault_name(7, true)] = fake_vault_record(u"\\Device\\HarddiskVolume3\\x", kTime, 1, 1);  // no link

  const fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  ASSERT_TRUE(l.ok);
  EXPECT_TRUE(l.exists);
  EXPECT_EQ(fs.open_handles(), 0u);
  ASSERT_EQ(l.files.size(), 6u);
  // Newest first, then the ones without a readable record, highest id first.
  const uint64_t order[] = {6, 2, 1, 5, 4, 3};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(l.files[i].id, order[i]) << i;
  const fbmon::DeletedFile& report = l.files[1];
  EXPECT_EQ(report.record, RecordState::kOk);
  EXPECT_EQ(report.original, u"C:\\d\\report.docx");
  EXPECT_EQ(report.original_nt, u"\\Device\\HarddiskVolume3\\d\\report.docx");
  EXPECT_EQ(report.vault_file, u"C:\\$FileBackupVault\\0000000000000002");
  EXPECT_EQ(report.versions, 3u);
  EXPECT_EQ(report.size, 6u);
  EXPECT_EQ(report.info.process_id, 4312u);
  EXPECT_TRUE(report.restorable());
  EXPECT_TRUE(l.files[0].still_named());
  EXPECT_FALSE(l.files[0].restorable());
  EXPECT_EQ(l.files[3].record, RecordState::kTruncated);
  EXPECT_EQ(l.files[4].record, RecordState::kMalformed);
  EXPECT_EQ(l.files[5].record, RecordState::kMissing);
  EXPECT_FALSE(l.files[5].restorable());
}

TEST(VaultListing, MissingUnreadableAndDeniedFolders) {
  fbtest::FakeMonitorFs fs;
  fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  EXPECT_TRUE(l.ok);
  EXPECT_FALSE(l.exists);  // no vault yet
  EXPECT_TRUE(l.files.empty());

  fs.folders.insert(fbtest::kFakeVault);
  l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  EXPECT_TRUE(l.ok);
  EXPECT_TRUE(l.exists);

  fs.denied_folders.insert(fbtest::kFakeVault);
  l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), false);
  ASSERT_FALSE(l.ok);
  EXPECT_EQ(l.error.failure, fbmon::Failure::kNotElevated);
  EXPECT_EQ(fbmon::error_line(l.error),
            "fbmon: not elevated: C:\\$FileBackupVault (the vault of deleted files; its folder admits SYSTEM and "
            "Administrators only) (status 0xC0000022) refused access; run fbmon from an elevated prompt (Run as "
            "administrator)");
  l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  ASSERT_FALSE(l.ok);
  EXPECT_EQ(l.error.failure, fbmon::Failure::kAccessDenied);

  fs.denied_folders.clear();
  add_kept_file(fs, 9, u"\\d\\a.txt", "a", {}, kTime);
  fs.unreadable.insert(fake_vault_name(9, true));
  l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  ASSERT_TRUE(l.ok);
  ASSERT_EQ(l.files.size(), 1u);
  EXPECT_EQ(l.files[0].record, RecordState::kUnreadable);
  EXPECT_EQ(l.files[0].record_status, fb::nt::kAccessDenied);
}

TEST(VaultListing, PathIsUnder) {
  struct Case { std::u16string path, folder; bool under; };
  const Case cases[] = {
      {u"C:\\d\\a.txt", u"C:\\d", true},   {u"C:\\d\\a.txt", u"c:\\D\\", true},  {u"C:\\d\\e\\a.txt", u"C:\\d", true},
      {u"C:\\dd\\a.txt", u"C:\\d", false}, {u"C:\\d", u"C:\\d", true},           {u"C:\\a.txt", u"C:\\", true},
      {u"D:\\d\\a.txt", u"C:\\d", false},  {u"C:\\d\\a.txt", u"C:\\d\\a", false},
  };
  for (const Case& c : cases)
    EXPECT_EQ(fbmon::path_is_under(c.path, c.folder), c.under) << fbmon::to_utf8(c.path) << " " << fbmon::to_utf8(c.folder);
}

TEST(VaultListing, ChoosesTheNewestOrTheIdAsked) {
  fbtest::FakeMonitorFs fs;
  add_kept_file(fs, 1, u"\\d\\a.txt", "first", {}, kTime - 2 * kHour);
  add_kept_file(fs, 2, u"\\d\\a.txt", "second", {}, kTime);
  add_kept_file(fs, 3, u"\\d\\a.txt", "pending", {}, kTime + kHour);
  fs.links[fake_vault_name(3)] = 2;
  add_kept_file(fs, 4, u"\\d\\b.txt", "b", {}, kTime);
  fs.streams[fake_vault_name(5)] = fbtest::fake_bytes("no record");
  const fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  ASSERT_TRUE(l.ok);

  fbmon::DeletedChoice c = fbmon::choose_deleted(l.files, u"c:\\D\\A.TXT", 0, utc);
  ASSERT_NE(c.file, nullptr);
  EXPECT_EQ(c.file->id, 2u);  // the newest deleted one (3 is not deleted)
  EXPECT_EQ(c.matches, 2u);
  EXPECT_EQ(c.note, "2 deleted files were kept for c:\\D\\A.TXT; restoring the newest (deleted 2026-11-21 13:03:17.512, "
                    "id 0000000000000002); --id ID picks another (`fbmon deleted` lists them)");

  c = fbmon::choose_deleted(l.files, u"C:\\d\\b.txt", 0, utc);
  ASSERT_NE(c.file, nullptr);
  EXPECT_EQ(c.file->id, 4u);
  EXPECT_TRUE(c.note.empty());

  c = fbmon::choose_deleted(l.files, u"C:\\d\\a.txt", 1, utc);
  ASSERT_NE(c.file, nullptr);
  EXPECT_EQ(c.file->id, 1u);
  c = fbmon::choose_deleted(l.files, u"", 1, utc);
  ASSERT_NE(c.file, nullptr);

  struct Bad { std::u16string path; uint64_t id; fbmon::Failure failure; };
  const Bad bad[] = {
      {u"C:\\d\\none.txt", 0, fbmon::Failure::kNotKept},
      {u"C:\\d\\b.txt", 1, fbmon::Failure::kUsage},  // id 1 is a.txt's
      {u"", 99, fbmon::Failure::kNotKept},
      {u"", 3, fbmon::Failure::kNotKept},             // still named: not a deleted file
      {u"", 5, fbmon::Failure::kBackupIncomplete},    // its record is missing
  };
  for (const Bad& b : bad) {
    c = fbmon::choose_deleted(l.files, b.path, b.id, utc);
    EXPECT_EQ(c.file, nullptr) << b.id;
    EXPECT_EQ(c.error.failure, b.failure) << b.id << ": " << fbmon::error_line(c.error);
  }
  EXPECT_EQ(fbmon::error_line(fbmon::choose_deleted(l.files, u"C:\\d\\none.txt", 0, utc).error),
            "fbmon: not kept: C:\\d\\none.txt is not in the vault; `fbmon deleted` lists the deleted files it keeps");
  EXPECT_EQ(fbmon::exit_code(fbmon::Failure::kNotKept), 5);
}

TEST(VaultListing, FormatsTheTableAndJson) {
  fbtest::FakeMonitorFs fs;
  add_kept_file(fs, 0xa1, u"\\d\\report.docx", "0123456789", {"v1", "v2"}, kTime);
  fs.streams[fake_vault_name(0xa2)] = fbtest::fake_bytes("x");
  fs.streams[fake_vault_name(0xa2, true)] = fbtest::fake_bytes("FB");
  const fbmon::VaultListing l = fbmon::list_vault(fs, fbtest::kFakeVault, devices(), true);
  ASSERT_TRUE(l.ok);
  EXPECT_EQ(fbmon::format_deleted("on C:\\", l.files, utc),
            "2 deleted files kept on C:\\, newest first\n"
            "  deleted                  size        pid     versions  id                file\n"
            "  2026-11-21 13:03:17.512  10 B        4312    2         00000000000000a1  C:\\d\\report.docx\n"
            "  -                        1 B         -       0         00000000000000a2  ? (record truncated; the file is "
            "C:\\$FileBackupVault\\00000000000000a2)\n");
  EXPECT_EQ(fbmon::format_deleted("on C:\\", {}, utc), "no deleted file is kept on C:\\\n");
  EXPECT_EQ(fbmon::format_deleted_json(l.files, utc),
            "{\"id\":\"00000000000000a1\",\"vault_file\":\"C:\\\\$FileBackupVault\\\\00000000000000a1\",\"record\":\"ok\","
            "\"file\":\"C:\\\\d\\\\report.docx\",\"nt_path\":\"\\\\Device\\\\HarddiskVolume3\\\\d\\\\report.docx\","
            "\"deleted\":\"2026-11-21T13:03:17.512\",\"filetime_utc\":134397397975120000,\"pid\":4312,"
            "\"size_at_delete\":10,\"size\":10,\"versions\":2,\"still_named\":false}\n"
            "{\"id\":\"00000000000000a2\",\"vault_file\":\"C:\\\\$FileBackupVault\\\\00000000000000a2\","
            "\"record\":\"truncated\",\"size\":1,\"versions\":0,\"still_named\":false}\n");
}

}  // namespace
