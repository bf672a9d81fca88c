// ByteSource and ByteSink over POSIX file descriptors (pread, pwrite, ftruncate), for the copy
// benchmark and for tests that copy real files. Header-only so that fb_bench, which does not
// link tests/support/*.cpp, can use it too. The descriptors are not owned.
#pragma once

#include <errno.h>
#include <unistd.h>

#include "common/base/byte_io.h"

namespace fbtest {

// errno as the NTSTATUS a Windows file system would have returned.
inline fb::NtStatus status_from_errno(int error) {
  switch (error) {
    case ENOSPC: return fb::nt::kDiskFull;
    case EACCES:
    case EPERM: return fb::nt::kAccessDenied;
    case EISDIR: return fb::nt::kFileIsADirectory;
    case EFBIG: return fb::nt::kFileTooLarge;
    case EIO: return fb::nt::kDeviceDataError;
    case EINVAL: return fb::nt::kInvalidParameter;
    default: return fb::nt::kUnsuccessful;
  }
}

class PosixFileSource : public fb::ByteSource {
 public:
  explicit PosixFileSource(int fd) : fd_(fd) {}

  fb::NtStatus read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override {
    *bytes_read = 0;
    ssize_t n;
    do n = ::pread(fd_, buffer, length, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0) return status_from_errno(errno);
    *bytes_read = static_cast<uint32_t>(n);  // 0 at end of file
    return fb::nt::kSuccess;
  }

 private:
  int fd_;
};

class PosixFileSink : public fb::ByteSink {
 public:
  explicit PosixFileSink(int fd) : fd_(fd) {}

  fb::NtStatus write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) override {
    *bytes_written = 0;
    ssize_t n;
    do n = ::pwrite(fd_, buffer, length, static_cast<off_t>(offset));
    while (n < 0 && errno == EINTR);
    if (n < 0) return status_from_errno(errno);
    *bytes_written = static_cast<uint32_t>(n);
    return fb::nt::kSuccess;
  }

  fb::NtStatus set_end_of_file(uint64_t size) override {
    return ::ftruncate(fd_, static_cast<off_t>(size)) == 0 ? fb::nt::kSuccess : status_from_errno(errno);
  }

 private:
  int fd_;
};

}  // namespace fbtest
