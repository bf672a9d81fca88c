// `fbmon prune FILE|FOLDER [--keep N] [--older-than DAYS] [--all] [--dry-run]`: deletes backup
// slots of one file, data and metadata together, then renumbers the rest newest-first from 1
// (fb::renumber_slots, the engine's own). Never the file's own content, never `:backup.tmp`
// (it may be a backup the driver is writing right now).
//
// Which slots go (slot 1 is the newest):
//   --all            every slot;
//   --keep N         the slots after the N newest;
//   --older-than D   the slots whose backup time is more than D days before now;
//   --keep and --older-than together: only slots matching both (the N newest always stay).
// A slot whose metadata cannot be read has no known time: --older-than keeps it, --keep and
// --all count and delete it like the others. At least one selector is required.
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "monitor/lib/errors.h"
#include "monitor/lib/file_access.h"
#include "monitor/lib/vault_listing.h"

namespace fbmon {

constexpr uint32_t kKeepUnset = UINT32_MAX;

struct PruneOptions {
  std::u16string file;
  uint32_t keep = kKeepUnset;   // --keep N (0..9)
  uint32_t older_than_days = 0; // --older-than DAYS; 0 = not given
  bool all = false;
  bool dry_run = false;
  int64_t now = 0;              // FILETIME (UTC)
  // --deleted: how a kept file's deletion time (UTC) is shown; null: as UTC, said so.
  std::function<int64_t(int64_t)> to_local;
};

struct PruneReport {
  bool ok = false;
  ErrorInfo error;
  std::vector<std::string> lines;  // one per slot deleted (or that would be), then the renumbering
  uint32_t deleted = 0;
  uint32_t kept = 0;
  uint64_t bytes_freed = 0;
};

// Which of the present slots (ascending, 1..9) a prune deletes; `times[i]` is slot slots[i]'s
// backup time, 0 when unknown. Pure, table-tested.
std::vector<uint32_t> slots_to_prune(const std::vector<uint32_t>& slots, const std::vector<int64_t>& times,
                                     const PruneOptions& options);

PruneReport run_prune(MonitorFileSystem& fs, const PruneOptions& options);

// `fbmon prune --deleted`: kept files of the vault (vault_listing.h) go with their link, record
// and backups (remove_vault_entry). `files` newest first (sort_deleted). Which go:
//   --all            every kept file;
//   --keep N         each original path keeps its N newest kept files (a kept file whose record
//                    cannot be read is a path of its own);
//   --older-than D   those deleted more than D days before now (no readable record: no known
//                    time, kept);
//   --keep and --older-than together: only those matching both.
// A file that still has another name (not deleted, or followed by the driver) never goes.
// Returns indexes into `files`. Pure, table-tested.
std::vector<size_t> deleted_to_prune(const std::vector<DeletedFile>& files, const PruneOptions& options);

PruneReport run_prune_deleted(MonitorFileSystem& fs, const std::vector<DeletedFile>& files, const PruneOptions& options);

}  // namespace fbmon
