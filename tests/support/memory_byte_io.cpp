#include "tests/support/memory_byte_io.h"

#include <algorithm>
#include <cstring>

namespace fbtest {

fb::NtStatus MemorySource::read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) {
  ++reads;
  highest_offset_asked = std::max(highest_offset_asked, offset + length);
  *bytes_read = 0;
  if (offset >= content.size())
    return end_style == EndStyle::kEndOfFileStatus ? fb::nt::kEndOfFile : fb::nt::kSuccess;
  const uint64_t available = content.size() - offset;
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>({length, max_read, available}));
  std::memcpy(buffer, content.data() + offset, n);
  *bytes_read = n;
  return fb::nt::kSuccess;
}

fb::NtStatus MemorySink::write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) {
  ++writes;
  *bytes_written = 0;
  const uint64_t room = offset >= capacity ? 0 : capacity - offset;
  const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>({length, max_write, room}));
  if (n == 0) return fb::nt::kSuccess;  // what a full disk looks like through a short write
  if (content.size() < offset + n) content.resize(offset + n);
  std::memcpy(content.data() + offset, buffer, n);
  *bytes_written = n;
  return fb::nt::kSuccess;
}

fb::NtStatus MemorySink::set_end_of_file(uint64_t size) {
  ++set_end_of_file_calls;
  content.resize(size);
  return fb::nt::kSuccess;
}

std::vector<uint8_t> pattern_bytes(size_t size, uint32_t seed) {
  std::vector<uint8_t> bytes(size);
  uint32_t state = seed * 2654435761u + 1;
  for (uint8_t& b : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    b = static_cast<uint8_t>(state >> 24);
  }
  return bytes;
}

}  // namespace fbtest
