// NT path -> Win32 path. The driver reports names as the file system sees them
// (`\Device\HarddiskVolume3\Users\me\a.txt`); users know `C:\Users\me\a.txt`. The device table
// comes from QueryDosDevice in the Win32 glue; the conversion itself is pure so it is tested
// natively with made-up tables.
#pragma once

#include <string>
#include <vector>

#include "common/base/fb_base.h"

namespace fbmon {

struct DeviceMapping {
  std::u16string device;  // NT device path without trailing backslash: `\Device\HarddiskVolume3`
  std::u16string dos;     // what users type for it: `C:`
};

struct DeviceTable {
  std::vector<DeviceMapping> mappings;
  void add(std::u16string device, std::u16string dos);
};

struct Win32Path {
  std::u16string path;
  bool mapped = false;  // false: no drive letter or UNC form known; path is `\\?\GLOBALROOT<nt>`
};

// Rules, in order:
//  `\??\C:\x` and `\DosDevices\C:\x` -> `C:\x`
//  longest device in the table that matches a whole leading component run -> `C:` + rest
//  `\Device\Mup\srv\share\x` (and LanmanRedirector) -> `\\srv\share\x`
//  anything else -> `\\?\GLOBALROOT` + the NT path, which Win32 APIs still open.
// Device names compare ASCII case-insensitively (the object manager is case-insensitive).
Win32Path nt_to_win32(fb::Str16 nt_path, const DeviceTable& table);

// The reverse for a Win32 path the user typed, so `list`/`restore` can tell the driver's view
// from theirs: `C:\x` -> `\Device\HarddiskVolume3\x`; empty when the drive is unknown.
std::u16string win32_to_nt(fb::Str16 win32_path, const DeviceTable& table);

// `folder` + `\` + `name`, without doubling the separator of a root (`C:\` + `a.txt` is
// `C:\a.txt`, not `C:\\a.txt`).
std::u16string join_path(const std::u16string& folder, const std::u16string& name);

}  // namespace fbmon
