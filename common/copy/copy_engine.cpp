#include "common/copy/copy_engine.h"

#include "common/base/crc32c.h"

namespace fb {
namespace {

struct ChunkRead {
  NtStatus status;
  uint32_t bytes;  // 0 on success means the source has ended
};

// One read, normalised: nt::kEndOfFile becomes success (with whatever bytes came with it,
// normally none), and a read that claims more than it was asked for is a broken source.
ChunkRead read_chunk(ByteSource& source, uint64_t offset, void* buffer, uint32_t length) {
  uint32_t bytes = 0;
  NtStatus status = source.read(offset, buffer, length, &bytes);
  if (status == nt::kEndOfFile) status = nt::kSuccess;
  if (!nt_success(status)) return {status, 0};
  if (bytes > length) return {kCopyContractViolation, 0};
  return {nt::kSuccess, bytes};
}

// Writes all `length` bytes, retrying after short writes. *written counts the bytes the sink
// accepted, also when it fails part-way.
NtStatus write_all(ByteSink& sink, uint64_t offset, const uint8_t* data, uint32_t length, uint32_t* written) {
  *written = 0;
  while (*written < length) {
    const uint32_t remaining = length - *written;
    uint32_t accepted = 0;
    const NtStatus status = sink.write(offset + *written, data + *written, remaining, &accepted);
    if (!nt_success(status)) return status;
    if (accepted > remaining) return kCopyContractViolation;
    if (accepted == 0) return nt::kDiskFull;  // no progress: retrying would loop forever
    *written += accepted;
  }
  return nt::kSuccess;
}

uint32_t chunk_length(uint64_t remaining, uint32_t buffer_size) {
  return remaining < buffer_size ? static_cast<uint32_t>(remaining) : buffer_size;
}

CopyResult copy_failed(CopyResult result, CopyStep step, NtStatus status) {
  result.status = status;
  result.failed_step = step;
  return result;
}

VerifyResult verify_failed(VerifyResult result, VerifyFailure failure, NtStatus status) {
  result.status = status;
  result.failure = failure;
  return result;
}

}  // namespace

CopyResult copy_stream(ByteSource& source, ByteSink& sink, uint64_t expected_size, void* buffer,
                       uint32_t buffer_size, SourceEnd source_end) {
  CopyResult result;
  if (buffer == nullptr || buffer_size == 0) return copy_failed(result, CopyStep::kArguments, nt::kInvalidParameter);
  uint8_t* const bytes = static_cast<uint8_t*>(buffer);

  while (result.bytes_copied < expected_size) {
    const uint64_t offset = result.bytes_copied;
    const ChunkRead chunk = read_chunk(source, offset, bytes, chunk_length(expected_size - offset, buffer_size));
    if (!nt_success(chunk.status)) return copy_failed(result, CopyStep::kRead, chunk.status);
    if (chunk.bytes == 0) {
      if (source_end == SourceEnd::kMayEndEarly) break;
      return copy_failed(result, CopyStep::kRead, nt::kEndOfFile);  // the file shrank under us
    }
    // Hashed before the write, while the chunk the read just filled is still in cache; after
    // the write has streamed it to the sink it is not (measured: 1 MiB chunks cost ~40% more
    // CPU when hashed after). On a failed write, only what reached the sink is hashed.
    const uint32_t hash_with_chunk = crc32c_extend(result.hash, bytes, chunk.bytes);
    uint32_t written = 0;
    const NtStatus status = write_all(sink, offset, bytes, chunk.bytes, &written);
    if (!nt_success(status)) {
      result.hash = crc32c_extend(result.hash, bytes, written);
      result.bytes_copied += written;
      return copy_failed(result, CopyStep::kWrite, status);
    }
    result.hash = hash_with_chunk;
    result.bytes_copied += written;
  }

  const NtStatus status = sink.set_end_of_file(result.bytes_copied);
  if (!nt_success(status)) return copy_failed(result, CopyStep::kSetEndOfFile, status);
  return result;
}

VerifyResult hash_stream(ByteSource& source, uint64_t expected_size, void* buffer, uint32_t buffer_size) {
  VerifyResult result;
  if (buffer == nullptr || buffer_size == 0)
    return verify_failed(result, VerifyFailure::kArguments, nt::kInvalidParameter);
  uint8_t* const bytes = static_cast<uint8_t*>(buffer);

  while (result.bytes_read < expected_size) {
    const uint64_t offset = result.bytes_read;
    const ChunkRead chunk = read_chunk(source, offset, bytes, chunk_length(expected_size - offset, buffer_size));
    if (!nt_success(chunk.status)) return verify_failed(result, VerifyFailure::kRead, chunk.status);
    if (chunk.bytes == 0) return verify_failed(result, VerifyFailure::kShorter, nt::kFileCorruptError);
    result.hash = crc32c_extend(result.hash, bytes, chunk.bytes);
    result.bytes_read += chunk.bytes;
  }

  // The stream must end exactly here: anything after it is not what the metadata describes.
  const ChunkRead probe = read_chunk(source, expected_size, bytes, 1);
  if (!nt_success(probe.status)) return verify_failed(result, VerifyFailure::kRead, probe.status);
  if (probe.bytes != 0) return verify_failed(result, VerifyFailure::kLonger, nt::kFileCorruptError);
  return result;
}

VerifyResult verify_stream(ByteSource& source, uint64_t expected_size, uint32_t expected_hash, void* buffer,
                           uint32_t buffer_size) {
  VerifyResult result = hash_stream(source, expected_size, buffer, buffer_size);
  if (result.ok() && result.hash != expected_hash)
    return verify_failed(result, VerifyFailure::kHashMismatch, nt::kFileCorruptError);
  return result;
}

const char* copy_step_name(CopyStep step) {
  switch (step) {
    case CopyStep::kNone: return "none";
    case CopyStep::kArguments: return "arguments";
    case CopyStep::kRead: return "read";
    case CopyStep::kWrite: return "write";
    case CopyStep::kSetEndOfFile: return "set-end-of-file";
  }
  return "unknown";
}

const char* verify_failure_name(VerifyFailure failure) {
  switch (failure) {
    case VerifyFailure::kNone: return "none";
    case VerifyFailure::kArguments: return "arguments";
    case VerifyFailure::kRead: return "read error";
    case VerifyFailure::kShorter: return "shorter than recorded";
    case VerifyFailure::kLonger: return "longer than recorded";
    case VerifyFailure::kHashMismatch: return "content hash mismatch";
  }
  return "unknown";
}

}  // namespace fb
