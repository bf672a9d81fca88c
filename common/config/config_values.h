// The registry values under HKLM\SYSTEM\CurrentControlSet\Services\FileBackup\Parameters,
// turned into the engine's configuration (EngineConfig) and the rule compiler's input
// (RuleConfig). docs/registry.md is the user-facing reference of every value.
//
// Pure: the driver reads the raw bytes (ZwQueryValueKey) and resolves drive letters; this file
// decides what the bytes mean. The policy, in one sentence: a configuration problem never fails
// a load. An absent value takes its default silently; a malformed value (wrong type, wrong
// size, out of range, a REG_MULTI_SZ that is not terminated, has an empty string inside or too
// many items) is reported and replaced by its default; an invalid item of a well-formed list
// (a folder name with `\`, a path that is not `X:\...`) is reported and dropped, the rest of
// the list kept. Reports go to the caller's ConfigReports, which the driver traces.
//
// Lists are views: every Str16 produced points into the RawValue bytes (or into static
// defaults), so those bytes must outlive the RuleConfig until compile_rules has copied them.
#pragma once

#include "common/engine/config.h"
#include "common/events/event.h"
#include "common/base/fb_base.h"
#include "common/paths/rules.h"

namespace fb {

// Registry value types (REG_* in winnt.h).
namespace reg {
constexpr uint32_t kSz = 1;
constexpr uint32_t kExpandSz = 2;
constexpr uint32_t kBinary = 3;
constexpr uint32_t kDword = 4;
constexpr uint32_t kMultiSz = 7;
constexpr uint32_t kQword = 11;
}  // namespace reg

// Indexes of RawConfig and of the schema below; the schema's order is the display order.
enum class ConfigKey : uint8_t {
  kEnabled = 0,
  kMaxFileSize = 1,
  kMinFreeSpace = 2,
  kMaxVersions = 3,
  kProtectedFolders = 4,
  kFolderNames = 5,
  kIncludeExtensions = 6,
  kExcludeExtensions = 7,
  kVaultMaxBytes = 8,
  kVaultMaxAgeHours = 9,
  kVaultMaxFileSize = 10,
};
constexpr uint32_t kConfigKeyCount = 11;

// What a value holds, which decides how it is parsed, checked and shown.
enum class ValueShape : uint8_t {
  kFlag,         // 0 or 1
  kByteCount,    // bytes, min..max
  kCount,        // a number, min..max
  kFolderPaths,  // REG_MULTI_SZ of Win32 folder paths `C:\Users\me\Documents`
  kFolderNames,  // REG_MULTI_SZ of folder names
  kExtensions,   // REG_MULTI_SZ of extensions (`docx` or `.docx`)
};

constexpr uint32_t type_bit(uint32_t reg_type) { return 1u << reg_type; }

// THE configuration schema: one row per registry value. The driver's parser
// (parse_engine_config, parse_list), `fbmon config` (monitor/lib/config) and docs/registry.md
// (checked by a test) all read it; nothing else spells a name, type, limit or default.
struct ConfigValueSpec {
  ConfigKey key;
  Str16 name;                  // registry value name, for ZwQueryValueKey / RegSetValueExW
  const char* text;            // the same name as a C string
  ValueShape shape;
  uint32_t accepted_types;     // type_bit(reg::k*) of every type the driver reads
  uint32_t written_type;       // what fbmon writes
  uint64_t min;                // scalars: smallest valid value
  uint64_t max;                // scalars: largest valid value
  uint64_t default_value;      // scalars: used when absent (== EngineConfig's, static_assert)
  const char* default_text;    // lists: what absent means
  const char* help;            // one line for `fbmon config show`, --help and docs/registry.md
  bool invalid_keeps_in_force; // an invalid value keeps the value in force instead of the default
};

// The row of `key`; the row of Enabled for an out-of-range key.
const ConfigValueSpec& config_spec(ConfigKey key);
// Row i (0 .. kConfigKeyCount-1), in display order.
const ConfigValueSpec& config_spec_at(uint32_t index);
// Case-insensitive lookup by name (ASCII, as the registry compares these names); nullptr if none.
const ConfigValueSpec* find_config_spec(Str16 name);
bool is_list(ValueShape shape);
// "REG_DWORD", "REG_QWORD or REG_DWORD", "REG_MULTI_SZ".
const char* accepted_types_text(const ConfigValueSpec& spec);
// "REG_SZ", "REG_BINARY", ... for messages; "type N" text is the caller's for unknown types.
const char* reg_type_name(uint32_t reg_type);

// The registry value name ("Enabled", "ProtectedFolders", ...), for ZwQueryValueKey.
Str16 config_value_name(ConfigKey key);
// The same as a C string, for traces.
const char* config_key_text(ConfigKey key);

// ---- list items -------------------------------------------------------------------------------
// Why one item of a list value is refused, before the rule compiler sees it: what no file
// name can match (a wildcard, a character NTFS forbids) or what is clearly two items typed as
// one (a separator). Both the driver (which drops the item) and fbmon (which refuses to store
// it) ask here.
enum class ItemProblem : uint8_t {
  kNone = 0,
  kEmpty = 1,               // "" ("." for an extension)
  kWildcard = 2,            // `*` or `?`: rules match exact names, never patterns
  kSeparator = 3,           // `;` or `,` (and, in an extension, a blank): two entries typed as one
  kForbiddenCharacter = 4,  // a character NTFS forbids in a name: control, `" / : < > \ |`
  kInnerDot = 5,            // an extension with a `.` after its first character (`tar.gz`)
  kDotName = 6,             // `.` or `..` as a name or path component
  kTooLong = 7,             // a name or extension over kMaxRuleNameUnits
  kNotDrivePath = 8,        // ProtectedFolders: not `X:\...`
};
const char* item_problem_text(ItemProblem problem);  // "has a wildcard", ...; never null

// Checks one item of the list value `key` as a user or the registry gives it. *at receives the
// offending unit's index (kWildcard, kSeparator, kForbiddenCharacter, kInnerDot), else 0.
ItemProblem check_list_item(ConfigKey key, Str16 item, uint32_t* at);

// Largest value the driver reads: 1 MiB is far above 4096 rules of any sane length and keeps a
// hostile value from costing more than that much nonpaged pool for a moment.
constexpr uint32_t kMaxValueBytes = 1u << 20;

// One value as ZwQueryValueKey (KEY_VALUE_PARTIAL_INFORMATION) returned it.
struct RawValue {
  bool present = false;  // false: the value (or the whole key) does not exist
  uint32_t type = 0;     // reg::k*
  const void* data = nullptr;
  uint32_t size = 0;     // bytes of data
};

// All values, indexed by ConfigKey. Default-constructed: the key is absent.
struct RawConfig {
  RawValue values[kConfigKeyCount];
  const RawValue& operator[](ConfigKey key) const { return values[static_cast<uint32_t>(key)]; }
  RawValue& operator[](ConfigKey key) { return values[static_cast<uint32_t>(key)]; }
};

enum class ValueProblem : uint8_t {
  kNone = 0,
  // The whole value is replaced by its default:
  kWrongType = 1,       // e.g. REG_SZ where a REG_DWORD belongs
  kWrongSize = 2,       // a DWORD that is not 4 bytes, a QWORD not 4 or 8
  kOutOfRange = 3,      // Enabled not 0/1, MaxVersions outside 1..9, MaxFileSize 0
  kNotTerminated = 4,   // REG_MULTI_SZ whose last string has no NUL (or odd byte count)
  kEmptyItem = 5,       // REG_MULTI_SZ with an empty string before its end
  kTooManyItems = 6,    // more than kMaxRulesPerList items
  kValueTooLarge = 7,   // over kMaxValueBytes (the driver does not read it)
  kMisaligned = 8,      // list data not 2-byte aligned (a driver bug, not a user error)
  kReadFailed = 9,      // the driver could not read the value (status in the trace)
  kRulesRejected = 10,  // the rules together exceed kMaxRuleStorageBytes: default rules used
  // Only the item at `index` is dropped:
  kInvalidItem = 32,       // fails the rule compiler's check (see rule_error)
  kNotDrivePath = 33,      // ProtectedFolders: not `X:\...` (UNC, relative, forward slashes)
  kDriveNotResolved = 34,  // ProtectedFolders: no such drive letter, or not a local volume
  kPathTooLong = 35,       // ProtectedFolders: longer than kMaxPathUnits once resolved
};

// True when the problem drops one item rather than replacing the whole value.
constexpr bool is_item_problem(ValueProblem problem) { return static_cast<uint8_t>(problem) >= 32; }

// "wrong type", "not terminated", ...; never null.
const char* value_problem_text(ValueProblem problem);

struct ValueReport {
  ConfigKey key = ConfigKey::kEnabled;
  ValueProblem problem = ValueProblem::kNone;
  RuleError rule_error = RuleError::kNone;  // with kInvalidItem: what the rule compiler said
  uint32_t index = 0;                       // item problems: position in the list as stored
  ItemProblem item_problem = ItemProblem::kNone;  // with kInvalidItem: what check_list_item said
};

// What happens to the whole value after a whole-value problem of `key`: "using its default" or
// "keeping the value in force"; for traces and `fbmon config show`.
const char* invalid_value_outcome(ConfigKey key);

// The problems found while reading one configuration, in order; the first kCapacity are kept,
// the rest only counted (a value with 10000 bad items must not flood the log).
class ConfigReports {
 public:
  static constexpr uint32_t kCapacity = 32;
  void add(const ValueReport& report);
  uint32_t count() const { return count_; }   // kept
  uint32_t lost() const { return lost_; }     // not kept
  uint32_t total() const { return count_ + lost_; }
  const ValueReport& operator[](uint32_t i) const { return items_[i]; }
  // First report about `key`, or nullptr.
  const ValueReport* find(ConfigKey key) const;

 private:
  ValueReport items_[kCapacity];
  uint32_t count_ = 0;
  uint32_t lost_ = 0;
};

// ---- scalars ----------------------------------------------------------------------------------
// Enabled, MaxFileSize, MinFreeSpace, MaxVersions, VaultMaxBytes, VaultMaxAgeHours,
// VaultMaxFileSize. An absent value takes its EngineConfig
// default; an invalid one is reported and the value `in_force` holds stays (at load, pass the
// defaults: EngineConfig()). Only a MaxVersions read valid from the registry sets
// trim_versions; an invalid one keeps in_force's count and flag, so a registry typo never makes
// a backup delete versions. The result is what sanitize_config would leave unchanged.
EngineConfig parse_engine_config(const RawConfig& raw, const EngineConfig& in_force, ConfigReports* reports);
inline EngineConfig parse_engine_config(const RawConfig& raw, ConfigReports* reports) {
  return parse_engine_config(raw, EngineConfig(), reports);
}

// ---- lists ----------------------------------------------------------------------------------
// How many Str16 a list value can yield at most (so the driver can size `storage`); counts
// one more than kMaxRulesPerList at most, which is enough to detect kTooManyItems.
uint32_t list_item_bound(const RawValue& value);

// Splits a REG_MULTI_SZ into views of its strings. Accepted: an empty value (0 bytes), strings
// each ended by NUL, then optionally more NULs (the list terminator; a missing one is accepted
// since the end is unambiguous). kOk = kNone.
ValueProblem split_multi_sz(const RawValue& value, Str16* storage, uint32_t capacity, uint32_t* count);

// The list value of `key` (ProtectedFolders, FolderNames, Include/ExcludeExtensions), split into
// `storage` (capacity from list_item_bound). Absent or malformed: the default (FolderNames:
// documents, pictures; the others: empty), with a report for a malformed one. Items are NOT
// checked here: see drop_invalid_rules and resolve_protected_folders.
RuleList parse_list(const RawConfig& raw, ConfigKey key, Str16* storage, uint32_t capacity,
                    ConfigReports* reports);

// Keeps, in order, the items of `items[0..count)` the rule compiler accepts for `list`;
// reports each dropped one under `key` with its original index. Returns the new count.
uint32_t drop_invalid_rules(RuleListId list, ConfigKey key, Str16* items, uint32_t count,
                            ConfigReports* reports);

// ---- ProtectedFolders: Win32 paths to the NT names the driver sees -----------------------------
// `C:\Users\me\Documents` -> drive 'C' and rest `\Users\me\Documents`. Also accepted: a lower-case
// letter, `C:\` (the whole volume), a trailing backslash, and the `\\?\C:\` and `\??\C:\`
// prefixes. kNotDrivePath for anything else (UNC `\\server\share`, `C:relative`, `C:`, `/`).
ValueProblem split_drive_path(Str16 path, char16_t* drive_letter, Str16* rest);

// `\Device\HarddiskVolume3` + `\Users\me\Documents` into out[0..*len). kPathTooLong when the
// result would exceed kMaxPathUnits or `capacity` (out untouched then).
ValueProblem join_device_path(Str16 device, Str16 rest, char16_t* out, uint32_t capacity, uint32_t* len);

// Resolves one drive letter ('A'..'Z') to its device name (`\Device\HarddiskVolume3`); returns
// false when the letter has no local volume. The driver implements it with the `\??\C:`
// symbolic link; tests with a table.
class DriveResolver {
 public:
  virtual bool resolve(char16_t drive_letter, Str16* device) = 0;

 protected:
  DriveResolver() = default;
  ~DriveResolver() = default;
};

// Units of `out` resolve_protected_folders needs at most for these Win32 paths, given the
// longest device name it may meet (kMaxDeviceNameUnits covers every real one).
constexpr uint32_t kMaxDeviceNameUnits = 256;
uint64_t protected_folders_units(const Str16* win32_paths, uint32_t count);

// Turns Win32 folder paths into NT folder-path rules: each item split, resolved and joined into
// `text` (capacity from protected_folders_units), the views stored in `out_items` (capacity
// >= count). Items that fail any step are reported (kNotDrivePath, kDriveNotResolved,
// kPathTooLong) with their index and dropped. Returns how many items were produced.
uint32_t resolve_protected_folders(const Str16* win32_paths, uint32_t count, DriveResolver& drives,
                                   char16_t* text, uint64_t text_capacity, Str16* out_items,
                                   ConfigReports* reports);

// The rule compiler's input, final: the lists (already filtered), or the default rules with a
// kRulesRejected report when together they would not compile (too large). *bytes receives
// rules_storage_size of the result.
RuleConfig finish_rule_config(const RuleConfig& lists, ConfigReports* reports, size_t* bytes);

// Rules across all lists of a compiled set (statistics, traces).
uint32_t total_rules(const RuleSet& rules);

}  // namespace fb
