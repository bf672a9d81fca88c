// The metadata record stored with every backup, in its own stream (`<file>:backup.meta` for
// slot 1, `<file>:backup.N.meta` for slot N; names from common/paths/stream_names.h), and the rule that
// decides whether a backup may be trusted.
//
// Write order (backup engine): data stream first, then set its end of file, then this record,
// so a backup interrupted at any byte has either no record or a record that does not match its
// data. Restore and `fbmon list` apply the verification rule (check_backup):
//   1. the metadata stream exists and decodes (magic, version, size, checksum, fields valid);
//   2. the data stream's length == original_size;
//   3. the CRC-32C of the data stream == content_hash (read in full; restore does it before
//      writing anything).
// A backup failing any step is incomplete or corrupt and is never restored.
//
// Encoding, version 1: 48 bytes, little-endian, no padding, independent of the compiler.
//   offset size field
//    0     4    magic "FBMD" (bytes 46 42 4D 44)
//    4     2    format version (1)
//    6     2    record size in bytes (48)
//    8     8    backup time, 100 ns since 1601-01-01 UTC (FILETIME), >= 0
//   16     8    original size: the file's size when it was backed up = the data stream's length
//   24     8    writer process id (the process whose modification triggered the backup)
//   32     4    content hash: CRC-32C of the data stream
//   36     1    hash algorithm (1 = CRC-32C)
//   37     1    trigger (fb::Trigger)
//   38     6    reserved, zero
//   44     4    record checksum: CRC-32C of bytes [0, 44)
// A later version may grow the record (record size says how much) and must bump the version.
#pragma once

#include "common/base/byte_io.h"
#include "common/copy/copy_engine.h"
#include "common/events/event.h"
#include "common/base/fb_base.h"

namespace fb {

constexpr uint32_t kBackupMetadataMagic = 0x444D4246u;  // "FBMD" as little-endian bytes
constexpr uint16_t kBackupMetadataVersion = 1;
constexpr uint32_t kBackupMetadataSize = 48;
constexpr uint8_t kHashAlgorithmCrc32c = 1;

struct BackupMetadata {
  int64_t backup_time = 0;         // FILETIME: 100 ns intervals since 1601-01-01 UTC
  uint64_t original_size = 0;      // bytes in the data stream
  uint32_t content_hash = 0;       // crc32c() of the data stream (CopyResult::hash)
  uint64_t writer_process_id = 0;
  Trigger trigger = Trigger::kOther;
};

enum class MetadataError : uint8_t {
  kOk = 0,
  kTooShort = 1,            // input (or output buffer) smaller than the record
  kBadMagic = 2,            // not a FileBackup metadata record
  kUnsupportedVersion = 3,  // format version other than kBackupMetadataVersion
  kBadRecordSize = 4,       // record size field is not this version's size
  kTrailingBytes = 5,       // input longer than the record
  kBadChecksum = 6,         // record damaged (or torn)
  kBadTrigger = 7,          // trigger is not a known fb::Trigger
  kBadHashAlgorithm = 8,    // hash algorithm is not CRC-32C
  kBadTime = 9,             // backup time negative
  kReservedNotZero = 10,    // reserved bytes set
};

// Writes the 48-byte record to out[0, kBackupMetadataSize). Fails (writing nothing) with
// kTooShort if capacity < kBackupMetadataSize, kBadTrigger or kBadTime if the record would not
// decode. Never writes past out + capacity.
MetadataError encode_backup_metadata(const BackupMetadata& metadata, uint8_t* out, size_t capacity);

// Validates and decodes a record of exactly `length` bytes (the whole metadata stream). Checks,
// in order: kTooShort, kBadMagic, kUnsupportedVersion, kBadRecordSize, kTrailingBytes,
// kBadChecksum, then the fields. *out is written only on kOk. Never reads outside [data, data+length).
MetadataError decode_backup_metadata(const uint8_t* data, size_t length, BackupMetadata* out);

const char* metadata_error_name(MetadataError error);

// The verification rule above, as one call.
enum class BackupIntegrity : uint8_t {
  kOk = 0,
  kMetadataInvalid = 1,  // see metadata_error
  kSizeMismatch = 2,     // data stream length != original_size
  kDataUnreadable = 3,   // a read of the data stream failed; status says why
  kDataMismatch = 4,     // content hash differs, or the stream ended early / went on (see verify)
};

struct BackupCheck {
  BackupIntegrity integrity = BackupIntegrity::kOk;
  NtStatus status = nt::kSuccess;  // nt::kFileCorruptError for every integrity failure but kDataUnreadable
  MetadataError metadata_error = MetadataError::kOk;
  VerifyFailure verify_failure = VerifyFailure::kNone;  // when the data was read (rule 3)
  BackupMetadata metadata;                              // valid unless kMetadataInvalid

  bool ok() const { return integrity == BackupIntegrity::kOk; }
};

// Applies rules 1 and 2 without reading the data (cheap: for listings), and, when `data` is not
// null, rule 3 by reading the data stream through `buffer`. data_length is the data stream's
// length as the caller queried it.
BackupCheck check_backup(const uint8_t* metadata, size_t metadata_length, uint64_t data_length, ByteSource* data,
                         void* buffer, uint32_t buffer_size);

const char* backup_integrity_name(BackupIntegrity integrity);

}  // namespace fb
