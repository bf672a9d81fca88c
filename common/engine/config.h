// The engine's tunables (registry values under ...\FileBackup\Parameters, read by the driver).
// The rule set (which folders are protected) is not here: it is passed per call, so that a
// reload can swap it atomically while callbacks are in flight.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

constexpr uint32_t kMaxBackupVersions = 9;  // slots :backup, :backup.2 .. :backup.9
constexpr uint32_t kMaxVaultAgeHours = 87600;  // VaultMaxAgeHours at most: ten years

struct EngineConfig {
  bool enabled = true;
  uint64_t max_file_size = 256ull << 20;   // larger files are skipped (SkipReason::kTooLarge)
  uint64_t min_free_space = 512ull << 20;  // free space that must remain after the copy
  uint32_t max_versions = 1;               // 1..kMaxBackupVersions
  // True only when max_versions was read valid from the registry: then a backup also deletes
  // the versions above max_versions (left by a larger MaxVersions) and closes gaps in the
  // numbering. A default or fallback value never deletes a version beyond the ordinary rotation
  // (an invalid registry value must not cost anyone their backups).
  bool trim_versions = false;
  // The vault (common/engine/vault.h): deleted files kept, per volume. 0 turns the vault off
  // (deletes are then reported as "backup lost", as before).
  uint64_t vault_max_bytes = 1ull << 30;        // VaultMaxBytes: kept files' total size
  uint32_t vault_max_age_hours = 7 * 24;        // VaultMaxAgeHours: a kept file goes after this
  uint64_t vault_max_file_size = 256ull << 20;  // VaultMaxFileSize: larger files are not kept
};

// How long after a protected name's file was deleted or renamed away a file arriving at the
// name (S6, S6b, a new file) receives its history: 5 minutes, in FILETIME units.
constexpr int64_t kNameHistoryWindow = 5ll * 60 * 10000000;

// The configuration with every out-of-range value replaced by its default (max_versions 0 or
// over 9, which also turns trimming off). Never fails: an invalid registry value must not stop
// the driver.
EngineConfig sanitize_config(const EngineConfig& config);

}  // namespace fb
