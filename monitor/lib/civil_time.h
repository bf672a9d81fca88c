// FILETIME (100 ns since 1601-01-01) to calendar text. The Win32 glue turns the driver's UTC
// FILETIME into local FILETIME (time-zone rules are the OS's job); the calendar arithmetic is
// here so it is tested.
#pragma once

#include <stdint.h>

#include <string>

namespace fbmon {

struct CivilTime {
  int32_t year = 1601;
  uint32_t month = 1, day = 1, hour = 0, minute = 0, second = 0, millisecond = 0;
};

CivilTime civil_from_filetime(int64_t filetime);
// "2026-11-21 14:03:17.512"
std::string format_civil(const CivilTime& t);
// "2026-11-21T14:03:17.512"
std::string format_civil_iso(const CivilTime& t);

}  // namespace fbmon
