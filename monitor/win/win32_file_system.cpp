#include "monitor/win/win32_file_system.h"

#include <windows.h>

#include <string>
#include <vector>

#include "common/engine/ops.h"
#include "monitor/win/win_util.h"

namespace fbmon {
namespace {

struct OpenStream {
  HANDLE handle;
  std::wstring file;  // the file, without stream suffix
  std::wstring path;  // what was opened: file or file:stream
};

OpenStream* from(fb::FsHandle h) { return static_cast<OpenStream*>(h.value); }

fb::NtStatus last_status() { return status_from_win32(GetLastError()); }

std::wstring str(fb::Str16 s) { return std::wstring(wide_ptr(s.data), s.len); }

fb::NtStatus open_path(const std::wstring& file, const std::wstring& path, DWORD access, DWORD share,
                       DWORD disposition, DWORD flags, fb::FsHandle* out) {
  HANDLE h = CreateFileW(path.c_str(), access, share, nullptr, disposition, flags, nullptr);
  if (h == INVALID_HANDLE_VALUE) return last_status();
  out->value = new OpenStream{h, file, path};
  return fb::nt::kSuccess;
}

OVERLAPPED at(uint64_t offset) {
  OVERLAPPED ov{};
  ov.Offset = static_cast<DWORD>(offset);
  ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
  return ov;
}

}  // namespace

fb::NtStatus status_from_win32(uint32_t error) {
  switch (error) {
    case ERROR_SUCCESS: return fb::nt::kSuccess;
    case ERROR_FILE_NOT_FOUND: return fb::nt::kObjectNameNotFound;
    case ERROR_PATH_NOT_FOUND: return fb::nt::kObjectPathNotFound;
    case ERROR_ACCESS_DENIED: return fb::nt::kAccessDenied;
    case ERROR_SHARING_VIOLATION: return fb::nt::kSharingViolation;
    case ERROR_LOCK_VIOLATION: return static_cast<fb::NtStatus>(0xC0000054);  // STATUS_FILE_LOCK_CONFLICT
    case ERROR_HANDLE_EOF: return fb::nt::kEndOfFile;
    case ERROR_DISK_FULL: return fb::nt::kDiskFull;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return fb::nt::kObjectNameCollision;
    case ERROR_INVALID_NAME: return fb::nt::kObjectNameInvalid;
    case ERROR_FILENAME_EXCED_RANGE: return fb::nt::kNameTooLong;
    case ERROR_NOT_SUPPORTED: return fb::nt::kNotSupported;
    case ERROR_INVALID_PARAMETER: return fb::nt::kInvalidParameter;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return fb::nt::kInsufficientResources;
    case ERROR_CRC: return fb::nt::kDataError;
    default: return fb::nt::kUnsuccessful;
  }
}

fb::NtStatus Win32FileSystem::open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) {
  const std::wstring f = str(file);
  const std::wstring path = stream.len ? f + L":" + str(stream) : f;
  constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  switch (mode) {
    case fb::OpenMode::kRead:
      return open_path(f, path, GENERIC_READ, kShareAll, OPEN_EXISTING, FILE_FLAG_SEQUENTIAL_SCAN, out);
    case fb::OpenMode::kReplace:
      // Only ever our own named streams: CREATE_ALWAYS on the default stream would delete every
      // named stream of the file (N1).
      if (stream.len == 0) return fb::nt::kInvalidParameter;
      return open_path(f, path, GENERIC_WRITE | DELETE, 0, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, out);
    case fb::OpenMode::kCreateNew:
      return open_path(f, path, GENERIC_WRITE | DELETE, 0, CREATE_NEW, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM,
                       out);
    case fb::OpenMode::kMove:
      return open_path(f, path, DELETE | FILE_READ_ATTRIBUTES, kShareAll, OPEN_EXISTING, 0, out);
    case fb::OpenMode::kDeleteAlone:  // any other reader or writer refuses it (file_system.h)
      return open_path(f, path, DELETE | FILE_READ_ATTRIBUTES, FILE_SHARE_DELETE, OPEN_EXISTING, 0, out);
    case fb::OpenMode::kLink:  // the driver's vault only (common/engine/vault.h)
      return fb::nt::kNotSupported;
  }
  return fb::nt::kInvalidParameter;
}

fb::NtStatus Win32FileSystem::open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) {
  const std::wstring p = str(path);
  // Share everything: another program may keep the file open if it shares writes.
  return open_path(p, p, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                   create_if_missing ? OPEN_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, out);
}

fb::NtStatus Win32FileSystem::read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) {
  OVERLAPPED ov = at(offset);
  DWORD got = 0;
  *bytes_read = 0;
  if (!ReadFile(from(h)->handle, buffer, length, &got, &ov)) {
    if (GetLastError() == ERROR_HANDLE_EOF) return fb::nt::kSuccess;  // end of stream: 0 bytes
    return last_status();
  }
  *bytes_read = got;
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                                    uint32_t* bytes_written) {
  OVERLAPPED ov = at(offset);
  DWORD done = 0;
  *bytes_written = 0;
  if (!WriteFile(from(h)->handle, buffer, length, &done, &ov)) return last_status();
  *bytes_written = done;
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::query_size(fb::FsHandle h, uint64_t* size) {
  LARGE_INTEGER li;
  if (!GetFileSizeEx(from(h)->handle, &li)) return last_status();
  *size = static_cast<uint64_t>(li.QuadPart);
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::set_end_of_file(fb::FsHandle h, uint64_t size) {
  FILE_END_OF_FILE_INFO info;
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  if (!SetFileInformationByHandle(from(h)->handle, FileEndOfFileInfo, &info, sizeof info)) return last_status();
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) {
  OpenStream* s = from(h);
  const std::wstring name = L":" + str(new_stream);
  const std::wstring target = s->file + name;
  if (running_on_wine()) {
    // Wine has no alternate data streams: it keeps `a.txt:backup` as a plain file of that name,
    // and it would take the relative name `:backup.2` below as a file in the current
    // directory. Renaming the file by its full name is the same operation there.
    if (!MoveFileExW(s->path.c_str(), target.c_str(), replace_if_exists ? MOVEFILE_REPLACE_EXISTING : 0))
      return last_status();
    s->path = target;
    return fb::nt::kSuccess;
  }
  // NTFS: a stream-to-stream rename is FileRenameInformation with the new name `:stream` and
  // no root directory (N8).
  std::vector<uint8_t> buffer(sizeof(FILE_RENAME_INFO) + name.size() * sizeof(wchar_t));
  auto* info = reinterpret_cast<FILE_RENAME_INFO*>(buffer.data());
  info->ReplaceIfExists = replace_if_exists ? TRUE : FALSE;
  info->RootDirectory = nullptr;
  info->FileNameLength = static_cast<DWORD>(name.size() * sizeof(wchar_t));
  memcpy(info->FileName, name.data(), info->FileNameLength);
  if (!SetFileInformationByHandle(s->handle, FileRenameInfo, info, static_cast<DWORD>(buffer.size())))
    return last_status();
  s->path = target;
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::mark_delete(fb::FsHandle h) {
  FILE_DISPOSITION_INFO info;
  info.DeleteFile = TRUE;
  if (!SetFileInformationByHandle(from(h)->handle, FileDispositionInfo, &info, sizeof info)) return last_status();
  return fb::nt::kSuccess;
}

// fbmon is the requestor of its own opens: every CreateFileW is checked against its token. Unlike
// the driver's, this check cannot ignore share access (user mode has no such option): another
// program holding the file without sharing makes it fail with a sharing violation. fbmon itself
// never asks (only the engine's S4 rescue does).
fb::NtStatus Win32FileSystem::check_requestor_access(fb::Str16 file, uint32_t desired_access,
                                                     uint32_t create_options) {
  constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  const DWORD flags = (create_options & fb::create_option::kOpenForBackupIntent) ? FILE_FLAG_BACKUP_SEMANTICS : 0;
  HANDLE h = CreateFileW(str(file).c_str(), desired_access, kShareAll, nullptr, OPEN_EXISTING, flags, nullptr);
  if (h == INVALID_HANDLE_VALUE) return last_status();
  CloseHandle(h);
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::query_free_space(fb::FsHandle h, uint64_t* free_bytes) {
  wchar_t root[MAX_PATH];
  if (!GetVolumePathNameW(from(h)->file.c_str(), root, MAX_PATH)) return last_status();
  ULARGE_INTEGER available;
  if (!GetDiskFreeSpaceExW(root, &available, nullptr, nullptr)) return last_status();
  *free_bytes = available.QuadPart;
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::query_links(fb::FsHandle h, uint32_t* links) {
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(from(h)->handle, &info)) return last_status();
  *links = info.nNumberOfLinks;
  return fb::nt::kSuccess;
}

fb::NtStatus Win32FileSystem::list_directory(fb::Str16 directory, fb::DirectoryVisitor& visitor) {
  std::wstring pattern = str(directory);
  if (!pattern.empty() && pattern.back() != L'\\') pattern += L'\\';
  pattern += L'*';
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileW(pattern.c_str(), &found);
  if (find == INVALID_HANDLE_VALUE) {
    const DWORD error = GetLastError();
    // An empty folder has no names at all (not even "." on some file systems).
    return error == ERROR_FILE_NOT_FOUND || error == ERROR_NO_MORE_FILES ? fb::nt::kSuccess : status_from_win32(error);
  }
  do {
    const std::wstring name = found.cFileName;
    if (name == L"." || name == L"..") continue;
    if (!visitor.entry(fb::Str16(u16(name.c_str()), static_cast<uint32_t>(name.size())))) break;
  } while (FindNextFileW(find, &found));
  FindClose(find);
  return fb::nt::kSuccess;
}

void Win32FileSystem::close(fb::FsHandle h) {
  OpenStream* s = from(h);
  if (s == nullptr) return;
  CloseHandle(s->handle);
  delete s;
}

}  // namespace fbmon
