// `fbmon config`: reads and writes the Parameters key; every value is validated by lib/config
// before it is written; then the driver is asked to reload.
#include <windows.h>

#include "monitor/win/commands.h"
#include "monitor/win/console.h"
#include "monitor/lib/config.h"
#include "monitor/lib/driver_messages.h"
#include "monitor/lib/text.h"
#include "monitor/win/port.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

class RegKey {
 public:
  ~RegKey() {
    if (key_ != nullptr) RegCloseKey(key_);
  }
  LSTATUS open(REGSAM access) {
    return RegOpenKeyExW(HKEY_LOCAL_MACHINE, wide_ptr(kParametersKey), 0, access, &key_);
  }
  LSTATUS create() {
    return RegCreateKeyExW(HKEY_LOCAL_MACHINE, wide_ptr(kParametersKey), 0, nullptr, 0, KEY_QUERY_VALUE | KEY_SET_VALUE,
                           nullptr, &key_, nullptr);
  }
  HKEY get() const { return key_; }

 private:
  HKEY key_ = nullptr;
};

ErrorInfo registry_error(LSTATUS status, const std::string& what) {
  ErrorInfo e;
  e.code = static_cast<uint32_t>(status);
  e.code_kind = CodeKind::kWin32;
  e.failure = classify_registry_error(e.code, is_elevated());
  e.subject = "HKLM\\" + to_utf8(std::u16string(kParametersKey));
  if (e.failure == Failure::kOther) e.detail = what;
  return e;
}

// Reads every value's type and bytes as they are stored; what they mean is lib/config's (the
// driver's parser) to say.
LSTATUS read_all(HKEY key, StoredConfig& out) {
  for (uint32_t i = 0; i < fb::kConfigKeyCount; ++i) {
    const fb::ConfigValueSpec& spec = fb::config_spec_at(i);
    const std::wstring name = to_wide(std::string(spec.text));
    StoredValue& v = out.values[i];
    DWORD type = 0, bytes = 0;
    LSTATUS s = RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &bytes);
    if (s == ERROR_FILE_NOT_FOUND) continue;
    if (s != ERROR_SUCCESS) return s;
    if (bytes > fb::kMaxValueBytes) bytes = fb::kMaxValueBytes;
    v.data.assign(bytes / 2 + 2, 0);
    s = RegQueryValueExW(key, name.c_str(), nullptr, &type, reinterpret_cast<BYTE*>(v.data.data()), &bytes);
    if (s == ERROR_FILE_NOT_FOUND) continue;
    if (s != ERROR_SUCCESS) return s;
    v.present = true;
    v.type = type;
    v.size = bytes;
  }
  return ERROR_SUCCESS;
}

LSTATUS write_value(HKEY key, const ConfigValue& value) {
  const fb::ConfigValueSpec& spec = fb::config_spec(value.key);
  const std::wstring name = to_wide(std::string(spec.text));
  const StoredValue v = stored_value(value);
  return RegSetValueExW(key, name.c_str(), 0, v.type, reinterpret_cast<const BYTE*>(v.data.data()), v.size);
}

int show(bool json) {
  RegKey key;
  const LSTATUS s = key.open(KEY_QUERY_VALUE);
  StoredConfig stored;
  if (s == ERROR_SUCCESS) {
    const LSTATUS r = read_all(key.get(), stored);
    if (r != ERROR_SUCCESS) return report(registry_error(r, "cannot read the configuration"));
  } else if (s != ERROR_FILE_NOT_FOUND) {
    return report(registry_error(s, "cannot read the configuration"));
  }
  print_out(json ? format_config_json(stored) : format_config(stored));
  return 0;
}

// Asks the driver to re-read its Parameters. Not loaded is fine: it reads them when it loads.
int reload() {
  std::vector<uint8_t> request(fb::proto::kReloadConfigBytes), reply;
  fb::proto::encode_reload_config(request.data(), request.size());
  ErrorInfo error;
  if (!control_request(request, reply, error)) {
    if (error.failure == Failure::kDriverNotLoaded) {
      print_line("saved; the driver is not loaded, so the change applies when it is next loaded");
      return 0;
    }
    print_line("saved, but the driver was not told to reload:");
    return report(error);
  }
  const ReloadResult r = read_reload_reply(reply.data(), reply.size());
  if (!r.ok) return report(r.error);
  print_line("saved; the driver reloaded its configuration (" + std::to_string(r.rules_loaded) + " rules)");
  return 0;
}

ErrorInfo usage_error(const std::string& detail) {
  ErrorInfo e;
  e.failure = Failure::kUsage;
  e.detail = detail;
  e.help_topic = "config";
  return e;
}

int edit(const Command& c) {
  ConfigValue value;
  RegKey key;
  LSTATUS s = key.create();
  if (s != ERROR_SUCCESS) return report(registry_error(s, "cannot open the configuration for writing"));

  if (c.kind == CommandKind::kConfigSet) {
    const fb::ConfigValueSpec* spec = find_config_key(c.key);
    if (spec == nullptr) return report(usage_error("unknown key '" + c.key + "'"));
    const ParsedValue parsed = parse_config_value(*spec, c.value);
    if (!parsed.ok) return report(usage_error(parsed.error));
    value = parsed.value;
  } else {
    const FolderCheck folder = normalize_folder(to_utf16(c.path));
    if (!folder.ok) return report(usage_error(folder.error));
    StoredConfig stored;
    s = read_all(key.get(), stored);
    if (s != ERROR_SUCCESS) return report(registry_error(s, "cannot read the configuration"));
    value.key = fb::ConfigKey::kProtectedFolders;
    const StoredValue& current = stored.values[static_cast<uint32_t>(fb::ConfigKey::kProtectedFolders)];
    if (current.present && current.type == REG_MULTI_SZ)
      value.strings = decode_multi_sz(current.data.data(), current.size / 2);
    const bool changed = c.kind == CommandKind::kConfigAddFolder ? add_folder(value.strings, folder.folder)
                                                                 : remove_folder(value.strings, folder.folder);
    if (!changed) {
      print_line(to_utf8(folder.folder) + (c.kind == CommandKind::kConfigAddFolder ? " is already protected"
                                                                                    : " is not in ProtectedFolders"));
      return 0;
    }
  }
  s = write_value(key.get(), value);
  if (s != ERROR_SUCCESS) return report(registry_error(s, "cannot write the configuration"));
  print_line(std::string(fb::config_spec(value.key).text) + " = " + format_config_value(value));
  return reload();
}

}  // namespace

fb::EngineConfig configured_engine() {
  RegKey key;
  StoredConfig stored;
  if (key.open(KEY_QUERY_VALUE) == ERROR_SUCCESS) read_all(key.get(), stored);
  return fb::parse_engine_config(stored.raw(), nullptr);
}

int run_config(const Command& command) {
  return command.kind == CommandKind::kConfigShow ? show(command.json) : edit(command);
}

}  // namespace fbmon
