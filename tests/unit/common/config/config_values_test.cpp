// The registry values of FileBackup\Parameters: every key, its default, and every invalid
// form (wrong type, wrong size, out of range, malformed REG_MULTI_SZ, over-long), each of
// which must be reported and replaced by the default, never fail.
#include "common/config/config_values.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace fb {
namespace {

using U16 = std::u16string;

// Owns the bytes of one raw value.
struct Bytes {
  std::vector<char16_t> storage;  // char16_t keeps list data 2-byte aligned
  uint32_t size = 0;
};

Bytes dword_bytes(uint32_t v) {
  Bytes b;
  b.storage.resize(2);
  std::memcpy(b.storage.data(), &v, 4);
  b.size = 4;
  return b;
}

Bytes qword_bytes(uint64_t v) {
  Bytes b;
  b.storage.resize(4);
  std::memcpy(b.storage.data(), &v, 8);
  b.size = 8;
  return b;
}

// Units exactly as given (NULs spelled out by the caller).
Bytes units_bytes(const U16& units) {
  Bytes b;
  b.storage.assign(units.begin(), units.end());
  b.size = static_cast<uint32_t>(units.size() * 2);
  return b;
}

// A well-formed REG_MULTI_SZ: each item + NUL, then the list's NUL.
U16 multi_sz(const std::vector<U16>& items) {
  U16 out;
  for (const U16& item : items) {
    out += item;
    out.push_back(0);
  }
  out.push_back(0);
  return out;
}

class RawBuilder {
 public:
  RawBuilder& set(ConfigKey key, uint32_t type, Bytes bytes) {
    bytes_[key] = std::move(bytes);
    types_[key] = type;
    return *this;
  }
  RawConfig build() const {
    RawConfig raw;
    for (const auto& [key, bytes] : bytes_) {
      RawValue& v = raw[key];
      v.present = true;
      v.type = types_.at(key);
      v.data = bytes.storage.data();
      v.size = bytes.size;
    }
    return raw;
  }

 private:
  std::map<ConfigKey, Bytes> bytes_;
  std::map<ConfigKey, uint32_t> types_;
};

std::vector<U16> strings(const RuleList& list) {
  std::vector<U16> out;
  for (uint32_t i = 0; i < list.count; ++i) out.emplace_back(list.items[i].data, list.items[i].len);
  return out;
}

// ---- names ------------------------------------------------------------------------------------

TEST(ConfigValues, EveryKeyHasItsRegistryName) {
  const std::vector<std::pair<ConfigKey, U16>> names = {
      {ConfigKey::kEnabled, u"Enabled"},
      {ConfigKey::kMaxFileSize, u"MaxFileSize"},
      {ConfigKey::kMinFreeSpace, u"MinFreeSpace"},
      {ConfigKey::kMaxVersions, u"MaxVersions"},
      {ConfigKey::kProtectedFolders, u"ProtectedFolders"},
      {ConfigKey::kFolderNames, u"FolderNames"},
      {ConfigKey::kIncludeExtensions, u"IncludeExtensions"},
      {ConfigKey::kExcludeExtensions, u"ExcludeExtensions"},
      {ConfigKey::kVaultMaxBytes, u"VaultMaxBytes"},
      {ConfigKey::kVaultMaxAgeHours, u"VaultMaxAgeHours"},
      {ConfigKey::kVaultMaxFileSize, u"VaultMaxFileSize"},
  };
  ASSERT_EQ(names.size(), kConfigKeyCount);
  for (const auto& [key, name] : names) {
    const Str16 got = config_value_name(key);
    EXPECT_EQ(U16(got.data, got.len), name);
    EXPECT_STRNE(config_key_text(key), "unknown");
  }
}

// ---- scalars --------------------------------------------------------------------------------

TEST(ConfigValues, AbsentKeyGivesDefaultsWithoutReports) {
  ConfigReports reports;
  const EngineConfig config = parse_engine_config(RawConfig{}, &reports);
  const EngineConfig defaults;
  EXPECT_EQ(config.enabled, defaults.enabled);
  EXPECT_EQ(config.max_file_size, defaults.max_file_size);
  EXPECT_EQ(config.min_free_space, defaults.min_free_space);
  EXPECT_EQ(config.max_versions, defaults.max_versions);
  EXPECT_EQ(config.max_versions, 1u);
  // The vault's documented defaults (docs/registry.md): 1 GiB, a week, 256 MiB.
  EXPECT_EQ(config.vault_max_bytes, 1ull << 30);
  EXPECT_EQ(config.vault_max_age_hours, 168u);
  EXPECT_EQ(config.vault_max_file_size, 256ull << 20);
  EXPECT_EQ(reports.total(), 0u);
}

struct ScalarCase {
  const char* name;
  ConfigKey key;
  uint32_t type;
  Bytes bytes;
  ValueProblem problem;  // kNone: accepted
  uint64_t expected;     // the field afterwards (the default when refused)
};

uint64_t field_of(const EngineConfig& c, ConfigKey key) {
  switch (key) {
    case ConfigKey::kEnabled: return c.enabled ? 1 : 0;
    case ConfigKey::kMaxFileSize: return c.max_file_size;
    case ConfigKey::kMinFreeSpace: return c.min_free_space;
    case ConfigKey::kMaxVersions: return c.max_versions;
    case ConfigKey::kVaultMaxBytes: return c.vault_max_bytes;
    case ConfigKey::kVaultMaxAgeHours: return c.vault_max_age_hours;
    case ConfigKey::kVaultMaxFileSize: return c.vault_max_file_size;
    default: return ~0ull;
  }
}

TEST(ConfigValues, ScalarsAcceptValidValuesAndReplaceInvalidOnesByTheirDefault) {
  const EngineConfig d;
  const std::vector<ScalarCase> cases = {
      {"enabled 0", ConfigKey::kEnabled, reg::kDword, dword_bytes(0), ValueProblem::kNone, 0},
      {"enabled 1", ConfigKey::kEnabled, reg::kDword, dword_bytes(1), ValueProblem::kNone, 1},
      {"enabled 2", ConfigKey::kEnabled, reg::kDword, dword_bytes(2), ValueProblem::kOutOfRange, 1},
      {"enabled as qword", ConfigKey::kEnabled, reg::kQword, qword_bytes(0), ValueProblem::kWrongType, 1},
      {"enabled as string", ConfigKey::kEnabled, reg::kSz, units_bytes(U16(u"0\0", 2)), ValueProblem::kWrongType, 1},
      {"enabled 2 bytes", ConfigKey::kEnabled, reg::kDword, units_bytes(U16(1, u'\0')), ValueProblem::kWrongSize, 1},
      {"enabled 8 bytes", ConfigKey::kEnabled, reg::kDword, qword_bytes(0), ValueProblem::kWrongSize, 1},
      {"enabled empty", ConfigKey::kEnabled, reg::kDword, Bytes{}, ValueProblem::kWrongSize, 1},
      {"max size qword", ConfigKey::kMaxFileSize, reg::kQword, qword_bytes(5ull << 30), ValueProblem::kNone, 5ull << 30},
      {"max size dword", ConfigKey::kMaxFileSize, reg::kDword, dword_bytes(4096), ValueProblem::kNone, 4096},
      {"max size 1", ConfigKey::kMaxFileSize, reg::kQword, qword_bytes(1), ValueProblem::kNone, 1},
      {"max size 0", ConfigKey::kMaxFileSize, reg::kQword, qword_bytes(0), ValueProblem::kOutOfRange, d.max_file_size},
      {"max size binary", ConfigKey::kMaxFileSize, reg::kBinary, qword_bytes(7), ValueProblem::kWrongType, d.max_file_size},
      {"max size 4-byte qword", ConfigKey::kMaxFileSize, reg::kQword, dword_bytes(7), ValueProblem::kWrongSize, d.max_file_size},
      {"max size multi-sz", ConfigKey::kMaxFileSize, reg::kMultiSz, units_bytes(multi_sz({u"1"})), ValueProblem::kWrongType, d.max_file_size},
      {"min free 0", ConfigKey::kMinFreeSpace, reg::kQword, qword_bytes(0), ValueProblem::kNone, 0},
      {"min free max", ConfigKey::kMinFreeSpace, reg::kQword, qword_bytes(~0ull), ValueProblem::kNone, ~0ull},
      {"min free dword", ConfigKey::kMinFreeSpace, reg::kDword, dword_bytes(123), ValueProblem::kNone, 123},
      {"min free string", ConfigKey::kMinFreeSpace, reg::kExpandSz, units_bytes(U16(u"1\0", 2)), ValueProblem::kWrongType, d.min_free_space},
      {"min free 6 bytes", ConfigKey::kMinFreeSpace, reg::kQword, units_bytes(U16(3, u'x')), ValueProblem::kWrongSize, d.min_free_space},
      {"versions 1", ConfigKey::kMaxVersions, reg::kDword, dword_bytes(1), ValueProblem::kNone, 1},
      {"versions 9", ConfigKey::kMaxVersions, reg::kDword, dword_bytes(9), ValueProblem::kNone, 9},
      {"versions 0", ConfigKey::kMaxVersions, reg::kDword, dword_bytes(0), ValueProblem::kOutOfRange, 1},
      {"versions 10", ConfigKey::kMaxVersions, reg::kDword, dword_bytes(10), ValueProblem::kOutOfRange, 1},
      {"versions huge", ConfigKey::kMaxVersions, reg::kDword, dword_bytes(0xFFFFFFFFu), ValueProblem::kOutOfRange, 1},
      {"versions qword", ConfigKey::kMaxVersions, reg::kQword, qword_bytes(3), ValueProblem::kWrongType, 1},
      {"vault bytes 0 (off)", ConfigKey::kVaultMaxBytes, reg::kQword, qword_bytes(0), ValueProblem::kNone, 0},
      {"vault bytes dword", ConfigKey::kVaultMaxBytes, reg::kDword, dword_bytes(1000), ValueProblem::kNone, 1000},
      {"vault bytes max", ConfigKey::kVaultMaxBytes, reg::kQword, qword_bytes(~0ull), ValueProblem::kNone, ~0ull},
      {"vault bytes string", ConfigKey::kVaultMaxBytes, reg::kSz, units_bytes(U16(u"1\0", 2)), ValueProblem::kWrongType, d.vault_max_bytes},
      {"vault bytes 6 bytes", ConfigKey::kVaultMaxBytes, reg::kQword, units_bytes(U16(3, u'x')), ValueProblem::kWrongSize, d.vault_max_bytes},
      {"vault age 1", ConfigKey::kVaultMaxAgeHours, reg::kDword, dword_bytes(1), ValueProblem::kNone, 1},
      {"vault age ten years", ConfigKey::kVaultMaxAgeHours, reg::kDword, dword_bytes(87600), ValueProblem::kNone, 87600},
      {"vault age 0", ConfigKey::kVaultMaxAgeHours, reg::kDword, dword_bytes(0), ValueProblem::kOutOfRange, d.vault_max_age_hours},
      {"vault age over ten years", ConfigKey::kVaultMaxAgeHours, reg::kDword, dword_bytes(87601), ValueProblem::kOutOfRange, d.vault_max_age_hours},
      {"vault age huge", ConfigKey::kVaultMaxAgeHours, reg::kDword, dword_bytes(0xFFFFFFFFu), ValueProblem::kOutOfRange, d.vault_max_age_hours},
      {"vault age qword", ConfigKey::kVaultMaxAgeHours, reg::kQword, qword_bytes(5), ValueProblem::kWrongType, d.vault_max_age_hours},
      {"vault file 1", ConfigKey::kVaultMaxFileSize, reg::kQword, qword_bytes(1), ValueProblem::kNone, 1},
      {"vault file dword", ConfigKey::kVaultMaxFileSize, reg::kDword, dword_bytes(4096), ValueProblem::kNone, 4096},
      {"vault file 0", ConfigKey::kVaultMaxFileSize, reg::kQword, qword_bytes(0), ValueProblem::kOutOfRange, d.vault_max_file_size},
  };
  for (const ScalarCase& c : cases) {
    SCOPED_TRACE(c.name);
    RawBuilder builder;  // owns the bytes `raw` points into
    const RawConfig raw = builder.set(c.key, c.type, c.bytes).build();
    ConfigReports reports;
    const EngineConfig config = parse_engine_config(raw, &reports);
    EXPECT_EQ(field_of(config, c.key), c.expected);
    if (c.problem == ValueProblem::kNone) {
      EXPECT_EQ(reports.total(), 0u);
    } else {
      ASSERT_EQ(reports.total(), 1u);
      EXPECT_EQ(reports[0].key, c.key);
      EXPECT_EQ(reports[0].problem, c.problem);
      EXPECT_FALSE(is_item_problem(reports[0].problem));
    }
    // Whatever was read, the result is already sane.
    const EngineConfig sane = sanitize_config(config);
    EXPECT_EQ(sane.max_versions, config.max_versions);
    EXPECT_EQ(sane.vault_max_age_hours, config.vault_max_age_hours);
  }
}

TEST(ConfigValues, OneBadScalarLeavesTheOthersAlone) {
  RawBuilder builder;
  const RawConfig raw = builder.set(ConfigKey::kEnabled, reg::kDword, dword_bytes(0))
                            .set(ConfigKey::kMaxVersions, reg::kDword, dword_bytes(42))
                            .set(ConfigKey::kMaxFileSize, reg::kQword, qword_bytes(1000))
                            .build();
  ConfigReports reports;
  const EngineConfig config = parse_engine_config(raw, &reports);
  EXPECT_FALSE(config.enabled);
  EXPECT_EQ(config.max_file_size, 1000u);
  EXPECT_EQ(config.max_versions, 1u);
  ASSERT_EQ(reports.count(), 1u);
  EXPECT_EQ(reports[0].key, ConfigKey::kMaxVersions);
}

// ---- REG_MULTI_SZ ------------------------------------------------------------------------------

struct MultiSzCase {
  const char* name;
  uint32_t type;
  U16 units;
  ValueProblem problem;
  std::vector<U16> items;
};

TEST(ConfigValues, SplitMultiSzAcceptsWellFormedListsAndRefusesMalformedOnes) {
  const std::vector<MultiSzCase> cases = {
      {"two items", reg::kMultiSz, multi_sz({u"docs", u"pics"}), ValueProblem::kNone, {u"docs", u"pics"}},
      {"one item", reg::kMultiSz, multi_sz({u"a"}), ValueProblem::kNone, {u"a"}},
      {"empty list, one NUL", reg::kMultiSz, U16(1, u'\0'), ValueProblem::kNone, {}},
      {"empty list, two NULs", reg::kMultiSz, U16(2, u'\0'), ValueProblem::kNone, {}},
      {"empty data", reg::kMultiSz, U16(), ValueProblem::kNone, {}},
      {"list terminator missing", reg::kMultiSz, U16(u"a\0b\0", 4), ValueProblem::kNone, {u"a", u"b"}},
      {"extra trailing NULs", reg::kMultiSz, U16(u"a\0\0\0\0", 5), ValueProblem::kNone, {u"a"}},
      {"no terminator at all", reg::kMultiSz, U16(u"abc"), ValueProblem::kNotTerminated, {}},
      {"last item unterminated", reg::kMultiSz, U16(u"a\0bc", 4), ValueProblem::kNotTerminated, {}},
      {"empty item inside", reg::kMultiSz, U16(u"a\0\0b\0\0", 6), ValueProblem::kEmptyItem, {}},
      {"leading empty item", reg::kMultiSz, U16(u"\0a\0\0", 4), ValueProblem::kEmptyItem, {}},
      {"REG_SZ", reg::kSz, U16(u"a\0", 2), ValueProblem::kWrongType, {}},
      {"REG_DWORD", reg::kDword, U16(2, u'\0'), ValueProblem::kWrongType, {}},
  };
  for (const MultiSzCase& c : cases) {
    SCOPED_TRACE(c.name);
    const Bytes bytes = units_bytes(c.units);
    RawValue value{true, c.type, bytes.storage.data(), bytes.size};
    std::vector<Str16> storage(list_item_bound(value) + 1);
    uint32_t count = 99;
    EXPECT_EQ(split_multi_sz(value, storage.data(), static_cast<uint32_t>(storage.size()), &count), c.problem);
    if (c.problem == ValueProblem::kNone) {
      EXPECT_EQ(strings(RuleList{storage.data(), count}), c.items);
      EXPECT_LE(count, list_item_bound(value));
    } else {
      EXPECT_EQ(count, 0u);
    }
  }
}

TEST(ConfigValues, SplitMultiSzRefusesAnOddByteCount) {
  const Bytes bytes = units_bytes(multi_sz({u"ab"}));
  const RawValue value{true, reg::kMultiSz, bytes.storage.data(), bytes.size - 1};
  Str16 storage[4];
  uint32_t count = 0;
  EXPECT_EQ(split_multi_sz(value, storage, 4, &count), ValueProblem::kNotTerminated);
}

TEST(ConfigValues, SplitMultiSzRefusesMisalignedData) {
  std::vector<uint8_t> raw(16, 0);
  raw[1] = 'a';  // "a\0\0" starting at an odd address
  const RawValue value{true, reg::kMultiSz, raw.data() + 1, 6};
  Str16 storage[4];
  uint32_t count = 0;
  EXPECT_EQ(split_multi_sz(value, storage, 4, &count), ValueProblem::kMisaligned);
}

TEST(ConfigValues, SplitMultiSzRefusesOverLongAndTooManyItems) {
  {
    SCOPED_TRACE("more bytes than kMaxValueBytes");
    const U16 huge = multi_sz({U16(kMaxValueBytes / 2, u'x')});
    const Bytes bytes = units_bytes(huge);
    const RawValue value{true, reg::kMultiSz, bytes.storage.data(), bytes.size};
    Str16 storage[2];
    uint32_t count = 0;
    EXPECT_EQ(split_multi_sz(value, storage, 2, &count), ValueProblem::kValueTooLarge);
  }
  {
    SCOPED_TRACE("more than kMaxRulesPerList items");
    std::vector<U16> items(kMaxRulesPerList + 1, u"x");
    const Bytes bytes = units_bytes(multi_sz(items));
    const RawValue value{true, reg::kMultiSz, bytes.storage.data(), bytes.size};
    const uint32_t bound = list_item_bound(value);
    EXPECT_GT(bound, kMaxRulesPerList);
    std::vector<Str16> storage(bound);
    uint32_t count = 0;
    EXPECT_EQ(split_multi_sz(value, storage.data(), bound, &count), ValueProblem::kTooManyItems);
  }
  {
    SCOPED_TRACE("exactly kMaxRulesPerList items is fine");
    std::vector<U16> items(kMaxRulesPerList, u"x");
    const Bytes bytes = units_bytes(multi_sz(items));
    const RawValue value{true, reg::kMultiSz, bytes.storage.data(), bytes.size};
    std::vector<Str16> storage(list_item_bound(value));
    uint32_t count = 0;
    EXPECT_EQ(split_multi_sz(value, storage.data(), static_cast<uint32_t>(storage.size()), &count),
              ValueProblem::kNone);
    EXPECT_EQ(count, kMaxRulesPerList);
  }
}

struct ListCase {
  const char* name;
  ConfigKey key;
  bool present;
  uint32_t type;
  U16 units;
  ValueProblem problem;  // reported, kNone: no report
  std::vector<U16> items;
};

TEST(ConfigValues, ListsFallBackToTheirDefaultWhenAbsentOrMalformed) {
  const std::vector<U16> defaults = {u"documents", u"pictures"};
  const std::vector<ListCase> cases = {
      {"folder names absent", ConfigKey::kFolderNames, false, 0, U16(), ValueProblem::kNone, defaults},
      {"folder names given", ConfigKey::kFolderNames, true, reg::kMultiSz, multi_sz({u"Projects"}), ValueProblem::kNone, {u"Projects"}},
      {"folder names empty list", ConfigKey::kFolderNames, true, reg::kMultiSz, U16(2, u'\0'), ValueProblem::kNone, {}},
      {"folder names REG_SZ", ConfigKey::kFolderNames, true, reg::kSz, U16(u"x\0", 2), ValueProblem::kWrongType, defaults},
      {"folder names unterminated", ConfigKey::kFolderNames, true, reg::kMultiSz, U16(u"x"), ValueProblem::kNotTerminated, defaults},
      {"protected absent", ConfigKey::kProtectedFolders, false, 0, U16(), ValueProblem::kNone, {}},
      {"protected given", ConfigKey::kProtectedFolders, true, reg::kMultiSz, multi_sz({u"C:\\Users\\me\\Documents"}), ValueProblem::kNone, {u"C:\\Users\\me\\Documents"}},
      {"protected empty item", ConfigKey::kProtectedFolders, true, reg::kMultiSz, U16(u"C:\\a\0\0C:\\b\0\0", 12), ValueProblem::kEmptyItem, {}},
      {"include absent", ConfigKey::kIncludeExtensions, false, 0, U16(), ValueProblem::kNone, {}},
      {"include given", ConfigKey::kIncludeExtensions, true, reg::kMultiSz, multi_sz({u"docx", u".xlsx"}), ValueProblem::kNone, {u"docx", u".xlsx"}},
      {"include REG_BINARY", ConfigKey::kIncludeExtensions, true, reg::kBinary, multi_sz({u"docx"}), ValueProblem::kWrongType, {}},
      {"exclude given", ConfigKey::kExcludeExtensions, true, reg::kMultiSz, multi_sz({u"tmp"}), ValueProblem::kNone, {u"tmp"}},
      {"exclude unterminated", ConfigKey::kExcludeExtensions, true, reg::kMultiSz, U16(u"tmp"), ValueProblem::kNotTerminated, {}},
  };
  for (const ListCase& c : cases) {
    SCOPED_TRACE(c.name);
    RawBuilder builder;
    if (c.present) builder.set(c.key, c.type, units_bytes(c.units));
    const RawConfig raw = builder.build();
    std::vector<Str16> storage(list_item_bound(raw[c.key]) + 1);
    ConfigReports reports;
    const RuleList list = parse_list(raw, c.key, storage.data(), static_cast<uint32_t>(storage.size()), &reports);
    EXPECT_EQ(strings(list), c.items);
    if (c.problem == ValueProblem::kNone) {
      EXPECT_EQ(reports.total(), 0u);
    } else {
      ASSERT_EQ(reports.total(), 1u);
      EXPECT_EQ(reports[0].key, c.key);
      EXPECT_EQ(reports[0].problem, c.problem);
    }
  }
}

TEST(ConfigValues, InvalidItemsAreDroppedOneByOneAndReportedWithTheirIndex) {
  struct Case {
    const char* name;
    RuleListId list;
    ConfigKey key;
    std::vector<U16> items;
    std::vector<U16> kept;
    std::vector<uint32_t> dropped;
  };
  const U16 long_name(kMaxRuleNameUnits + 1, u'n');
  const std::vector<Case> cases = {
      {"names", RuleListId::kFolderNames, ConfigKey::kFolderNames,
       {u"documents", u"a\\b", u"..", u"x:y", long_name, u"pictures"}, {u"documents", u"pictures"}, {1, 2, 3, 4}},
      {"extensions", RuleListId::kIncludeExtensions, ConfigKey::kIncludeExtensions,
       {u"docx", u".", u"a.b", u".xlsx"}, {u"docx", u".xlsx"}, {1, 2}},
      {"exclude", RuleListId::kExcludeExtensions, ConfigKey::kExcludeExtensions, {u"tmp", u"bad\\"}, {u"tmp"}, {1}},
      {"paths", RuleListId::kFolderPaths, ConfigKey::kProtectedFolders,
       {u"\\Device\\HarddiskVolume3\\Users", u"relative", u"\\Device\\X\\..\\y"}, {u"\\Device\\HarddiskVolume3\\Users"}, {1, 2}},
      {"all fine", RuleListId::kFolderNames, ConfigKey::kFolderNames, {u"a", u"b"}, {u"a", u"b"}, {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<Str16> items;
    for (const U16& s : c.items) items.emplace_back(s.data(), static_cast<uint32_t>(s.size()));
    ConfigReports reports;
    const uint32_t kept = drop_invalid_rules(c.list, c.key, items.data(), static_cast<uint32_t>(items.size()), &reports);
    EXPECT_EQ(strings(RuleList{items.data(), kept}), c.kept);
    ASSERT_EQ(reports.count(), c.dropped.size());
    for (uint32_t i = 0; i < reports.count(); ++i) {
      EXPECT_EQ(reports[i].key, c.key);
      EXPECT_EQ(reports[i].problem, ValueProblem::kInvalidItem);
      EXPECT_TRUE(is_item_problem(reports[i].problem));
      EXPECT_TRUE(reports[i].rule_error != RuleError::kNone || reports[i].item_problem != ItemProblem::kNone);
      EXPECT_EQ(reports[i].index, c.dropped[i]);
    }
  }
}

// ---- ProtectedFolders ----------------------------------------------------------------------

TEST(ConfigValues, SplitDrivePathTakesTheLetterAndKeepsTheRest) {
  struct Case {
    U16 path;
    ValueProblem problem;
    char16_t letter;
    U16 rest;
  };
  const std::vector<Case> cases = {
      {u"C:\\Users\\me\\Documents", ValueProblem::kNone, u'C', u"\\Users\\me\\Documents"},
      {u"d:\\data", ValueProblem::kNone, u'D', u"\\data"},
      {u"C:\\", ValueProblem::kNone, u'C', u"\\"},
      {u"C:\\Users\\", ValueProblem::kNone, u'C', u"\\Users\\"},
      {u"\\\\?\\C:\\x", ValueProblem::kNone, u'C', u"\\x"},
      {u"\\??\\E:\\x", ValueProblem::kNone, u'E', u"\\x"},
      {u"C:", ValueProblem::kNotDrivePath, 0, u""},
      {u"C:relative", ValueProblem::kNotDrivePath, 0, u""},
      {u"\\\\server\\share\\x", ValueProblem::kNotDrivePath, 0, u""},
      {u"\\Users\\me", ValueProblem::kNotDrivePath, 0, u""},
      {u"C:/Users/me", ValueProblem::kNotDrivePath, 0, u""},
      {u"C:\\Users/me", ValueProblem::kNotDrivePath, 0, u""},
      {u"1:\\x", ValueProblem::kNotDrivePath, 0, u""},
      {u"", ValueProblem::kNotDrivePath, 0, u""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.path.begin(), c.path.end()));
    char16_t letter = 0;
    Str16 rest;
    EXPECT_EQ(split_drive_path(Str16(c.path.data(), static_cast<uint32_t>(c.path.size())), &letter, &rest), c.problem);
    if (c.problem == ValueProblem::kNone) {
      EXPECT_EQ(letter, c.letter);
      EXPECT_EQ(U16(rest.data, rest.len), c.rest);
    }
  }
}

TEST(ConfigValues, JoinDevicePathChecksTheLength) {
  char16_t out[64];
  uint32_t len = 0;
  EXPECT_EQ(join_device_path(Str16::lit(u"\\Device\\HarddiskVolume3"), Str16::lit(u"\\Users"), out, 64, &len),
            ValueProblem::kNone);
  EXPECT_EQ(U16(out, len), u"\\Device\\HarddiskVolume3\\Users");
  EXPECT_EQ(join_device_path(Str16::lit(u"\\Device\\HarddiskVolume3"), Str16::lit(u"\\Users"), out, 28, &len),
            ValueProblem::kPathTooLong);
  const U16 rest(kMaxPathUnits - 5, u'x');
  std::vector<char16_t> big(kMaxPathUnits + 64);
  EXPECT_EQ(join_device_path(Str16::lit(u"\\Dev"), Str16(rest.data(), static_cast<uint32_t>(rest.size())), big.data(),
                             static_cast<uint32_t>(big.size()), &len),
            ValueProblem::kNone);
  EXPECT_EQ(join_device_path(Str16::lit(u"\\Device"), Str16(rest.data(), static_cast<uint32_t>(rest.size())),
                             big.data(), static_cast<uint32_t>(big.size()), &len),
            ValueProblem::kPathTooLong);
}

// Drive letters as a reboot may have renumbered them.
class TableDrives : public DriveResolver {
 public:
  explicit TableDrives(std::map<char16_t, U16> table) : table_(std::move(table)) {}
  bool resolve(char16_t letter, Str16* device) override {
    ++calls;
    auto it = table_.find(letter);
    if (it == table_.end()) return false;
    *device = Str16(it->second.data(), static_cast<uint32_t>(it->second.size()));
    return true;
  }
  int calls = 0;

 private:
  std::map<char16_t, U16> table_;
};

std::vector<U16> resolve_all(const std::vector<U16>& paths, DriveResolver& drives, ConfigReports* reports) {
  std::vector<Str16> in;
  for (const U16& p : paths) in.emplace_back(p.data(), static_cast<uint32_t>(p.size()));
  std::vector<char16_t> text(protected_folders_units(in.data(), static_cast<uint32_t>(in.size())) + 1);
  std::vector<Str16> out(in.size() + 1);
  const uint32_t n = resolve_protected_folders(in.data(), static_cast<uint32_t>(in.size()), drives, text.data(),
                                               text.size(), out.data(), reports);
  return strings(RuleList{out.data(), n});
}

TEST(ConfigValues, ProtectedFoldersResolveToTheDeviceNamesOfTheCurrentBoot) {
  const std::vector<U16> paths = {u"C:\\Users\\me\\Documents", u"d:\\Photos\\", u"\\\\server\\share",
                                  u"Q:\\nowhere", u"C:\\"};
  {
    TableDrives drives({{u'C', u"\\Device\\HarddiskVolume3"}, {u'D', u"\\Device\\HarddiskVolume5"}});
    ConfigReports reports;
    EXPECT_EQ(resolve_all(paths, drives, &reports),
              (std::vector<U16>{u"\\Device\\HarddiskVolume3\\Users\\me\\Documents",
                                u"\\Device\\HarddiskVolume5\\Photos\\", u"\\Device\\HarddiskVolume3\\"}));
    ASSERT_EQ(reports.count(), 2u);
    EXPECT_EQ(reports[0].problem, ValueProblem::kNotDrivePath);
    EXPECT_EQ(reports[0].index, 2u);
    EXPECT_EQ(reports[1].problem, ValueProblem::kDriveNotResolved);
    EXPECT_EQ(reports[1].index, 3u);
  }
  {
    SCOPED_TRACE("after a reboot that renumbered the volumes");
    TableDrives drives({{u'C', u"\\Device\\HarddiskVolume2"}, {u'D', u"\\Device\\HarddiskVolume7"}});
    ConfigReports reports;
    const std::vector<U16> resolved = resolve_all(paths, drives, &reports);
    ASSERT_EQ(resolved.size(), 3u);
    EXPECT_EQ(resolved[0], u"\\Device\\HarddiskVolume2\\Users\\me\\Documents");
    EXPECT_EQ(resolved[1], u"\\Device\\HarddiskVolume7\\Photos\\");
  }
}

TEST(ConfigValues, ResolvedVolumeRootsAndTrailingSeparatorsAreValidRules) {
  TableDrives drives({{u'C', u"\\Device\\HarddiskVolume3"}});
  ConfigReports reports;
  const std::vector<U16> resolved = resolve_all({u"C:\\", u"C:\\Photos\\"}, drives, &reports);
  std::vector<Str16> items;
  for (const U16& s : resolved) items.emplace_back(s.data(), static_cast<uint32_t>(s.size()));
  const uint32_t kept = drop_invalid_rules(RuleListId::kFolderPaths, ConfigKey::kProtectedFolders, items.data(),
                                           static_cast<uint32_t>(items.size()), &reports);
  EXPECT_EQ(kept, 2u);
  EXPECT_EQ(reports.total(), 0u);
}

TEST(ConfigValues, ProtectedFolderLongerThanAnNtPathIsDropped) {
  const U16 long_path = u"C:" + U16(kMaxPathUnits, u'\\');
  TableDrives drives({{u'C', u"\\Device\\HarddiskVolume3"}});
  ConfigReports reports;
  EXPECT_TRUE(resolve_all({long_path}, drives, &reports).empty());
  ASSERT_EQ(reports.count(), 1u);
  EXPECT_EQ(reports[0].problem, ValueProblem::kPathTooLong);
}

TEST(ConfigValues, ResolvedFoldersCompileIntoMatchingRules) {
  TableDrives drives({{u'C', u"\\Device\\HarddiskVolume3"}});
  const std::vector<U16> paths = {u"C:\\Users\\me\\Documents"};
  ConfigReports reports;
  const std::vector<U16> resolved = resolve_all(paths, drives, &reports);
  std::vector<Str16> items;
  for (const U16& s : resolved) items.emplace_back(s.data(), static_cast<uint32_t>(s.size()));
  RuleConfig lists;
  lists.folder_paths = RuleList{items.data(), static_cast<uint32_t>(items.size())};
  size_t bytes = 0;
  const RuleConfig final_config = finish_rule_config(lists, &reports, &bytes);
  EXPECT_EQ(reports.total(), 0u);
  std::vector<uint64_t> storage(bytes / 8 + 1);
  const RuleSet* rules = nullptr;
  ASSERT_TRUE(compile_rules(final_config, storage.data(), bytes, upcase_native, &rules).ok());
  EXPECT_EQ(total_rules(*rules), 1u);
  EXPECT_TRUE(rules->matches(Str16::lit(u"\\Device\\HarddiskVolume3\\users\\ME\\documents\\a.txt")));
  EXPECT_FALSE(rules->matches(Str16::lit(u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt")));
}

TEST(ConfigValues, RulesTooLargeTogetherFallBackToTheDefaultRules) {
  // 4 lists x 4096 names of 255 units: beyond kMaxRuleStorageBytes? Make sure with long paths.
  std::vector<U16> texts;
  std::vector<Str16> items;
  texts.reserve(kMaxRulesPerList);
  for (uint32_t i = 0; i < kMaxRulesPerList; ++i) {
    U16 path = u"\\Device\\V";
    for (int c = 0; c < 16; ++c) path += u"\\" + U16(250, static_cast<char16_t>(u'a' + (i + c) % 26)) + U16(1, static_cast<char16_t>(u'0' + i % 10));
    path += u"\\" + U16(std::to_string(i).begin(), std::to_string(i).end());
    texts.push_back(path);
  }
  for (const U16& t : texts) items.emplace_back(t.data(), static_cast<uint32_t>(t.size()));
  RuleConfig lists;
  lists.folder_paths = RuleList{items.data(), static_cast<uint32_t>(items.size())};
  ConfigReports reports;
  size_t bytes = 0;
  const RuleConfig final_config = finish_rule_config(lists, &reports, &bytes);
  ASSERT_EQ(reports.count(), 1u);
  EXPECT_EQ(reports[0].problem, ValueProblem::kRulesRejected);
  EXPECT_EQ(reports[0].key, ConfigKey::kProtectedFolders);
  EXPECT_EQ(strings(final_config.folder_names), (std::vector<U16>{u"documents", u"pictures"}));
  EXPECT_EQ(final_config.folder_paths.count, 0u);
  EXPECT_GT(bytes, 0u);
}

TEST(ConfigValues, ReportsKeepTheFirstOnesAndCountTheRest) {
  ConfigReports reports;
  for (uint32_t i = 0; i < ConfigReports::kCapacity + 5; ++i)
    reports.add(ValueReport{ConfigKey::kFolderNames, ValueProblem::kInvalidItem, RuleError::kEmptyRule, i});
  EXPECT_EQ(reports.count(), ConfigReports::kCapacity);
  EXPECT_EQ(reports.lost(), 5u);
  EXPECT_EQ(reports[ConfigReports::kCapacity - 1].index, ConfigReports::kCapacity - 1);
  EXPECT_NE(reports.find(ConfigKey::kFolderNames), nullptr);
  EXPECT_EQ(reports.find(ConfigKey::kEnabled), nullptr);
}

TEST(ConfigValues, EveryProblemHasAText) {
  for (ValueProblem p : {ValueProblem::kNone, ValueProblem::kWrongType, ValueProblem::kWrongSize,
                         ValueProblem::kOutOfRange, ValueProblem::kNotTerminated, ValueProblem::kEmptyItem,
                         ValueProblem::kTooManyItems, ValueProblem::kValueTooLarge, ValueProblem::kMisaligned,
                         ValueProblem::kReadFailed, ValueProblem::kRulesRejected, ValueProblem::kInvalidItem,
                         ValueProblem::kNotDrivePath, ValueProblem::kDriveNotResolved, ValueProblem::kPathTooLong})
    EXPECT_STRNE(value_problem_text(p), "unknown problem");
}

// Items no file name can match, or two items typed as one: refused with their own reason by
// the driver (item dropped) and by fbmon (nothing stored). The examples first.
TEST(ConfigValues, ListItemsRefuseWildcardsSeparatorsForbiddenCharactersAndEmptyEntries) {
  struct Case {
    ConfigKey key;
    U16 item;
    ItemProblem problem;
    uint32_t at;
  };
  const U16 long_name(kMaxRuleNameUnits + 1, u'n');
  const std::vector<Case> cases = {
      {ConfigKey::kIncludeExtensions, u"doc*", ItemProblem::kWildcard, 3},
      {ConfigKey::kExcludeExtensions, u"~*", ItemProblem::kWildcard, 1},
      {ConfigKey::kExcludeExtensions, u".tmp;~*", ItemProblem::kSeparator, 4},
      {ConfigKey::kIncludeExtensions, u"doc,xls", ItemProblem::kSeparator, 3},
      {ConfigKey::kIncludeExtensions, u"doc xls", ItemProblem::kSeparator, 3},
      {ConfigKey::kIncludeExtensions, u"d?c", ItemProblem::kWildcard, 1},
      {ConfigKey::kIncludeExtensions, u"a|b", ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kIncludeExtensions, u"a\"b", ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kIncludeExtensions, u"a<", ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kIncludeExtensions, u"a/b", ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kIncludeExtensions, U16(u"a\x01"), ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kIncludeExtensions, u"tar.gz", ItemProblem::kInnerDot, 3},
      {ConfigKey::kIncludeExtensions, u"", ItemProblem::kEmpty, 0},
      {ConfigKey::kIncludeExtensions, u".", ItemProblem::kEmpty, 0},
      {ConfigKey::kIncludeExtensions, long_name, ItemProblem::kTooLong, 0},
      {ConfigKey::kIncludeExtensions, u".docx", ItemProblem::kNone, 0},
      {ConfigKey::kIncludeExtensions, u"docx", ItemProblem::kNone, 0},
      {ConfigKey::kFolderNames, u"my documents", ItemProblem::kNone, 0},  // blanks are fine in names
      {ConfigKey::kFolderNames, u"doc*", ItemProblem::kWildcard, 3},
      {ConfigKey::kFolderNames, u"a;b", ItemProblem::kSeparator, 1},
      {ConfigKey::kFolderNames, u"a\\b", ItemProblem::kForbiddenCharacter, 1},
      {ConfigKey::kFolderNames, u"..", ItemProblem::kDotName, 0},
      {ConfigKey::kFolderNames, u"", ItemProblem::kEmpty, 0},
      {ConfigKey::kProtectedFolders, u"C:\\Users\\me", ItemProblem::kNone, 0},
      {ConfigKey::kProtectedFolders, u"C:\\", ItemProblem::kNone, 0},
      {ConfigKey::kProtectedFolders, u"C:\\Users\\*", ItemProblem::kWildcard, 9},
      {ConfigKey::kProtectedFolders, u"C:\\a;D:\\b", ItemProblem::kSeparator, 4},
      {ConfigKey::kProtectedFolders, u"C:\\a\\..\\b", ItemProblem::kDotName, 0},
      {ConfigKey::kProtectedFolders, u"C:\\a:b", ItemProblem::kForbiddenCharacter, 4},
      {ConfigKey::kProtectedFolders, u"\\\\server\\share", ItemProblem::kNotDrivePath, 0},
      {ConfigKey::kProtectedFolders, u"", ItemProblem::kEmpty, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(config_key_text(c.key)) + " item " + std::string(c.item.begin(), c.item.end()));
    uint32_t at = 99;
    EXPECT_EQ(check_list_item(c.key, Str16(c.item.data(), static_cast<uint32_t>(c.item.size())), &at), c.problem);
    EXPECT_EQ(at, c.at);
    EXPECT_STRNE(item_problem_text(c.problem), "is not accepted");
  }
}

// The driver drops such an item from a REG_MULTI_SZ and keeps the rest, with the item's reason.
TEST(ConfigValues, AWildcardExtensionIsDroppedWithItsReason) {
  std::vector<U16> stored = {u".doc*", u".docx"};
  std::vector<Str16> items;
  for (const U16& x : stored) items.emplace_back(x.data(), static_cast<uint32_t>(x.size()));
  ConfigReports reports;
  const uint32_t kept =
      drop_invalid_rules(RuleListId::kIncludeExtensions, ConfigKey::kIncludeExtensions, items.data(), 2, &reports);
  ASSERT_EQ(kept, 1u);
  EXPECT_TRUE(equal(items[0], Str16::lit(u".docx")));
  ASSERT_EQ(reports.count(), 1u);
  EXPECT_EQ(reports[0].item_problem, ItemProblem::kWildcard);
  EXPECT_EQ(reports[0].index, 0u);
}

// One schema: every row's name, types, limits and default, and the engine's defaults agree.
TEST(ConfigSchema, EveryKeyHasOneRowWithItsTypesLimitsAndDefault) {
  const EngineConfig defaults;
  for (uint32_t i = 0; i < kConfigKeyCount; ++i) {
    const ConfigValueSpec& spec = config_spec_at(i);
    EXPECT_EQ(static_cast<uint32_t>(spec.key), i);
    EXPECT_EQ(&config_spec(spec.key), &spec);
    EXPECT_EQ(find_config_spec(spec.name), &spec);
    EXPECT_NE(spec.help, nullptr);
    EXPECT_EQ(std::string(spec.text), std::string(spec.name.data, spec.name.data + spec.name.len));
    EXPECT_NE(spec.accepted_types & type_bit(spec.written_type), 0u) << spec.text;
  }
  EXPECT_EQ(find_config_spec(Str16::lit(u"maxversions")), &config_spec(ConfigKey::kMaxVersions));
  EXPECT_EQ(find_config_spec(Str16::lit(u"MaxVersion")), nullptr);
  EXPECT_EQ(config_spec(ConfigKey::kMaxVersions).max, kMaxBackupVersions);
  EXPECT_EQ(config_spec(ConfigKey::kMaxVersions).default_value, defaults.max_versions);
  EXPECT_EQ(config_spec(ConfigKey::kMaxFileSize).default_value, defaults.max_file_size);
  // REG_DWORD and REG_QWORD both for byte counts (what `reg add` users type), REG_DWORD only for counts.
  EXPECT_STREQ(accepted_types_text(config_spec(ConfigKey::kMaxFileSize)), "REG_QWORD or REG_DWORD");
  EXPECT_STREQ(accepted_types_text(config_spec(ConfigKey::kMaxVersions)), "REG_DWORD");
  EXPECT_STREQ(accepted_types_text(config_spec(ConfigKey::kFolderNames)), "REG_MULTI_SZ");
}

}  // namespace
}  // namespace fb
