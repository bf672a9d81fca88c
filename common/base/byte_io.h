// Where the copy engine reads from and writes to. One small interface per direction, so that
// the kernel (FltReadFile/FltWriteFile/FltSetInformationFile), the restore tool (ReadFile/
// WriteFile/SetFileInformationByHandle), the NTFS model of the tests and the POSIX adapter of
// the benchmarks all plug into the same engine.
//
// Contract for implementations:
// - Offsets are absolute byte offsets in the stream; the engine never seeks. They are not
//   aligned: after a short read or write the next call starts where it ended, and verification
//   reads one byte at the end. An adapter must use cached I/O (FltReadFile without
//   FLTFL_IO_OPERATION_NON_CACHED) or align by itself; non-cached I/O needs sector alignment.
// - `length` is at most the caller's buffer size (a 32-bit ULONG, as FltReadFile takes).
// - read: on success, *bytes_read <= length. A short read is allowed anywhere (the engine
//   simply continues at the next offset). End of stream is either nt::kEndOfFile (FltReadFile's
//   way, *bytes_read then counts any bytes delivered before it, normally 0) or success with
//   *bytes_read == 0 (ReadFile's and pread's way).
// - write: on success, *bytes_written <= length; a short write is allowed (the engine retries
//   the remainder), but a successful write of 0 bytes for a non-zero length means "no space"
//   and the engine stops with nt::kDiskFull.
// - set_end_of_file: makes the stream exactly `size` bytes long (truncating or extending).
// - Any status for which nt_success() is false is a failure and is reported as is.
//
// Destructors are protected and non-virtual: the engine never owns or deletes an endpoint,
// and a virtual destructor would make the kernel build pull in operator delete.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

class ByteSource {
 public:
  virtual NtStatus read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) = 0;

 protected:
  ByteSource() = default;
  ByteSource(const ByteSource&) = default;
  ByteSource& operator=(const ByteSource&) = default;
  ~ByteSource() = default;
};

class ByteSink {
 public:
  virtual NtStatus write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) = 0;
  virtual NtStatus set_end_of_file(uint64_t size) = 0;

 protected:
  ByteSink() = default;
  ByteSink(const ByteSink&) = default;
  ByteSink& operator=(const ByteSink&) = default;
  ~ByteSink() = default;
};

}  // namespace fb
