#include "monitor/fbcheck/win/files.h"

#include <string.h>

#include "common/paths/stream_names.h"
#include "monitor/fbcheck/lib/judgement.h"
#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

UniqueHandle open_file(const std::wstring& path, DWORD access, DWORD disposition, DWORD* error, DWORD flags,
                       DWORD share) {
  UniqueHandle h(CreateFileW(path.c_str(), access, share, nullptr, disposition, flags, nullptr));
  if (error != nullptr) *error = h.valid() ? 0 : GetLastError();
  return h;
}

DWORD write_handle(HANDLE h, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    DWORD written = 0;
    if (!WriteFile(h, content.data() + done, static_cast<DWORD>(content.size() - done), &written, nullptr))
      return GetLastError();
    if (written == 0) return ERROR_WRITE_FAULT;
    done += written;
  }
  return 0;
}

DWORD write_file(const std::wstring& path, DWORD disposition, const std::string& content) {
  DWORD error = 0;
  UniqueHandle h = open_file(path, GENERIC_WRITE, disposition, &error);
  if (!h.valid()) return error;
  return write_handle(h.get(), content);
}

ReadResult read_handle(HANDLE h) {
  ReadResult r;
  LARGE_INTEGER zero{};
  if (!SetFilePointerEx(h, zero, nullptr, FILE_BEGIN)) {
    r.error = GetLastError();
    return r;
  }
  char buffer[4096];
  for (;;) {
    DWORD got = 0;
    if (!ReadFile(h, buffer, sizeof buffer, &got, nullptr)) {
      r.error = GetLastError();
      return r;
    }
    if (got == 0) break;
    r.content.append(buffer, got);
  }
  r.ok = true;
  return r;
}

ReadResult read_file(const std::wstring& path) {
  ReadResult r;
  UniqueHandle h = open_file(path, GENERIC_READ, OPEN_EXISTING, &r.error);
  if (!h.valid()) return r;
  return read_handle(h.get());
}

std::string describe(const ReadResult& r) {
  if (r.ok) return quote(r.content);
  if (r.error == ERROR_FILE_NOT_FOUND) return "absent (" + win32_error_text(r.error) + ")";
  return "unreadable (" + win32_error_text(r.error) + ")";
}

std::string content_or_error(const std::wstring& path) { return describe(read_file(path)); }

bool absent(const std::wstring& path, DWORD* error) {
  DWORD e = 0;
  UniqueHandle h = open_file(path, FILE_READ_ATTRIBUTES, OPEN_EXISTING, &e);
  if (error != nullptr) *error = e;
  return !h.valid() && e == ERROR_FILE_NOT_FOUND;
}

std::string presence(const std::wstring& path) {
  DWORD e = 0;
  if (absent(path, &e)) return "absent";
  return e == 0 ? "present" : "unopenable (" + win32_error_text(e) + ")";
}

bool list_streams(const std::wstring& path, std::vector<std::wstring>* names, DWORD* error) {
  names->clear();
  WIN32_FIND_STREAM_DATA data{};
  HANDLE find = FindFirstStreamW(path.c_str(), FindStreamInfoStandard, &data, 0);
  if (find == INVALID_HANDLE_VALUE) {
    *error = GetLastError();
    return false;
  }
  do {
    names->push_back(data.cStreamName);
  } while (FindNextStreamW(find, &data));
  const DWORD end = GetLastError();
  FindClose(find);
  *error = end == ERROR_HANDLE_EOF ? 0 : end;
  return *error == 0;
}

namespace {

// `:backup.meta:$DATA` -> `backup.meta`.
std::wstring bare_stream_name(const std::wstring& listed) {
  std::wstring name = listed;
  if (!name.empty() && name[0] == L':') name.erase(0, 1);
  const size_t type = name.rfind(L':');
  if (type != std::wstring::npos) name.erase(type);
  return name;
}

}  // namespace

std::string stream_list(const std::wstring& path) {
  std::vector<std::wstring> names;
  DWORD error = 0;
  if (!list_streams(path, &names, &error)) return "FindFirstStreamW failed: " + win32_error_text(error);
  std::string joined;
  for (const std::wstring& n : names) {
    const std::wstring bare = bare_stream_name(n);
    if (fb::is_our_stream(fb::Str16(fbmon::u16(bare.c_str()), static_cast<uint32_t>(bare.size())))) continue;
    if (!joined.empty()) joined += ", ";
    joined += utf8(n);
  }
  return joined;
}

DWORD rename_handle(HANDLE h, const std::wstring& new_name, bool replace_if_exists) {
  const size_t bytes = sizeof(FILE_RENAME_INFO) + new_name.size() * sizeof(wchar_t);
  std::vector<uint64_t> storage((bytes + 7) / 8 + 1, 0);
  auto* info = reinterpret_cast<FILE_RENAME_INFO*>(storage.data());
  info->ReplaceIfExists = replace_if_exists ? TRUE : FALSE;
  info->RootDirectory = nullptr;
  info->FileNameLength = static_cast<DWORD>(new_name.size() * sizeof(wchar_t));
  memcpy(info->FileName, new_name.data(), info->FileNameLength);
  if (!SetFileInformationByHandle(h, FileRenameInfo, info, static_cast<DWORD>(bytes))) return GetLastError();
  return 0;
}

DWORD set_delete(HANDLE h, bool delete_file) {
  FILE_DISPOSITION_INFO info{};
  info.DeleteFile = delete_file ? TRUE : FALSE;
  if (!SetFileInformationByHandle(h, FileDispositionInfo, &info, sizeof info)) return GetLastError();
  return 0;
}

// FileDispositionInfoEx follows FileIdExtdDirectoryRestartInfo in FILE_INFO_BY_HANDLE_CLASS
// (docs: FILE_INFO_BY_HANDLE_CLASS); mingw-w64 declares it only for _WIN32_WINNT >= 0x0A000002.
constexpr FILE_INFO_BY_HANDLE_CLASS kFileDispositionInfoEx =
    static_cast<FILE_INFO_BY_HANDLE_CLASS>(FileIdExtdDirectoryRestartInfo + 1);
static_assert(FileIdExtdDirectoryRestartInfo + 1 == 21, "FileDispositionInfoEx is 21");

DWORD set_delete_posix(HANDLE h) {
  FILE_DISPOSITION_INFO_EX info{};
  info.Flags = FILE_DISPOSITION_FLAG_DELETE | FILE_DISPOSITION_FLAG_POSIX_SEMANTICS;
  if (!SetFileInformationByHandle(h, kFileDispositionInfoEx, &info, sizeof info)) return GetLastError();
  return 0;
}

DWORD link_count(const std::wstring& path) {
  UniqueHandle h = open_file(path, FILE_READ_ATTRIBUTES, OPEN_EXISTING, nullptr);
  BY_HANDLE_FILE_INFORMATION info{};
  if (!h.valid() || !GetFileInformationByHandle(h.get(), &info)) return 0;
  return info.nNumberOfLinks;
}

std::wstring nt_form(const std::wstring& full_path) { return L"\\??\\" + full_path; }

}  // namespace fbcheck
