#include "common/engine/adopt.h"

#include "common/copy/backup_metadata.h"
#include "common/engine/streams.h"
#include "common/engine/versions.h"
#include "common/paths/stream_names.h"

namespace fb {
BackupReport adopt_replaced_target(FileSystem& fs, const AdoptJob& job, const CopyBuffer& buffer) {
  if (!job.config.enabled) return skipped(SkipReason::kDisabled, 0);
  BackupReport report;
  uint64_t size = 0;
  {
    ScopedHandle target(fs);
    NtStatus s = target.open(job.target, Str16(), OpenMode::kRead);
    if (is_not_found(s)) {
      BackupReport none;
      none.decided = false;
      return none;
    }
    if (nt_success(s)) s = fs.query_size(target.get(), &size);
    if (!nt_success(s)) return failed(s, 0);
    uint64_t free_space = UINT64_MAX;
    if (!nt_success(fs.query_free_space(target.get(), &free_space))) free_space = UINT64_MAX;
    const SkipReason skip = backup_skip_reason(job.config, size, free_space);
    if (skip == SkipReason::kLowDiskSpace || skip == SkipReason::kDisabled) return skipped(skip, size);
    if (buffer.data == nullptr || buffer.size == 0) return failed(nt::kInsufficientResources, size);
    s = delete_all_backups(fs, job.source);
    if (!nt_success(s)) return failed(s, size);
    report = skip == SkipReason::kNone ? copy_to_temp_backup(fs, TempBackupJob{target.get(), size, job.source, job.trigger, job.process_id, job.time}, buffer) : skipped(skip, size);
  }  // the target is closed before anything else: the rename must find it unopened (N5)
  const bool content = report.outcome == Outcome::kBackedUp;
  const uint32_t carry_limit = job.config.max_versions - (content ? 1 : 0);
  // A slot that cannot be copied dies with the target (N5): never silent. The slots above it
  // are not copied either (with a gap, the promotion would delete slot max to make room).
  NtStatus lost = nt::kSuccess;
  for (uint32_t slot = 1; slot <= carry_limit; ++slot) {
    if (!stream_exists(fs, job.target, SlotStream(slot, BackupPart::kData).name())) continue;
    const NtStatus s = copy_backup_slot(fs, job.target, job.source, slot, buffer);
    if (!nt_success(s)) {
      lost = s;
      for (uint32_t above = slot; above <= carry_limit; ++above)
        if (stream_exists(fs, job.target, SlotStream(above, BackupPart::kData).name())) ++report.versions_dropped;
      break;
    }
  }
  if (content) {
    const PromoteResult promoted = promote_temp_backup(fs, job.source, job.config.max_versions);
    if (!nt_success(promoted.status)) {
      const uint32_t dropped = report.versions_dropped;
      report = failed(promoted.status, size);
      report.versions_dropped = dropped;
    }
  }
  // The replaced content may be kept, but a version that could not be is a failure to report.
  if (!nt_success(lost) && report.outcome != Outcome::kFailed) {
    const uint32_t dropped = report.versions_dropped;
    report = failed(lost, size);
    report.versions_dropped = dropped;
  }
  return report;
}

}  // namespace fb
