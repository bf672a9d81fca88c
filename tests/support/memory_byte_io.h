// In-memory ByteSource and ByteSink for tests: a byte vector with knobs for the behaviours the
// copy engine must survive (short reads and writes of any size, the two ways of reporting end
// of stream, a full disk). Reusable by any test that needs a stream without a file system.
#pragma once

#include <stdint.h>

#include <utility>
#include <vector>

#include "common/base/byte_io.h"

namespace fbtest {

class MemorySource : public fb::ByteSource {
 public:
  // How the end of the stream is reported: success with 0 bytes (ReadFile, pread) or
  // nt::kEndOfFile (FltReadFile).
  enum class EndStyle { kZeroBytes, kEndOfFileStatus };

  explicit MemorySource(std::vector<uint8_t> bytes = {}) : content(std::move(bytes)) {}

  fb::NtStatus read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override;

  std::vector<uint8_t> content;
  uint32_t max_read = UINT32_MAX;  // deliver at most this many bytes per call (short reads)
  EndStyle end_style = EndStyle::kZeroBytes;
  int reads = 0;                   // calls so far
  uint64_t highest_offset_asked = 0;  // max of offset + length over all calls
};

class MemorySink : public fb::ByteSink {
 public:
  fb::NtStatus write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) override;
  fb::NtStatus set_end_of_file(uint64_t size) override;

  std::vector<uint8_t> content;
  uint32_t max_write = UINT32_MAX;  // accept at most this many bytes per call (short writes)
  uint64_t capacity = UINT64_MAX;   // bytes beyond this are not accepted (0-byte write: disk full)
  int writes = 0;
  int set_end_of_file_calls = 0;
};

// Deterministic pseudo-random bytes (the same for a given seed on every platform).
std::vector<uint8_t> pattern_bytes(size_t size, uint32_t seed = 1);

}  // namespace fbtest
