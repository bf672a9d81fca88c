// The names of FileBackup's own streams, built and recognised in one place.
//
//   slot 1 (newest)   <file>:backup        metadata <file>:backup.meta
//   slot N (2..9)     <file>:backup.N      metadata <file>:backup.N.meta
//   in progress       <file>:backup.tmp    metadata <file>:backup.tmp.meta
//
// Every stream whose name starts with `backup` (ASCII case-insensitive, as NTFS compares these
// units) is ours: the driver never backs it up and never tracks its opens.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

constexpr uint32_t kFirstBackupSlot = 1;
constexpr uint32_t kLastBackupSlot = 9;
constexpr uint32_t kTempBackupSlot = 0;  // `backup.tmp`: a backup still being written

enum class BackupPart : uint8_t {
  kData = 0,  // the previous content
  kMeta = 1,  // its metadata record
};

enum class StreamOwner : uint8_t {
  kNotOurs = 0,     // any other stream, including the default stream
  kBackup = 1,      // one of the names above; slot and part say which
  kOtherOurs = 2,   // starts with `backup` but is none of the names above (`backup.1`, `backupX`)
};

struct StreamClass {
  StreamOwner owner = StreamOwner::kNotOurs;
  uint32_t slot = 0;  // kBackup: 1..9, or kTempBackupSlot
  BackupPart part = BackupPart::kData;
};

// Classifies a stream name as NtPathParts::stream_name gives it (no colons, no type).
StreamClass classify_stream(Str16 stream_name);

// True for every stream the driver must leave alone (kBackup and kOtherOurs).
inline bool is_our_stream(Str16 stream_name) { return classify_stream(stream_name).owner != StreamOwner::kNotOurs; }

// Longest suffix: `:backup.tmp.meta`.
constexpr uint32_t kMaxBackupSuffixUnits = 16;

// Writes the stream suffix (`:backup`, `:backup.2`, `:backup.tmp.meta`, ...) into out[0..cap):
// the form a relative open or a stream-to-stream rename (FileRenameInformation) takes.
// *len receives the units written (no terminator is written). Errors: kInvalidParameter for a
// slot outside 0..9, kNameTooLong when cap is too small (nothing is written then).
NtStatus build_backup_suffix(uint32_t slot, BackupPart part, char16_t* out, uint32_t cap, uint32_t* len);

// Writes `<file_path><suffix>` into out[0..cap). file_path is the file's name without a stream
// suffix (NtPathParts::file_path). kNameTooLong when the result exceeds cap or kMaxPathUnits.
NtStatus build_backup_stream_path(Str16 file_path, uint32_t slot, BackupPart part, char16_t* out, uint32_t cap,
                                  uint32_t* len);

}  // namespace fb
