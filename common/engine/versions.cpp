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

// Step 1: the version the new backup displaces. Its data goes only if no one else has it open
// (a reader sharing delete would leave it delete-pending: it would vanish at that reader's close
// while the rotation, unable to take its name, failed, a version deleted and not replaced).
// Its metadata goes only once the data is gone.
NtStatus drop_oldest_slot(FileSystem& fs, Str16 file, uint32_t slot) {
  const SlotStream data(slot, BackupPart::kData);
  NtStatus s = delete_unopened_stream(fs, file, data.name());
  // Still there: an open that shares delete and neither reads nor writes (another mover) holds it.
  if (nt_success(s) && stream_exists(fs, file, data.name())) s = nt::kDeletePending;
  if (nt_success(s)) s = delete_stream(fs, file, SlotStream(slot, BackupPart::kMeta).name());
  return s;
}

bool slot_present(FileSystem& fs, Str16 file, uint32_t slot) {
  return stream_exists(fs, file, SlotStream(slot, BackupPart::kData).name()) ||
         stream_exists(fs, file, SlotStream(slot, BackupPart::kMeta).name());
}

}  // namespace

// Step 0: each slot with data moves to the lowest free number below it (every target is free,
// so no rename replaces anything). Stops at the first failure: the slots keep their order.
NtStatus renumber_slots(FileSystem& fs, Str16 file) {
  uint32_t next = 1;
  for (uint32_t slot = 1; slot <= kMaxBackupVersions; ++slot) {
    if (!stream_exists(fs, file, SlotStream(slot, BackupPart::kData).name())) continue;
    if (slot != next) {
      const NtStatus s = shift_slot(fs, file, slot, next);
      if (!nt_success(s)) return s;
    }
    ++next;
  }
  return nt::kSuccess;
}

NtStatus delete_backup_slot(FileSystem& fs, Str16 file, uint32_t slot) { return delete_slot(fs, file, slot); }

namespace {

// Step 4: slots above max, the highest first; stops at one that stays (a reader holds it), so
// the slots left are still numbered without gaps.
uint32_t trim_above(FileSystem& fs, Str16 file, uint32_t max_versions) {
  uint32_t trimmed = 0;
  for (uint32_t slot = kMaxBackupVersions; slot > max_versions; --slot) {
    if (!slot_present(fs, file, slot)) continue;
    if (!nt_success(delete_slot(fs, file, slot)) || slot_present(fs, file, slot)) break;
    ++trimmed;
  }
  return trimmed;
}

}  // namespace

PromoteResult promote_temp_backup(FileSystem& fs, Str16 file, uint32_t max_versions, VersionTrim trim) {
  PromoteResult result;
  if (max_versions < 1 || max_versions > kMaxBackupVersions) {
    max_versions = 1;
    trim = VersionTrim::kKeepAbove;  // never delete on a count nobody configured
  }
  // A gap that cannot be closed (a reader holds a slot) is left: the rotation below skips it.
  if (trim == VersionTrim::kTrim) (void)renumber_slots(fs, file);
  const SlotStream oldest(max_versions, BackupPart::kData);
  if (stream_exists(fs, file, oldest.name())) {
    // A reader holds it: stop before deleting or moving anything (the new backup stays in
    // `backup.tmp`, the caller reports the failure).
    result.status = drop_oldest_slot(fs, file, max_versions);
    if (!nt_success(result.status)) return result;
    result.dropped = 1;
  }
  for (uint32_t slot = max_versions - 1; slot >= 1; --slot) {
    if (!stream_exists(fs, file, SlotStream(slot, BackupPart::kData).name())) continue;
    result.status = shift_slot(fs, file, slot, slot + 1);
    if (!nt_success(result.status)) return result;
  }
  result.status = shift_slot(fs, file, kTempBackupSlot, 1);
  if (nt_success(result.status) && trim == VersionTrim::kTrim) result.trimmed = trim_above(fs, file, max_versions);
  return result;
}

NtStatus delete_all_backups(FileSystem& fs, Str16 file) {
  NtStatus s = delete_slot(fs, file, kTempBackupSlot);
  for (uint32_t slot = 1; slot <= kMaxBackupVersions && nt_success(s); ++slot) s = delete_slot(fs, file, slot);
  return s;
}

}  // namespace fb
