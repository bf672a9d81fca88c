// fbmon::MonitorFileSystem on Win32: CreateFileW on `file:stream`, positional ReadFile/WriteFile,
// SetFileInformationByHandle for end of file, stream rename and delete. Under Wine, which keeps
// a stream `a.txt:backup` as a plain file of that name, a stream rename is a file rename. Every open handle is
// owned by an object that CloseHandle()s it in close() (the engine closes each exactly once).
#pragma once

#include "monitor/lib/file_access.h"

namespace fbmon {

class Win32FileSystem final : public MonitorFileSystem {
 public:
  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override;
  fb::NtStatus open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) override;
  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override;
  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                     uint32_t* bytes_written) override;
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override;
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override;
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) override;
  fb::NtStatus mark_delete(fb::FsHandle h) override;
  fb::NtStatus query_free_space(fb::FsHandle h, uint64_t* free_bytes) override;
  fb::NtStatus check_requestor_access(fb::Str16 file, uint32_t desired_access, uint32_t create_options) override;
  // GetFileInformationByHandle's nNumberOfLinks.
  fb::NtStatus query_links(fb::FsHandle h, uint32_t* links) override;
  // FindFirstFileW/FindNextFileW on `directory\*`; "." and ".." left out.
  fb::NtStatus list_directory(fb::Str16 directory, fb::DirectoryVisitor& visitor) override;
  void close(fb::FsHandle h) override;
};

// The NTSTATUS for a Win32 error (what the engine's helpers understand).
fb::NtStatus status_from_win32(uint32_t error);

}  // namespace fbmon
