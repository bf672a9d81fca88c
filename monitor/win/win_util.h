// Small Win32 helpers shared by fbmon's commands: owned handles, UTF-16 <-> UTF-8 for wchar_t,
// elevation, clock, device table, process names.
#pragma once

#include <windows.h>

#include <stdint.h>

#include <string>

#include "monitor/lib/win32_path.h"

namespace fbmon {

// Closes a kernel handle on every path.
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(HANDLE h) : h_(h) {}
  ~UniqueHandle() { reset(); }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  UniqueHandle(UniqueHandle&& other) noexcept : h_(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) {
      reset();
      h_ = other.release();
    }
    return *this;
  }
  HANDLE get() const { return h_; }
  bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
  HANDLE release() {
    HANDLE h = h_;
    h_ = nullptr;
    return h;
  }
  void reset(HANDLE h = nullptr) {
    if (valid()) CloseHandle(h_);
    h_ = h;
  }

 private:
  HANDLE h_ = nullptr;
};

inline const char16_t* u16(const wchar_t* s) { return reinterpret_cast<const char16_t*>(s); }
inline const wchar_t* wide_ptr(const char16_t* s) { return reinterpret_cast<const wchar_t*>(s); }
std::wstring to_wide(const std::string& utf8);
std::wstring to_wide(const std::u16string& s);
std::string narrow(const std::wstring& s);

bool is_elevated();
// True under Wine (ntdll exports wine_get_version), where named streams are plain files.
bool running_on_wine();
int64_t now_filetime();                 // UTC
int64_t utc_to_local(int64_t filetime);  // with the time-zone rules in force at that time
DeviceTable build_device_table();        // QueryDosDevice for A: .. Z:
std::string process_image_name(uint64_t pid);  // "WINWORD.EXE", or "" if it cannot be opened

// An absolute Win32 path for what the user typed (GetFullPathNameW).
std::wstring full_path(const std::wstring& path);

}  // namespace fbmon
