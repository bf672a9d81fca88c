// The backup sequence for one file, run under the file's lock before its session's first
// modification (S1, S2, S3, S8, FSCTLs):
//
//   open the default stream for reading (share checks bypassed) and take its size;
//   decide: disabled, empty, too large, or too little free space -> skip;
//   copy it into `backup.tmp`, then write `backup.tmp.meta` (data first, then metadata);
//   close the file; promote the temporary backup into slot 1 (common/engine/versions.h).
//
// Any failure deletes the partial temporary stream and leaves the existing slots as they were.
#pragma once

#include "common/engine/config.h"
#include "common/engine/file_system.h"
#include "common/engine/streams.h"
#include "common/events/event.h"
#include "common/base/fb_base.h"

namespace fb {

struct BackupJob {
  Str16 file;                  // NT path of the file, no stream suffix
  Trigger trigger = Trigger::kWrite;
  uint64_t process_id = 0;
  int64_t time = 0;            // FILETIME recorded in the metadata
  EngineConfig config;
  // Allocation shrink (S3): back up only when the file is larger than this; otherwise the
  // operation is not a modification and no decision is made. UINT64_MAX: always.
  uint64_t only_if_larger_than = UINT64_MAX;
};

// What a sequence decided; the engine turns it into exactly one event.
struct BackupReport {
  bool decided = true;          // false: nothing to decide (allocation grew); no event
  Outcome outcome = Outcome::kFailed;
  SkipReason skip_reason = SkipReason::kNone;
  NtStatus status = nt::kSuccess;
  uint64_t file_size = 0;
  uint64_t bytes_copied = 0;
  uint32_t content_hash = 0;
  uint32_t versions_dropped = 0;  // versions that could not be carried over (S4, S5)
};

BackupReport run_backup(FileSystem& fs, const BackupJob& job, const CopyBuffer& buffer);

// Copying an open default stream into `<owner>:backup.tmp` plus its metadata: the step shared
// by run_backup (the file backs up its own content) and the S5/S7 adoption (the file taking a
// replaced file's name backs up the replaced content). On failure nothing partial is left.
struct TempBackupJob {
  FsHandle content;    // open for reading: the content to keep
  uint64_t size;       // its size, as queried before the copy
  Str16 owner;         // NT path of the file whose backup.tmp receives it
  Trigger trigger;
  uint64_t process_id;
  int64_t time;        // FILETIME recorded in the metadata
};
BackupReport copy_to_temp_backup(FileSystem& fs, const TempBackupJob& job, const CopyBuffer& buffer);

// The skip decision shared by every sequence: nullopt-like kNone when the content should be
// copied. free_space is UINT64_MAX when it could not be queried (the copy then finds out).
SkipReason backup_skip_reason(const EngineConfig& config, uint64_t file_size, uint64_t free_space);

// Report helpers.
BackupReport skipped(SkipReason reason, uint64_t file_size);
BackupReport failed(NtStatus status, uint64_t file_size);

}  // namespace fb
