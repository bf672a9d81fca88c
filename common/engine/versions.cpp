#include "common/engine/versions.h"

#include "common/engine/config.h"
#include "common/engine/streams.h"

namespace fb {
namespace {

// Moves slot `from` (data, then its metadata) to slot `to`, which holds no data.
NtStatus shift_slot(FileSystem& fs, Str16 file, uint32_t from, uint32_t to) {
  const SlotStream from_data(from, BackupPart::kData), to_data(to, BackupPart::kData);
  const SlotStream from_meta(from, BackupPart::kMeta), to_meta(to, BackupPart::kMeta);
  // Metadata without data is not a backup; a stale record must not describe the moved data.
  NtStatus s = delete_stream(fs, file, to_meta.name());
  if (nt_success(s)) s = move_stream(fs, file, from_data.name(), to_data.name());
  if (nt_success(s) && stream_exists(fs, file, from_meta.name())) s = move_stream(fs, file, from_meta.name(), to_meta.name());
  return s;
}

NtStatus delete_slot(FileSystem& fs, Str16 file, uint32_t slot) {
  NtStatus s = delete_stream(fs, file, SlotStream(slot, BackupPart::kData).name());
  if (nt_success(s)) s = delete_stream(fs, file, SlotStream(slot, BackupPart::kMeta).name());
  return s;
}

}  // namespace

PromoteResult promote_temp_backup(FileSystem& fs, Str16 file, uint32_t max_versions) {
  PromoteResult result;
  if (max_versions < 1 || max_versions > kMaxBackupVersions) max_versions = 1;
  const SlotStream oldest(max_versions, BackupPart::kData);
  if (stream_exists(fs, file, oldest.name())) {
    result.status = delete_slot(fs, file, max_versions);
    // Still there: someone holds it open with FILE_SHARE_DELETE, so it is only delete-pending and
    // its name cannot be taken yet. Stop before moving anything.
    if (nt_success(result.status) && stream_exists(fs, file, oldest.name())) result.status = nt::kDeletePending;
    if (!nt_success(result.status)) return result;
    result.dropped = 1;
  }
  for (uint32_t slot = max_versions - 1; slot >= 1; --slot) {
    if (!stream_exists(fs, file, SlotStream(slot, BackupPart::kData).name())) continue;
    result.status = shift_slot(fs, file, slot, slot + 1);
    if (!nt_success(result.status)) return result;
  }
  result.status = shift_slot(fs, file, kTempBackupSlot, 1);
  return result;
}

NtStatus delete_all_backups(FileSystem& fs, Str16 file) {
  NtStatus s = delete_slot(fs, file, kTempBackupSlot);
  for (uint32_t slot = 1; slot <= kMaxBackupVersions && nt_success(s); ++slot) s = delete_slot(fs, file, slot);
  return s;
}

}  // namespace fb
