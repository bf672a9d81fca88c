#include "common/paths/rules.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/events/event.h"
#include "common/paths/rules_hash.h"

namespace {

using fb::RuleError;
using fb::RuleListId;
using fb::RuleVerdict;

fb::Str16 S(const std::u16string& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }

// Owns rule strings and a compiled set, as the driver would (strings may go away after compile).
class Rules {
 public:
  Rules(std::vector<std::u16string> names, std::vector<std::u16string> paths = {},
        std::vector<std::u16string> include = {}, std::vector<std::u16string> exclude = {})
      : text_{std::move(names), std::move(paths), std::move(include), std::move(exclude)} {
    fb::RuleList* lists[4] = {&config_.folder_names, &config_.folder_paths, &config_.include_extensions,
                              &config_.exclude_extensions};
    for (int l = 0; l < 4; ++l) {
      for (const std::u16string& s : text_[l]) views_[l].push_back(S(s));
      lists[l]->items = views_[l].data();
      lists[l]->count = static_cast<uint32_t>(views_[l].size());
    }
  }

  fb::RuleStatus compile(fb::UpcaseFn upcase = fb::upcase_native) {
    size_t bytes = 0;
    fb::RuleStatus status = fb::rules_storage_size(config_, &bytes);
    if (!status.ok()) return status;
    storage_.assign(bytes / 8 + 1, 0);
    return fb::compile_rules(config_, storage_.data(), bytes, upcase, &set_);
  }

  const fb::RuleSet& set() const { return *set_; }
  fb::RuleConfig& config() { return config_; }
  std::vector<uint64_t>& storage() { return storage_; }
  std::vector<std::u16string>& text(int list) { return text_[list]; }

 private:
  std::vector<std::u16string> text_[4];
  std::vector<fb::Str16> views_[4];
  fb::RuleConfig config_;
  std::vector<uint64_t> storage_;
  const fb::RuleSet* set_ = nullptr;
};

RuleVerdict verdict(const fb::RuleSet& set, const std::u16string& path) {
  fb::NtPathParts parts;
  EXPECT_EQ(fb::parse_nt_path(S(path), &parts), fb::nt::kSuccess) << std::string(path.begin(), path.end());
  return set.evaluate(parts);
}

struct MatchCase {
  std::u16string path;
  RuleVerdict expected;
  const char* what;
};

const std::u16string kVol = u"\\Device\\HarddiskVolume3";

void expect_cases(const fb::RuleSet& set, const std::vector<MatchCase>& cases) {
  for (const MatchCase& c : cases) {
    EXPECT_EQ(verdict(set, c.path), c.expected) << c.what;
    const bool protects = c.expected == RuleVerdict::kFolderName || c.expected == RuleVerdict::kFolderPath;
    EXPECT_EQ(set.matches(S(c.path)), protects) << c.what;
  }
}

TEST(RuleSet, DefaultFolderNames) {
  const fb::RuleConfig config = fb::default_rule_config();
  size_t bytes = 0;
  ASSERT_TRUE(fb::rules_storage_size(config, &bytes).ok());
  std::vector<uint64_t> storage(bytes / 8 + 1);
  const fb::RuleSet* set = nullptr;
  ASSERT_TRUE(fb::compile_rules(config, storage.data(), bytes, fb::upcase_native, &set).ok());
  EXPECT_EQ(set->rule_count(RuleListId::kFolderNames), 2u);
  expect_cases(*set, {
      {kVol + u"\\Users\\a\\Documents\\x.txt", RuleVerdict::kFolderName, "in Documents"},
      {kVol + u"\\Users\\a\\DOCUMENTS\\x.txt", RuleVerdict::kFolderName, "upper case"},
      {kVol + u"\\Users\\a\\documents\\deep\\er\\x.txt", RuleVerdict::kFolderName, "below Documents"},
      {kVol + u"\\Users\\a\\Pictures\\2020\\a.jpg", RuleVerdict::kFolderName, "Pictures"},
      {kVol + u"\\Documents\\x", RuleVerdict::kFolderName, "Documents in the root"},
      {kVol + u"\\Users\\a\\Documents\\x.txt:Zone.Identifier", RuleVerdict::kFolderName, "stream suffix ignored"},
      {kVol + u"\\Users\\a\\MyDocuments\\x.txt", RuleVerdict::kNotCovered, "longer component"},
      {kVol + u"\\Users\\a\\Documents2\\x.txt", RuleVerdict::kNotCovered, "suffix on the component"},
      {kVol + u"\\Users\\a\\Documents.bak\\x.txt", RuleVerdict::kNotCovered, "dotted look-alike"},
      {kVol + u"\\Users\\a\\Desktop\\documents", RuleVerdict::kNotCovered, "a file named documents"},
      {kVol + u"\\Users\\a\\Documents", RuleVerdict::kNotCovered, "the folder itself"},
      {kVol + u"\\Users\\a\\Documents\\", RuleVerdict::kNotCovered, "the folder itself, trailing backslash"},
      {u"\\Device\\Documents\\x.txt", RuleVerdict::kNotCovered, "volume name components do not count"},
      {kVol + u"\\Users\\a\\Docs\\x.txt", RuleVerdict::kNotCovered, "other folder"},
      {kVol, RuleVerdict::kNotAFile, "the volume"},
      {kVol + u"\\", RuleVerdict::kNotAFile, "the root"},
  });
}

TEST(RuleSet, CaseInsensitiveBeyondAscii) {
  Rules rules({u"Dokumente", u"été", u"Документы", u"Φωτογραφίες"});
  ASSERT_TRUE(rules.compile().ok());
  expect_cases(rules.set(), {
      {kVol + u"\\Users\\a\\DOKUMENTE\\x.txt", RuleVerdict::kFolderName, "German, upper"},
      {kVol + u"\\Users\\a\\dokumente\\x.txt", RuleVerdict::kFolderName, "German, lower"},
      {kVol + u"\\Users\\a\\ÉTÉ\\x.txt", RuleVerdict::kFolderName, "French accents upper"},
      {kVol + u"\\Users\\a\\Été\\x.txt", RuleVerdict::kFolderName, "French accents mixed"},
      {kVol + u"\\Users\\a\\ДОКУМЕНТЫ\\x.txt", RuleVerdict::kFolderName, "Cyrillic upper"},
      {kVol + u"\\Users\\a\\документы\\x.txt", RuleVerdict::kFolderName, "Cyrillic lower"},
      {kVol + u"\\Users\\a\\ΦΩΤΟΓΡΑΦΊΕΣ\\x.jpg", RuleVerdict::kFolderName, "Greek upper with tonos"},
      {kVol + u"\\Users\\a\\ete\\x.txt", RuleVerdict::kNotCovered, "accents matter"},
      {kVol + u"\\Users\\a\\Dokumenté\\x.txt", RuleVerdict::kNotCovered, "one more accent"},
  });
}

// The driver's upcase function is what decides: with one that upcases nothing beyond ASCII,
// non-ASCII compares exactly.
char16_t ascii_only_upcase(char16_t c) { return c; }

TEST(RuleSet, UsesTheGivenUpcaseFunction) {
  Rules rules({u"été"});
  ASSERT_TRUE(rules.compile(ascii_only_upcase).ok());
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\été\\x"), RuleVerdict::kFolderName);
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\ÉTÉ\\x"), RuleVerdict::kNotCovered);
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\éTé\\x"), RuleVerdict::kFolderName);  // ASCII still folds
}

// An upcase function that maps some non-ASCII units onto ASCII (as a Turkish-style table
// would map dotless i to I): the filters must not turn such matches away.
char16_t dotless_i_upcase(char16_t c) { return c == 0x0131 ? u'I' : fb::upcase_native(c); }

TEST(RuleSet, NonAsciiUnitsThatUpcaseToAsciiStillMatch) {
  for (uint32_t u = 0x80; u <= 0xFFFF; ++u)  // what upcase_keeps_ascii_apart assumes of upcase_native
    ASSERT_GE(fb::upcase_native(static_cast<char16_t>(u)), 0x80) << std::hex << u;
  EXPECT_FALSE(fb::rules_detail::upcase_keeps_ascii_apart(dotless_i_upcase));
  Rules rules({u"items", u"\u0131nbox"}, {kVol + u"\\Arch\u0131ve"}, {}, {u"t\u0131mp"});
  ASSERT_TRUE(rules.compile(dotless_i_upcase).ok());
  expect_cases(rules.set(), {
      {kVol + u"\\\u0131tems\\x.txt", RuleVerdict::kFolderName, "rule ASCII, path non-ASCII first unit"},
      {kVol + u"\\INBOX\\x.txt", RuleVerdict::kFolderName, "rule non-ASCII first unit, path ASCII"},
      {kVol + u"\\ARCHIVE\\x.txt", RuleVerdict::kFolderPath, "path rule"},
      {kVol + u"\\INBOX\\x.TIMP", RuleVerdict::kExtensionExcluded, "extension"},
  });
}

TEST(RuleSet, FolderPaths) {
  Rules rules({}, {kVol + u"\\Users\\me\\Documents", u"\\Device\\HarddiskVolume4\\", kVol + u"\\Data\\Shared\\"});
  ASSERT_TRUE(rules.compile().ok());
  expect_cases(rules.set(), {
      {kVol + u"\\Users\\me\\Documents\\a.txt", RuleVerdict::kFolderPath, "directly in the folder"},
      {kVol + u"\\USERS\\ME\\documents\\sub\\deep\\a.txt", RuleVerdict::kFolderPath, "below, other case"},
      {kVol + u"\\Users\\me\\Documents\\a.txt:s", RuleVerdict::kFolderPath, "stream of a file below"},
      {kVol + u"\\Users\\me\\Documents2\\a.txt", RuleVerdict::kNotCovered, "sibling with a longer name"},
      {kVol + u"\\Users\\me\\a.txt", RuleVerdict::kNotCovered, "above the folder"},
      {kVol + u"\\Users\\me\\Documents", RuleVerdict::kNotCovered, "the folder itself"},
      {kVol + u"\\Users\\you\\Documents\\a.txt", RuleVerdict::kNotCovered, "same name elsewhere"},
      {u"\\Device\\HarddiskVolume5\\Users\\me\\Documents\\a.txt", RuleVerdict::kNotCovered, "other volume"},
      {u"\\Device\\HarddiskVolume4\\a.txt", RuleVerdict::kFolderPath, "whole volume: root file"},
      {u"\\Device\\HarddiskVolume4\\x\\y\\z.txt", RuleVerdict::kFolderPath, "whole volume: deep file"},
      {u"\\Device\\HarddiskVolume40\\a.txt", RuleVerdict::kNotCovered, "volume with a longer name"},
      {kVol + u"\\Data\\Shared\\a.txt", RuleVerdict::kFolderPath, "rule written with a trailing backslash"},
  });
}

TEST(RuleSet, FolderPathAboveTheVolumeCoversEverythingBelowIt) {
  Rules rules({}, {u"\\Device"});
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\a.txt"), RuleVerdict::kFolderPath);
  EXPECT_EQ(verdict(rules.set(), u"\\Devices\\X\\a.txt"), RuleVerdict::kNotCovered);
}

TEST(RuleSet, NamesAndPathsTogether) {
  Rules rules({u"documents"}, {kVol + u"\\Projects"});
  ASSERT_TRUE(rules.compile().ok());
  expect_cases(rules.set(), {
      {kVol + u"\\Users\\a\\Documents\\x", RuleVerdict::kFolderName, "name"},
      {kVol + u"\\Projects\\x", RuleVerdict::kFolderPath, "path"},
      {kVol + u"\\Projects\\Documents\\x", RuleVerdict::kFolderPath, "path found first, at the shallower folder"},
      {kVol + u"\\Documents\\Projects\\x", RuleVerdict::kFolderName, "name found first"},
      {kVol + u"\\Other\\x", RuleVerdict::kNotCovered, "neither"},
  });
}

TEST(RuleSet, ExtensionLists) {
  Rules rules({u"documents"}, {}, {u"docx", u".XLSX", u"tmp"}, {u"tmp", u"bak"});
  ASSERT_TRUE(rules.compile().ok());
  const std::u16string dir = kVol + u"\\Users\\a\\Documents\\";
  expect_cases(rules.set(), {
      {dir + u"a.docx", RuleVerdict::kFolderName, "included"},
      {dir + u"A.DOCX", RuleVerdict::kFolderName, "included, other case"},
      {dir + u"a.xlsx", RuleVerdict::kFolderName, "listed with a dot"},
      {dir + u"a.pdf", RuleVerdict::kExtensionNotIncluded, "not listed"},
      {dir + u"README", RuleVerdict::kExtensionNotIncluded, "no extension"},
      {dir + u"a.docx.pdf", RuleVerdict::kExtensionNotIncluded, "only the last extension counts"},
      {dir + u"a.pdf.docx", RuleVerdict::kFolderName, "last extension listed"},
      {dir + u"a.tmp", RuleVerdict::kExtensionExcluded, "exclusion wins over inclusion"},
      {dir + u"a.BAK", RuleVerdict::kExtensionExcluded, "excluded, other case"},
      {dir + u"a.docx:s", RuleVerdict::kFolderName, "the stream suffix is not the extension"},
      {kVol + u"\\Users\\a\\a.docx", RuleVerdict::kNotCovered, "extension alone protects nothing"},
  });
}

TEST(RuleSet, ExcludeOnly) {
  Rules rules({u"documents"}, {}, {}, {u"tmp"});
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\Documents\\a.pdf"), RuleVerdict::kFolderName);
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\Documents\\noext"), RuleVerdict::kFolderName);
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\Documents\\~a.tmp"), RuleVerdict::kExtensionExcluded);
}

TEST(RuleSet, NoRulesProtectNothing) {
  Rules rules({});
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_EQ(verdict(rules.set(), kVol + u"\\Documents\\a.txt"), RuleVerdict::kNotCovered);
}

TEST(RuleSet, UnparsableNamesMatchNothing) {
  Rules rules({u"documents"});
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_FALSE(rules.set().matches(S(kVol + u"\\Documents\\\\a.txt")));
  EXPECT_FALSE(rules.set().matches(S(u"Documents\\a.txt")));
  EXPECT_FALSE(rules.set().matches(fb::Str16()));
}

TEST(RuleSet, DuplicatesAreStoredOnce) {
  Rules rules({u"Documents", u"DOCUMENTS", u"documents", u"Pictures"}, {kVol + u"\\a", kVol + u"\\A\\"});
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_EQ(rules.set().rule_count(RuleListId::kFolderNames), 2u);
  EXPECT_EQ(rules.set().rule_count(RuleListId::kFolderPaths), 1u);
}

// 1000 folder names and 1000 folder paths: every one is found, near misses are not.
TEST(RuleSet, ManyRulesAllFoundNoFalseHits) {
  std::vector<std::u16string> names, paths;
  for (int i = 0; i < 1000; ++i) {
    names.push_back(u"Folder" + std::u16string(1 + i % 7, u'x') + std::u16string(1, char16_t(u'A' + i % 26)) +
                    std::u16string(1, char16_t(u'0' + i / 26 % 10)) + std::u16string(1, char16_t(u'0' + i / 260)));
    paths.push_back(kVol + u"\\Tree\\P" + names.back());
  }
  Rules rules(names, paths);
  ASSERT_TRUE(rules.compile().ok());
  EXPECT_EQ(rules.set().rule_count(RuleListId::kFolderNames), 1000u);
  for (const std::u16string& name : names) {
    EXPECT_EQ(verdict(rules.set(), kVol + u"\\Other\\" + name + u"\\f.txt"), RuleVerdict::kFolderName);
    EXPECT_EQ(verdict(rules.set(), kVol + u"\\Tree\\P" + name + u"\\f.txt"), RuleVerdict::kFolderPath);
    EXPECT_EQ(verdict(rules.set(), kVol + u"\\Other\\" + name + u"z\\f.txt"), RuleVerdict::kNotCovered);
    EXPECT_EQ(verdict(rules.set(), kVol + u"\\Tree\\P" + name + u"y\\f.txt"), RuleVerdict::kNotCovered);
    EXPECT_EQ(verdict(rules.set(), kVol + u"\\Tree2\\P" + name + u"\\f.txt"), RuleVerdict::kNotCovered);
  }
}

// The compiled set lives entirely in its block: copy the block, wipe the original and the
// rule strings, and the copy still answers the same.
TEST(RuleSet, IsSelfContainedInItsStorage) {
  Rules rules({u"documents"}, {kVol + u"\\Projects"}, {}, {u"tmp"});
  ASSERT_TRUE(rules.compile().ok());
  const uint32_t bytes = rules.set().storage_bytes();
  std::vector<uint64_t> copy(bytes / 8 + 1);
  std::memcpy(copy.data(), rules.storage().data(), bytes);
  std::memset(rules.storage().data(), 0xA5, bytes);
  for (int l = 0; l < 4; ++l)
    for (std::u16string& s : rules.text(l)) std::fill(s.begin(), s.end(), u'?');
  const fb::RuleSet& moved = *reinterpret_cast<const fb::RuleSet*>(copy.data());
  EXPECT_EQ(verdict(moved, kVol + u"\\Users\\Documents\\a.txt"), RuleVerdict::kFolderName);
  EXPECT_EQ(verdict(moved, kVol + u"\\Projects\\a.txt"), RuleVerdict::kFolderPath);
  EXPECT_EQ(verdict(moved, kVol + u"\\Projects\\a.tmp"), RuleVerdict::kExtensionExcluded);
  EXPECT_EQ(verdict(moved, kVol + u"\\Other\\a.txt"), RuleVerdict::kNotCovered);
}

TEST(RuleSet, MatchingLeavesItsInputAlone) {
  Rules rules({u"documents"});
  ASSERT_TRUE(rules.compile().ok());
  const std::u16string original = kVol + u"\\Users\\a\\documents\\x.txt";
  std::u16string path = original;
  EXPECT_TRUE(rules.set().matches(S(path)));
  EXPECT_EQ(path, original);
}

struct InvalidCase {
  RuleListId list;
  std::u16string rule;
  RuleError error;
  const char* what;
};

const InvalidCase kInvalidCases[] = {
    {RuleListId::kFolderNames, u"", RuleError::kEmptyRule, "empty name"},
    {RuleListId::kFolderNames, u"a\\b", RuleError::kInvalidCharacter, "backslash in a name"},
    {RuleListId::kFolderNames, u"a:b", RuleError::kInvalidCharacter, "colon in a name"},
    {RuleListId::kFolderNames, std::u16string(1, u'\0'), RuleError::kInvalidCharacter, "NUL in a name"},
    {RuleListId::kFolderNames, std::u16string(256, u'n'), RuleError::kRuleTooLong, "name over 255 units"},
    {RuleListId::kFolderNames, u"..", RuleError::kPathMalformed, "dot-dot as a name"},
    {RuleListId::kFolderPaths, u"", RuleError::kEmptyRule, "empty path"},
    {RuleListId::kFolderPaths, u"Users\\me", RuleError::kPathNotAbsolute, "relative path"},
    {RuleListId::kFolderPaths, u"C:\\Users\\me", RuleError::kPathNotAbsolute, "DOS path, not resolved"},
    {RuleListId::kFolderPaths, u"\\", RuleError::kPathMalformed, "a lone backslash"},
    {RuleListId::kFolderPaths, u"\\Device\\\\X", RuleError::kPathMalformed, "empty component"},
    {RuleListId::kFolderPaths, u"\\Device\\X\\..\\y", RuleError::kPathMalformed, "dot-dot component"},
    {RuleListId::kFolderPaths, u"\\Device\\X\\a:b", RuleError::kInvalidCharacter, "colon in a path"},
    {RuleListId::kFolderPaths, u"\\Device\\" + std::u16string(256, u'v'), RuleError::kRuleTooLong, "long component"},
    {RuleListId::kFolderPaths, u"\\" + std::u16string(fb::kMaxPathUnits, u'p'), RuleError::kRuleTooLong, "long path"},
    {RuleListId::kIncludeExtensions, u"", RuleError::kEmptyRule, "empty extension"},
    {RuleListId::kIncludeExtensions, u".", RuleError::kEmptyRule, "only a dot"},
    {RuleListId::kExcludeExtensions, u"tar.gz", RuleError::kInvalidCharacter, "dot inside an extension"},
    {RuleListId::kExcludeExtensions, u"a\\b", RuleError::kInvalidCharacter, "backslash in an extension"},
    {RuleListId::kExcludeExtensions, std::u16string(256, u'e'), RuleError::kRuleTooLong, "long extension"},
};

TEST(CompileRules, RejectsInvalidRulesNamingListAndIndex) {
  for (const InvalidCase& c : kInvalidCases) {
    std::vector<std::u16string> lists[4];
    lists[static_cast<int>(c.list)] = {u"ok", c.rule};
    if (c.list == RuleListId::kFolderPaths) lists[1][0] = u"\\Device\\Ok";
    Rules rules(lists[0], lists[1], lists[2], lists[3]);
    size_t bytes = 123;
    const fb::RuleStatus sized = fb::rules_storage_size(rules.config(), &bytes);
    EXPECT_EQ(sized.error, c.error) << c.what;
    EXPECT_EQ(sized.list, c.list) << c.what;
    EXPECT_EQ(sized.index, 1u) << c.what;
    EXPECT_EQ(bytes, 0u) << c.what;
    EXPECT_EQ(sized.nt_status(), fb::nt::kInvalidParameter) << c.what;
    std::vector<uint64_t> storage(1 << 16);
    const fb::RuleSet* set = nullptr;
    EXPECT_EQ(fb::compile_rules(rules.config(), storage.data(), storage.size() * 8, fb::upcase_native, &set).error,
              c.error)
        << c.what;
    EXPECT_EQ(set, nullptr) << c.what;
  }
}

TEST(CompileRules, RejectsTooManyRulesAndBrokenLists) {
  std::vector<std::u16string> many(fb::kMaxRulesPerList + 1, u"n");
  Rules too_many(many);
  size_t bytes = 0;
  EXPECT_EQ(fb::rules_storage_size(too_many.config(), &bytes).error, RuleError::kTooManyRules);
  many.pop_back();
  Rules at_limit(many);
  EXPECT_TRUE(at_limit.compile().ok());

  fb::RuleConfig config;
  config.folder_names.count = 1;  // items == nullptr
  EXPECT_EQ(fb::rules_storage_size(config, &bytes).error, RuleError::kNullList);
  const fb::Str16 null_text(nullptr, 3);
  config.folder_names.items = &null_text;
  EXPECT_EQ(fb::rules_storage_size(config, &bytes).error, RuleError::kNullList);
}

TEST(CompileRules, RejectsBadStorageAndUpcase) {
  Rules rules({u"documents"});
  size_t bytes = 0;
  ASSERT_TRUE(fb::rules_storage_size(rules.config(), &bytes).ok());
  std::vector<uint64_t> storage(bytes / 8 + 2);
  const fb::RuleSet* set = nullptr;
  fb::RuleStatus s = fb::compile_rules(rules.config(), storage.data(), bytes - 1, fb::upcase_native, &set);
  EXPECT_EQ(s.error, RuleError::kStorageTooSmall);
  EXPECT_EQ(s.nt_status(), fb::nt::kBufferTooSmall);
  s = fb::compile_rules(rules.config(), nullptr, bytes, fb::upcase_native, &set);
  EXPECT_EQ(s.error, RuleError::kStorageTooSmall);
  s = fb::compile_rules(rules.config(), reinterpret_cast<char*>(storage.data()) + 4, bytes, fb::upcase_native, &set);
  EXPECT_EQ(s.error, RuleError::kStorageMisaligned);
  s = fb::compile_rules(rules.config(), storage.data(), bytes, nullptr, &set);
  EXPECT_EQ(s.error, RuleError::kNoUpcase);
  EXPECT_EQ(set, nullptr);
  s = fb::compile_rules(rules.config(), storage.data(), bytes, fb::upcase_native, &set);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.nt_status(), fb::nt::kSuccess);
  EXPECT_EQ(static_cast<const void*>(set), static_cast<const void*>(storage.data()));
  EXPECT_LE(set->storage_bytes(), bytes);
}

TEST(CompileRules, StorageGrowsWithTheRulesNotWithTheMatchCost) {
  Rules small({u"a"});
  std::vector<std::u16string> names;
  for (int i = 0; i < 100; ++i) names.push_back(u"name" + std::u16string(1, char16_t(u'A' + i % 26)) + std::u16string(i / 26 + 1, u'x'));
  Rules large(names);
  size_t small_bytes = 0, large_bytes = 0;
  ASSERT_TRUE(fb::rules_storage_size(small.config(), &small_bytes).ok());
  ASSERT_TRUE(fb::rules_storage_size(large.config(), &large_bytes).ok());
  EXPECT_LT(small_bytes, large_bytes);
  EXPECT_LT(large_bytes, small_bytes + 100 * (16 + 4 + 2 * 12));  // slots + record per rule, roughly
}

}  // namespace
