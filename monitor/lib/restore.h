// `fbmon restore`: runs the plan of restore_plan.h on a MonitorFileSystem. Everything but the
// Win32 calls lives here, so verification, the undo snapshot, the shared open of the target,
// truncation and every failure path are tested natively against a fake file system.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/copy/backup_metadata.h"
#include "monitor/lib/errors.h"
#include "monitor/lib/file_access.h"

namespace fbmon {

struct RestoreOptions {
  std::u16string file;         // the file whose backups are used, as the file system takes it
  std::u16string out;          // --to OUT; empty: restore in place. An existing OUT keeps its
                               // content as its own backup 1; OUT may not be FILE or a stream
  uint32_t version = 1;        // slot to restore
  uint32_t max_versions = 9;   // MaxVersions in effect, for the rotation
  bool dry_run = false;
  uint64_t process_id = 0;     // recorded as the writer of the undo snapshot
  int64_t now = 0;             // FILETIME (UTC) recorded as the snapshot's time
  bool elevated = true;        // for classifying access denied
};

struct RestoreReport {
  bool ok = false;
  ErrorInfo error;                 // when !ok
  std::vector<std::string> lines;  // what was done (or, dry run, would be done), one per step
  uint64_t restored_bytes = 0;
  bool undo_copy = false;          // the target's previous content became its backup 1
};

// --to OUT that is FILE itself (same path) or names a stream: fills *error (a usage error naming
// the fix) and returns true. run_restore checks it first; the glue also calls it before its own
// checks of OUT (which add: another name of the same file, a folder, read-only, not NTFS).
bool refuse_target(const RestoreOptions& options, ErrorInfo* error);

// The undo copy: `target`'s content into its own `:backup.tmp` and its metadata (this process,
// `now`, trigger other), which fb::promote_temp_backup then makes backup 1. On failure fills
// *error and leaves no `:backup.tmp`. Shared by restore and restore --deleted. `saved`, when
// given, receives the metadata written (restore compares it with slot 1 if the snapshot goes).
bool save_undo_snapshot(MonitorFileSystem& fs, const std::u16string& target, int64_t now, uint64_t process_id,
                        bool elevated, void* buffer, uint32_t buffer_size, ErrorInfo* error,
                        fb::BackupMetadata* saved = nullptr);

RestoreReport run_restore(MonitorFileSystem& fs, const RestoreOptions& options, void* buffer, uint32_t buffer_size);

}  // namespace fbmon
