#include "monitor/win/win_util.h"

#include "monitor/lib/text.h"

namespace fbmon {

std::wstring to_wide(const std::string& utf8) { return to_wide(to_utf16(utf8)); }
std::wstring to_wide(const std::u16string& s) { return std::wstring(wide_ptr(s.c_str()), s.size()); }
std::string narrow(const std::wstring& s) { return to_utf8(std::u16string(u16(s.c_str()), s.size())); }

bool is_elevated() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) return false;
  UniqueHandle token(raw);
  TOKEN_ELEVATION elevation{};
  DWORD size = 0;
  if (!GetTokenInformation(token.get(), TokenElevation, &elevation, sizeof elevation, &size)) return false;
  return elevation.TokenIsElevated != 0;
}

bool running_on_wine() {
  const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

int64_t now_filetime() {
  FILETIME ft;
  GetSystemTimeAsFileTime(&ft);
  return static_cast<int64_t>((static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime);
}

int64_t utc_to_local(int64_t filetime) {
  FILETIME utc;
  utc.dwLowDateTime = static_cast<DWORD>(filetime);
  utc.dwHighDateTime = static_cast<DWORD>(static_cast<uint64_t>(filetime) >> 32);
  SYSTEMTIME utc_st, local_st;
  FILETIME local;
  if (!FileTimeToSystemTime(&utc, &utc_st) || !SystemTimeToTzSpecificLocalTime(nullptr, &utc_st, &local_st) ||
      !SystemTimeToFileTime(&local_st, &local))
    return filetime;
  // SYSTEMTIME has milliseconds only: keep the sub-millisecond units of the original.
  const int64_t local_ft = static_cast<int64_t>((static_cast<uint64_t>(local.dwHighDateTime) << 32) | local.dwLowDateTime);
  return local_ft + filetime % 10000;
}

DeviceTable build_device_table() {
  DeviceTable table;
  wchar_t drive[] = L"A:";
  wchar_t target[1024];
  for (wchar_t letter = L'A'; letter <= L'Z'; ++letter) {
    drive[0] = letter;
    // The first string of the result is the current mapping.
    if (QueryDosDeviceW(drive, target, sizeof target / sizeof target[0]) == 0) continue;
    table.add(std::u16string(u16(target)), std::u16string(u16(drive)));
  }
  return table;
}

std::string process_image_name(uint64_t pid) {
  UniqueHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
  if (!process.valid()) return "";
  wchar_t path[MAX_PATH * 2];
  DWORD size = sizeof path / sizeof path[0];
  if (!QueryFullProcessImageNameW(process.get(), 0, path, &size)) return "";
  std::wstring full(path, size);
  const size_t slash = full.find_last_of(L"\\/");
  return narrow(slash == std::wstring::npos ? full : full.substr(slash + 1));
}

std::wstring full_path(const std::wstring& path) {
  const DWORD needed = GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (needed == 0) return path;
  std::wstring out(needed, L'\0');
  const DWORD got = GetFullPathNameW(path.c_str(), needed, &out[0], nullptr);
  if (got == 0 || got >= needed) return path;
  out.resize(got);
  return out;
}

}  // namespace fbmon
