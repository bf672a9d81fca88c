// The backup engine: every decision and I/O sequence of FileBackup, driven by what each Filter
// Manager callback saw (common/engine/ops.h), reaching the file system only through FileSystem and
// reporting only through NotificationSink. The driver's callbacks translate and call exactly
// these functions; docs/engine.md explains the states and sequences.
//
// Callback -> engine (every call at PASSIVE_LEVEL; none in the paging path):
//   pre-create     create_precheck(op)                       kIgnore -> SUCCESS_NO_CALLBACK
//                  name = FltGetFileNameInformation(...)
//                  pre_create(op, name, rules, &ticket)      kNoCallback / kWithCallback
//   post-create    post_create(op, result, file_path, ticket)  kNone -> return
//                  (kTrack) get or create the stream context: init_file_state() on a new one;
//                  create the stream handle context; attach_writer(state, handle, op, ticket)
//   pre-write      pre_write(op, state, handle)              (state/handle: the contexts, or null)
//   pre-set-info   set_information_precheck(op, state != 0)  kIgnore / kUseState / kNeedName
//                  pre_set_information(op, state, handle, name, destination, rules)
//   pre-acquire-for-section-sync  pre_acquire_for_section(op, state, handle)
//   pre-fsctl      pre_fsctl(op, state, handle)
//   post-cleanup   post_cleanup(state, handle)               (tracked handles only)
//   stream context cleanup  release_file_state(state)
// Every pre-operation callback then returns FLT_PREOP_SUCCESS_NO_CALLBACK: the engine never
// fails or blocks a user's operation beyond the time its backup takes.
#pragma once

#include "common/base/thread_annotations.h"
#include "common/engine/backup.h"
#include "common/engine/config.h"
#include "common/engine/counters.h"
#include "common/engine/filter.h"
#include "common/engine/file_system.h"
#include "common/engine/ops.h"
#include "common/engine/services.h"
#include "common/engine/state.h"
#include "common/engine/adopt.h"
#include "common/engine/rescue.h"
#include "common/engine/vault.h"
#include "common/base/fb_base.h"
#include "common/paths/rules.h"

namespace fb {

enum class PreCreateAction : uint8_t {
  kNoCallback = 0,    // FLT_PREOP_SUCCESS_NO_CALLBACK; the ticket is unused
  kWithCallback = 1,  // FLT_PREOP_SUCCESS_WITH_CALLBACK; pass the ticket to post_create
};

struct PreCreateDecision {
  PreCreateAction action = PreCreateAction::kNoCallback;
  Str16 file_path;  // the name without stream suffix (a view into the name given): keep it for
                    // post-create and as FileState::name
};

enum class PostCreateAction : uint8_t {
  kNone = 0,   // nothing to attach
  kTrack = 1,  // attach FileState (stream context) and HandleState (stream handle context),
               // then call attach_writer (also when context allocation failed: pass nulls)
};

// Post-set-information of a rename of a tracked file: what its new name means.
enum class RenameAction : uint8_t {
  kNone = 0,        // the rename failed (or nothing changes): leave the state alone
  kAdoptName = 1,   // copy file_path into new storage and call apply_rename with it
  kExclude = 2,     // the new name is not a file's default stream (or did not parse): call
                    // apply_rename with an empty name; the state keeps its name, decides nothing
};

struct RenameDecision {
  RenameAction action = RenameAction::kNone;
  Str16 file_path;           // kAdoptName: the new name without stream suffix (a view into new_name)
  bool protected_file = false;  // kAdoptName: the rules protect the new name
};

// Post-create of an open by file id (Precheck::kNeedOpenedName).
struct OpenedDecision {
  PostCreateAction action = PostCreateAction::kNone;
  Str16 file_path;  // kTrack: the name without stream suffix (a view into the name given)
};

struct EngineServices {
  HostFileSystem* fs = nullptr;
  NotificationSink* sink = nullptr;
  Clock* clock = nullptr;
  BufferPool* buffers = nullptr;
  // Guards the vault's ledger (common/engine/vault.h); taken after a file's lock, never before.
  // null: no vault (deletes of files with backups are reported as lost).
  FileLock* vault_lock = nullptr;
};

class Engine {
 public:
  Engine(const EngineServices& services, const EngineConfig& config);
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Reload: takes effect for decisions made after it returns (fields are published one by
  // one; a decision in flight sees each field old or new).
  void configure(const EngineConfig& config);
  EngineConfig config() const;

  // --- create ---------------------------------------------------------------------------
  static Precheck create_precheck(const CreateOp& op) { return fb::create_precheck(op); }
  // Whether post-create needs CreateResult::is_directory (FltIsDirectory): not when
  // FILE_NON_DIRECTORY_FILE was given, since such a create never opens a directory.
  static bool needs_directory_fact(const CreateOp& op) {
    return (op.create_options & create_option::kNonDirectoryFile) == 0;
  }
  // Name-based step. For S4 on a protected file it copies the content away before the create
  // goes down and fills *ticket (the driver keeps it until post-create).
  PreCreateDecision pre_create(const CreateOp& op, Str16 nt_name, const RuleSet& rules, CreateTicket* ticket);
  // file_path: PreCreateDecision::file_path. Discards the ticket's rescue when the create failed,
  // was reparsed (the reissued create makes its own decisions) or did not overwrite.
  PostCreateAction post_create(const CreateOp& op, const CreateResult& result, Str16 file_path, CreateTicket* ticket);
  // Initialises a new stream context's state. name: driver-owned copy of file_path; lock: the
  // driver's lock living in the same context. Writes the guarded fields without the lock (the
  // lock is what it installs): the state is not yet visible to any other thread.
  void init_file_state(FileState* state, Str16 name, FileLock* lock) FB_NO_THREAD_SAFETY_ANALYSIS;
  // Stream context cleanup callback. Reads the guarded fields without the lock: Filter Manager
  // calls it with the last reference gone, so no other thread can hold the lock or the state.
  void release_file_state(FileState* state) FB_NO_THREAD_SAFETY_ANALYSIS;
  // Counts the handle as a writer (a session starts at the first), then finishes S4: puts the
  // rescued content and versions back and emits the session's event. state/handle may be null
  // when the driver could not allocate its contexts: the rescue is still restored, and a writer
  // left untracked that way is reported FAILED with no_state_status (what the context failed
  // with): its session will not be backed up. Takes the file's lock itself.
  void attach_writer(FileState* state, HandleState* handle, const CreateOp& op, Str16 file_path,
                     CreateTicket* ticket, NtStatus no_state_status = nt::kInsufficientResources)
      FB_EXCLUDES(state->lock);

  // A tracked open that found the stream context already there. The context lives as long as
  // the stream, not as long as a handle (N12), and this open may have reached the file under
  // another name than the one the state holds: the folder was renamed, the file was renamed
  // where nobody followed, or it was opened through another link. Every backup, rescue and
  // restore must act on the file this open modifies, so the state takes the open's name - the
  // policy is the engine's, the driver only brings the name (file_path: PreCreateDecision's or
  // OpenedDecision's). Two steps, because only the driver can allocate:
  //   name_is_stale: under the file's lock, whether the state holds another name (or none known);
  //   refresh_name:  under the lock, swaps in name_copy (the driver's copy of file_path) and
  //                  returns the storage the caller frees after it returns: the previous name, or
  //                  name_copy itself when the state holds file_path by now. name_copy empty (no
  //                  memory): the state's name is unknown (name_unknown) until a later open or a
  //                  followed rename brings one; nothing is backed up under the stale one.
  // Call both before attach_writer, so its S4 restore and the session's backup use the new name.
  bool name_is_stale(FileState* state, Str16 file_path) FB_EXCLUDES(state->lock);
  Str16 refresh_name(FileState* state, Str16 file_path, Str16 name_copy) FB_EXCLUDES(state->lock);

  // Post-create of an open by file id, which had no name in pre-create: nt_name is the opened
  // file object's normalized name (FltGetFileNameInformation in post-create). kTrack: attach the
  // contexts with file_path and call attach_writer (no ticket: an overwrite by id is never
  // tracked, see create_precheck). A delete-on-close open of a protected file with a backup
  // reports it lost, as pre_create does.
  OpenedDecision post_create_opened(const CreateOp& op, const CreateResult& result, Str16 nt_name,
                                    const RuleSet& rules);

  // --- creates the driver could not follow (low resources) ------------------------------------
  // Never silent: an open that may modify a protected file and that the driver cannot track is
  // reported FAILED with the status of what failed, so the user knows the save was not backed up.
  // The application's create proceeds either way.
  //
  // Pre-create, the name known but no memory to carry the create to post-create (no completion
  // context): a protected file that would be tracked gets its FAILED event now (trigger
  // overwrite-on-open for an overwriting disposition, else write). Nothing else is reported.
  void create_not_followed(const CreateOp& op, Str16 nt_name, const RuleSet& rules, NtStatus why);
  // Pre-create whose name query failed (name_status): the driver asks again on the opened file in
  // post-create and passes what it got (nt_name empty when that failed too). A failed create
  // reports nothing (a create below a missing folder fails its pre-create name query too).
  // Without a name the event carries an empty path and the name query's status: the file may or
  // may not be protected, and the user is told a save went unwatched. A protected file opened for
  // writing is tracked from here (kTrack: attach and call attach_writer without a ticket); an
  // overwrite of one is FAILED (its content and versions went with the overwrite, N1: nothing
  // was rescued without a name).
  OpenedDecision post_create_name_late(const CreateOp& op, const CreateResult& result, Str16 nt_name,
                                       NtStatus name_status, const RuleSet& rules);

  // --- renames of tracked files ------------------------------------------------------------
  static bool rename_changes_name(const SetInfoOp& op, bool tracked) { return fb::rename_changes_name(op, tracked); }
  // status: the rename's IoStatus.Status; new_name: the file's normalized name queried after
  // it (empty when the query failed: the state is excluded, its old name can no longer be
  // trusted). A file renamed out of the protected folders stops being backed up at once; one
  // renamed (back) into them is backed up from its next session.
  RenameDecision post_rename(NtStatus status, Str16 new_name, const RuleSet& rules) const;
  // Applies the decision under the file's lock - the lock a backup holds while it uses the name
  // - and returns the name the state held before, whose storage the caller frees after this
  // returns (it is `name_copy` itself when the decision keeps the name). name_copy: the driver's
  // new copy of decision.file_path for kAdoptName (empty when it could not be allocated: the
  // file is then excluded), ignored otherwise.
  Str16 apply_rename(FileState* state, const RenameDecision& decision, Str16 name_copy) FB_EXCLUDES(state->lock);
  // A rename of this tracked file that the driver cannot follow (above PASSIVE_LEVEL, or inside
  // a file system's own request: no name query, no lock). The state's name may now be another
  // file's: no backup opens it any more (each session decides nothing, silently), until a
  // followed rename (apply_rename with kAdoptName) gives the state its name again. No lock, no
  // I/O; callable at any IRQL up to DISPATCH_LEVEL.
  static void name_unknown(FileState* state) { __atomic_store_n(&state->name_unknown, 1u, __ATOMIC_RELEASE); }

  // --- deletes (S6) ------------------------------------------------------------------------
  // A delete is reported ("backup lost") only when it happens: a delete-on-close open can fail,
  // a disposition can be cancelled (DeleteFile FALSE) before the last close, and several handles
  // may ask for the same delete. So asking only starts a watch on the file's stream context
  // (when the file has a backup then, before the delete takes the streams); the driver checks
  // at each cleanup of a watched stream whether the file is gone (FltQueryInformationFile
  // answering STATUS_FILE_DELETED in post-cleanup) and tells stream_cleaned_up, which reports
  // once.
  // Pre-set-information of a delete on a file without a stream context: true when the engine
  // wants one (a protected file), attached under *file_path (a view into name) before
  // pre_set_information is called with it.
  bool delete_needs_context(const SetInfoOp& op, Str16 name, const RuleSet& rules, Str16* file_path) const;
  // Whether cleanups of this stream must be synchronized and checked (one acquire load).
  static bool watching_delete(const FileState& state) {
    return __atomic_load_n(&state.delete_watch, __ATOMIC_ACQUIRE) != 0;
  }
  // Post-cleanup of any handle of a watched stream: file_deleted is the file system's answer.
  // target: the cleanup's instance (FltObjects->Instance), where the vault's I/O goes.
  void stream_cleaned_up(FileState* state, bool file_deleted, IoTarget target) FB_EXCLUDES(state->lock);

  // --- modifications ----------------------------------------------------------------------
  void pre_write(const WriteOp& op, FileState* state, const HandleState* handle);
  static Precheck set_information_precheck(const SetInfoOp& op, bool tracked) {
    return fb::set_information_precheck(op, tracked);
  }
  // name: the file's name (FileState::name when tracked, else the queried opened name);
  // destination: for rename/link, the normalized destination (FltGetDestinationFileNameInformation).
  void pre_set_information(const SetInfoOp& op, FileState* state, const HandleState* handle, Str16 name,
                           Str16 destination, const RuleSet& rules);
  // Pre-set-information of a rename or link with ReplaceIfExists whose names could not be queried
  // (name_status): the replaced file's history cannot be handed over, and the rename proceeds.
  // Never silent: FAILED with name_status, under the destination's name when it is known (and
  // only when it names an existing protected file), else with an empty path (the replaced file
  // may be protected). A delete whose name is unknown is not reported (nothing is lost before
  // it happens; the watch needs the name).
  void set_information_not_followed(const SetInfoOp& op, Str16 destination, NtStatus name_status,
                                    const RuleSet& rules);
  void pre_acquire_for_section(const SectionOp& op, FileState* state, const HandleState* handle);
  void pre_fsctl(const FsctlOp& op, FileState* state, const HandleState* handle);
  // A modification of a tracked stream that the driver saw where it can do no I/O and may not
  // wait for the file's lock (above PASSIVE_LEVEL, or with a top-level IRP set: see
  // backup_io_allowed in driver/callbacks/callbacks.h). Without it the session would stay undecided and
  // the next modification would back up content already modified, labelled as the previous
  // version. Ends the session's decision as a skip (SkipReason::kNotObservable): takes no lock,
  // does no I/O, callable at any IRQL up to DISPATCH_LEVEL. Exactly one event per session: when
  // a backup is already in progress its own event stands; the skip event is emitted by the next
  // engine call that holds the file's lock (the name may be read only there) - at the latest
  // when the handle is cleaned up or the context released. trigger: kWrite (kAppend follows
  // from the handle), kMappedSection or kOther; state null: nothing to do.
  void modification_unobserved(FileState* state, const HandleState* handle, Trigger trigger, uint64_t process_id,
                               bool from_own_client);

  // --- end of a handle --------------------------------------------------------------------
  // Takes the file's lock itself.
  void post_cleanup(FileState* state, HandleState* handle) FB_EXCLUDES(state->lock);

  // --- the vault (common/engine/vault.h) ------------------------------------------------------
  // An entry the driver found in a vault folder after a restart: under the bounds from now on.
  bool vault_found(Str16 volume, uint64_t id, int64_t time, uint64_t size) {
    return vault_.found(volume, id, time, size);
  }
  // After a restart: what the vault folder of `volume` (`\Device\HarddiskVolumeN`) holds goes
  // back under the bounds, which then run at once (an entry over VaultMaxAgeHours goes now).
  // `target` is the instance on that volume the I/O goes to (the driver's instance setup passes
  // the instance being set up, which FltGetVolumeInstanceFromName cannot find yet). Returns how
  // many entries were found.
  uint32_t vault_scan(IoTarget target, Str16 volume);
  // The bounds, also run after every vault operation; the driver may call it on a timer. Their
  // I/O goes to `target` (the callback's instance).
  // `volume`: the volume the target's instance is on (`\Device\HarddiskVolumeN`); entries of
  // other volumes wait for a callback there.
  void vault_enforce_bounds(IoTarget target, Str16 volume);
  uint32_t vault_count(VaultEntryState state) { return vault_.count(state); }
  uint64_t vault_kept_bytes() { return vault_.kept_bytes(); }

  // --- statistics -------------------------------------------------------------------------
  EngineCounters counters() const { return counters_.snapshot(); }
  void fill_statistics(Statistics* out) const { counters_.fill(out); }
  // The driver's fast path for every modification of a tracked stream (write, writable section,
  // FSCTL): false when no engine call can do anything for this file now - its session already
  // made its one decision - so the driver may return before the handle context lookup, the
  // IRQL checks, a fast-I/O downgrade and the engine call. One acquire load, no lock. true does
  // not promise a backup (the engine re-checks under the lock); it says the engine must be asked.
  static bool needs_decision(const FileState& state) { return !session_decided(state); }
  // Whether this session's decision was made (tests and tracing).
  static bool session_decided(const FileState& state) {
    return __atomic_load_n(&state.session_decided, __ATOMIC_ACQUIRE) == 1;  // not 2: in progress
  }

 private:
  struct Modification {
    Trigger trigger = Trigger::kWrite;
    uint64_t process_id = 0;
    uint64_t only_if_larger_than = UINT64_MAX;
    IoTarget target;  // the operation's: where the backup's opens go
  };
  // The session's one backup decision, under the file's lock, which it takes itself.
  void decide_session(FileState* state, const Modification& m) FB_EXCLUDES(state->lock);
  // Emits the event modification_unobserved left pending. Under the file's lock (or from the
  // context's release, when no other reference exists).
  void flush_unobserved(FileState* state) FB_REQUIRES(state->lock);
  // Holds the source's lock, when the source is tracked (state not null), around the adoption.
  // The analysis cannot follow a lock taken and given back under the same condition, and the
  // function touches no guarded field; the acquire and release sit next to each other.
  void rename_over(const SetInfoOp& op, FileState* state, Str16 name, Str16 destination, const RuleSet& rules)
      FB_NO_THREAD_SAFETY_ANALYSIS;
  // S6 is not covered yet: a delete of a protected file that has a backup is reported as lost,
  // when it happens. watch_delete starts the watch under the file's lock, which it takes itself.
  void watch_delete(FileState* state, Str16 file_path, uint64_t process_id, IoTarget target)
      FB_EXCLUDES(state->lock);
  void emit(const BackupReport& report, Trigger trigger, Str16 path, uint64_t process_id, int64_t start);
  // An event about a deleted file (kept, lost, evicted): no copy was made.
  void emit_delete(Outcome outcome, Str16 path, uint64_t process_id, uint64_t size, SkipReason reason,
                   NtStatus status, Trigger trigger = Trigger::kDelete);
  // S5's adoption (adopt_replaced_target) behind a safety copy of the target in the vault; emits
  // the adoption's event (when something was replaced) and, when the vault keeps what it could
  // not carry, a kKeptInVault event.
  BackupReport adopt_with_safety_copy(FileSystem& fs, const AdoptJob& job, const CopyBuffer& buffer, IoTarget target);
  // S4: a rescue file the overwritten file could not take everything back from becomes a vault
  // entry whose record names `file` (event kKeptInVault).
  void vault_rescue(FileSystem& fs, Str16 file, const CreateTicket& ticket, const BackupReport& report,
                    const RescueMemory& memory, IoTarget target);
  // A file arriving at a protected name: takes the history its previous file left in the vault
  // (the S6/S6b/new-file adoption). true when it did (an event was emitted).
  // name: the protected name arrived at; receiver: the file taking it (the rename's source, or
  // the created file itself).
  bool arrive(Str16 name, Str16 receiver, uint64_t process_id, bool renamed_in, IoTarget target);
  // A protected file renamed away from `file`: the vault holds it for the name's history.
  void depart(Str16 file, uint64_t process_id, IoTarget target);
  // A rename that replaced nothing: arrive at the target, or else depart from the source.
  bool arrive_or_depart(const SetInfoOp& op, const NameDecision& source, const NameDecision& target);
  class VaultEvents final : public VaultReporter {
   public:
    explicit VaultEvents(Engine& engine) : engine_(engine) {}
    void evicted(Str16 vault_path, const VaultEntry& entry) override {
      engine_.emit_delete(Outcome::kVaultEvicted, vault_path, entry.process_id, entry.size, SkipReason::kNone,
                          nt::kSuccess);
    }

   private:
    Engine& engine_;
  };

  TargetedFileSystem fs_on(IoTarget target) const;
  EngineServices services_;
  EngineConfig config_;
  CounterSet counters_;
  uint32_t next_rescue_id_ = 0;
  Vault vault_;
};

}  // namespace fb
