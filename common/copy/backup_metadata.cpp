#include "common/copy/backup_metadata.h"

#include "common/base/crc32c.h"

namespace fb {
namespace {

// Field offsets of version 1 (see the table in common/copy/backup_metadata.h).
constexpr size_t kOffMagic = 0;
constexpr size_t kOffVersion = 4;
constexpr size_t kOffRecordSize = 6;
constexpr size_t kOffTime = 8;
constexpr size_t kOffOriginalSize = 16;
constexpr size_t kOffProcessId = 24;
constexpr size_t kOffContentHash = 32;
constexpr size_t kOffHashAlgorithm = 36;
constexpr size_t kOffTrigger = 37;
constexpr size_t kOffReserved = 38;
constexpr size_t kReservedBytes = 6;
constexpr size_t kOffChecksum = 44;
static_assert(kOffChecksum + 4 == kBackupMetadataSize, "the checksum ends the record");
static_assert(kOffReserved + kReservedBytes == kOffChecksum, "no gaps in the record");

void put_le(uint8_t* out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* in, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(in[i]) << (8 * i);
  return value;
}

// A switch without default, so -Wswitch (and -Werror) flags a Trigger added to common/events/event.h.
bool is_known_trigger(Trigger trigger) {
  switch (trigger) {
    case Trigger::kWrite:
    case Trigger::kAppend:
    case Trigger::kTruncate:
    case Trigger::kOverwriteOnOpen:
    case Trigger::kRenameOver:
    case Trigger::kMappedSection:
    case Trigger::kDelete:
    case Trigger::kOther:
    case Trigger::kDeleteThenRename:
    case Trigger::kRenameAwayThenRename:
    case Trigger::kDeleteThenCreate:
      return true;
  }
  return false;
}

MetadataError validate_fields(const uint8_t* record) {
  if (!is_known_trigger(static_cast<Trigger>(record[kOffTrigger]))) return MetadataError::kBadTrigger;
  if (record[kOffHashAlgorithm] != kHashAlgorithmCrc32c) return MetadataError::kBadHashAlgorithm;
  if (static_cast<int64_t>(get_le(record + kOffTime, 8)) < 0) return MetadataError::kBadTime;
  for (size_t i = 0; i < kReservedBytes; ++i)
    if (record[kOffReserved + i] != 0) return MetadataError::kReservedNotZero;
  return MetadataError::kOk;
}

BackupCheck check_failed(BackupCheck check, BackupIntegrity integrity, NtStatus status) {
  check.integrity = integrity;
  check.status = status;
  return check;
}

}  // namespace

MetadataError encode_backup_metadata(const BackupMetadata& metadata, uint8_t* out, size_t capacity) {
  if (out == nullptr || capacity < kBackupMetadataSize) return MetadataError::kTooShort;
  if (!is_known_trigger(metadata.trigger)) return MetadataError::kBadTrigger;
  if (metadata.backup_time < 0) return MetadataError::kBadTime;

  put_le(out + kOffMagic, kBackupMetadataMagic, 4);
  put_le(out + kOffVersion, kBackupMetadataVersion, 2);
  put_le(out + kOffRecordSize, kBackupMetadataSize, 2);
  put_le(out + kOffTime, static_cast<uint64_t>(metadata.backup_time), 8);
  put_le(out + kOffOriginalSize, metadata.original_size, 8);
  put_le(out + kOffProcessId, metadata.writer_process_id, 8);
  put_le(out + kOffContentHash, metadata.content_hash, 4);
  out[kOffHashAlgorithm] = kHashAlgorithmCrc32c;
  out[kOffTrigger] = static_cast<uint8_t>(metadata.trigger);
  put_le(out + kOffReserved, 0, kReservedBytes);
  put_le(out + kOffChecksum, crc32c(out, kOffChecksum), 4);
  return MetadataError::kOk;
}

MetadataError decode_backup_metadata(const uint8_t* data, size_t length, BackupMetadata* out) {
  if (data == nullptr || length < kBackupMetadataSize) return MetadataError::kTooShort;
  if (get_le(data + kOffMagic, 4) != kBackupMetadataMagic) return MetadataError::kBadMagic;
  if (get_le(data + kOffVersion, 2) != kBackupMetadataVersion) return MetadataError::kUnsupportedVersion;
  if (get_le(data + kOffRecordSize, 2) != kBackupMetadataSize) return MetadataError::kBadRecordSize;
  if (length > kBackupMetadataSize) return MetadataError::kTrailingBytes;
  if (get_le(data + kOffChecksum, 4) != crc32c(data, kOffChecksum)) return MetadataError::kBadChecksum;
  const MetadataError fields = validate_fields(data);
  if (fields != MetadataError::kOk) return fields;

  BackupMetadata decoded;
  decoded.backup_time = static_cast<int64_t>(get_le(data + kOffTime, 8));
  decoded.original_size = get_le(data + kOffOriginalSize, 8);
  decoded.writer_process_id = get_le(data + kOffProcessId, 8);
  decoded.content_hash = static_cast<uint32_t>(get_le(data + kOffContentHash, 4));
  decoded.trigger = static_cast<Trigger>(data[kOffTrigger]);
  if (out != nullptr) *out = decoded;
  return MetadataError::kOk;
}

BackupCheck check_backup(const uint8_t* metadata, size_t metadata_length, uint64_t data_length, ByteSource* data,
                         void* buffer, uint32_t buffer_size) {
  BackupCheck check;
  check.metadata_error = decode_backup_metadata(metadata, metadata_length, &check.metadata);
  if (check.metadata_error != MetadataError::kOk)
    return check_failed(check, BackupIntegrity::kMetadataInvalid, nt::kFileCorruptError);
  if (data_length != check.metadata.original_size)
    return check_failed(check, BackupIntegrity::kSizeMismatch, nt::kFileCorruptError);
  if (data == nullptr) return check;  // rules 1 and 2 only

  const VerifyResult verify =
      verify_stream(*data, check.metadata.original_size, check.metadata.content_hash, buffer, buffer_size);
  check.verify_failure = verify.failure;
  if (verify.failure == VerifyFailure::kRead || verify.failure == VerifyFailure::kArguments)
    return check_failed(check, BackupIntegrity::kDataUnreadable, verify.status);
  if (!verify.ok()) return check_failed(check, BackupIntegrity::kDataMismatch, nt::kFileCorruptError);
  return check;
}

const char* metadata_error_name(MetadataError error) {
  switch (error) {
    case MetadataError::kOk: return "ok";
    case MetadataError::kTooShort: return "too short";
    case MetadataError::kBadMagic: return "bad magic";
    case MetadataError::kUnsupportedVersion: return "unsupported version";
    case MetadataError::kBadRecordSize: return "bad record size";
    case MetadataError::kTrailingBytes: return "trailing bytes";
    case MetadataError::kBadChecksum: return "bad checksum";
    case MetadataError::kBadTrigger: return "bad trigger";
    case MetadataError::kBadHashAlgorithm: return "bad hash algorithm";
    case MetadataError::kBadTime: return "bad time";
    case MetadataError::kReservedNotZero: return "reserved bytes not zero";
  }
  return "unknown";
}

const char* backup_integrity_name(BackupIntegrity integrity) {
  switch (integrity) {
    case BackupIntegrity::kOk: return "ok";
    case BackupIntegrity::kMetadataInvalid: return "metadata invalid";
    case BackupIntegrity::kSizeMismatch: return "size mismatch";
    case BackupIntegrity::kDataUnreadable: return "data unreadable";
    case BackupIntegrity::kDataMismatch: return "data mismatch";
  }
  return "unknown";
}

}  // namespace fb
