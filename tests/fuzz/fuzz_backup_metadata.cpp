// Fuzzes the metadata decoder and the verification rule. Input: one byte saying how many of the
// following bytes are the metadata record (0..255), then the record, then the data stream.
// Checks: decode never reads outside its input (ASan); a record that decodes re-encodes to the
// very same bytes (one encoding per record); check_backup agrees with decode and with a CRC of
// the data computed here; the copy engine copies the data stream exactly.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vector>

#include "common/copy/backup_metadata.h"
#include "common/copy/copy_engine.h"
#include "common/base/crc32c.h"

namespace {

// The data stream, delivered in reads of at most `max_read` bytes.
class BytesSource : public fb::ByteSource {
 public:
  BytesSource(const uint8_t* data, size_t size, uint32_t max_read) : data_(data), size_(size), max_read_(max_read) {}

  fb::NtStatus read(uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override {
    *bytes_read = 0;
    if (offset >= size_) return fb::nt::kEndOfFile;
    uint64_t n = size_ - offset;
    if (n > length) n = length;
    if (n > max_read_) n = max_read_;
    memcpy(buffer, data_ + offset, static_cast<size_t>(n));
    *bytes_read = static_cast<uint32_t>(n);
    return fb::nt::kSuccess;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  uint32_t max_read_;
};

class VectorSink : public fb::ByteSink {
 public:
  fb::NtStatus write(uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) override {
    if (bytes.size() < offset + length) bytes.resize(offset + length);
    memcpy(bytes.data() + offset, buffer, length);
    *bytes_written = length;
    return fb::nt::kSuccess;
  }
  fb::NtStatus set_end_of_file(uint64_t size) override {
    bytes.resize(size);
    return fb::nt::kSuccess;
  }
  std::vector<uint8_t> bytes;
};

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* input, size_t size) {
  if (size == 0) return 0;
  size_t meta_length = input[0];
  if (meta_length > size - 1) meta_length = size - 1;
  // Exact-size copies of the two parts, so ASan sees any read past either.
  const std::vector<uint8_t> meta(input + 1, input + 1 + meta_length);
  const std::vector<uint8_t> data(input + 1 + meta_length, input + size);

  fb::BackupMetadata decoded;
  const fb::MetadataError error = fb::decode_backup_metadata(meta.data(), meta.size(), &decoded);
  if (error == fb::MetadataError::kOk) {
    uint8_t again[fb::kBackupMetadataSize];
    check(fb::encode_backup_metadata(decoded, again, sizeof again) == fb::MetadataError::kOk);
    check(meta.size() == sizeof again && memcmp(again, meta.data(), sizeof again) == 0);
  }

  const uint32_t max_read = 1 + (size % 7);
  uint8_t buffer[13];
  BytesSource source(data.data(), data.size(), max_read);
  const fb::BackupCheck result = fb::check_backup(meta.data(), meta.size(), data.size(), &source, buffer, sizeof buffer);
  check(result.metadata_error == error);
  if (error != fb::MetadataError::kOk) {
    check(result.integrity == fb::BackupIntegrity::kMetadataInvalid);
  } else if (decoded.original_size != data.size()) {
    check(result.integrity == fb::BackupIntegrity::kSizeMismatch);
  } else {
    const bool hash_matches = fb::crc32c(data.data(), data.size()) == decoded.content_hash;
    check(result.ok() == hash_matches);
  }

  BytesSource copy_source(data.data(), data.size(), max_read);
  VectorSink sink;
  const fb::CopyResult copied = fb::copy_stream(copy_source, sink, data.size(), buffer, sizeof buffer);
  check(copied.ok() && copied.bytes_copied == data.size() && sink.bytes == data);
  check(copied.hash == fb::crc32c(data.data(), data.size()));
  return 0;
}
