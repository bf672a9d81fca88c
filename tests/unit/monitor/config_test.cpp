#include "monitor/lib/config.h"

#include "monitor/lib/text.h"

#include <gtest/gtest.h>

#include <stdio.h>

namespace {

const fbmon::KeyInfo& key(const char* name) {
  const fbmon::KeyInfo* k = fbmon::find_config_key(name);
  EXPECT_NE(k, nullptr) << name;
  return *k;
}

TEST(MonitorConfig, KeysAreFoundCaseInsensitively) {
  EXPECT_EQ(fbmon::find_config_key("maxversions")->key, fbmon::ConfigKey::kMaxVersions);
  EXPECT_EQ(fbmon::find_config_key("PROTECTEDFOLDERS")->kind, fbmon::ValueKind::kMultiString);
  EXPECT_EQ(fbmon::find_config_key("MaxVersion"), nullptr);
  EXPECT_EQ(fbmon::find_config_key("MaxVersionsX"), nullptr);
  EXPECT_EQ(fbmon::config_keys().size(), 8u);
}

TEST(MonitorConfig, NumbersAreValidated) {
  struct Case { const char* key; const char* text; bool ok; uint64_t number; };
  const Case cases[] = {
      {"MaxVersions", "1", true, 1},      {"MaxVersions", "9", true, 9},
      {"MaxVersions", "0", false, 0},     {"MaxVersions", "10", false, 0},
      {"MaxVersions", "x", false, 0},     {"MaxVersions", "", false, 0},
      {"Enabled", "0", true, 0},          {"Enabled", "1", true, 1},
      {"Enabled", "ON", true, 1},         {"Enabled", "false", true, 0},
      {"Enabled", "2", false, 0},
      {"MaxFileSize", "1048576", true, 1048576},
      {"MaxFileSize", "100MB", true, 104857600},
      {"MaxFileSize", "2 GiB", true, 2147483648ull},
      {"MaxFileSize", "0", false, 0},
      {"MaxFileSize", "-5", false, 0},
      {"MaxFileSize", "5 PB", false, 0},
      {"MaxFileSize", "18446744073709551615", true, UINT64_MAX},
      {"MaxFileSize", "18446744073709551616", false, 0},
      {"MaxFileSize", "17179869184GB", false, 0},  // overflows after the shift
      {"MinFreeSpace", "0", true, 0},
      {"MinFreeSpace", "1g", true, 1073741824},
  };
  for (const Case& c : cases) {
    const fbmon::ParsedValue p = fbmon::parse_config_value(key(c.key), c.text);
    EXPECT_EQ(p.ok, c.ok) << c.key << "=" << c.text << " " << p.error;
    if (p.ok) {
      EXPECT_EQ(p.value.number, c.number) << c.key << "=" << c.text;
    } else {
      EXPECT_FALSE(p.error.empty());
    }
  }
}

TEST(MonitorConfig, ListsAreSplitAndNormalized) {
  fbmon::ParsedValue p = fbmon::parse_config_value(key("IncludeExtensions"), "DOCX; .xlsx;;txt");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.value.strings, (std::vector<std::u16string>{u".docx", u".xlsx", u".txt"}));
  EXPECT_FALSE(fbmon::parse_config_value(key("ExcludeExtensions"), "*.tmp").ok);  // a pattern, not an extension
  EXPECT_FALSE(fbmon::parse_config_value(key("ExcludeExtensions"), ".tar.gz").ok);
  EXPECT_FALSE(fbmon::parse_config_value(key("ExcludeExtensions"), ".").ok);
  EXPECT_FALSE(fbmon::parse_config_value(key("ExcludeExtensions"), "a:b").ok);
  EXPECT_FALSE(fbmon::parse_config_value(key("FolderNames"), "..").ok);
  EXPECT_FALSE(fbmon::parse_config_value(key("FolderNames"), std::string(256, 'x')).ok);
  p = fbmon::parse_config_value(key("IncludeExtensions"), "");
  ASSERT_TRUE(p.ok);
  EXPECT_TRUE(p.value.strings.empty());

  p = fbmon::parse_config_value(key("FolderNames"), "Documents;Pictures");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.value.strings.size(), 2u);
  EXPECT_FALSE(fbmon::parse_config_value(key("FolderNames"), "C:\\Documents").ok);

  p = fbmon::parse_config_value(key("ProtectedFolders"), "c:/Users/me/Documents/; C:\\USERS\\ME\\DOCUMENTS");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.value.strings, (std::vector<std::u16string>{u"C:\\Users\\me\\Documents"}));
}

TEST(MonitorConfig, FoldersAreNormalizedOrRefused) {
  struct Case { std::u16string in; bool ok; std::u16string out; };
  const Case cases[] = {
      {u"C:\\Users\\me\\Documents", true, u"C:\\Users\\me\\Documents"},
      {u"c:\\Users\\\\me\\", true, u"C:\\Users\\me"},
      {u"d:/Work", true, u"D:\\Work"},
      {u"C:\\", true, u"C:\\"},
      {u"\\\\srv\\share\\dir", false, u""},  // the driver resolves drive letters only
      {u"\\\\?\\C:\\a", true, u"C:\\a"},          // as the driver accepts it
      {u"c:", false, u""},
      {u"Documents", false, u""},
      {u"C:relative", false, u""},
      {u"C:\\a\\..\\b", false, u""},
      {u"C:\\a\\.\\b", false, u""},
      {u"C:\\a*", false, u""},
      {u"C:\\a:stream", false, u""},
      {u"", false, u""},
  };
  for (const Case& c : cases) {
    const fbmon::FolderCheck f = fbmon::normalize_folder(c.in);
    EXPECT_EQ(f.ok, c.ok) << fbmon::to_utf8(c.in);
    EXPECT_EQ(f.folder, c.out) << fbmon::to_utf8(c.in);
  }
}

TEST(MonitorConfig, AddAndRemoveFolders) {
  std::vector<std::u16string> folders{u"C:\\A"};
  EXPECT_TRUE(fbmon::add_folder(folders, u"D:\\B"));
  EXPECT_FALSE(fbmon::add_folder(folders, u"c:\\a"));
  EXPECT_EQ(folders.size(), 2u);
  EXPECT_TRUE(fbmon::remove_folder(folders, u"C:\\a"));
  EXPECT_FALSE(fbmon::remove_folder(folders, u"C:\\a"));
  EXPECT_EQ(folders, (std::vector<std::u16string>{u"D:\\B"}));
}

TEST(MonitorConfig, MultiSzRoundTrip) {
  const std::vector<std::u16string> in{u"C:\\A", u"", u"D:\\B"};
  const std::u16string encoded = fbmon::encode_multi_sz(in);
  EXPECT_EQ(encoded, std::u16string(u"C:\\A\0D:\\B\0\0", 11));
  const std::vector<std::u16string> out = fbmon::decode_multi_sz(encoded.data(), encoded.size());
  EXPECT_EQ(out, (std::vector<std::u16string>{u"C:\\A", u"D:\\B"}));
  EXPECT_EQ(fbmon::encode_multi_sz({}), std::u16string(1, u'\0'));
  EXPECT_TRUE(fbmon::decode_multi_sz(u"", 0).empty());
  // Written by another tool without the final terminators.
  EXPECT_EQ(fbmon::decode_multi_sz(u"ab\0cd", 5), (std::vector<std::u16string>{u"ab", u"cd"}));
}

TEST(MonitorConfig, ShowFormatsSetAndUnsetValues) {
  fbmon::ConfigValue folders;
  folders.kind = fbmon::ValueKind::kMultiString;
  folders.strings = {u"C:\\Users\\me\\Documents", u"D:\\Work"};
  fbmon::ConfigValue max_size;
  max_size.kind = fbmon::ValueKind::kQword;
  max_size.number = 104857600;
  fbmon::ConfigValue versions;
  versions.kind = fbmon::ValueKind::kDword;
  versions.number = 3;
  fbmon::ConfigValue enabled;
  enabled.kind = fbmon::ValueKind::kDword;
  enabled.number = 1;
  const std::vector<const fbmon::ConfigValue*> values{&folders, nullptr, nullptr, nullptr, &max_size,
                                                      nullptr, &versions, &enabled};
  const std::string text = fbmon::format_config(values);
  EXPECT_EQ(text,
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters\n"
            "  ProtectedFolders    C:\\Users\\me\\Documents; D:\\Work\n"
            "  FolderNames         (not set: documents; pictures)\n"
            "  IncludeExtensions   (not set: all extensions)\n"
            "  ExcludeExtensions   (not set: none)\n"
            "  MaxFileSize         104857600 bytes (100 MiB)\n"
            "  MinFreeSpace        (not set: 536870912 bytes (512 MiB))\n"
            "  MaxVersions         3\n"
            "  Enabled             1 (backups on)\n");
  printf("sample config show:\n%s", text.c_str());
}

}  // namespace
