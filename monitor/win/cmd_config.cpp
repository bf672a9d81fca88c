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
  e.failure = classify_win32_error(e.code, is_elevated());
  e.subject = "HKLM\\" + to_utf8(std::u16string(kParametersKey));
  if (e.failure == Failure::kFileNotFound || e.failure == Failure::kOther) {
    e.failure = Failure::kOther;
    e.detail = what;
  }
  return e;
}

// Reads one value; false when it is not set. A value of the wrong type counts as not set (the
// driver ignores it too) and is reported.
bool read_value(HKEY key, const KeyInfo& info, ConfigValue& out) {
  const std::wstring name = to_wide(std::string(info.name));
  DWORD type = 0, bytes = 0;
  if (RegQueryValueExW(key, name.c_str(), nullptr, &type, nullptr, &bytes) != ERROR_SUCCESS) return false;
  std::vector<uint8_t> data(bytes + 4, 0);
  if (RegQueryValueExW(key, name.c_str(), nullptr, &type, data.data(), &bytes) != ERROR_SUCCESS) return false;
  out.kind = info.kind;
  if (info.kind == ValueKind::kMultiString && type == REG_MULTI_SZ) {
    out.strings = decode_multi_sz(reinterpret_cast<const char16_t*>(data.data()), bytes / 2);
    return true;
  }
  if (info.kind == ValueKind::kQword && type == REG_QWORD && bytes == 8) {
    memcpy(&out.number, data.data(), 8);
    return true;
  }
  if (info.kind == ValueKind::kDword && type == REG_DWORD && bytes == 4) {
    uint32_t v = 0;
    memcpy(&v, data.data(), 4);
    out.number = v;
    return true;
  }
  print_error(std::string("fbmon: ignoring ") + info.name + ": it has the wrong registry type");
  return false;
}

LSTATUS write_value(HKEY key, const KeyInfo& info, const ConfigValue& v) {
  const std::wstring name = to_wide(std::string(info.name));
  switch (info.kind) {
    case ValueKind::kMultiString: {
      const std::u16string data = encode_multi_sz(v.strings);
      return RegSetValueExW(key, name.c_str(), 0, REG_MULTI_SZ, reinterpret_cast<const BYTE*>(data.data()),
                            static_cast<DWORD>(data.size() * 2));
    }
    case ValueKind::kQword: {
      const uint64_t q = v.number;
      return RegSetValueExW(key, name.c_str(), 0, REG_QWORD, reinterpret_cast<const BYTE*>(&q), 8);
    }
    case ValueKind::kDword: {
      const uint32_t d = static_cast<uint32_t>(v.number);
      return RegSetValueExW(key, name.c_str(), 0, REG_DWORD, reinterpret_cast<const BYTE*>(&d), 4);
    }
  }
  return ERROR_INVALID_PARAMETER;
}

int show() {
  RegKey key;
  const LSTATUS s = key.open(KEY_QUERY_VALUE);
  std::vector<ConfigValue> storage(config_keys().size());
  std::vector<const ConfigValue*> values(config_keys().size(), nullptr);
  if (s == ERROR_SUCCESS) {
    for (size_t i = 0; i < config_keys().size(); ++i)
      if (read_value(key.get(), config_keys()[i], storage[i])) values[i] = &storage[i];
  } else if (s != ERROR_FILE_NOT_FOUND) {
    return report(registry_error(s, "cannot read the configuration"));
  }
  print_out(format_config(values));
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

int edit(const Command& c) {
  const KeyInfo* info = nullptr;
  ConfigValue value;
  RegKey key;
  LSTATUS s = key.create();
  if (s != ERROR_SUCCESS) return report(registry_error(s, "cannot open the configuration for writing"));

  if (c.kind == CommandKind::kConfigSet) {
    info = find_config_key(c.key);
    if (info == nullptr) {
      ErrorInfo e;
      e.failure = Failure::kUsage;
      e.detail = "unknown key '" + c.key + "' (see `fbmon config --help`)";
      return report(e);
    }
    const ParsedValue parsed = parse_config_value(*info, c.value);
    if (!parsed.ok) {
      ErrorInfo e;
      e.failure = Failure::kUsage;
      e.detail = parsed.error;
      return report(e);
    }
    value = parsed.value;
  } else {
    info = &config_key_info(ConfigKey::kProtectedFolders);
    const FolderCheck folder = normalize_folder(to_utf16(c.path));
    if (!folder.ok) {
      ErrorInfo e;
      e.failure = Failure::kUsage;
      e.detail = folder.error;
      return report(e);
    }
    value.kind = ValueKind::kMultiString;
    read_value(key.get(), *info, value);
    const bool changed = c.kind == CommandKind::kConfigAddFolder ? add_folder(value.strings, folder.folder)
                                                                 : remove_folder(value.strings, folder.folder);
    if (!changed) {
      print_line(to_utf8(folder.folder) + (c.kind == CommandKind::kConfigAddFolder ? " is already protected"
                                                                                    : " is not in ProtectedFolders"));
      return 0;
    }
  }
  s = write_value(key.get(), *info, value);
  if (s != ERROR_SUCCESS) return report(registry_error(s, "cannot write the configuration"));
  print_line(std::string(info->name) + " = " + format_config_value(value, info->key));
  return reload();
}

}  // namespace

int run_config(const Command& command) {
  return command.kind == CommandKind::kConfigShow ? show() : edit(command);
}

}  // namespace fbmon
