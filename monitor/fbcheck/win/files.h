// Small Win32 file operations the checks are written in. Every one opens with full sharing
// (read, write, delete) unless it says otherwise, and reports GetLastError() on failure.
#pragma once

#include <windows.h>

#include <stdint.h>

#include <string>
#include <vector>

#include "monitor/win/win_util.h"

namespace fbcheck {

using fbmon::UniqueHandle;

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Opens `path` (a file or `file:stream`); *error = GetLastError() when the handle is invalid.
UniqueHandle open_file(const std::wstring& path, DWORD access, DWORD disposition, DWORD* error,
                       DWORD flags = FILE_ATTRIBUTE_NORMAL, DWORD share = kShareAll);

// Opens with `disposition` for writing and writes `content`; 0 or the Win32 error.
DWORD write_file(const std::wstring& path, DWORD disposition, const std::string& content);
// Writes `content` through an open handle at its current position; 0 or the error.
DWORD write_handle(HANDLE h, const std::string& content);

struct ReadResult {
  bool ok = false;
  DWORD error = 0;
  std::string content;
};
ReadResult read_file(const std::wstring& path);
ReadResult read_handle(HANDLE h);  // from offset 0

// The content as a quoted string, or "absent (error 2 (file not found))" / "unreadable (...)".
std::string describe(const ReadResult& r);
std::string content_or_error(const std::wstring& path);

// True when `path` cannot be opened because it does not exist (error 2); *error gets the error.
bool absent(const std::wstring& path, DWORD* error = nullptr);
// "absent" or "present" or "unopenable (error N)": for expectations about existence.
std::string presence(const std::wstring& path);

// The streams FindFirstStreamW / FindNextStreamW list (`::$DATA`, `:s:$DATA`), without
// FileBackup's own (`:backup*`, which the driver adds in a protected folder), joined by ", ";
// "FindFirstStreamW failed: error N" when the listing fails.
std::string stream_list(const std::wstring& path);
// The same as names, raw (FileBackup's streams included); false with *error on failure.
bool list_streams(const std::wstring& path, std::vector<std::wstring>* names, DWORD* error);

// FileRenameInfo on `h` (opened with DELETE): `new_name` is `:stream`, `::$DATA` or a path.
DWORD rename_handle(HANDLE h, const std::wstring& new_name, bool replace_if_exists);
// FileDispositionInfo (DeleteFile TRUE/FALSE) on `h`.
DWORD set_delete(HANDLE h, bool delete_file);
// FileDispositionInfoEx with FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS.
DWORD set_delete_posix(HANDLE h);
// nNumberOfLinks of the file at `path`, 0 when it cannot be opened.
DWORD link_count(const std::wstring& path);

// `\??\C:\dir\file` for NtCreateFile and FileRenameInfo targets.
std::wstring nt_form(const std::wstring& full_path);

inline std::string utf8(const std::wstring& s) { return fbmon::narrow(s); }

}  // namespace fbcheck
