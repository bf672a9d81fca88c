// Version rotation: puts a complete backup into slot 1 and shifts older ones down.
//
// A new backup is always written to `backup.tmp` (+ `backup.tmp.meta`) first; only when both
// are complete does promote_temp_backup() move it into place:
//   1. slot max (the oldest that is kept) is deleted, if present: it is the one version the new
//      backup displaces, and the complete temp backup already stands in for the count. Only if
//      no one else reads or writes it (OpenMode::kDeleteAlone): otherwise the promotion stops
//      here with nothing deleted, since a delete-pending version would vanish at the reader's
//      close while its name could not be taken, deleted without being replaced;
//   2. slots max-1 .. 1 are renamed one down, oldest first, so that every rename targets a name
//      that no longer exists (a stream rename cannot replace a non-empty stream, N8);
//   3. `backup.tmp` becomes `backup`, `backup.tmp.meta` becomes `backup.meta`.
// With VersionTrim::kTrim (only when MaxVersions was read valid from the registry, see
// EngineConfig::trim_versions) the file ends with exactly the newest max versions, numbered
// 1..n without gaps:
//   0. before step 1, slots are renumbered downwards to close gaps (renames only), so step 1
//      deletes the oldest version, not a newer one that happens to sit in slot max;
//   4. after step 3, slots above max (left by a larger MaxVersions) are deleted, the highest
//      first, until one cannot be (a reader holds it: the rest go at the next backup). The new
//      backup is in place before any of them goes, and a failure here does not fail it.
// Without it (a default or fallback MaxVersions) nothing above max is touched.
// Renames move extents without copying. At every step the number of complete backups (temp
// included) is at least what it was before, so a failure at any point leaves no fewer good
// backups than before; the caller reports it and leaves the rest as it is.
#pragma once

#include "common/engine/config.h"
#include "common/engine/file_system.h"
#include "common/base/fb_base.h"

namespace fb {

struct PromoteResult {
  NtStatus status = nt::kSuccess;
  uint32_t dropped = 0;  // versions deleted to make room (0 or 1)
  uint32_t trimmed = 0;  // versions above max deleted (step 4)
};

enum class VersionTrim : uint8_t {
  kKeepAbove,  // leave slots above max alone (fbmon's restore, a fallback MaxVersions)
  kTrim,       // steps 0 and 4
};

PromoteResult promote_temp_backup(FileSystem& fs, Str16 file, uint32_t max_versions,
                                  VersionTrim trim = VersionTrim::kKeepAbove);

// What a configuration allows: kTrim only for a MaxVersions read valid from the registry.
inline VersionTrim version_trim(const EngineConfig& config) {
  return config.trim_versions ? VersionTrim::kTrim : VersionTrim::kKeepAbove;
}

// Deletes one slot's data, then its metadata (fbmon prune). Never the file's own content.
NtStatus delete_backup_slot(FileSystem& fs, Str16 file, uint32_t slot);

// Renumbers the slots with data downwards to 1..n, keeping their order (renames only; every
// target is free). Stops at the first failure. Step 0 of kTrim, and fbmon prune's last step.
NtStatus renumber_slots(FileSystem& fs, Str16 file);

// Deletes every backup stream of `file` (slots 1..9, their metadata, the temp backup).
// Stops at the first failure and returns it.
NtStatus delete_all_backups(FileSystem& fs, Str16 file);

}  // namespace fb
