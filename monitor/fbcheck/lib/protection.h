// Is a file protected? The driver's own rule pipeline (common/config: parse the registry values,
// drop invalid items, resolve ProtectedFolders' drive letters, compile, evaluate), run in user
// mode on the values read from the registry and the drive letters QueryDosDevice knows, so
// fbcheck can tell the user before playing stories that would otherwise only fail. The driver
// uses the volume's own upcase table where this uses fb::upcase_native: names outside the
// blocks upcase_native covers may compare differently.
#pragma once

#include <string>

#include "common/config/config_values.h"
#include "monitor/lib/win32_path.h"

namespace fbcheck {

struct Protection {
  bool covered = false;
  std::string why;  // "a parent folder is named Documents", "no folder rule covers it", ...
};

// `raw`: the Parameters values as read (absent ones default-constructed); `win32_file`: a full
// path `C:\...\file.txt`.
Protection protection_of(const fb::RawConfig& raw, const fbmon::DeviceTable& devices,
                         const std::u16string& win32_file);

}  // namespace fbcheck
