#include "monitor/lib/config.h"

#include <stdlib.h>

#include "common/config/config_values.h"
#include "common/engine/config.h"
#include "common/paths/rules.h"
#include "monitor/lib/text.h"

namespace fbmon {

const std::vector<KeyInfo>& config_keys() {
  static const std::vector<KeyInfo> kKeys = {
      {ConfigKey::kProtectedFolders, "ProtectedFolders", ValueKind::kMultiString,
       "folders whose files are backed up (Win32 paths)", "folders named by FolderNames"},
      {ConfigKey::kFolderNames, "FolderNames", ValueKind::kMultiString,
       "folder names protected wherever they occur", "documents; pictures"},
      {ConfigKey::kIncludeExtensions, "IncludeExtensions", ValueKind::kMultiString,
       "only files with these extensions (empty: all)", "all extensions"},
      {ConfigKey::kExcludeExtensions, "ExcludeExtensions", ValueKind::kMultiString,
       "never files with these extensions", "none"},
      {ConfigKey::kMaxFileSize, "MaxFileSize", ValueKind::kQword,
       "larger files are skipped (bytes)", nullptr},
      {ConfigKey::kMinFreeSpace, "MinFreeSpace", ValueKind::kQword,
       "skip a backup that would leave less free space (bytes)", nullptr},
      {ConfigKey::kMaxVersions, "MaxVersions", ValueKind::kDword,
       "backups kept per file, 1..9", nullptr},
      {ConfigKey::kEnabled, "Enabled", ValueKind::kDword,
       "1: back up, 0: only watch", nullptr},
  };
  return kKeys;
}

const KeyInfo* find_config_key(const std::string& name) {
  for (const KeyInfo& k : config_keys())
    if (name.size() == std::char_traits<char>::length(k.name) && contains_ascii_nocase(k.name, name)) return &k;
  return nullptr;
}

const KeyInfo& config_key_info(ConfigKey key) {
  for (const KeyInfo& k : config_keys())
    if (k.key == key) return k;
  return config_keys().front();
}

namespace {

std::string lower_ascii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return s;
}

std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) items.push_back(item);
    start = end + 1;
  }
  return items;
}

// "100MB" -> 104857600. False on anything else, including overflow.
bool parse_size(const std::string& text, uint64_t& bytes) {
  const std::string t = lower_ascii(trim(text));
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  if (digits == 0 || digits > 20) return false;
  const std::string suffix = trim(t.substr(digits));
  static const struct { const char* suffix; int shift; } kSuffixes[] = {
      {"", 0}, {"b", 0}, {"k", 10}, {"kb", 10}, {"kib", 10}, {"m", 20}, {"mb", 20}, {"mib", 20},
      {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40}, {"tb", 40}, {"tib", 40}};
  int shift = -1;
  for (const auto& s : kSuffixes)
    if (suffix == s.suffix) shift = s.shift;
  if (shift < 0) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const uint64_t d = static_cast<uint64_t>(t[i] - '0');
    if (value > (UINT64_MAX - d) / 10) return false;
    value = value * 10 + d;
  }
  if (shift > 0 && value > (UINT64_MAX >> shift)) return false;
  bytes = value << shift;
  return true;
}

ParsedValue fail(std::string error) {
  ParsedValue p;
  p.error = std::move(error);
  return p;
}

const char* rule_problem(fb::RuleError error) {
  switch (error) {
    case fb::RuleError::kEmptyRule: return "is empty";
    case fb::RuleError::kInvalidCharacter: return "has a character it cannot have (\\, :, or a dot inside an extension)";
    case fb::RuleError::kRuleTooLong: return "is too long";
    case fb::RuleError::kPathMalformed: return "is . or .. or has an empty part";
    default: return "is not accepted by the driver";
  }
}

// The driver's own rule check (rules_storage_size), one item at a time, so fbmon refuses
// exactly what the driver would drop.
fb::RuleError check_rule(ConfigKey key, const std::u16string& item) {
  const fb::Str16 one = view(item);
  fb::RuleConfig config;
  const fb::RuleList list{&one, 1};
  if (key == ConfigKey::kFolderNames) config.folder_names = list;
  else if (key == ConfigKey::kIncludeExtensions) config.include_extensions = list;
  else config.exclude_extensions = list;
  size_t bytes = 0;
  return fb::rules_storage_size(config, &bytes).error;
}

ParsedValue parse_strings(const KeyInfo& key, const std::string& text) {
  ParsedValue p;
  p.value.kind = ValueKind::kMultiString;
  for (const std::string& item : split_list(text)) {
    if (key.key == ConfigKey::kProtectedFolders) {
      const FolderCheck f = normalize_folder(to_utf16(item));
      if (!f.ok) return fail(f.error);
      add_folder(p.value.strings, f.folder);
      continue;
    }
    std::u16string value = to_utf16(item);
    const bool extension = key.key != ConfigKey::kFolderNames;
    // Extensions are stored with their dot and in lower case, so ".DOCX", "docx" and ".docx" are one.
    if (extension) value = to_utf16("." + lower_ascii(item[0] == '.' ? item.substr(1) : item));
    const fb::RuleError error = check_rule(key.key, value);
    if (error != fb::RuleError::kNone)
      return fail(std::string(key.name) + ": '" + item + "' " + rule_problem(error));
    p.value.strings.push_back(value);
  }
  p.ok = true;
  return p;
}

}  // namespace

ParsedValue parse_config_value(const KeyInfo& key, const std::string& text) {
  ParsedValue p;
  switch (key.key) {
    case ConfigKey::kProtectedFolders:
    case ConfigKey::kFolderNames:
    case ConfigKey::kIncludeExtensions:
    case ConfigKey::kExcludeExtensions:
      return parse_strings(key, text);
    case ConfigKey::kMaxFileSize:
    case ConfigKey::kMinFreeSpace: {
      uint64_t bytes = 0;
      if (!parse_size(text, bytes))
        return fail(std::string(key.name) + " takes a size in bytes or with KB/MB/GB/TB; got '" + text + "'");
      if (key.key == ConfigKey::kMaxFileSize && bytes == 0)
        return fail("MaxFileSize 0 would skip every file; use `fbmon config set Enabled 0` to stop backups");
      p.value.kind = ValueKind::kQword;
      p.value.number = bytes;
      break;
    }
    case ConfigKey::kMaxVersions: {
      const std::string t = trim(text);
      if (t.size() != 1 || t[0] < '0' + static_cast<int>(kMinVersions) || t[0] > '0' + static_cast<int>(kMaxVersionsLimit))
        return fail("MaxVersions must be 1..9; got '" + text + "'");
      p.value.kind = ValueKind::kDword;
      p.value.number = static_cast<uint64_t>(t[0] - '0');
      break;
    }
    case ConfigKey::kEnabled: {
      const std::string t = lower_ascii(trim(text));
      p.value.kind = ValueKind::kDword;
      if (t == "1" || t == "on" || t == "true" || t == "yes") p.value.number = 1;
      else if (t == "0" || t == "off" || t == "false" || t == "no") p.value.number = 0;
      else return fail("Enabled must be 0 or 1; got '" + text + "'");
      break;
    }
  }
  p.ok = true;
  return p;
}

FolderCheck normalize_folder(const std::u16string& path) {
  FolderCheck r;
  const std::string shown = to_utf8(path);
  std::u16string p = path;
  for (char16_t& c : p)
    if (c == u'/') c = u'\\';
  // The driver resolves `X:\...` through the drive letter and drops anything else (UNC paths,
  // relative paths): refuse those here with the same rule (fb::split_drive_path).
  char16_t drive = 0;
  fb::Str16 rest;
  if (fb::split_drive_path(view(p), &drive, &rest) != fb::ValueProblem::kNone) {
    r.error = "protected folders must be local drive paths like C:\\Users\\me\\Documents; got '" + shown + "'";
    return r;
  }
  const std::u16string tail(rest.data, rest.len);
  if (tail.find_first_of(u"*?\"<>|:") != std::u16string::npos) {
    r.error = "a folder path cannot contain * ? \" < > | or a second ':'; got '" + shown + "'";
    return r;
  }
  // Components, rejecting . and .. (a protected folder must name one place).
  std::u16string out{ascii_upper(drive), u':'};
  size_t i = 0;
  while (i <= tail.size()) {
    size_t end = tail.find(u'\\', i);
    if (end == std::u16string::npos) end = tail.size();
    const std::u16string part = tail.substr(i, end - i);
    if (part == u"." || part == u"..") {
      r.error = "a folder path cannot contain . or .. segments; got '" + shown + "'";
      return r;
    }
    if (!part.empty()) out += u"\\" + part;
    i = end + 1;
  }
  if (out.size() == 2) out += u'\\';  // the whole volume: `C:\`
  r.ok = true;
  r.folder = out;
  return r;
}

bool add_folder(std::vector<std::u16string>& folders, const std::u16string& normalized) {
  for (const std::u16string& f : folders)
    if (equal_ascii_nocase(view(f), view(normalized))) return false;
  folders.push_back(normalized);
  return true;
}

bool remove_folder(std::vector<std::u16string>& folders, const std::u16string& normalized) {
  for (auto it = folders.begin(); it != folders.end(); ++it) {
    if (equal_ascii_nocase(view(*it), view(normalized))) {
      folders.erase(it);
      return true;
    }
  }
  return false;
}

std::u16string encode_multi_sz(const std::vector<std::u16string>& strings) {
  std::u16string out;
  for (const std::u16string& s : strings) {
    if (s.empty()) continue;
    out += s;
    out += u'\0';
  }
  out += u'\0';
  return out;
}

std::vector<std::u16string> decode_multi_sz(const char16_t* data, size_t units) {
  std::vector<std::u16string> out;
  size_t start = 0;
  for (size_t i = 0; i < units; ++i) {
    if (data[i] != u'\0') continue;
    if (i == start) break;  // the empty string ends the list
    out.emplace_back(data + start, i - start);
    start = i + 1;
  }
  if (start < units && data[units - 1] != u'\0') out.emplace_back(data + start, units - start);  // unterminated
  return out;
}

std::string format_config_value(const ConfigValue& value, ConfigKey key) {
  switch (value.kind) {
    case ValueKind::kMultiString: {
      if (value.strings.empty()) return "(empty)";
      std::string out;
      for (const std::u16string& s : value.strings) out += (out.empty() ? "" : "; ") + to_utf8(s);
      return out;
    }
    case ValueKind::kQword:
      return std::to_string(value.number) + " bytes (" + format_size(value.number) + ")";
    case ValueKind::kDword:
      if (key == ConfigKey::kEnabled) return value.number ? "1 (backups on)" : "0 (backups off)";
      return std::to_string(value.number);
  }
  return "?";
}

ConfigValue default_value(ConfigKey key) {
  const fb::EngineConfig defaults;
  ConfigValue v;
  v.kind = config_key_info(key).kind;
  switch (key) {
    case ConfigKey::kMaxFileSize: v.number = defaults.max_file_size; break;
    case ConfigKey::kMinFreeSpace: v.number = defaults.min_free_space; break;
    case ConfigKey::kMaxVersions: v.number = defaults.max_versions; break;
    case ConfigKey::kEnabled: v.number = defaults.enabled ? 1 : 0; break;
    default: break;
  }
  return v;
}

std::string format_config(const std::vector<const ConfigValue*>& values) {
  std::string out = "HKLM\\" + to_utf8(std::u16string(kParametersKey)) + "\n";
  const std::vector<KeyInfo>& keys = config_keys();
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string name = keys[i].name;
    name.append(20 - name.size(), ' ');
    const ConfigValue* v = i < values.size() ? values[i] : nullptr;
    const std::string unset = keys[i].when_unset ? keys[i].when_unset
                                                 : format_config_value(default_value(keys[i].key), keys[i].key);
    out += "  " + name + (v ? format_config_value(*v, keys[i].key) : "(not set: " + unset + ")") + "\n";
  }
  return out;
}

}  // namespace fbmon
