// The vault's pure helpers (common/engine/vault.h, vault_record.h): the volume of a path, the
// vault's names, the name hash, and the `<id>.info` record's encoding. Expected values are
// written out by hand from the formats the headers document, never computed by the code.
#include "common/engine/vault.h"
#include "common/engine/vault_record.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace fb {
namespace {

using U16 = std::u16string;

Str16 s16(const U16& s) { return Str16(s.data(), static_cast<uint32_t>(s.size())); }
U16 u16(Str16 s) { return U16(s.data, s.len); }

// ---- vault_volume_of ------------------------------------------------------------------------

struct VolumeCase {
  const char* what;
  U16 path;
  U16 expected;  // empty: no vault for this path
};

TEST(VaultVolumeOf, TakesTheDevicePartOfLocalVolumesOnly) {
  const U16 long_device = u"\\Device\\" + U16(60, u'V');  // 68 units: over kVaultVolumeUnits (64)
  const U16 longest_device = u"\\Device\\" + U16(56, u'V');  // exactly 64
  const std::vector<VolumeCase> cases = {
      {"a file on a volume", u"\\Device\\HarddiskVolume2\\Users\\me\\a.txt", u"\\Device\\HarddiskVolume2"},
      {"a file at the root", u"\\Device\\HarddiskVolume12\\a.txt", u"\\Device\\HarddiskVolume12"},
      {"a shadow copy volume", u"\\Device\\HarddiskVolumeShadowCopy3\\x\\y",
       u"\\Device\\HarddiskVolumeShadowCopy3"},
      {"the volume alone", u"\\Device\\HarddiskVolume2", u""},
      {"the volume's root", u"\\Device\\HarddiskVolume2\\", u""},
      {"the network redirector", u"\\Device\\Mup\\server\\share\\a.txt", u""},
      {"the redirector in lower case", u"\\device\\mup\\server\\share\\a.txt", u""},
      {"not an NT path", u"C:\\Users\\a.txt", u""},
      {"empty", u"", u""},
      {"a device name of 64 units", longest_device + u"\\a.txt", longest_device},
      {"a device name over 64 units", long_device + u"\\a.txt", u""},
  };
  for (const VolumeCase& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(u16(vault_volume_of(s16(c.path))), c.expected);
  }
}

// ---- build_vault_path -----------------------------------------------------------------------

TEST(BuildVaultPath, FolderEntryAndRecordNames) {
  const U16 volume = u"\\Device\\HarddiskVolume2";
  struct Case {
    const char* what;
    uint64_t id;
    bool info;
    U16 expected;
  } cases[] = {
      {"the folder", 0, false, u"\\Device\\HarddiskVolume2\\$FileBackupVault"},
      {"entry 1", 1, false, u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0000000000000001"},
      {"entry 1's record", 1, true, u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0000000000000001.info"},
      {"lower-case hex, all digits", 0x0123456789abcdefull, false,
       u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0123456789abcdef"},
      {"the largest id", ~0ull, true, u"\\Device\\HarddiskVolume2\\$FileBackupVault\\ffffffffffffffff.info"},
      {"id 0 with its record", 0, true, u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0000000000000000.info"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    char16_t out[kVaultPathUnits];
    uint32_t len = 99;
    ASSERT_EQ(build_vault_path(s16(volume), c.id, c.info, out, kVaultPathUnits, &len), nt::kSuccess);
    EXPECT_EQ(U16(out, len), c.expected);
    EXPECT_EQ(u16(VaultPath(s16(volume), c.id, c.info).view()), c.expected) << "VaultPath agrees";
  }
}

TEST(BuildVaultPath, RefusesWhatDoesNotFit) {
  const U16 volume = u"\\Device\\HarddiskVolume2";  // 23 units
  // 23 + 17 (`\$FileBackupVault`) + 17 (`\` + 16 hex) + 5 (`.info`) = 62 units exactly.
  char16_t out[62];
  uint32_t len = 99;
  EXPECT_EQ(build_vault_path(s16(volume), 7, true, out, 62, &len), nt::kSuccess);
  EXPECT_EQ(len, 62u);
  EXPECT_EQ(build_vault_path(s16(volume), 7, true, out, 61, &len), nt::kNameTooLong);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(build_vault_path(s16(volume), 7, false, out, 57, &len), nt::kSuccess);
  EXPECT_EQ(build_vault_path(s16(volume), 7, false, out, 56, &len), nt::kNameTooLong);
  EXPECT_EQ(build_vault_path(s16(volume), 0, false, out, 40, &len), nt::kSuccess) << "the folder: 23 + 17";
  EXPECT_EQ(len, 40u);
  EXPECT_EQ(build_vault_path(s16(volume), 0, false, out, 39, &len), nt::kNameTooLong);
  EXPECT_EQ(build_vault_path(Str16(), 7, false, out, 62, &len), nt::kNameTooLong) << "no volume, no vault";
  // The longest volume the ledger holds still fits VaultPath's buffer, record name included.
  const U16 longest = u"\\Device\\" + U16(56, u'V');
  EXPECT_EQ(VaultPath(s16(longest), ~0ull, true).view().len, 64u + 17 + 17 + 5);
}

// ---- history_hash ---------------------------------------------------------------------------

TEST(HistoryHash, NamesNtfsTreatsAsOneHashAlike) {
  const U16 a = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\report.docx";
  EXPECT_EQ(history_hash(s16(a)), history_hash(s16(u"\\DEVICE\\HARDDISKVOLUME2\\USERS\\ME\\DOCUMENTS\\REPORT.DOCX")));
  // Beyond ASCII: NTFS upcases U+00E9 to U+00C9 and U+0439 to U+0419.
  EXPECT_EQ(history_hash(s16(u"\\Device\\V\\caf\u00e9\u0439.txt")), history_hash(s16(u"\\Device\\V\\CAF\u00c9\u0419.TXT")));
  EXPECT_NE(history_hash(s16(a)), history_hash(s16(a + u"x")));
  EXPECT_NE(history_hash(s16(u"\\Device\\V\\ab")), history_hash(s16(u"\\Device\\V\\ba")));
  // FNV-1a 64 over the UTF-16LE bytes: the empty input is the offset basis, "A" (0x41, 0x00)
  // is ((basis ^ 0x41) * prime ^ 0x00) * prime (http://www.isthe.com/chongo/tech/comp/fnv/).
  EXPECT_EQ(history_hash(Str16()), 0xcbf29ce484222325ull);
  EXPECT_EQ(history_hash(s16(u"a")), history_hash(s16(u"A")));
  uint64_t h = 0xcbf29ce484222325ull;
  h = (h ^ 0x41) * 0x100000001b3ull;
  h = (h ^ 0x00) * 0x100000001b3ull;
  EXPECT_EQ(history_hash(s16(u"A")), h);
}

// ---- the record -----------------------------------------------------------------------------

std::vector<uint8_t> record_bytes(const VaultRecord& r, const U16& path) {
  std::vector<uint8_t> out(kVaultRecordHeaderBytes + path.size() * 2);
  encode_vault_record_header(r, out.data());
  for (size_t i = 0; i < path.size(); ++i) {
    out[kVaultRecordHeaderBytes + 2 * i] = static_cast<uint8_t>(path[i]);
    out[kVaultRecordHeaderBytes + 2 * i + 1] = static_cast<uint8_t>(path[i] >> 8);
  }
  return out;
}

TEST(VaultRecord, HeaderBytesAreTheDocumentedLayout) {
  VaultRecord r;
  r.time = 0x01DB000011223344ll;
  r.process_id = 4242;
  r.size = 0x0000000100000002ull;
  r.path_units = 3;
  uint8_t out[kVaultRecordHeaderBytes];
  std::memset(out, 0xEE, sizeof out);
  encode_vault_record_header(r, out);
  const uint8_t expected[40] = {
      'F', 'B', 'V', '1', 1, 0, 0, 0,                     // magic, version 1, reserved
      0x44, 0x33, 0x22, 0x11, 0x00, 0x00, 0xDB, 0x01,     // time
      0x92, 0x10, 0, 0, 0, 0, 0, 0,                       // process 4242
      0x02, 0, 0, 0, 0x01, 0, 0, 0,                       // size
      3, 0, 0, 0, 0, 0, 0, 0,                             // path units, reserved
  };
  EXPECT_EQ(0, std::memcmp(out, expected, sizeof expected));
  ASSERT_EQ(kVaultRecordHeaderBytes, 40u);
}

TEST(VaultRecord, RoundTrips) {
  VaultRecord r;
  r.time = 133000000000000000ll;
  r.process_id = 7;
  r.size = 12345;
  const U16 path = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\report.docx";
  r.path_units = static_cast<uint32_t>(path.size());
  const std::vector<uint8_t> bytes = record_bytes(r, path);
  VaultRecord got;
  ASSERT_TRUE(decode_vault_record_header(bytes.data(), static_cast<uint32_t>(bytes.size()), &got));
  EXPECT_EQ(got.time, r.time);
  EXPECT_EQ(got.process_id, 7u);
  EXPECT_EQ(got.size, 12345u);
  EXPECT_EQ(got.path_units, path.size());
}

TEST(VaultRecord, DecoderRefusesEveryMalformedRecord) {
  VaultRecord r;
  r.time = 1000;
  r.process_id = 1;
  r.size = 2;
  const U16 path = u"\\Device\\V\\a";
  r.path_units = static_cast<uint32_t>(path.size());
  const std::vector<uint8_t> good = record_bytes(r, path);
  struct Case {
    const char* what;
    size_t offset;  // byte changed (SIZE_MAX: none)
    uint8_t value;
    int size_change;
  } cases[] = {
      {"magic", 0, 'X', 0},
      {"magic's last byte", 3, '2', 0},
      {"version 2", 4, 2, 0},
      {"version 0", 4, 0, 0},
      {"reserved after the version", 6, 1, 0},
      {"negative time", 15, 0x80, 0},
      {"path length 0", 32, 0, 0},
      {"path length one more than the bytes", 32, static_cast<uint8_t>(path.size() + 1), 0},
      {"path length one less than the bytes", 32, static_cast<uint8_t>(path.size() - 1), 0},
      {"path length over kMaxPathUnits", 35, 0x01, 0},
      {"reserved after the path length", 39, 1, 0},
      {"one byte missing", SIZE_MAX, 0, -1},
      {"one byte more", SIZE_MAX, 0, 1},
      {"the header only", SIZE_MAX, 0, -static_cast<int>(path.size() * 2)},
      {"shorter than a header", SIZE_MAX, 0, -static_cast<int>(path.size() * 2) - 1},
  };
  VaultRecord got;
  ASSERT_TRUE(decode_vault_record_header(good.data(), static_cast<uint32_t>(good.size()), &got)) << "the twin passes";
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<uint8_t> bad = good;
    if (c.offset != SIZE_MAX) bad[c.offset] = c.value;
    bad.resize(static_cast<size_t>(static_cast<int>(bad.size()) + c.size_change), 0);
    EXPECT_FALSE(decode_vault_record_header(bad.data(), static_cast<uint32_t>(bad.size()), &got));
  }
}

}  // namespace
}  // namespace fb

namespace fb {
namespace {

// ---- vault_id_of_name (the scan after a restart) --------------------------------------------

TEST(VaultIdOfName, OnlySixteenHexDigitsNameAVaultFile) {
  struct Case {
    const char* what;
    U16 name;
    bool is_id;
    uint64_t id;
  } cases[] = {
      {"as build_vault_path writes it", u"0000000000000042", true, 0x42},
      {"all digits", u"0123456789abcdef", true, 0x0123456789abcdefull},
      {"upper case (the model, a case-insensitive listing)", u"0123456789ABCDEF", true, 0x0123456789abcdefull},
      {"the largest", u"ffffffffffffffff", true, ~0ull},
      {"zero: the folder's id, never a file's", u"0000000000000000", false, 0},
      {"its record", u"0000000000000042.info", false, 0},
      {"fifteen digits", u"000000000000042", false, 0},
      {"seventeen digits", u"00000000000000042", false, 0},
      {"a letter past f", u"000000000000004g", false, 0},
      {"a space", u"00000000000004 2", false, 0},
      {"another name", u"desktop.ini", false, 0},
      {"empty", u"", false, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    uint64_t id = 7;
    EXPECT_EQ(vault_id_of_name(s16(c.name), &id), c.is_id);
    EXPECT_EQ(id, c.is_id ? c.id : 7u) << "untouched when not an id";
  }
  // What build_vault_path writes, vault_id_of_name reads back.
  const U16 volume = u"\\Device\\HarddiskVolume2";
  for (uint64_t id : {1ull, 0x42ull, 0xdeadbeefcafef00dull}) {
    const Str16 path = VaultPath(s16(volume), id).view();
    uint64_t back = 0;
    ASSERT_TRUE(vault_id_of_name(path.from(path.len - 16), &back));
    EXPECT_EQ(back, id);
  }
}

}  // namespace
}  // namespace fb
