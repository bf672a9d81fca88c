// `fbmon config`: reading, checking, showing and editing the values under
// HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters. Names, types, limits, defaults
// and help come from the one schema, fb::config_spec (common/config/config_values.h); what a
// stored value means is decided by the driver's own parser (fb::parse_engine_config,
// fb::parse_list, fb::drop_invalid_rules, fb::check_list_item), so `config show` and the driver
// cannot disagree. The glue only moves bytes to and from the registry.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/config/config_values.h"

namespace fbmon {

constexpr const char16_t* kParametersKey = u"SYSTEM\\CurrentControlSet\\Services\\FileBackup\\Parameters";

// A value to write: strings for a list, number for a scalar (written as spec.written_type).
struct ConfigValue {
  fb::ConfigKey key = fb::ConfigKey::kEnabled;
  std::vector<std::u16string> strings;
  uint64_t number = 0;
};

struct ParsedValue {
  bool ok = false;
  ConfigValue value;
  std::string error;  // "MaxVersions must be 1..9; got '12'"
};

// Case-insensitive lookup of a key the user typed; nullptr if none.
const fb::ConfigValueSpec* find_config_key(const std::string& name);

// `config set KEY VALUE`: lists are separated by ';' ("" clears; an empty entry is refused);
// sizes accept bytes or a KB/MB/GB/TB suffix (binary: 1 MB = 1048576 bytes); flags take
// 0/1/on/off/true/false/yes/no. Every entry is checked with fb::check_list_item and the rule
// compiler, so nothing is stored that the driver would drop.
ParsedValue parse_config_value(const fb::ConfigValueSpec& spec, const std::string& text);

// A protected folder as stored: a local drive path (`C:\...`), backslashes, upper-case drive
// letter, no trailing backslash except a drive root; refused with the reason otherwise.
struct FolderCheck {
  bool ok = false;
  std::u16string folder;  // normalized
  std::string error;
};
FolderCheck normalize_folder(const std::u16string& path);

// Edits the folder list in place (duplicates compare case-insensitively). True if it changed.
bool add_folder(std::vector<std::u16string>& folders, const std::u16string& normalized);
bool remove_folder(std::vector<std::u16string>& folders, const std::u16string& normalized);

// REG_MULTI_SZ: each string NUL-terminated, plus a final NUL. Empty strings are dropped.
std::u16string encode_multi_sz(const std::vector<std::u16string>& strings);
std::vector<std::u16string> decode_multi_sz(const char16_t* data, size_t units);

// The bytes of one value as RegQueryValueExW returned them (char16_t storage keeps a list
// 2-byte aligned, as the driver's parser wants).
struct StoredValue {
  bool present = false;
  uint32_t type = 0;
  std::vector<char16_t> data;
  uint32_t size = 0;  // bytes
};
struct StoredConfig {
  StoredValue values[fb::kConfigKeyCount];  // by fb::ConfigKey
  fb::RawConfig raw() const;                // views into `values`
};
// Builds the StoredValue for a value fbmon is about to write (tests, and show after set).
StoredValue stored_value(const ConfigValue& value);

// One value as the driver sees it.
struct ShownValue {
  const fb::ConfigValueSpec* spec = nullptr;
  bool present = false;
  bool valid = true;                 // false: the whole value is ignored (see problem)
  std::string problem;               // "REG_SZ, wrong registry type; using its default"
  uint64_t number = 0;               // scalars: the value in effect (the default when unset/invalid)
  std::vector<std::string> items;    // lists: the items in effect, UTF-8
  std::vector<std::string> ignored;  // lists: "item 2 '.doc*' has a wildcard; ..."
};
std::vector<ShownValue> describe_config(const StoredConfig& stored);

// `config show` as text, and as JSON Lines (one object per value).
std::string format_config(const StoredConfig& stored);
std::string format_config_json(const StoredConfig& stored);

// "104857600 bytes (100 MiB)", "3", "1 (backups on)", "C:\a; D:\b": a value in effect.
std::string format_config_value(const ConfigValue& value);

// The keys, their types, limits and defaults, for `fbmon config --help`.
std::string config_keys_help();
// docs/registry.md's "Values" table (Markdown), generated from the schema; a test checks the
// document holds exactly this.
std::string registry_values_table();

}  // namespace fbmon
