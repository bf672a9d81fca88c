#include "monitor/lib/config.h"

#include "monitor/lib/text.h"

#include <gtest/gtest.h>

#include <stdio.h>
#include <string.h>

namespace {

const fb::ConfigValueSpec& key(const char* name) {
  const fb::ConfigValueSpec* k = fbmon::find_config_key(name);
  EXPECT_NE(k, nullptr) << name;
  return *k;
}

TEST(MonitorConfig, KeysAreFoundCaseInsensitively) {
  EXPECT_EQ(fbmon::find_config_key("maxversions")->key, fb::ConfigKey::kMaxVersions);
  EXPECT_EQ(fbmon::find_config_key("PROTECTEDFOLDERS")->shape, fb::ValueShape::kFolderPaths);
  EXPECT_EQ(fbmon::find_config_key("MaxVersion"), nullptr);
  EXPECT_EQ(fbmon::find_config_key("MaxVersionsX"), nullptr);
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
  fbmon::ParsedValue p = fbmon::parse_config_value(key("IncludeExtensions"), "DOCX; .xlsx; txt");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.value.strings, (std::vector<std::u16string>{u".docx", u".xlsx", u".txt"}));
  // The examples: refused with the reason, nothing stored that no file can match.
  p = fbmon::parse_config_value(key("IncludeExtensions"), "doc*");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error, "IncludeExtensions: 'doc*' has a wildcard; entries are matched exactly, list each one");
  p = fbmon::parse_config_value(key("ExcludeExtensions"), ".tmp;~*");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error, "ExcludeExtensions: '~*' has a wildcard; entries are matched exactly, list each one");
  p = fbmon::parse_config_value(key("IncludeExtensions"), "doc;;txt");
  EXPECT_FALSE(p.ok);
  EXPECT_EQ(p.error, "IncludeExtensions: entry 2 is empty (two ';' in a row, or one at the end); separate entries with one ';'");
  p = fbmon::parse_config_value(key("IncludeExtensions"), "doc,txt");
  EXPECT_EQ(p.error, "IncludeExtensions: 'doc,txt' has a separator inside; write one entry per item");
  p = fbmon::parse_config_value(key("FolderNames"), "a|b");
  EXPECT_EQ(p.error, "FolderNames: 'a|b' has a character NTFS does not allow in a name");
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
  p = fbmon::parse_config_value(key("ProtectedFolders"), "C:\\Users\\*");
  EXPECT_EQ(p.error, "ProtectedFolders: 'C:\\Users\\*' has a wildcard; entries are matched exactly, list each one");

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

fbmon::StoredValue dword(uint32_t v) {
  fbmon::StoredValue s;
  s.present = true;
  s.type = fb::reg::kDword;
  s.data.resize(2);
  memcpy(s.data.data(), &v, 4);
  s.size = 4;
  return s;
}

fbmon::StoredValue multi_sz(const std::vector<std::u16string>& items) {
  fbmon::ConfigValue v;
  v.key = fb::ConfigKey::kFolderNames;
  v.strings = items;
  return fbmon::stored_value(v);
}

fbmon::StoredValue& at(fbmon::StoredConfig& c, fb::ConfigKey key) { return c.values[static_cast<uint32_t>(key)]; }

TEST(MonitorConfig, ShowFormatsSetAndUnsetValues) {
  fbmon::StoredConfig stored;
  at(stored, fb::ConfigKey::kProtectedFolders) = multi_sz({u"C:\\Users\\me\\Documents", u"D:\\Work"});
  fbmon::ConfigValue size;
  size.key = fb::ConfigKey::kMaxFileSize;
  size.number = 104857600;
  at(stored, fb::ConfigKey::kMaxFileSize) = fbmon::stored_value(size);
  at(stored, fb::ConfigKey::kMaxVersions) = dword(3);
  at(stored, fb::ConfigKey::kEnabled) = dword(1);
  const std::string text = fbmon::format_config(stored);
  EXPECT_EQ(text,
            "HKLM\\SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters\n"
            "  Enabled             1 (backups on)\n"
            "  MaxFileSize         104857600 bytes (100 MiB)\n"
            "  MinFreeSpace        (not set: 536870912 bytes (512 MiB))\n"
            "  MaxVersions         3\n"
            "  ProtectedFolders    C:\\Users\\me\\Documents; D:\\Work\n"
            "  FolderNames         (not set: documents; pictures)\n"
            "  IncludeExtensions   (not set: every extension)\n"
            "  ExcludeExtensions   (not set: none)\n"
            "  VaultMaxBytes       (not set: 1073741824 bytes (1.00 GiB))\n"
            "  VaultMaxAgeHours    (not set: 168)\n"
            "  VaultMaxFileSize    (not set: 268435456 bytes (256 MiB))\n");
  printf("sample config show:\n%s", text.c_str());
}

// The issue: a REG_DWORD MaxFileSize is what the driver accepts, so show accepts it too (one parser).
TEST(MonitorConfig, ShowAcceptsWhatTheDriverAcceptsAndNamesWhatItIgnores) {
  fbmon::StoredConfig stored;
  at(stored, fb::ConfigKey::kMaxFileSize) = dword(1048576);
  at(stored, fb::ConfigKey::kMaxVersions) = dword(0);
  fbmon::StoredValue ext = multi_sz({u".doc*", u".docx"});
  at(stored, fb::ConfigKey::kIncludeExtensions) = ext;
  const std::string text = fbmon::format_config(stored);
  EXPECT_NE(text.find("  MaxFileSize         1048576 bytes (1.00 MiB)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  MaxVersions         ignored: REG_DWORD 0, out of range (valid: REG_DWORD, 1 .. 9); "
                      "the driver is keeping the value in force (at load: its default) and deletes no versions; "
                      "fix it with `fbmon config set MaxVersions VALUE`\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  IncludeExtensions   .docx\n"
                      "                      ignored: item 1 '.doc*' has a wildcard; entries are matched exactly, list each one\n"),
            std::string::npos)
      << text;
  const std::string json = fbmon::format_config_json(stored);
  EXPECT_NE(json.find("{\"name\":\"MaxFileSize\",\"set\":true,\"valid\":true,\"value\":1048576}\n"), std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"name\":\"MaxVersions\",\"set\":true,\"valid\":false,\"value\":1,\"problem\":"), std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"name\":\"IncludeExtensions\",\"set\":true,\"valid\":true,\"value\":[\".docx\"],\"ignored\":[\"item 1 '.doc*' has a wildcard; entries are matched exactly, list each one\"]}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("\": "), std::string::npos) << "no space after a key";
  EXPECT_EQ(json.find(", \""), std::string::npos) << "no space between members";
  printf("sample config show with problems:\n%s%s", text.c_str(), json.c_str());
}

// docs/registry.md's table of values is the schema, row for row.
TEST(RegistrySchema, DocumentedTableIsTheSchema) {
  FILE* f = fopen(FB_SOURCE_DIR "/docs/registry.md", "rb");
  ASSERT_NE(f, nullptr);
  std::string doc;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) doc.append(buffer, n);
  fclose(f);
  const std::string table = fbmon::registry_values_table();
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/registry.md must hold this table:\n" << table;
}

}  // namespace
