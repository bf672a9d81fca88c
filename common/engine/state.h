// Per-file and per-handle state, as plain structs the driver embeds in its Filter Manager
// contexts:
//   FileState   -> stream context of the default stream (nonpaged: it holds the lock's pointer
//                  and is touched under the lock at PASSIVE_LEVEL, but its flag is also read
//                  on the write path without the lock);
//   HandleState -> stream handle context of each tracked open;
//   CreateTicket -> the pre-create to post-create completion context.
//
// A write session starts with the first open that can modify the file and ends when the last
// such handle is cleaned up; exactly one backup decision (backup, skip or failure, one event)
// is made per session, before its first modification.
//
// Which fields the file's lock guards is written as FB_GUARDED_BY(lock) and checked by clang's
// thread-safety analysis (common/base/thread_annotations.h). The fields without it are touched
// without the lock on purpose, each through atomics, as its comment says.
#pragma once

#include "common/base/thread_annotations.h"
#include "common/engine/lock.h"
#include "common/events/event.h"
#include "common/base/fb_base.h"

namespace fb {

struct FileState {
  // The file's NT path without stream suffix. The storage is owned by the driver (allocated
  // with the context, freed by its cleanup callback); it must outlive every engine call that
  // receives this state. A rename replaces it under `lock` (Engine::apply_rename): read it only
  // under `lock`, or through the engine.
  Str16 name FB_GUARDED_BY(lock);
  // Guards writer_count and the backup sequence. Owned by the driver, lives next to the state.
  FileLock* lock = nullptr;
  // Handles of this file that count as writers (HandleState::counted_writer). Under `lock`.
  uint32_t writer_count FB_GUARDED_BY(lock) = 0;
  // This session's backup decision: 0 undecided, 1 decided, 2 being decided (a backup in
  // progress, only while `lock` is held). Written under `lock`, except the 0 -> 1 compare-exchange
  // of Engine::modification_unobserved; read on the write path first without the lock (acquire)
  // so that every write after the first costs one load. Access only through the engine. Not
  // FB_GUARDED_BY: every access is an __atomic builtin, some of them without the lock.
  uint32_t session_decided = 0;
  // A modification the driver could not act on claimed this session's decision (0 -> 1 above)
  // without the lock: its kSkipped event waits here until an engine call holds `lock` and may
  // read `name` (1 = pending). The unobserved_* fields are written by the claimer before the
  // release store of this flag, and read under `lock` after an acquire load of it (so they are
  // not FB_GUARDED_BY: their writer does not hold the lock).
  uint32_t unobserved_pending = 0;
  Trigger unobserved_trigger = Trigger::kWrite;
  uint64_t unobserved_process_id = 0;
  int64_t unobserved_time = 0;
  // Sessions seen on this file (statistics and tests). Counted under `lock`.
  uint32_t sessions FB_GUARDED_BY(lock) = 0;
  // The file was renamed to a name the rules do not protect (or that is no longer the default
  // stream of a file): its modifications decide nothing until a rename brings it back. Under
  // `lock`, like `name`, which a rename replaces (Engine::apply_rename).
  bool excluded FB_GUARDED_BY(lock) = false;
  // A delete of this file was asked for (a delete-on-close open that succeeded, or
  // FileDispositionInformation(Ex) with delete) while it had a backup: the loss is reported when
  // the file really goes, at a cleanup that finds it deleted (Engine::stream_cleaned_up), once.
  // 1 = watching. Written under `lock`; read without it by the driver's cleanup path (acquire),
  // so not FB_GUARDED_BY.
  uint32_t delete_watch = 0;
  uint64_t delete_process_id = 0;
  // The vault entry (common/engine/vault.h) holding the file while its delete is watched, 0 when
  // the vault did not keep it; then vault_refused / vault_status say why, for the report. Under
  // `lock` (read by the engine only, under it).
  uint64_t vault_id = 0;
  SkipReason vault_refused = SkipReason::kNone;
  NtStatus vault_status = nt::kSuccess;
  // A rename the driver could not follow (Engine::name_unknown): `name` may now be another
  // file's, so no backup is made under it until a followed rename brings a name back (1 = set).
  // Set without the lock (atomic store), read under it; so not FB_GUARDED_BY.
  uint32_t name_unknown = 0;
};

struct HandleState {
  bool counted_writer = false;  // this handle incremented FileState::writer_count
  bool append_only = false;     // FILE_APPEND_DATA without FILE_WRITE_DATA (trigger kAppend)
};

// Carried from pre-create to post-create when the engine acted in pre-create (S4). Plain data;
// the driver allocates it (e.g. from a lookaside list) and passes it back unchanged.
struct CreateTicket {
  bool rescue_active = false;      // a rescue file exists and must be restored or discarded
  bool content_rescued = false;    // the rescue holds the file's content (default stream)
  uint8_t slots_rescued = 0;       // highest backup slot copied into the rescue file
  uint32_t rescue_id = 0;          // names the rescue file (see common/engine/rescue.h)
  SkipReason skip_reason = SkipReason::kNone;  // content not rescued because of this
  NtStatus failure = nt::kSuccess;             // content rescue failed with this
  // An existing backup slot could not be copied into the rescue file (it, and the slots above
  // it, die with the overwrite, N1): the session's event is FAILED with this status whatever
  // becomes of the content.
  NtStatus carry_failure = nt::kSuccess;
  uint8_t slots_not_rescued = 0;   // how many existing slots that left behind
  uint64_t file_size = 0;          // the content's size before the overwrite
  uint32_t content_hash = 0;
  int64_t start_time = 0;
  uint64_t process_id = 0;
  bool delete_on_close = false;    // FILE_DELETE_ON_CLOSE on a protected file: watch the delete
};

}  // namespace fb
