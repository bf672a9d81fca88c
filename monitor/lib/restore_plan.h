// `fbmon restore`: which streams to read and write, in what order, given what exists. Pure,
// so every ordering rule is tested natively; restore.h executes the steps.
//
// The order keeps every content complete somewhere at every moment, so an interrupted
// restore loses nothing:
//   1. verify the chosen backup against its metadata (refuse corrupt or incomplete data);
//   2. snapshot the current content into `:backup.tmp` (+ metadata): the undo copy;
//   3. write the chosen backup over the file and cut the file to its length;
//   4. promote the snapshot to slot 1 with the engine's own rotation (fb::promote_temp_backup:
//      older slots move down one), so running `fbmon restore FILE` again undoes the restore.
//      A restore never drops a backup to make room unless all nine slots are in use: it keeps
//      max(MaxVersions, highest slot present + 1) versions. The driver's later backups
//      rotate MaxVersions slots and leave the ones above in place (docs/engine.md, Known limits).
// The target is written before the rotation because the rotation may drop the very slot being
// restored (restoring the oldest of MaxVersions backups); the current content is already safe
// in the snapshot by then.
// With --to OUT the file and its backups stay untouched and OUT is the target: a new OUT gets
// steps 1 and 3 only; an existing OUT gets all four on OUT's own streams, so its content becomes
// OUT's backup 1 exactly as a restore in place keeps the file's (`fbmon restore OUT` undoes it).
// An OUT that is the file itself or any stream (`a.txt:backup.2`) is refused before anything
// runs (target_problem).
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fbmon {

constexpr uint32_t kMaxSlots = 9;

struct SlotPresence {
  bool data = false;  // `:backup` / `:backup.N` exists
  bool meta = false;  // its metadata stream exists
};

struct RestoreRequest {
  uint32_t version = 1;              // slot to restore, 1 = newest
  uint32_t max_versions = kMaxSlots; // MaxVersions in effect (1..9)
  bool to_other_file = false;        // --to OUT
  bool target_exists = true;         // --to: OUT exists (its content must be kept)
  SlotPresence slots[kMaxSlots + 1]; // the file's, index 1..9
  SlotPresence target_slots[kMaxSlots + 1];  // --to: OUT's own backups (in place: unused)
};

enum class StepKind {
  kVerify,          // check slot `slot` against its metadata
  kSnapshot,        // copy the file's current content to `:backup.tmp` and write its metadata
  kWriteTarget,     // copy slot `slot` over the target, then set its end of file
  kPromote,         // rotate and make the snapshot slot 1, keeping at most `slot` versions
};

struct RestoreStep {
  StepKind kind;
  uint32_t slot = 0;
  uint32_t existing = 0;      // kPromote: backups the target has now
  uint32_t max_versions = 0;  // kPromote: MaxVersions in effect, for the explanation
};

enum class PlanError {
  kNone,
  kVersionOutOfRange,  // not 1..9
  kNoBackup,           // no slot at all
  kNoSuchVersion,      // that slot is empty
  kMissingMetadata,    // data without its metadata: cannot be verified
  kMissingData,        // metadata without its data: the backup's content is gone
};

struct RestorePlan {
  PlanError error = PlanError::kNone;
  std::vector<RestoreStep> steps;
  bool ok() const { return error == PlanError::kNone; }
};

RestorePlan plan_restore(const RestoreRequest& request);

// One line per step for --dry-run, naming real streams of `file` ("report.docx:backup.2") and
// of the target (the file itself, or OUT).
std::string describe_step(const RestoreStep& step, const std::string& file, const std::string& target);

// Why `out` cannot be a restore target for `file` (both full Win32 paths), or kNone.
enum class TargetProblem {
  kNone,
  kIsTheFile,   // the file itself: its content would be overwritten without the undo copy
  kIsAStream,   // `x:stream`: a backup, its metadata or any other stream
};
TargetProblem target_problem(const std::u16string& file, const std::u16string& out);
// "versions present: 1, 2, 4" for messages; "none" when empty.
std::string present_versions(const RestoreRequest& request);

}  // namespace fbmon
