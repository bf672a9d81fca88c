#include "monitor/lib/civil_time.h"

#include <stdio.h>

namespace fbmon {
namespace {

constexpr int64_t kUnitsPerSecond = 10000000;
constexpr int64_t kSecondsPerDay = 86400;
// Days from 1601-01-01 to 1970-01-01.
constexpr int64_t kDaysFrom1601To1970 = 134774;

// Howard Hinnant's civil_from_days: days since 1970-01-01 -> proleptic Gregorian date.
void civil_from_days(int64_t z, int32_t& y, uint32_t& m, uint32_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  const uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const uint32_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int32_t>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

}  // namespace

CivilTime civil_from_filetime(int64_t filetime) {
  if (filetime < 0) filetime = 0;
  CivilTime t;
  const int64_t seconds = filetime / kUnitsPerSecond;
  t.millisecond = static_cast<uint32_t>((filetime % kUnitsPerSecond) / 10000);
  const int64_t days = seconds / kSecondsPerDay;
  const int64_t in_day = seconds % kSecondsPerDay;
  t.hour = static_cast<uint32_t>(in_day / 3600);
  t.minute = static_cast<uint32_t>((in_day / 60) % 60);
  t.second = static_cast<uint32_t>(in_day % 60);
  civil_from_days(days - kDaysFrom1601To1970, t.year, t.month, t.day);
  return t;
}

static std::string format_with(const CivilTime& t, char separator) {
  char buf[40];
  snprintf(buf, sizeof buf, "%04d-%02u-%02u%c%02u:%02u:%02u.%03u", static_cast<int>(t.year), t.month, t.day,
           separator, t.hour, t.minute, t.second, t.millisecond);
  return buf;
}

std::string format_civil(const CivilTime& t) { return format_with(t, ' '); }
std::string format_civil_iso(const CivilTime& t) { return format_with(t, 'T'); }

}  // namespace fbmon
