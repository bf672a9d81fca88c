// `fbmon config`: the values under HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters,
// their types and limits, and the editing rules. The glue only reads and writes the registry;
// every value is validated here before anything is written.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fbmon {

constexpr const char16_t* kParametersKey = u"SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters";

enum class ValueKind { kMultiString, kQword, kDword };

enum class ConfigKey {
  kProtectedFolders, kFolderNames, kIncludeExtensions, kExcludeExtensions,
  kMaxFileSize, kMinFreeSpace, kMaxVersions, kEnabled,
};

struct KeyInfo {
  ConfigKey key;
  const char* name;        // registry value name
  ValueKind kind;
  const char* meaning;     // one line for `config show` and --help
  const char* when_unset;  // what the driver does without the value; nullptr: default_value()
};

constexpr uint32_t kMinVersions = 1;
constexpr uint32_t kMaxVersionsLimit = 9;

// All keys in display order, and lookup by name (case-insensitive, as the registry is).
const std::vector<KeyInfo>& config_keys();
const KeyInfo* find_config_key(const std::string& name);
const KeyInfo& config_key_info(ConfigKey key);

struct ConfigValue {
  ValueKind kind = ValueKind::kDword;
  std::vector<std::u16string> strings;  // kMultiString
  uint64_t number = 0;                  // kQword, kDword
};

struct ParsedValue {
  bool ok = false;
  ConfigValue value;
  std::string error;  // "MaxVersions must be 1..9, got 12"
};

// `config set KEY VALUE`: lists are separated by ';' ("" clears); sizes accept bytes or a
// KB/MB/GB/TB suffix (binary: 1 MB = 1048576 bytes); Enabled takes 0/1/on/off/true/false.
ParsedValue parse_config_value(const KeyInfo& key, const std::string& text);

// A protected folder as stored: a local drive path (`C:\...`: what the driver resolves;
// fb::split_drive_path decides), backslashes, upper-case drive letter, no trailing backslash
// except a drive root, no `.`/`..` segments, no wildcard characters.
struct FolderCheck {
  bool ok = false;
  std::u16string folder;  // normalized
  std::string error;
};
FolderCheck normalize_folder(const std::u16string& path);

// Edits the folder list in place (duplicates compare case-insensitively). Returns what
// happened for the message: true if the list changed.
bool add_folder(std::vector<std::u16string>& folders, const std::u16string& normalized);
bool remove_folder(std::vector<std::u16string>& folders, const std::u16string& normalized);

// REG_MULTI_SZ: each string NUL-terminated, plus a final NUL. Empty strings cannot be stored
// (they would end the list early) and are dropped.
std::u16string encode_multi_sz(const std::vector<std::u16string>& strings);
std::vector<std::u16string> decode_multi_sz(const char16_t* data, size_t units);

// The driver's default for a number key (fb::EngineConfig), used when the value is not set.
ConfigValue default_value(ConfigKey key);

// One value as `config show` prints it: "ProtectedFolders   C:\Users\me\Documents; D:\Work".
std::string format_config_value(const ConfigValue& value, ConfigKey key);
// The whole `config show` table; values[i] belongs to config_keys()[i], nullptr when unset.
std::string format_config(const std::vector<const ConfigValue*>& values);

}  // namespace fbmon
