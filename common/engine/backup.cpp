#include "common/engine/backup.h"

#include "common/copy/backup_metadata.h"
#include "common/engine/versions.h"

namespace fb {

SkipReason backup_skip_reason(const EngineConfig& config, uint64_t file_size, uint64_t free_space) {
  if (!config.enabled) return SkipReason::kDisabled;
  if (file_size == 0) return SkipReason::kEmptyFile;
  if (file_size > config.max_file_size) return SkipReason::kTooLarge;
  if (free_space < file_size || free_space - file_size < config.min_free_space) return SkipReason::kLowDiskSpace;
  return SkipReason::kNone;
}

BackupReport skipped(SkipReason reason, uint64_t file_size) {
  BackupReport r;
  r.outcome = Outcome::kSkipped;
  r.skip_reason = reason;
  r.file_size = file_size;
  return r;
}

BackupReport failed(NtStatus status, uint64_t file_size) {
  BackupReport r;
  r.outcome = Outcome::kFailed;
  r.status = status;
  r.file_size = file_size;
  return r;
}

// Data first, then metadata: a temporary backup without valid metadata is recognisably incomplete.
BackupReport copy_to_temp_backup(FileSystem& fs, const TempBackupJob& job, const CopyBuffer& buffer) {
  FsSource reader(fs, job.content);
  const CopyResult copy = copy_into_stream(fs, reader, job.size, job.owner,
                                           SlotStream(kTempBackupSlot, BackupPart::kData).name(), buffer);
  if (!copy.ok()) return failed(copy.status, job.size);
  BackupMetadata meta;
  meta.backup_time = job.time;
  meta.original_size = copy.bytes_copied;
  meta.content_hash = copy.hash;
  meta.writer_process_id = job.process_id;
  meta.trigger = job.trigger;
  const NtStatus s =
      write_metadata_stream(fs, job.owner, SlotStream(kTempBackupSlot, BackupPart::kMeta).name(), meta);
  if (!nt_success(s)) {
    delete_stream(fs, job.owner, SlotStream(kTempBackupSlot, BackupPart::kData).name());
    return failed(s, job.size);
  }
  BackupReport r;
  r.outcome = Outcome::kBackedUp;
  r.file_size = job.size;
  r.bytes_copied = copy.bytes_copied;
  r.content_hash = copy.hash;
  return r;
}

BackupReport run_backup(FileSystem& fs, const BackupJob& job, const CopyBuffer& buffer) {
  if (!job.config.enabled) return skipped(SkipReason::kDisabled, 0);
  uint64_t size = 0;
  BackupReport report;
  {
    ScopedHandle source(fs);
    NtStatus s = source.open(job.file, Str16(), OpenMode::kRead);
    if (nt_success(s)) s = fs.query_size(source.get(), &size);
    if (!nt_success(s)) return failed(s, 0);
    if (job.only_if_larger_than != UINT64_MAX && size <= job.only_if_larger_than) {
      BackupReport none;
      none.decided = false;
      return none;
    }
    uint64_t free_space = UINT64_MAX;
    if (!nt_success(fs.query_free_space(source.get(), &free_space))) free_space = UINT64_MAX;
    const SkipReason skip = backup_skip_reason(job.config, size, free_space);
    if (skip != SkipReason::kNone) return skipped(skip, size);
    if (buffer.data == nullptr || buffer.size == 0) return failed(nt::kInsufficientResources, size);
    report = copy_to_temp_backup(fs, TempBackupJob{source.get(), size, job.file, job.trigger, job.process_id, job.time}, buffer);
  }  // the file is closed before the renames
  if (report.outcome != Outcome::kBackedUp) return report;
  const PromoteResult promoted = promote_temp_backup(fs, job.file, job.config.max_versions, version_trim(job.config));
  if (!nt_success(promoted.status)) return failed(promoted.status, size);
  return report;
}

}  // namespace fb
