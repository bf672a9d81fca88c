// The in-memory registry behind ZwOpenKey / ZwQueryValueKey. Tests fill it: absent keys, every
// value type, garbage (any bytes under any type). Key paths are NT paths
// ("\Registry\Machine\System\CurrentControlSet\Services\FileBackup\Parameters"), compared
// case-insensitively like the configuration manager does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ksim::registry {

void create_key(const std::u16string& path);
// Creates the key if needed. `type` is any REG_* value, `data` any bytes.
void set_value(const std::u16string& key, const std::u16string& name, uint32_t type, std::vector<uint8_t> data);
void set_dword(const std::u16string& key, const std::u16string& name, uint32_t value);
void set_string(const std::u16string& key, const std::u16string& name, const std::u16string& value);  // REG_SZ, terminated
void set_multi_string(const std::u16string& key, const std::u16string& name, const std::vector<std::u16string>& values);
void clear();

}  // namespace ksim::registry
