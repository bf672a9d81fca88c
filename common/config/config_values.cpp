#include "common/config/config_values.h"
#include "common/events/event.h"

namespace fb {
namespace {

constexpr Str16 kValueNames[kConfigKeyCount] = {
    Str16::lit(u"Enabled"),          Str16::lit(u"MaxFileSize"),
    Str16::lit(u"MinFreeSpace"),     Str16::lit(u"MaxVersions"),
    Str16::lit(u"ProtectedFolders"), Str16::lit(u"FolderNames"),
    Str16::lit(u"IncludeExtensions"), Str16::lit(u"ExcludeExtensions"),
};

constexpr const char* kKeyTexts[kConfigKeyCount] = {
    "Enabled",          "MaxFileSize", "MinFreeSpace",      "MaxVersions",
    "ProtectedFolders", "FolderNames", "IncludeExtensions", "ExcludeExtensions",
};

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
            RuleError rule_error = RuleError::kNone) {
  if (reports != nullptr) reports->add(ValueReport{key, problem, rule_error, index});
}

// A REG_DWORD. Nothing but the exact type and size is accepted.
ValueProblem read_dword(const RawValue& value, uint32_t* out) {
  if (value.type != reg::kDword) return ValueProblem::kWrongType;
  if (value.size != 4 || value.data == nullptr) return ValueProblem::kWrongSize;
  *out = read_u32(value.data);
  return ValueProblem::kNone;
}

// A byte count: REG_QWORD, or REG_DWORD because `reg add /t REG_DWORD` is what people type.
ValueProblem read_byte_count(const RawValue& value, uint64_t* out) {
  if (value.type == reg::kDword) {
    uint32_t v = 0;
    const ValueProblem problem = read_dword(value, &v);
    *out = v;
    return problem;
  }
  if (value.type != reg::kQword) return ValueProblem::kWrongType;
  if (value.size != 8 || value.data == nullptr) return ValueProblem::kWrongSize;
  *out = read_u64(value.data);
  return ValueProblem::kNone;
}

// Reads one scalar with `read`, checks it with `valid`, and stores it or reports. Returns
// false when the value is present but invalid (the field is left as it was).
template <class T, class Read, class Valid>
bool parse_scalar(const RawConfig& raw, ConfigKey key, Read read, Valid valid, T* field,
                  ConfigReports* reports) {
  const RawValue& value = raw[key];
  if (!value.present) return true;
  auto v = *field;
  ValueProblem problem = read(value, &v);
  if (problem == ValueProblem::kNone && !valid(v)) problem = ValueProblem::kOutOfRange;
  if (problem != ValueProblem::kNone) {
    report(reports, key, problem);
    return false;
  }
  *field = static_cast<T>(v);
  return true;
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

Str16 config_value_name(ConfigKey key) {
  const uint32_t i = static_cast<uint32_t>(key);
  return i < kConfigKeyCount ? kValueNames[i] : Str16();
}

const char* config_key_text(ConfigKey key) {
  const uint32_t i = static_cast<uint32_t>(key);
  return i < kConfigKeyCount ? kKeyTexts[i] : "unknown";
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
  parse_scalar(raw, ConfigKey::kEnabled, read_dword, [](uint32_t v) { return v <= 1; }, &enabled,
               reports);
  config.enabled = enabled != 0;
  parse_scalar(raw, ConfigKey::kMaxFileSize, read_byte_count, [](uint64_t v) { return v >= 1; },
               &config.max_file_size, reports);
  parse_scalar(raw, ConfigKey::kMinFreeSpace, read_byte_count, [](uint64_t) { return true; },
               &config.min_free_space, reports);
  if (!parse_scalar(raw, ConfigKey::kMaxVersions, read_dword,
                    [](uint32_t v) { return v >= 1 && v <= kMaxBackupVersions; }, &config.max_versions,
                    reports)) {
    const EngineConfig kept = sanitize_config(in_force);  // the value in force stays, flag included
    config.max_versions = kept.max_versions;
    config.trim_versions = kept.trim_versions;
  } else {
    config.trim_versions = raw[ConfigKey::kMaxVersions].present;
  }
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
