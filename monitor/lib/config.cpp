#include "monitor/lib/config.h"

#include <string.h>

#include "common/engine/config.h"
#include "common/paths/rules.h"
#include "monitor/lib/json.h"
#include "monitor/lib/text.h"

namespace fbmon {
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

std::string limits_text(const fb::ConfigValueSpec& spec) {
  switch (spec.shape) {
    case fb::ValueShape::kFlag: return "0 or 1";
    case fb::ValueShape::kByteCount:
      if (spec.min == 0 && spec.max == UINT64_MAX) return "any number of bytes";
      return std::to_string(spec.min) + " .. " + (spec.max == UINT64_MAX ? "2^64-1" : std::to_string(spec.max)) +
             " bytes";
    case fb::ValueShape::kCount: return std::to_string(spec.min) + " .. " + std::to_string(spec.max);
    case fb::ValueShape::kFolderPaths: return "local folder paths `C:\\...`";
    case fb::ValueShape::kFolderNames: return "folder names";
    case fb::ValueShape::kExtensions: return "extensions `docx` or `.docx`";
  }
  return "?";
}

std::string number_text(const fb::ConfigValueSpec& spec, uint64_t n) {
  switch (spec.shape) {
    case fb::ValueShape::kFlag: return n ? "1 (backups on)" : "0 (backups off)";
    case fb::ValueShape::kByteCount: return std::to_string(n) + " bytes (" + format_size(n) + ")";
    default: return std::to_string(n);
  }
}

std::string default_text(const fb::ConfigValueSpec& spec) {
  return fb::is_list(spec.shape) ? spec.default_text : number_text(spec, spec.default_value);
}

std::string str(fb::Str16 s) { return to_utf8(s); }

std::string rule_problem(fb::RuleError error) {
  switch (error) {
    case fb::RuleError::kEmptyRule: return "is empty";
    case fb::RuleError::kInvalidCharacter: return "has a character the driver does not accept (\\ or :)";
    case fb::RuleError::kRuleTooLong: return "is too long";
    case fb::RuleError::kPathMalformed: return "is . or .. or has an empty part";
    default: return "is not accepted by the driver";
  }
}

// The rule compiler's check of one item (after fb::check_list_item), as the driver runs it.
fb::RuleError check_rule(fb::ConfigKey key, const std::u16string& item) {
  std::vector<fb::Str16> one{view(item)};
  fb::ConfigReports reports;
  const fb::RuleListId list = key == fb::ConfigKey::kFolderNames        ? fb::RuleListId::kFolderNames
                              : key == fb::ConfigKey::kIncludeExtensions ? fb::RuleListId::kIncludeExtensions
                                                                          : fb::RuleListId::kExcludeExtensions;
  fb::drop_invalid_rules(list, key, one.data(), 1, &reports);
  return reports.count() ? reports[0].rule_error : fb::RuleError::kNone;
}

std::string item_error(const fb::ConfigValueSpec& spec, const std::string& item, fb::ItemProblem problem) {
  return std::string(spec.text) + ": '" + item + "' " + fb::item_problem_text(problem);
}

ParsedValue parse_strings(const fb::ConfigValueSpec& spec, const std::string& text) {
  ParsedValue p;
  p.value.key = spec.key;
  if (trim(text).empty()) {  // "" clears the list
    p.ok = true;
    return p;
  }
  size_t start = 0;
  uint32_t index = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = trim(text.substr(start, end - start));
    ++index;
    start = end + 1;
    if (item.empty())
      return fail(std::string(spec.text) + ": entry " + std::to_string(index) +
                  " is empty (two ';' in a row, or one at the end); separate entries with one ';'");
    if (spec.shape == fb::ValueShape::kFolderPaths) {
      const FolderCheck f = normalize_folder(to_utf16(item));
      if (!f.ok) return fail(f.error);
      add_folder(p.value.strings, f.folder);
      continue;
    }
    const std::u16string typed = to_utf16(item);
    uint32_t at = 0;
    const fb::ItemProblem problem = fb::check_list_item(spec.key, view(typed), &at);
    if (problem != fb::ItemProblem::kNone) return fail(item_error(spec, item, problem));
    std::u16string value = typed;
    // Extensions are stored with their dot and in lower case, so ".DOCX", "docx" and ".docx" are one.
    if (spec.shape == fb::ValueShape::kExtensions)
      value = to_utf16("." + lower_ascii(item[0] == '.' ? item.substr(1) : item));
    const fb::RuleError error = check_rule(spec.key, value);
    if (error != fb::RuleError::kNone) return fail(std::string(spec.text) + ": '" + item + "' " + rule_problem(error));
    p.value.strings.push_back(value);
  }
  p.ok = true;
  return p;
}

}  // namespace

const fb::ConfigValueSpec* find_config_key(const std::string& name) {
  const std::u16string n = to_utf16(name);
  return fb::find_config_spec(view(n));
}

ParsedValue parse_config_value(const fb::ConfigValueSpec& spec, const std::string& text) {
  if (fb::is_list(spec.shape)) return parse_strings(spec, text);
  ParsedValue p;
  p.value.key = spec.key;
  const std::string t = lower_ascii(trim(text));
  const std::string must = std::string(spec.text) + " must be " + limits_text(spec) + "; got '" + text + "'";
  uint64_t n = 0;
  switch (spec.shape) {
    case fb::ValueShape::kFlag:
      if (t == "1" || t == "on" || t == "true" || t == "yes") n = 1;
      else if (t == "0" || t == "off" || t == "false" || t == "no") n = 0;
      else return fail(must);
      break;
    case fb::ValueShape::kByteCount:
      if (!parse_size(text, n))
        return fail(std::string(spec.text) + " takes a size in bytes or with KB/MB/GB/TB; got '" + text + "'");
      if (spec.key == fb::ConfigKey::kMaxFileSize && n == 0)
        return fail("MaxFileSize 0 would skip every file; to stop backups use `fbmon config set Enabled 0`");
      break;
    default:
      if (t.empty() || t.size() > 9 || t.find_first_not_of("0123456789") != std::string::npos) return fail(must);
      n = std::stoull(t);
      break;
  }
  if (n < spec.min || n > spec.max) return fail(must);
  p.value.number = n;
  p.ok = true;
  return p;
}

FolderCheck normalize_folder(const std::u16string& path) {
  FolderCheck r;
  const std::string shown = to_utf8(path);
  std::u16string p = path;
  for (char16_t& c : p)
    if (c == u'/') c = u'\\';
  uint32_t at = 0;
  const fb::ItemProblem problem = fb::check_list_item(fb::ConfigKey::kProtectedFolders, view(p), &at);
  if (problem == fb::ItemProblem::kNotDrivePath || problem == fb::ItemProblem::kEmpty) {
    r.error = "protected folders must be local drive paths like C:\\Users\\me\\Documents; got '" + shown + "'";
    return r;
  }
  if (problem != fb::ItemProblem::kNone) {
    r.error = "ProtectedFolders: '" + shown + "' " + fb::item_problem_text(problem);
    return r;
  }
  char16_t drive = 0;
  fb::Str16 rest;
  fb::split_drive_path(view(p), &drive, &rest);
  const std::u16string tail(rest.data, rest.len);
  std::u16string out{ascii_upper(drive), u':'};
  size_t i = 0;
  while (i <= tail.size()) {
    size_t end = tail.find(u'\\', i);
    if (end == std::u16string::npos) end = tail.size();
    const std::u16string part = tail.substr(i, end - i);
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

fb::RawConfig StoredConfig::raw() const {
  fb::RawConfig raw;
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    const StoredValue& v = values[i];
    raw.values[i].present = v.present;
    raw.values[i].type = v.type;
    raw.values[i].data = v.data.empty() ? nullptr : v.data.data();
    raw.values[i].size = v.size;
  }
  return raw;
}

StoredValue stored_value(const ConfigValue& value) {
  const fb::ConfigValueSpec& spec = fb::config_spec(value.key);
  StoredValue v;
  v.present = true;
  v.type = spec.written_type;
  if (fb::is_list(spec.shape)) {
    const std::u16string data = encode_multi_sz(value.strings);
    v.data.assign(data.begin(), data.end());
    v.size = static_cast<uint32_t>(data.size() * 2);
  } else {
    v.size = spec.written_type == fb::reg::kQword ? 8 : 4;
    v.data.resize(4);
    memcpy(v.data.data(), &value.number, v.size);  // little-endian, as the registry stores it
  }
  return v;
}

std::vector<ShownValue> describe_config(const StoredConfig& stored) {
  const fb::RawConfig raw = stored.raw();
  fb::ConfigReports reports;
  const fb::EngineConfig engine = fb::parse_engine_config(raw, &reports);
  std::vector<ShownValue> shown;
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    const fb::ConfigValueSpec& spec = fb::config_spec_at(i);
    ShownValue s;
    s.spec = &spec;
    s.present = raw[spec.key].present;
    if (!fb::is_list(spec.shape)) {
      switch (spec.key) {
        case fb::ConfigKey::kEnabled: s.number = engine.enabled ? 1 : 0; break;
        case fb::ConfigKey::kMaxFileSize: s.number = engine.max_file_size; break;
        case fb::ConfigKey::kMinFreeSpace: s.number = engine.min_free_space; break;
        default: s.number = engine.max_versions; break;
      }
    } else {
      const uint32_t capacity = fb::list_item_bound(raw[spec.key]) + 2;
      std::vector<fb::Str16> storage(capacity);
      const fb::RuleList list = fb::parse_list(raw, spec.key, storage.data(), capacity, &reports);
      std::vector<fb::Str16> items(list.items, list.items + list.count);
      const bool own = list.count != 0 && list.items == storage.data();
      if (own && spec.shape != fb::ValueShape::kFolderPaths) {
        const fb::RuleListId id = spec.shape == fb::ValueShape::kFolderNames ? fb::RuleListId::kFolderNames
                                  : spec.key == fb::ConfigKey::kIncludeExtensions ? fb::RuleListId::kIncludeExtensions
                                                                                   : fb::RuleListId::kExcludeExtensions;
        fb::ConfigReports dropped;
        const uint32_t kept = fb::drop_invalid_rules(id, spec.key, storage.data(), list.count, &dropped);
        for (uint32_t d = 0; d < dropped.count(); ++d) {
          const fb::ValueReport& r = dropped[d];
          const std::string why = r.item_problem != fb::ItemProblem::kNone ? fb::item_problem_text(r.item_problem)
                                                                           : rule_problem(r.rule_error);
          s.ignored.push_back("item " + std::to_string(r.index + 1) + " '" + str(items[r.index]) + "' " + why);
        }
        items.assign(storage.data(), storage.data() + kept);
      } else if (own) {
        std::vector<fb::Str16> kept;
        for (uint32_t k = 0; k < items.size(); ++k) {
          uint32_t at = 0;
          const fb::ItemProblem p = fb::check_list_item(spec.key, items[k], &at);
          if (p == fb::ItemProblem::kNone) kept.push_back(items[k]);
          else s.ignored.push_back("item " + std::to_string(k + 1) + " '" + str(items[k]) + "' " + fb::item_problem_text(p));
        }
        items = kept;
      }
      for (const fb::Str16& item : items) s.items.push_back(str(item));
    }
    const fb::ValueReport* r = reports.find(spec.key);
    if (r != nullptr && !fb::is_item_problem(r->problem)) {
      s.valid = false;
      const fb::RawValue& v = raw[spec.key];
      std::string what = fb::reg_type_name(v.type);
      if ((v.type == fb::reg::kDword && v.size == 4) || (v.type == fb::reg::kQword && v.size == 8)) {
        uint64_t n = 0;
        memcpy(&n, v.data, v.size);
        what += " " + std::to_string(n);
      } else {
        what += " of " + std::to_string(v.size) + " bytes";
      }
      s.problem = "ignored: " + what + ", " + fb::value_problem_text(r->problem) + " (valid: " +
                  accepted_types_text(spec) + ", " + limits_text(spec) + "); the driver is " +
                  fb::invalid_value_outcome(spec.key);
      if (spec.key == fb::ConfigKey::kMaxVersions) s.problem += " and deletes no versions";
      s.problem += "; fix it with `fbmon config set " + std::string(spec.text) + " VALUE`";
    }
    shown.push_back(s);
  }
  return shown;
}

std::string format_config_value(const ConfigValue& value) {
  const fb::ConfigValueSpec& spec = fb::config_spec(value.key);
  if (!fb::is_list(spec.shape)) return number_text(spec, value.number);
  if (value.strings.empty()) return "(empty)";
  std::string out;
  for (const std::u16string& s : value.strings) out += (out.empty() ? "" : "; ") + to_utf8(s);
  return out;
}

std::string format_config(const StoredConfig& stored) {
  std::string out = "HKLM\\" + to_utf8(std::u16string(kParametersKey)) + "\n";
  const std::string indent(2 + 20, ' ');
  for (const ShownValue& s : describe_config(stored)) {
    std::string name = s.spec->text;
    name.append(20 - name.size(), ' ');
    std::string value;
    if (!s.present) {
      value = "(not set: " + default_text(*s.spec) + ")";
    } else if (!s.valid) {
      value = s.problem;
    } else if (fb::is_list(s.spec->shape)) {
      for (const std::string& item : s.items) value += (value.empty() ? "" : "; ") + item;
      if (value.empty()) value = "(empty)";
    } else {
      value = number_text(*s.spec, s.number);
    }
    out += "  " + name + value + "\n";
    for (const std::string& ignored : s.ignored) out += indent + "ignored: " + ignored + "\n";
  }
  return out;
}

std::string format_config_json(const StoredConfig& stored) {
  std::string out;
  for (const ShownValue& s : describe_config(stored)) {
    out += "{\"name\":" + json_string(std::string(s.spec->text)) + ",\"set\":" + (s.present ? "true" : "false") +
           ",\"valid\":" + (s.valid ? "true" : "false") + ",\"value\":";
    if (fb::is_list(s.spec->shape)) {
      out += "[";
      for (size_t i = 0; i < s.items.size(); ++i) out += (i ? "," : "") + json_string(s.items[i]);
      out += "],\"ignored\":[";
      for (size_t i = 0; i < s.ignored.size(); ++i) out += (i ? "," : "") + json_string(s.ignored[i]);
      out += "]";
    } else {
      out += std::to_string(s.number);
    }
    if (!s.valid) out += ",\"problem\":" + json_string(s.problem);
    out += "}\n";
  }
  return out;
}

std::string config_keys_help() {
  std::string out = "  Keys (type; valid; default when not set):\n";
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    const fb::ConfigValueSpec& spec = fb::config_spec_at(i);
    out += "    " + std::string(spec.text) + " (" + fb::accepted_types_text(spec) + "; " + limits_text(spec) +
           "; default " + default_text(spec) + ")\n      " + spec.help + "\n";
  }
  return out;
}

std::string registry_values_table() {
  std::string out = "| Value | Type | Default | Valid | Meaning |\n|---|---|---|---|---|\n";
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    const fb::ConfigValueSpec& spec = fb::config_spec_at(i);
    out += "| `" + std::string(spec.text) + "` | " + fb::accepted_types_text(spec) + " | " + default_text(spec) +
           " | " + limits_text(spec) + " | " + spec.help + " |\n";
  }
  return out;
}

}  // namespace fbmon
