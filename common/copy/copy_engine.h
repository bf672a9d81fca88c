// The copy engine: copies one stream to another in chunks through a caller-provided buffer,
// hashing (CRC-32C) what it copies, and reports exactly how far it got and which call failed.
// It never reports success for a partial copy.
//
// Used by the backup engine (file -> <file>:backup.tmp, in the kernel), by restore
// (<file>:backup -> file, in fbmon) and by the tests (NTFS model). Nothing is allocated;
// the buffer's size is the chunk size (1 MiB is a good value: see tests/bench/bench_copy.cpp).
//
// Size rules (the backup must be exactly the file's content as it was):
// - expected_size is the size the caller took under its lock before copying; the engine copies
//   exactly that many bytes and never reads past it. Bytes beyond expected_size (a file that
//   grew) are not copied and not looked for: probing would cost one more read per file, and a
//   writer racing the copy could change bytes anywhere, so growth is no better a signal than
//   the size the caller already trusts.
// - A source that ends before expected_size (a file that shrank: someone else is modifying
//   it) fails with nt::kEndOfFile at step kRead, unless the caller passes
//   SourceEnd::kMayEndEarly, in which case what exists is copied and bytes_copied says how
//   much.
// - The copy finishes with set_end_of_file(bytes_copied), so a sink that held more bytes
//   (a restore over a longer file) ends up with no stale tail.
// - On failure the sink holds an unspecified prefix: the caller discards it (the backup engine
//   writes to a temporary stream and deletes it; restore verifies before it writes).
#pragma once

#include "common/base/byte_io.h"
#include "common/base/fb_base.h"

namespace fb {

// Which call failed.
enum class CopyStep : uint8_t {
  kNone = 0,          // nothing failed
  kArguments = 1,     // null buffer or zero buffer size: nothing was read or written
  kRead = 2,          // ByteSource::read failed, or the source ended early (nt::kEndOfFile)
  kWrite = 3,         // ByteSink::write failed, or made no progress (nt::kDiskFull)
  kSetEndOfFile = 4,  // ByteSink::set_end_of_file failed
};

// What to do when the source ends before expected_size.
enum class SourceEnd : uint8_t {
  kMustReachExpectedSize = 0,  // fail with nt::kEndOfFile (backups and restores)
  kMayEndEarly = 1,            // copy what exists and succeed with bytes_copied < expected_size
};

struct CopyResult {
  NtStatus status = nt::kSuccess;
  CopyStep failed_step = CopyStep::kNone;
  uint64_t bytes_copied = 0;  // bytes the sink accepted, [0, bytes_copied) with no gap (also on failure)
  uint32_t hash = 0;          // crc32c() of those bytes_copied bytes

  bool ok() const { return nt_success(status); }
};

// Status and step when a source or sink breaks its contract (reports more bytes than asked).
constexpr NtStatus kCopyContractViolation = nt::kInvalidDeviceRequest;

// Copies [0, expected_size) of `source` to the same offsets of `sink`, then sets the sink's end
// of file to the bytes copied. Statuses on failure:
//   the failing call's own status (read, write or set_end_of_file);
//   nt::kEndOfFile at kRead: the source ended before expected_size (see SourceEnd);
//   nt::kDiskFull at kWrite: a write succeeded with 0 bytes;
//   kCopyContractViolation at kRead/kWrite: an endpoint reported more bytes than asked;
//   nt::kInvalidParameter at kArguments: buffer is null or buffer_size is 0.
CopyResult copy_stream(ByteSource& source, ByteSink& sink, uint64_t expected_size, void* buffer,
                       uint32_t buffer_size, SourceEnd source_end = SourceEnd::kMustReachExpectedSize);

// Why a stream did not verify.
enum class VerifyFailure : uint8_t {
  kNone = 0,
  kArguments = 1,     // null buffer or zero buffer size (status nt::kInvalidParameter)
  kRead = 2,          // a read failed (status: the read's own status)
  kShorter = 3,       // the stream ended before expected_size (status nt::kFileCorruptError)
  kLonger = 4,        // the stream has bytes after expected_size (status nt::kFileCorruptError)
  kHashMismatch = 5,  // the content's hash differs (status nt::kFileCorruptError)
};

struct VerifyResult {
  NtStatus status = nt::kSuccess;
  VerifyFailure failure = VerifyFailure::kNone;
  uint64_t bytes_read = 0;  // content bytes read (never counts the end-of-stream probe)
  uint32_t hash = 0;        // crc32c() of those bytes

  bool ok() const { return nt_success(status); }
};

// Reads [0, expected_size) of `source` and hashes it, then checks that the stream ends there
// (one read at expected_size that must return no data). Fails with kShorter, kLonger or kRead;
// never with kHashMismatch.
VerifyResult hash_stream(ByteSource& source, uint64_t expected_size, void* buffer, uint32_t buffer_size);

// hash_stream, then compares the hash with expected_hash (kHashMismatch). Restore calls this on
// a backup before it writes anything.
VerifyResult verify_stream(ByteSource& source, uint64_t expected_size, uint32_t expected_hash, void* buffer,
                           uint32_t buffer_size);

// Short names for reports and logs ("read", "write", "set-end-of-file", ...).
const char* copy_step_name(CopyStep step);
const char* verify_failure_name(VerifyFailure failure);

}  // namespace fb
