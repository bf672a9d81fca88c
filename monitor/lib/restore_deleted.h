// `fbmon restore --deleted PATH [--id ID] [--to OUT] [--dry-run]`: puts a file the vault keeps
// (vault_listing.h) back at its original path, or at OUT, with its versions; then removes the
// vault entry (link and record), only once every copy was read back and matched.
//
// The plan (pure, plan_restore_deleted) keeps every content complete somewhere at every moment:
//   target missing:  1. check   the kept file can be read
//                    2. write   create the target, copy the kept content, read it back
//                    3. version copy each backup slot (data and metadata) under the same number,
//                               read each back
//                    4. remove  the vault's link, then its record
//                    A failure in 2-3 deletes what was created: the vault still has everything.
//   target exists:   as `fbmon restore` (restore_plan.h): its content is never overwritten
//                    without first becoming its own backup 1, so `fbmon restore TARGET` undoes.
//                    1. check   the kept file can be read, the target opened for writing
//                    2. snapshot the target's content into its `:backup.tmp` (+ metadata)
//                    3. version (only when the target has no backups of its own and the kept
//                               file's fit below slot 9) copy each slot as above
//                    4. write   the kept content over the target, cut to length, read back
//                    5. promote the snapshot becomes backup 1, the copied versions 2.., with the
//                               engine's rotation (fb::promote_temp_backup)
//                    6. remove  only when the versions came along (or there were none); else the
//                               kept file stays in the vault and the report says how to get its
//                               versions (`--to NEW`)
// A kept file that still has another name (still_named) was not deleted and is refused.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "monitor/lib/errors.h"
#include "monitor/lib/file_access.h"
#include "monitor/lib/restore.h"
#include "monitor/lib/vault_listing.h"

namespace fbmon {

struct DeletedRestoreRequest {
  bool target_exists = false;
  uint32_t target_highest_slot = 0;  // the existing target's own backups (0: none)
  std::vector<uint32_t> kept_slots;  // the kept file's slots with data, ascending
  uint32_t max_versions = 9;         // MaxVersions in effect
};

enum class DeletedStepKind {
  kCheck,     // read the kept file (and open an existing target for writing)
  kSnapshot,  // the target's content -> its `:backup.tmp` + metadata
  kCopyVersion,
  kWrite,     // the kept content -> the target (created when missing)
  kPromote,   // snapshot -> backup 1, keeping at most `slot` versions
  kRemove,    // the vault's link and record
};

struct DeletedStep {
  DeletedStepKind kind;
  uint32_t slot = 0;  // kCopyVersion: the slot; kPromote: versions kept
};

struct DeletedRestorePlan {
  std::vector<DeletedStep> steps;
  bool versions_stay = false;  // the kept file's versions do not come along: the entry stays
};

DeletedRestorePlan plan_restore_deleted(const DeletedRestoreRequest& request);
std::string describe_deleted_step(const DeletedStep& step, const std::string& kept, const std::string& target);

struct RestoreDeletedOptions {
  std::u16string out;          // --to OUT; empty: the original path
  uint32_t max_versions = 9;
  bool dry_run = false;
  uint64_t process_id = 0;     // the undo snapshot's writer
  int64_t now = 0;             // the undo snapshot's time (FILETIME UTC)
  bool elevated = true;
};

struct RestoreDeletedReport {
  bool ok = false;
  ErrorInfo error;
  std::vector<std::string> lines;
  std::u16string target;
  uint64_t restored_bytes = 0;
  uint32_t versions_copied = 0;
  bool undo_copy = false;       // the existing target's content became its backup 1
  bool entry_removed = false;
  bool versions_stay = false;
};

RestoreDeletedReport run_restore_deleted(MonitorFileSystem& fs, const DeletedFile& kept,
                                         const RestoreDeletedOptions& options, void* buffer, uint32_t buffer_size);

// Removes a vault entry: the link (the file goes with its last name), then the record, then
// (Wine keeps streams as plain files) any `<id>:backup*` left. Refuses a file with another name.
fb::NtStatus remove_vault_entry(MonitorFileSystem& fs, const DeletedFile& kept);

}  // namespace fbmon
