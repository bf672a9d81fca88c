#include "common/config/config_values.h"
#include "common/events/event.h"

namespace fb {
namespace {

constexpr uint32_t kDwordOnly = type_bit(reg::kDword);
constexpr uint32_t kByteCountTypes = type_bit(reg::kDword) | type_bit(reg::kQword);
constexpr uint32_t kListTypes = type_bit(reg::kMultiSz);
constexpr EngineConfig kEngineDefaults{};

// docs/registry.md's "Values" table is this table (RegistrySchema.DocumentedTableIsTheSchema).
constexpr ConfigValueSpec kSchema[kConfigKeyCount] = {
    {ConfigKey::kEnabled, Str16::lit(u"Enabled"), "Enabled", ValueShape::kFlag, kDwordOnly, reg::kDword, 0, 1,
     1, nullptr, "1: back up; 0: track nothing new, every decision reports skipped (disabled)", false},
    {ConfigKey::kMaxFileSize, Str16::lit(u"MaxFileSize"), "MaxFileSize", ValueShape::kByteCount, kByteCountTypes,
     reg::kQword, 1, UINT64_MAX, 256ull << 20, nullptr, "larger files are skipped (too large)", false},
    {ConfigKey::kMinFreeSpace, Str16::lit(u"MinFreeSpace"), "MinFreeSpace", ValueShape::kByteCount,
     kByteCountTypes, reg::kQword, 0, UINT64_MAX, 512ull << 20, nullptr,
     "a backup that would leave less free space on the volume is skipped (low disk space)", false},
    {ConfigKey::kMaxVersions, Str16::lit(u"MaxVersions"), "MaxVersions", ValueShape::kCount, kDwordOnly,
     reg::kDword, 1, kMaxBackupVersions, 1, nullptr,
     "backups kept per file, newest first; a valid lower value deletes the oldest at the next backup", true},
    {ConfigKey::kProtectedFolders, Str16::lit(u"ProtectedFolders"), "ProtectedFolders", ValueShape::kFolderPaths,
     kListTypes, reg::kMultiSz, 0, 0, 0, "none", "every file below each of these folders is protected", false},
    {ConfigKey::kFolderNames, Str16::lit(u"FolderNames"), "FolderNames", ValueShape::kFolderNames, kListTypes,
     reg::kMultiSz, 0, 0, 0, "documents; pictures",
     "every file below any folder with one of these names is protected", false},
    {ConfigKey::kIncludeExtensions, Str16::lit(u"IncludeExtensions"), "IncludeExtensions", ValueShape::kExtensions,
     kListTypes, reg::kMultiSz, 0, 0, 0, "every extension", "only these extensions are protected (empty: every one)",
     false},
    {ConfigKey::kExcludeExtensions, Str16::lit(u"ExcludeExtensions"), "ExcludeExtensions", ValueShape::kExtensions,
     kListTypes, reg::kMultiSz, 0, 0, 0, "none", "these extensions are never protected (wins over include)", false},
    // The vault (common/engine/vault.h): deleted protected files kept on their volume.
    {ConfigKey::kVaultMaxBytes, Str16::lit(u"VaultMaxBytes"), "VaultMaxBytes", ValueShape::kByteCount,
     kByteCountTypes, reg::kQword, 0, UINT64_MAX, 1ull << 30, nullptr,
     "deleted files kept per volume, oldest removed first above this total; 0: keep none (deletes lose their backups)",
     false},
    // At most ten years: hours in FILETIME units must fit an int64_t (87600 h = 3.2e18).
    {ConfigKey::kVaultMaxAgeHours, Str16::lit(u"VaultMaxAgeHours"), "VaultMaxAgeHours", ValueShape::kCount,
     kDwordOnly, reg::kDword, 1, kMaxVaultAgeHours, 7 * 24, nullptr,
     "a deleted file is kept this many hours, then removed", false},
    {ConfigKey::kVaultMaxFileSize, Str16::lit(u"VaultMaxFileSize"), "VaultMaxFileSize", ValueShape::kByteCount,
     kByteCountTypes, reg::kQword, 1, UINT64_MAX, 256ull << 20, nullptr,
     "a larger deleted file is not kept (its deletion is reported as backup lost: too large)", false},
};

constexpr bool rows_in_key_order() {
  for (uint32_t i = 0; i < kConfigKeyCount; ++i)
    if (static_cast<uint32_t>(kSchema[i].key) != i) return false;
  return true;
}
static_assert(rows_in_key_order(), "kSchema[i] describes ConfigKey i");
static_assert(kSchema[0].default_value == (kEngineDefaults.enabled ? 1u : 0u), "Enabled default");
static_assert(kSchema[1].default_value == kEngineDefaults.max_file_size, "MaxFileSize default");
static_assert(kSchema[2].default_value == kEngineDefaults.min_free_space, "MinFreeSpace default");
static_assert(kSchema[3].default_value == kEngineDefaults.max_versions, "MaxVersions default");
static_assert(kSchema[8].default_value == kEngineDefaults.vault_max_bytes, "VaultMaxBytes default");
static_assert(kSchema[9].default_value == kEngineDefaults.vault_max_age_hours, "VaultMaxAgeHours default");
static_assert(kSchema[10].default_value == kEngineDefaults.vault_max_file_size, "VaultMaxFileSize default");
static_assert(static_cast<int64_t>(kMaxVaultAgeHours) * 3600 * 10000000 > 0, "VaultMaxAgeHours in FILETIME units fits");

uint32_t read_u32(const void* data) {
  const uint8_t* b = static_cast<const uint8_t*>(data);
  return static_cast<uint32_t>(b[0]) | static_cast<uint32_t>(b[1]) << 8 |
         static_cast<uint32_t>(b[2]) << 16 | static_cast<uint32_t>(b[3]) << 24;
}

uint64_t read_u64(const void* data) {
  const uint8_t* b = static_cast<const uint8_t*>(data);
  return static_cast<uint64_t>(read_u32(b)) | static_cast<uint64_t>(read_u32(b + 4)) << 32;
}

void report(ConfigReports* reports, ConfigKey key, ValueProblem problem, uint32_t index = 0,
            RuleError rule_error = RuleError::kNone, ItemProblem item = ItemProblem::kNone) {
  if (reports != nullptr) reports->add(ValueReport{key, problem, rule_error, index, item});
}

// A scalar of any type the schema accepts for it: REG_DWORD is exactly 4 bytes, REG_QWORD 8.
ValueProblem read_number(const ConfigValueSpec& spec, const RawValue& value, uint64_t* out) {
  if (value.type >= 32 || (spec.accepted_types & type_bit(value.type)) == 0) return ValueProblem::kWrongType;
  const uint32_t size = value.type == reg::kQword ? 8 : 4;
  if (value.size != size || value.data == nullptr) return ValueProblem::kWrongSize;
  *out = size == 8 ? read_u64(value.data) : read_u32(value.data);
  if (*out < spec.min || *out > spec.max) return ValueProblem::kOutOfRange;
  return ValueProblem::kNone;
}

// Reads one scalar by its schema row and stores it or reports. Returns false when the value is
// present but invalid (the field is left as it was).
template <class T>
bool parse_scalar(const RawConfig& raw, ConfigKey key, T* field, ConfigReports* reports) {
  const RawValue& value = raw[key];
  if (!value.present) return true;
  uint64_t v = 0;
  const ValueProblem problem = read_number(config_spec(key), value, &v);
  if (problem != ValueProblem::kNone) {
    report(reports, key, problem);
    return false;
  }
  *field = static_cast<T>(v);
  return true;
}

bool ascii_equal_nocase(Str16 a, Str16 b) {
  if (a.len != b.len) return false;
  for (uint32_t i = 0; i < a.len; ++i) {
    char16_t x = a[i], y = b[i];
    if (x >= u'a' && x <= u'z') x = static_cast<char16_t>(x - 32);
    if (y >= u'a' && y <= u'z') y = static_cast<char16_t>(y - 32);
    if (x != y) return false;
  }
  return true;
}

bool is_wildcard(char16_t c) { return c == u'*' || c == u'?'; }
// Characters no NTFS name may hold (besides the path separator, which callers treat first).
bool is_forbidden(char16_t c) {
  return c < 0x20 || c == u'"' || c == u'/' || c == u':' || c == u'<' || c == u'>' || c == u'|' || c == u'\\';
}

// One name or extension (no path separators allowed).
ItemProblem check_name(Str16 name, bool extension, uint32_t offset, uint32_t* at) {
  for (uint32_t i = 0; i < name.len; ++i) {
    const char16_t c = name[i];
    ItemProblem p = ItemProblem::kNone;
    if (is_wildcard(c)) p = ItemProblem::kWildcard;
    else if (c == u';' || c == u',' || (extension && (c == u' ' || c == u'\t'))) p = ItemProblem::kSeparator;
    else if (is_forbidden(c)) p = ItemProblem::kForbiddenCharacter;
    else if (extension && c == u'.' && i > 0) p = ItemProblem::kInnerDot;
    if (p != ItemProblem::kNone) {
      *at = offset + i;
      return p;
    }
  }
  const Str16 bare = extension && name.len > 0 && name[0] == u'.' ? name.from(1) : name;
  if (bare.len == 0) return ItemProblem::kEmpty;
  if (!extension && (equal(name, Str16::lit(u".")) || equal(name, Str16::lit(u".."))))
    return ItemProblem::kDotName;
  if (bare.len > kMaxRuleNameUnits) return ItemProblem::kTooLong;
  return ItemProblem::kNone;
}

RuleList default_list(ConfigKey key) {
  if (key == ConfigKey::kFolderNames) return default_rule_config().folder_names;
  return RuleList{};
}

ConfigKey key_of(RuleListId list) {
  switch (list) {
    case RuleListId::kFolderNames: return ConfigKey::kFolderNames;
    case RuleListId::kFolderPaths: return ConfigKey::kProtectedFolders;
    case RuleListId::kIncludeExtensions: return ConfigKey::kIncludeExtensions;
    case RuleListId::kExcludeExtensions: return ConfigKey::kExcludeExtensions;
  }
  return ConfigKey::kProtectedFolders;
}

bool is_letter(char16_t c) { return (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z'); }

bool starts_with(Str16 s, Str16 prefix) {
  return s.len >= prefix.len && equal(s.sub(0, prefix.len), prefix);
}

}  // namespace

const ConfigValueSpec& config_spec(ConfigKey key) {
  const uint32_t i = static_cast<uint32_t>(key);
  return kSchema[i < kConfigKeyCount ? i : 0];
}

const ConfigValueSpec& config_spec_at(uint32_t index) { return kSchema[index < kConfigKeyCount ? index : 0]; }

const ConfigValueSpec* find_config_spec(Str16 name) {
  for (const ConfigValueSpec& spec : kSchema)
    if (ascii_equal_nocase(spec.name, name)) return &spec;
  return nullptr;
}

bool is_list(ValueShape shape) {
  return shape == ValueShape::kFolderPaths || shape == ValueShape::kFolderNames || shape == ValueShape::kExtensions;
}

const char* accepted_types_text(const ConfigValueSpec& spec) {
  if (spec.accepted_types == kByteCountTypes) return "REG_QWORD or REG_DWORD";
  if (spec.accepted_types == kListTypes) return "REG_MULTI_SZ";
  return "REG_DWORD";
}

const char* reg_type_name(uint32_t reg_type) {
  switch (reg_type) {
    case 0: return "REG_NONE";
    case reg::kSz: return "REG_SZ";
    case reg::kExpandSz: return "REG_EXPAND_SZ";
    case reg::kBinary: return "REG_BINARY";
    case reg::kDword: return "REG_DWORD";
    case 5: return "REG_DWORD_BIG_ENDIAN";
    case 6: return "REG_LINK";
    case reg::kMultiSz: return "REG_MULTI_SZ";
    case reg::kQword: return "REG_QWORD";
  }
  return "an unknown type";
}

Str16 config_value_name(ConfigKey key) { return config_spec(key).name; }

const char* config_key_text(ConfigKey key) { return config_spec(key).text; }

const char* invalid_value_outcome(ConfigKey key) {
  return config_spec(key).invalid_keeps_in_force ? "keeping the value in force (at load: its default)"
                                                 : "using its default";
}

const char* item_problem_text(ItemProblem problem) {
  switch (problem) {
    case ItemProblem::kNone: return "ok";
    case ItemProblem::kEmpty: return "is empty";
    case ItemProblem::kWildcard: return "has a wildcard; entries are matched exactly, list each one";
    case ItemProblem::kSeparator: return "has a separator inside; write one entry per item";
    case ItemProblem::kForbiddenCharacter: return "has a character NTFS does not allow in a name";
    case ItemProblem::kInnerDot: return "has a dot inside; an extension is what follows the last dot";
    case ItemProblem::kDotName: return "is . or ..";
    case ItemProblem::kTooLong: return "is longer than 255 characters";
    case ItemProblem::kNotDrivePath: return "is not a local drive path like C:\\folder";
  }
  return "is not accepted";
}

ItemProblem check_list_item(ConfigKey key, Str16 item, uint32_t* at) {
  *at = 0;
  const ValueShape shape = config_spec(key).shape;
  if (shape == ValueShape::kExtensions) return check_name(item, /*extension=*/true, 0, at);
  if (shape == ValueShape::kFolderNames) {
    if (item.len == 0) return ItemProblem::kEmpty;
    return check_name(item, /*extension=*/false, 0, at);
  }
  if (shape != ValueShape::kFolderPaths) return ItemProblem::kNone;
  if (item.len == 0) return ItemProblem::kEmpty;
  char16_t letter = 0;
  Str16 rest;
  if (split_drive_path(item, &letter, &rest) != ValueProblem::kNone) return ItemProblem::kNotDrivePath;
  const uint32_t base = item.len - rest.len;
  uint32_t start = 1;  // rest starts with `\`
  while (start <= rest.len) {
    uint32_t end = start;
    while (end < rest.len && rest[end] != u'\\') ++end;
    const Str16 part = rest.sub(start, end - start);
    if (part.len != 0) {  // `C:\` and a trailing `\` are fine
      const ItemProblem p = check_name(part, /*extension=*/false, base + start, at);
      if (p != ItemProblem::kNone) return p;
    }
    start = end + 1;
  }
  return ItemProblem::kNone;
}

const char* value_problem_text(ValueProblem problem) {
  switch (problem) {
    case ValueProblem::kNone: return "ok";
    case ValueProblem::kWrongType: return "wrong registry type";
    case ValueProblem::kWrongSize: return "wrong data size";
    case ValueProblem::kOutOfRange: return "out of range";
    case ValueProblem::kNotTerminated: return "REG_MULTI_SZ not NUL-terminated";
    case ValueProblem::kEmptyItem: return "empty string inside REG_MULTI_SZ";
    case ValueProblem::kTooManyItems: return "too many items";
    case ValueProblem::kValueTooLarge: return "value too large";
    case ValueProblem::kMisaligned: return "misaligned data";
    case ValueProblem::kReadFailed: return "could not be read";
    case ValueProblem::kRulesRejected: return "rules too large to compile";
    case ValueProblem::kInvalidItem: return "invalid item";
    case ValueProblem::kNotDrivePath: return "not a drive path like C:\\folder";
    case ValueProblem::kDriveNotResolved: return "drive letter not found";
    case ValueProblem::kPathTooLong: return "path too long";
  }
  return "unknown problem";
}

void ConfigReports::add(const ValueReport& report) {
  if (count_ < kCapacity) items_[count_++] = report;
  else ++lost_;
}

const ValueReport* ConfigReports::find(ConfigKey key) const {
  for (uint32_t i = 0; i < count_; ++i)
    if (items_[i].key == key) return &items_[i];
  return nullptr;
}

EngineConfig parse_engine_config(const RawConfig& raw, const EngineConfig& in_force, ConfigReports* reports) {
  EngineConfig config;
  uint32_t enabled = config.enabled ? 1 : 0;
  parse_scalar(raw, ConfigKey::kEnabled, &enabled, reports);
  config.enabled = enabled != 0;
  parse_scalar(raw, ConfigKey::kMaxFileSize, &config.max_file_size, reports);
  parse_scalar(raw, ConfigKey::kMinFreeSpace, &config.min_free_space, reports);
  if (!parse_scalar(raw, ConfigKey::kMaxVersions, &config.max_versions, reports)) {
    const EngineConfig kept = sanitize_config(in_force);  // the value in force stays, flag included
    config.max_versions = kept.max_versions;
    config.trim_versions = kept.trim_versions;
  } else {
    config.trim_versions = raw[ConfigKey::kMaxVersions].present;
  }
  parse_scalar(raw, ConfigKey::kVaultMaxBytes, &config.vault_max_bytes, reports);
  parse_scalar(raw, ConfigKey::kVaultMaxAgeHours, &config.vault_max_age_hours, reports);
  parse_scalar(raw, ConfigKey::kVaultMaxFileSize, &config.vault_max_file_size, reports);
  return config;
}

uint32_t list_item_bound(const RawValue& value) {
  if (!value.present || value.type != reg::kMultiSz || value.data == nullptr) return 0;
  const uint32_t units = value.size / 2;
  const uint8_t* bytes = static_cast<const uint8_t*>(value.data);
  uint32_t bound = 1;  // a last string without NUL
  for (uint32_t i = 0; i < units && bound <= kMaxRulesPerList; ++i)
    if (bytes[2 * i] == 0 && bytes[2 * i + 1] == 0) ++bound;
  return bound;
}

ValueProblem split_multi_sz(const RawValue& value, Str16* storage, uint32_t capacity, uint32_t* count) {
  *count = 0;
  if (value.type != reg::kMultiSz) return ValueProblem::kWrongType;
  if (value.size > kMaxValueBytes) return ValueProblem::kValueTooLarge;
  if (value.size == 0) return ValueProblem::kNone;
  if (value.data == nullptr) return ValueProblem::kWrongSize;
  if (value.size % 2 != 0) return ValueProblem::kNotTerminated;
  if (reinterpret_cast<uintptr_t>(value.data) % alignof(char16_t) != 0) return ValueProblem::kMisaligned;
  const Str16 text(static_cast<const char16_t*>(value.data), value.size / 2);
  if (text[text.len - 1] != 0) return ValueProblem::kNotTerminated;

  uint32_t n = 0;
  uint32_t start = 0;
  while (start < text.len) {
    uint32_t end = start;
    while (text[end] != 0) ++end;  // stops at the final NUL at the latest
    if (end == start) {
      // An empty string is the list terminator only if nothing but NULs follows it.
      for (uint32_t i = start; i < text.len; ++i)
        if (text[i] != 0) return ValueProblem::kEmptyItem;
      break;
    }
    if (n == capacity) return ValueProblem::kTooManyItems;  // capacity: list_item_bound or less
    storage[n++] = text.sub(start, end - start);
    start = end + 1;
  }
  if (n > kMaxRulesPerList) return ValueProblem::kTooManyItems;
  *count = n;
  return ValueProblem::kNone;
}

RuleList parse_list(const RawConfig& raw, ConfigKey key, Str16* storage, uint32_t capacity,
                    ConfigReports* reports) {
  const RawValue& value = raw[key];
  if (!value.present) return default_list(key);
  uint32_t count = 0;
  const ValueProblem problem = split_multi_sz(value, storage, capacity, &count);
  if (problem != ValueProblem::kNone) {
    report(reports, key, problem);
    return default_list(key);
  }
  return RuleList{storage, count};
}

uint32_t drop_invalid_rules(RuleListId list, ConfigKey key, Str16* items, uint32_t count,
                            ConfigReports* reports) {
  uint32_t kept = 0;
  for (uint32_t i = 0; i < count; ++i) {
    // Folder paths are NT paths by now; their Win32 form was checked by resolve_protected_folders.
    if (list != RuleListId::kFolderPaths) {
      uint32_t at = 0;
      const ItemProblem item = check_list_item(key, items[i], &at);
      if (item != ItemProblem::kNone) {
        report(reports, key, ValueProblem::kInvalidItem, i, RuleError::kNone, item);
        continue;
      }
    }
    // One implementation of "what is a valid rule": ask the compiler about this item alone.
    RuleConfig one;
    RuleList* lists[] = {&one.folder_names, &one.folder_paths, &one.include_extensions,
                         &one.exclude_extensions};
    *lists[static_cast<uint32_t>(list)] = RuleList{&items[i], 1};
    size_t bytes = 0;
    const RuleStatus status = rules_storage_size(one, &bytes);
    if (!status.ok()) {
      report(reports, key, ValueProblem::kInvalidItem, i, status.error);
      continue;
    }
    items[kept++] = items[i];
  }
  return kept;
}

ValueProblem split_drive_path(Str16 path, char16_t* drive_letter, Str16* rest) {
  // `\\?\` (Win32 "no parsing") and `\??\` (its NT spelling) both name the same drive letters.
  if (starts_with(path, Str16::lit(u"\\\\?\\")) || starts_with(path, Str16::lit(u"\\??\\")))
    path = path.from(4);
  if (path.len < 3 || !is_letter(path[0]) || path[1] != u':' || path[2] != u'\\')
    return ValueProblem::kNotDrivePath;
  for (uint32_t i = 0; i < path.len; ++i)
    if (path[i] == u'/' || path[i] == 0) return ValueProblem::kNotDrivePath;
  const char16_t letter = path[0];
  *drive_letter = (letter >= u'a') ? static_cast<char16_t>(letter - (u'a' - u'A')) : letter;
  *rest = path.from(2);
  return ValueProblem::kNone;
}

ValueProblem join_device_path(Str16 device, Str16 rest, char16_t* out, uint32_t capacity, uint32_t* len) {
  const uint64_t total = static_cast<uint64_t>(device.len) + rest.len;
  if (total > kMaxPathUnits || total > capacity) return ValueProblem::kPathTooLong;
  for (uint32_t i = 0; i < device.len; ++i) out[i] = device[i];
  for (uint32_t i = 0; i < rest.len; ++i) out[device.len + i] = rest[i];
  *len = static_cast<uint32_t>(total);
  return ValueProblem::kNone;
}

uint64_t protected_folders_units(const Str16* win32_paths, uint32_t count) {
  uint64_t units = 0;
  for (uint32_t i = 0; i < count; ++i) units += kMaxDeviceNameUnits + win32_paths[i].len;
  return units;
}

uint32_t resolve_protected_folders(const Str16* win32_paths, uint32_t count, DriveResolver& drives,
                                   char16_t* text, uint64_t text_capacity, Str16* out_items,
                                   ConfigReports* reports) {
  uint32_t produced = 0;
  uint64_t used = 0;
  for (uint32_t i = 0; i < count; ++i) {
    char16_t letter = 0;
    Str16 rest;
    if (split_drive_path(win32_paths[i], &letter, &rest) != ValueProblem::kNone) {
      report(reports, ConfigKey::kProtectedFolders, ValueProblem::kNotDrivePath, i);
      continue;
    }
    uint32_t at = 0;
    const ItemProblem item = check_list_item(ConfigKey::kProtectedFolders, win32_paths[i], &at);
    if (item != ItemProblem::kNone) {
      report(reports, ConfigKey::kProtectedFolders, ValueProblem::kInvalidItem, i, RuleError::kNone, item);
      continue;
    }
    Str16 device;
    if (!drives.resolve(letter, &device) || device.len == 0 || device.len > kMaxDeviceNameUnits) {
      report(reports, ConfigKey::kProtectedFolders, ValueProblem::kDriveNotResolved, i);
      continue;
    }
    const uint64_t room = text_capacity - used;
    uint32_t len = 0;
    if (join_device_path(device, rest, text + used, room > kMaxPathUnits ? kMaxPathUnits : static_cast<uint32_t>(room),
                         &len) != ValueProblem::kNone) {
      report(reports, ConfigKey::kProtectedFolders, ValueProblem::kPathTooLong, i);
      continue;
    }
    out_items[produced++] = Str16(text + used, len);
    used += len;
  }
  return produced;
}

RuleConfig finish_rule_config(const RuleConfig& lists, ConfigReports* reports, size_t* bytes) {
  const RuleStatus status = rules_storage_size(lists, bytes);
  if (status.ok()) return lists;
  report(reports, key_of(status.list), ValueProblem::kRulesRejected, status.index, status.error);
  const RuleConfig fallback = default_rule_config();
  rules_storage_size(fallback, bytes);
  return fallback;
}

uint32_t total_rules(const RuleSet& rules) {
  return rules.rule_count(RuleListId::kFolderNames) + rules.rule_count(RuleListId::kFolderPaths) +
         rules.rule_count(RuleListId::kIncludeExtensions) + rules.rule_count(RuleListId::kExcludeExtensions);
}

}  // namespace fb
