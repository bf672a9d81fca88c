// Text conversions the monitor needs between the driver's UTF-16 and the console's UTF-8,
// plus the human-readable size and duration used in every table. Pure: no Win32.
#pragma once

#include <stdint.h>

#include <string>

#include "common/base/fb_base.h"

namespace fbmon {

// UTF-16 to UTF-8. A lone surrogate (NTFS names are arbitrary 16-bit units, not valid
// UTF-16) becomes U+FFFD so the console line stays valid UTF-8.
std::string to_utf8(fb::Str16 text);
std::string to_utf8(const std::u16string& text);

// UTF-8 to UTF-16. Invalid bytes become U+FFFD.
std::u16string to_utf16(const std::string& text);

inline fb::Str16 view(const std::u16string& s) {
  return fb::Str16(s.data(), static_cast<uint32_t>(s.size()));
}

// Case-insensitive comparison in the simple ASCII fold: enough for device names, drive
// letters, stream names and config keys (all ASCII). Path comparison beyond ASCII belongs
// to the file system.
char16_t ascii_upper(char16_t c);
bool equal_ascii_nocase(fb::Str16 a, fb::Str16 b);
bool starts_with_ascii_nocase(fb::Str16 text, fb::Str16 prefix);
bool contains_ascii_nocase(const std::string& haystack, const std::string& needle);

// "0 B", "512 B", "1.5 KiB", "20.0 MiB", "3.25 GiB": three significant digits at most.
std::string format_size(uint64_t bytes);
// Duration in 100 ns units: "0.4 ms", "12 ms", "1.25 s".
std::string format_duration(uint64_t units_100ns);
// "0x80004001": the form every HRESULT and NTSTATUS is printed in.
std::string format_hex32(uint32_t value);

}  // namespace fbmon
