// What the engine tells user mode about one file: the in-memory form of a backup event.
// common/protocol/protocol.h encodes it for the wire; the queue carries it from the I/O path to the sender
// thread; fbmon decodes and prints it. The enum values are part of the wire format: append
// new values, never renumber.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

// What modification (or open) made the engine act.
enum class Trigger : uint8_t {
  kWrite = 1,            // S1: IRP_MJ_WRITE
  kAppend = 2,           // S2: write through an append-only handle
  kTruncate = 3,         // S3: set end of file / allocation shrink
  kOverwriteOnOpen = 4,  // S4: create with OVERWRITE, OVERWRITE_IF or SUPERSEDE
  kRenameOver = 5,       // S5: rename with ReplaceIfExists onto a protected file
  kMappedSection = 6,    // S8: writable section created
  kDelete = 7,           // S6: delete of a protected file (its backup goes with it)
  kOther = 8,            // FSCTL_SET_ZERO_DATA, offload write, ...
  // The vault (common/engine/vault.h): a file took a protected name whose previous file left it
  // within the history window, and received that file's content and versions.
  kDeleteThenRename = 9,       // S6: the previous file was deleted, a file was renamed in
  kRenameAwayThenRename = 10,  // S6b: the previous file was renamed away, a file was renamed in
  kDeleteThenCreate = 11,      // the previous file was deleted, a new file was created there
};

enum class Outcome : uint8_t {
  kBackedUp = 1,    // a complete backup is in place; bytes_copied == file_size
  kSkipped = 2,     // deliberately not backed up; see SkipReason
  kFailed = 3,      // tried and failed; see status. Earlier backups are intact.
  kBackupLost = 4,  // the file was deleted and its backups with it (the vault refused it:
                    // skip_reason says why, or status when it failed)
  kKeptInVault = 5,   // the file was deleted; its content and versions are kept in the vault
  kVaultEvicted = 6,  // a deleted file kept in the vault was removed by the vault's bounds
};

enum class SkipReason : uint8_t {
  kNone = 0,
  kEmptyFile = 1,      // nothing to back up
  kTooLarge = 2,       // file_size > MaxFileSize
  kLowDiskSpace = 3,   // free space after the copy would fall under MinFreeSpace
  kDisabled = 4,       // Enabled = 0 in the configuration
  kNotObservable = 5,  // the session's first modification came where the driver can do no I/O
                       // (raised IRQL, or inside a file system's own request)
};

constexpr uint32_t kMaxPathUnits = 32767;  // longest NT path, in UTF-16 code units

struct BackupEvent {
  uint64_t sequence = 0;        // assigned when queued; gaps mean dropped events
  int64_t time = 0;             // 100 ns intervals since 1601-01-01 UTC (FILETIME)
  uint64_t process_id = 0;      // the writer
  Trigger trigger = Trigger::kOther;
  Outcome outcome = Outcome::kFailed;
  SkipReason skip_reason = SkipReason::kNone;
  NtStatus status = nt::kSuccess;  // failure status when outcome == kFailed
  uint64_t file_size = 0;       // size of the file's content before the modification
  uint64_t bytes_copied = 0;    // bytes written to the backup
  uint64_t duration = 0;        // time spent backing up, 100 ns units
  uint32_t slot = 0;            // backup slot written (1 = :backup, the newest), 0 if none
  Str16 path;                   // the file's NT path; not owned, <= kMaxPathUnits units
};

// Reported to the watcher in place of events that could not be delivered.
struct GapReport {
  uint64_t dropped = 0;         // how many events were lost
  uint64_t first_sequence = 0;  // sequence numbers of the first and last lost event
  uint64_t last_sequence = 0;
};

}  // namespace fb
