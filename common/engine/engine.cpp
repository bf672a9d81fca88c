#include "common/engine/engine.h"

#include "common/engine/adopt.h"
#include "common/engine/rescue.h"
#include "common/engine/streams.h"
#include "common/paths/stream_names.h"
#include "common/engine/versions.h"
#include "common/base/upcase.h"

namespace fb {
namespace {

bool name_is_unknown(const FileState& state) { return __atomic_load_n(&state.name_unknown, __ATOMIC_ACQUIRE) != 0; }

// FileState::session_decided.
constexpr uint32_t kUndecided = 0;
constexpr uint32_t kDecided = 1;
constexpr uint32_t kDeciding = 2;  // a backup in progress under the lock: not yet decided

void set_decided(FileState* state, uint32_t value) { __atomic_store_n(&state->session_decided, value, __ATOMIC_RELEASE); }

// The one transition from undecided: by the lock holder (to kDeciding) or by an unobserved
// modification without the lock (to kDecided). Exactly one of them wins a session.
bool claim_session(FileState* state, uint32_t to) {
  uint32_t expected = kUndecided;
  return __atomic_compare_exchange_n(&state->session_decided, &expected, to, false, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE);
}

CopyBuffer as_copy_buffer(const PooledBuffer& buffer) {
  CopyBuffer out;
  out.data = buffer.data();
  out.size = buffer.size();
  return out;
}

// A copy buffer and a name buffer for an S4 sequence, both from the engine's pool.
struct RescueBufferPair {
  explicit RescueBufferPair(BufferPool& pool) : copy(pool), name(pool) {}
  RescueMemory memory() const { return RescueMemory{as_copy_buffer(copy), as_copy_buffer(name)}; }
  PooledBuffer copy;
  PooledBuffer name;
};

// A file whose delete is pending cannot be opened by its name (STATUS_DELETE_PENDING, N11), but
// the vault's name, given to it when the delete was asked for, reaches the same file record with
// every stream (N10): a write after the delete request is still backed up, and the vault keeps
// that backup with the file. Not inlined: the kernel's 1 KiB frame (VaultPath).
__attribute__((noinline)) BackupReport backup_through_vault(FileSystem& fs, BackupJob job, Str16 name, uint64_t vault_id,
                                                            const CopyBuffer& buffer) {
  const VaultPath vault_name(vault_volume_of(name), vault_id);
  if (vault_name.view().len == 0) {
    BackupReport failed;
    failed.status = nt::kDeletePending;
    return failed;
  }
  job.file = vault_name.view();
  return run_backup(fs, job, buffer);
}

// The create opened the file: a success other than STATUS_REPARSE, whose Information is a
// reparse tag that may read as create_info::kSuperseded.
bool opened(const CreateResult& result) { return nt_success(result.status) && !result.reparsed; }

bool overwrote(const CreateOp& op, const CreateResult& result) {
  if (!opened(result) || !disposition_overwrites(op.disposition)) return false;
  return result.information == create_info::kOverwritten || result.information == create_info::kSuperseded;
}

bool ticket_has_news(const CreateTicket* ticket) {
  return ticket != nullptr &&
         (ticket->rescue_active || ticket->failure != nt::kSuccess || ticket->skip_reason != SkipReason::kNone);
}

}  // namespace

// The engine's file system for one operation: every open on the instance of the callback that
// saw it (IoTarget), never one looked up by volume name.
TargetedFileSystem Engine::fs_on(IoTarget target) const { return TargetedFileSystem(*services_.fs, target); }

Engine::Engine(const EngineServices& services, const EngineConfig& config) : services_(services) {
  configure(config);
  // Rescue file names differ from one boot to the next, so a file left by a crash rarely collides.
  next_rescue_id_ = static_cast<uint32_t>(static_cast<uint64_t>(services_.clock->now()) >> 16);
  // Vault ids start at the boot's time, so they sort by age and rarely meet a crash's leftover.
  vault_.init(services_.vault_lock, static_cast<uint64_t>(services_.clock->now()) | 1);
}

void Engine::configure(const EngineConfig& config) {
  const EngineConfig c = sanitize_config(config);
  __atomic_store_n(&config_.enabled, c.enabled, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.max_file_size, c.max_file_size, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.min_free_space, c.min_free_space, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.vault_max_bytes, c.vault_max_bytes, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.vault_max_age_hours, c.vault_max_age_hours, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.vault_max_file_size, c.vault_max_file_size, __ATOMIC_RELAXED);
  // trim_versions before max_versions (release): a reader that sees the new count sees its flag.
  __atomic_store_n(&config_.trim_versions, c.trim_versions, __ATOMIC_RELAXED);
  __atomic_store_n(&config_.max_versions, c.max_versions, __ATOMIC_RELEASE);
}

EngineConfig Engine::config() const {
  EngineConfig c;
  c.max_versions = __atomic_load_n(&config_.max_versions, __ATOMIC_ACQUIRE);
  c.trim_versions = __atomic_load_n(&config_.trim_versions, __ATOMIC_RELAXED);
  c.enabled = __atomic_load_n(&config_.enabled, __ATOMIC_RELAXED);
  c.max_file_size = __atomic_load_n(&config_.max_file_size, __ATOMIC_RELAXED);
  c.min_free_space = __atomic_load_n(&config_.min_free_space, __ATOMIC_RELAXED);
  c.vault_max_bytes = __atomic_load_n(&config_.vault_max_bytes, __ATOMIC_RELAXED);
  c.vault_max_age_hours = __atomic_load_n(&config_.vault_max_age_hours, __ATOMIC_RELAXED);
  c.vault_max_file_size = __atomic_load_n(&config_.vault_max_file_size, __ATOMIC_RELAXED);
  return c;
}

// --- create ---------------------------------------------------------------------------------

PreCreateDecision Engine::pre_create(const CreateOp& op, Str16 nt_name, const RuleSet& rules, CreateTicket* ticket) {
  *ticket = CreateTicket();
  PreCreateDecision out;
  const NameDecision name = classify_name(nt_name, rules);
  out.file_path = name.file_path;
  if (name.verdict != NameVerdict::kProtected) return out;
  // A delete-on-close open is watched from post-create, once it has succeeded.
  ticket->delete_on_close = (op.create_options & create_option::kDeleteOnClose) != 0;
  if (ticket->delete_on_close) out.action = PreCreateAction::kWithCallback;
  if (!access_can_write(op.desired_access) && !disposition_overwrites(op.disposition)) return out;
  out.action = PreCreateAction::kWithCallback;
  if (!disposition_overwrites(op.disposition)) return out;

  RescueJob job;
  job.file = name.file_path;
  job.config = config();
  job.time = services_.clock->now();
  job.process_id = op.process_id;
  job.rescue_id = __atomic_add_fetch(&next_rescue_id_, 1, __ATOMIC_RELAXED);
  job.requestor_access = access_checked_by_overwrite(op);
  job.requestor_options = create_options_checked_by_overwrite(op);
  RescueBufferPair buffers(*services_.buffers);
  TargetedFileSystem fs = fs_on(op.target);
  rescue_before_overwrite(fs, job, buffers.memory(), ticket);
  return out;
}

PostCreateAction Engine::post_create(const CreateOp& op, const CreateResult& result, Str16 file_path,
                                     CreateTicket* ticket) {
  const bool usable = opened(result) && !result.draining && !result.is_directory;
  const bool overwritten = usable && overwrote(op, result);
  if (ticket != nullptr && !overwritten) {
    if (ticket->rescue_active) {
      RescueBufferPair buffers(*services_.buffers);
      TargetedFileSystem fs = fs_on(op.target);
      discard_rescue(fs, file_path, *ticket, buffers.memory());
    }
    *ticket = CreateTicket();  // nothing was lost: nothing to report
  }
  if (usable && result.information == create_info::kCreated) {
    // A new file at a protected name whose previous file left it moments ago takes its history.
    // (pre_create asked for this callback only for a protected name.)
    (void)arrive(file_path, file_path, op.process_id, false, op.target);
    return PostCreateAction::kNone;
  }
  if (!usable) return PostCreateAction::kNone;
  if (overwritten || access_can_write(op.desired_access)) return PostCreateAction::kTrack;
  if (op.create_options & create_option::kDeleteOnClose) return PostCreateAction::kTrack;  // the delete's watch
  return PostCreateAction::kNone;
}

OpenedDecision Engine::post_create_opened(const CreateOp& op, const CreateResult& result, Str16 nt_name,
                                         const RuleSet& rules) {
  OpenedDecision out;
  if (!opened(result) || result.draining || result.is_directory) return out;
  const NameDecision name = classify_name(nt_name, rules);
  if (name.verdict != NameVerdict::kProtected) return out;
  out.file_path = name.file_path;
  if (disposition_overwrites(op.disposition) || result.information == create_info::kCreated) return out;
  // Writers are tracked; a delete-on-close open too, for its delete's watch (attach_writer).
  if (access_can_write(op.desired_access) || (op.create_options & create_option::kDeleteOnClose))
    out.action = PostCreateAction::kTrack;
  return out;
}

void Engine::init_file_state(FileState* state, Str16 name, FileLock* lock) {
  *state = FileState();
  state->name = name;
  state->lock = lock;
  counters_.add_tracked_file();
}

void Engine::release_file_state(FileState* state) {
  if (state->lock != nullptr) {
    flush_unobserved(state);  // the last reference: nobody else holds the state or renames it
    counters_.remove_tracked_file();
  }
  *state = FileState();
}

bool Engine::name_is_stale(FileState* state, Str16 file_path) {
  LockGuard guard(*state->lock);
  return name_is_unknown(*state) || !equal(state->name, file_path);
}

Str16 Engine::refresh_name(FileState* state, Str16 file_path, Str16 name_copy) {
  LockGuard guard(*state->lock);
  flush_unobserved(state);  // under the name the file had when it was modified
  if (!name_is_unknown(*state) && equal(state->name, file_path)) return name_copy;  // another open won
  if (name_copy.data == nullptr) {  // no memory for the new name: the old one may be another file's
    __atomic_store_n(&state->name_unknown, 1u, __ATOMIC_RELEASE);
    return name_copy;
  }
  const Str16 previous = state->name;
  state->name = name_copy;
  state->excluded = false;  // a tracked open is an open of a protected file under this name
  __atomic_store_n(&state->name_unknown, 0u, __ATOMIC_RELEASE);
  return previous;
}

namespace {

// The trigger of a create's own modification: an overwrite on open, else the writes to come.
Trigger create_trigger(const CreateOp& op) {
  if (disposition_overwrites(op.disposition)) return Trigger::kOverwriteOnOpen;
  return access_is_append_only(op.desired_access) ? Trigger::kAppend : Trigger::kWrite;
}

bool create_may_modify(const CreateOp& op) {
  return access_can_write(op.desired_access) || disposition_overwrites(op.disposition);
}

}  // namespace

void Engine::create_not_followed(const CreateOp& op, Str16 nt_name, const RuleSet& rules, NtStatus why) {
  if (op.from_own_client || !create_may_modify(op)) return;
  const NameDecision name = classify_name(nt_name, rules);
  if (name.verdict != NameVerdict::kProtected) return;
  emit(failed(why, 0), create_trigger(op), name.file_path, op.process_id, services_.clock->now());
}

OpenedDecision Engine::post_create_name_late(const CreateOp& op, const CreateResult& result, Str16 nt_name,
                                             NtStatus name_status, const RuleSet& rules) {
  OpenedDecision out;
  if (!opened(result) || result.draining || result.is_directory || op.from_own_client) return out;
  if (!create_may_modify(op)) return out;
  if (nt_name.len == 0) {  // no name at all: the save may be of a protected file
    emit(failed(name_status, 0), create_trigger(op), Str16(), op.process_id, services_.clock->now());
    return out;
  }
  const NameDecision name = classify_name(nt_name, rules);
  if (name.verdict != NameVerdict::kProtected) return out;
  out.file_path = name.file_path;
  if (overwrote(op, result)) {  // nothing was rescued: the content and its versions are gone (N1)
    emit(failed(name_status, 0), Trigger::kOverwriteOnOpen, name.file_path, op.process_id, services_.clock->now());
    return out;
  }
  if (result.information == create_info::kCreated) return out;  // a new file: nothing to lose
  out.action = PostCreateAction::kTrack;
  return out;
}

void Engine::attach_writer(FileState* state, HandleState* handle, const CreateOp& op, Str16 file_path,
                           CreateTicket* ticket, NtStatus no_state_status) {
  const EngineConfig config = this->config();
  if (state == nullptr) {  // no context: restore what the overwrite took, report, track nothing
    if (!ticket_has_news(ticket)) {
      // A writer nobody can follow: its session will not be backed up. Say so.
      if (access_can_write(op.desired_access) && !op.from_own_client)
        emit(failed(no_state_status, 0), create_trigger(op), file_path, op.process_id, services_.clock->now());
      return;
    }
    RescueBufferPair buffers(*services_.buffers);
    TargetedFileSystem fs = fs_on(op.target);
    bool kept = false;
    const BackupReport report =
        restore_after_overwrite(fs, file_path, *ticket, true, config, buffers.memory(), &kept);
    emit(report, Trigger::kOverwriteOnOpen, file_path, ticket->process_id, ticket->start_time);
    if (kept) vault_rescue(fs, file_path, *ticket, report, buffers.memory(), op.target);
    return;
  }
  if (op.create_options & create_option::kDeleteOnClose) watch_delete(state, file_path, op.process_id, op.target);
  const bool writer = access_can_write(op.desired_access) || disposition_overwrites(op.disposition);
  LockGuard guard(*state->lock);
  flush_unobserved(state);  // before a new session may reset the decision
  if (writer && handle != nullptr && !handle->counted_writer) {
    handle->counted_writer = true;
    handle->append_only = access_is_append_only(op.desired_access);
    counters_.add_tracked_open();
    if (state->writer_count++ == 0) {  // a new write session
      set_decided(state, kUndecided);
      ++state->sessions;
      counters_.add_session();
    }
  }
  if (!ticket_has_news(ticket)) return;
  const bool decided = !claim_session(state, kDeciding);
  // The rescue was made under the create's name, which is the file this open reached (the
  // state's name is the same after refresh_name, or unknown when it could not be refreshed).
  const Str16 path = file_path;
  RescueBufferPair buffers(*services_.buffers);
  TargetedFileSystem fs = fs_on(op.target);
  bool kept = false;
  const BackupReport report =
      restore_after_overwrite(fs, path, *ticket, !decided, config, buffers.memory(), &kept);
  // This session already has its backup: the old versions are back, no second event - unless
  // one of them could not be put back, which is never silent.
  if (decided) {
    if (report.versions_dropped > 0) emit(report, Trigger::kOverwriteOnOpen, path, ticket->process_id, ticket->start_time);
  } else {
    emit(report, Trigger::kOverwriteOnOpen, path, ticket->process_id, ticket->start_time);
    set_decided(state, kDecided);
  }
  if (kept) vault_rescue(fs, path, *ticket, report, buffers.memory(), op.target);
}

// --- renames ---------------------------------------------------------------------------------

RenameDecision Engine::post_rename(NtStatus status, Str16 new_name, const RuleSet& rules) const {
  RenameDecision out;
  if (!nt_success(status)) return out;
  const NameDecision name = classify_name(new_name, rules);
  if (name.verdict != NameVerdict::kProtected && name.verdict != NameVerdict::kNotProtected) {
    out.action = RenameAction::kExclude;  // renamed to a stream, or a name we cannot read
    return out;
  }
  out.action = RenameAction::kAdoptName;
  out.file_path = name.file_path;
  out.protected_file = name.verdict == NameVerdict::kProtected;
  return out;
}

Str16 Engine::apply_rename(FileState* state, const RenameDecision& decision, Str16 name_copy) {
  if (decision.action == RenameAction::kNone) return name_copy;
  LockGuard guard(*state->lock);
  flush_unobserved(state);  // under the name the file had when it was modified
  // No copy of the new name (the host ran out of memory): keeping the old name would back up
  // whatever file takes it, so the file is no longer backed up.
  if (decision.action == RenameAction::kExclude || name_copy.data == nullptr) {
    state->excluded = true;
    return name_copy;
  }
  const Str16 previous = state->name;
  state->name = name_copy;
  state->excluded = !decision.protected_file;
  __atomic_store_n(&state->name_unknown, 0u, __ATOMIC_RELEASE);  // the name is known again
  return previous;
}

// --- modifications ----------------------------------------------------------------------------

void Engine::decide_session(FileState* state, const Modification& m) {
  LockGuard guard(*state->lock);
  flush_unobserved(state);
  // Decided by another thread while we waited, or by an unobserved modification.
  if (!claim_session(state, kDeciding)) return;
  // Renamed out of the protected folders, or to a name we could not learn: decide nothing.
  if (state->excluded || name_is_unknown(*state)) {
    set_decided(state, kDecided);
    return;
  }
  BackupJob job;
  job.file = state->name;
  job.trigger = m.trigger;
  job.process_id = m.process_id;
  job.time = services_.clock->now();
  job.config = config();
  job.only_if_larger_than = m.only_if_larger_than;
  PooledBuffer buffer(*services_.buffers);
  TargetedFileSystem fs = fs_on(m.target);
  BackupReport report = run_backup(fs, job, as_copy_buffer(buffer));
  if (report.decided && report.outcome == Outcome::kFailed && report.status == nt::kDeletePending &&
      state->vault_id != 0)
    report = backup_through_vault(fs, job, state->name, state->vault_id, as_copy_buffer(buffer));
  if (!report.decided) {
    set_decided(state, kUndecided);  // the next modification tries again
    return;
  }
  emit(report, m.trigger, state->name, m.process_id, job.time);
  set_decided(state, kDecided);
}

void Engine::modification_unobserved(FileState* state, const HandleState* handle, Trigger trigger,
                                     uint64_t process_id, bool from_own_client) {
  if (state == nullptr || from_own_client) return;
  // Lost to a backup in progress (kDeciding: its event covers the session) or already decided.
  if (!claim_session(state, kDecided)) return;
  if (trigger == Trigger::kWrite && handle != nullptr && handle->append_only) trigger = Trigger::kAppend;
  state->unobserved_trigger = trigger;
  state->unobserved_process_id = process_id;
  state->unobserved_time = services_.clock->now();
  __atomic_store_n(&state->unobserved_pending, 1u, __ATOMIC_RELEASE);
}

void Engine::flush_unobserved(FileState* state) {
  if (__atomic_load_n(&state->unobserved_pending, __ATOMIC_ACQUIRE) == 0) return;
  __atomic_store_n(&state->unobserved_pending, 0u, __ATOMIC_RELAXED);
  if (state->excluded || name_is_unknown(*state)) return;  // nothing is reported under a stale name
  BackupReport report;
  report.decided = true;
  report.outcome = Outcome::kSkipped;
  report.skip_reason = SkipReason::kNotObservable;
  emit(report, state->unobserved_trigger, state->name, state->unobserved_process_id, state->unobserved_time);
}

void Engine::pre_write(const WriteOp& op, FileState* state, const HandleState* handle) {
  if (state == nullptr || op.paging_io || op.from_own_client) return;  // nothing in the paging path
  if (session_decided(*state)) return;           // the common case: one load
  Modification m;
  m.target = op.target;
  m.trigger = (handle != nullptr && handle->append_only) ? Trigger::kAppend : Trigger::kWrite;
  m.process_id = op.process_id;
  decide_session(state, m);
}

void Engine::pre_set_information(const SetInfoOp& op, FileState* state, const HandleState* handle, Str16 name,
                                 Str16 destination, const RuleSet& rules) {
  (void)handle;
  switch (set_information_precheck(op, state != nullptr)) {
    case Precheck::kIgnore:
    case Precheck::kNeedOpenedName:  // create only
      return;
    case Precheck::kUseState: {
      if (session_decided(*state)) return;
      Modification m;
      m.target = op.target;
      m.process_id = op.process_id;
      m.trigger = Trigger::kTruncate;
      if (op.info_class == FileInfoClass::kAllocation) m.only_if_larger_than = op.allocation_size;
      if (op.info_class == FileInfoClass::kValidDataLength) m.trigger = Trigger::kOther;
      decide_session(state, m);
      return;
    }
    case Precheck::kNeedName:
      if (op.info_class == FileInfoClass::kDisposition || op.info_class == FileInfoClass::kDispositionEx) {
        const NameDecision file = classify_name(name, rules);
        // Without a context (the driver could not attach one) the delete cannot be watched:
        // nothing is reported rather than a loss that may not happen.
        if (file.verdict == NameVerdict::kProtected && state != nullptr)
          watch_delete(state, file.file_path, op.process_id, op.target);
      } else {
        rename_over(op, state, name, destination, rules);
      }
      return;
  }
}

void Engine::set_information_not_followed(const SetInfoOp& op, Str16 destination, NtStatus name_status,
                                          const RuleSet& rules) {
  if (set_information_precheck(op, false) != Precheck::kNeedName) return;
  if (op.info_class == FileInfoClass::kDisposition || op.info_class == FileInfoClass::kDispositionEx) return;
  // Without ReplaceIfExists nothing is replaced: no content can be lost (the vault's moves of a
  // name's history need the names, which are what is missing).
  if (!op.replace_if_exists) return;
  Str16 path;
  const int64_t now = services_.clock->now();
  VaultKeep keep;
  if (destination.len > 0) {
    const NameDecision target = classify_name(destination, rules);
    if (target.verdict != NameVerdict::kProtected) return;
    TargetedFileSystem fs = fs_on(op.target);
    {
      ScopedHandle existing(fs);
      if (is_not_found(existing.open(target.file_path, Str16(), OpenMode::kRead))) return;  // a plain move
    }  // closed before the rename (N5)
    path = target.file_path;
    // Without the source's name nothing can be adopted, but keeping the replaced file needs
    // only its own: the S5 safety copy (adopt_with_safety_copy), kept since nothing carries it.
    if (vault_.enabled()) {
      VaultEvents events(*this);
      keep = vault_.keep(fs, path, VaultEntryState::kDeparted, config(), now, op.process_id, events, false);
    }
  }
  emit(failed(name_status, 0), Trigger::kRenameOver, path, op.process_id, now);
  if (!keep.kept) return;
  emit_delete(Outcome::kKeptInVault, path, op.process_id, keep.size, SkipReason::kNone, nt::kSuccess,
              Trigger::kRenameOver);
  vault_enforce_bounds(op.target, vault_volume_of(path));
}

void Engine::rename_over(const SetInfoOp& op, FileState* state, Str16 name, Str16 destination,
                         const RuleSet& rules) {
  const NameDecision source = classify_name(name, rules);
  if (source.verdict != NameVerdict::kProtected && source.verdict != NameVerdict::kNotProtected) return;
  const NameDecision target = classify_name(destination, rules);
  if (equal_ignore_case(source.file_path, target.file_path, upcase_native)) return;  // a case change
  const bool is_rename = op.info_class != FileInfoClass::kLink && op.info_class != FileInfoClass::kLinkEx;
  if (!op.replace_if_exists) {
    // Nothing can be replaced. Onto an existing name the rename fails: nothing to do.
    if (!is_rename) return;
    {
      TargetedFileSystem fs = fs_on(op.target);
      if (stream_exists(fs, target.file_path, Str16())) return;
    }
    if (target.verdict == NameVerdict::kProtected) {
      if (state == nullptr) {
        (void)arrive_or_depart(op, source, target);
        return;
      }
      LockGuard guard(*state->lock);
      flush_unobserved(state);
      const bool claimed = claim_session(state, kDeciding);
      const bool arrived = arrive_or_depart(op, source, target);
      if (claimed) set_decided(state, arrived ? kDecided : kUndecided);
      return;
    }
  }
  if (target.verdict != NameVerdict::kProtected) {
    // Renamed away to a name the rules leave alone (Word's `~WRL*.tmp` under extension rules):
    // the vault holds the file for the protected name's history (S6b).
    if (source.verdict == NameVerdict::kProtected && target.verdict == NameVerdict::kNotProtected)
      depart(source.file_path, op.process_id, op.target);
    return;
  }

  AdoptJob job;
  job.source = source.file_path;
  job.target = target.file_path;
  job.config = config();
  job.time = services_.clock->now();
  job.process_id = op.process_id;
  PooledBuffer buffer(*services_.buffers);
  // A tracked source may be taking its own session backup on another thread: same streams.
  if (state == nullptr) {
    TargetedFileSystem fs = fs_on(op.target);
    const BackupReport report = adopt_with_safety_copy(fs, job, as_copy_buffer(buffer), op.target);
    if (!report.decided) (void)arrive_or_depart(op, source, target);
    return;
  }
  LockGuard guard(*state->lock);
  flush_unobserved(state);
  // Writes through the renamed handle belong to the session the adoption is part of: its
  // decision is the adoption (the replaced content is the document's newest backup). Claimed
  // before the I/O, like decide_session, so a writer on another thread waits for it.
  const bool claimed = claim_session(state, kDeciding);
  TargetedFileSystem fs = fs_on(op.target);
  const BackupReport report = adopt_with_safety_copy(fs, job, as_copy_buffer(buffer), op.target);
  // An arrival is an adoption too: the session's decision, like S5's.
  const bool arrived = !report.decided && arrive_or_depart(op, source, target);
  // A plain move (nothing replaced) decides nothing: the session's first write still backs up.
  if (claimed) set_decided(state, report.decided || arrived ? kDecided : kUndecided);
}

BackupReport Engine::adopt_with_safety_copy(FileSystem& fs, const AdoptJob& job, const CopyBuffer& buffer,
                                            IoTarget target) {
  // The target first gets a vault name (a hard link: no byte copied, N10), so that an adoption
  // that fails in any of its calls does not lose the target's versions with the rename (N5):
  // the replaced file then lives on under the vault's name, listed by fbmon deleted. A safety
  // copy carries no name history (the adoption is the history); it goes when the adoption
  // carried everything it was asked to.
  VaultKeep keep;
  if (vault_.enabled()) {
    VaultEvents events(*this);
    keep = vault_.keep(fs, job.target, VaultEntryState::kDeparted, job.config, job.time, job.process_id, events,
                       false);
  }
  const BackupReport report = adopt_replaced_target(fs, job, buffer);
  if (report.decided) emit(report, job.trigger, job.target, job.process_id, job.time);
  if (!keep.kept) return report;
  const bool complete = report.versions_dropped == 0 &&
                        (report.outcome == Outcome::kBackedUp ||
                         (report.outcome == Outcome::kSkipped && report.skip_reason == SkipReason::kTooLarge));
  if (!report.decided || complete) {
    vault_.discard(fs, keep.id);
    return report;
  }
  // What the adoption could not carry is in the vault: say where.
  emit_delete(Outcome::kKeptInVault, job.target, job.process_id, keep.size, SkipReason::kNone, nt::kSuccess,
              job.trigger);
  vault_enforce_bounds(target, vault_volume_of(job.target));
  return report;
}

void Engine::vault_rescue(FileSystem& fs, Str16 file, const CreateTicket& ticket, const BackupReport& report,
                          const RescueMemory& memory, IoTarget target) {
  // The rescue file holds what the overwritten file could not take back (common/engine/rescue.h):
  // left as it is, fbmon could not list it. It becomes a vault entry (a hard link, N10) whose
  // record names the file, so fbmon deleted lists it and restore --deleted brings it back; its
  // own sibling name then goes.
  if (!vault_.enabled()) return;
  const Str16 rescue = rescue_path(file, ticket, memory);
  if (rescue.len == 0) return;
  const EngineConfig config = this->config();
  // The rescued content that did not go back becomes the entry's newest version (one slot more
  // than the carried ones: promotion drops nothing). Best effort: in backup.tmp it is kept too.
  if (report.outcome != Outcome::kBackedUp && ticket.content_rescued &&
      stream_exists(fs, rescue, SlotStream(kTempBackupSlot, BackupPart::kData).name()))
    (void)promote_temp_backup(fs, rescue, config.max_versions + 1);
  VaultEvents events(*this);
  const VaultKeep keep = vault_.keep(fs, rescue, VaultEntryState::kKept, config, services_.clock->now(),
                                     ticket.process_id, events, false, file);
  if (!keep.kept) return;  // the rescue file stays where it is, hidden, as before
  {
    ScopedHandle sibling(fs);
    if (nt_success(sibling.open(rescue, Str16(), OpenMode::kMove))) (void)fs.mark_delete(sibling.get());
  }
  emit_delete(Outcome::kKeptInVault, file, ticket.process_id, ticket.file_size, SkipReason::kNone, nt::kSuccess,
              Trigger::kOverwriteOnOpen);
  vault_enforce_bounds(target, vault_volume_of(file));
}

bool Engine::arrive_or_depart(const SetInfoOp& op, const NameDecision& source, const NameDecision& target) {
  // Nothing was replaced: the source either takes a name its previous file left moments ago
  // (S6: deleted; S6b: renamed away) and with it that file's history, or it leaves its own
  // protected name, whose history the vault then holds for the window.
  if (arrive(target.file_path, source.file_path, op.process_id, true, op.target)) return true;
  if (source.verdict == NameVerdict::kProtected) depart(source.file_path, op.process_id, op.target);
  return false;
}

bool Engine::delete_needs_context(const SetInfoOp& op, Str16 name, const RuleSet& rules, Str16* file_path) const {
  if (op.info_class != FileInfoClass::kDisposition && op.info_class != FileInfoClass::kDispositionEx) return false;
  if (set_information_precheck(op, false) != Precheck::kNeedName) return false;
  const NameDecision file = classify_name(name, rules);
  if (file.verdict != NameVerdict::kProtected) return false;
  *file_path = file.file_path;
  return true;
}

void Engine::watch_delete(FileState* state, Str16 file_path, uint64_t process_id, IoTarget target) {
  LockGuard guard(*state->lock);
  if (watching_delete(*state)) return;  // asked before: one delete, one watch
  TargetedFileSystem fs = fs_on(target);
  // The vault gives the file a second name now, before the delete can take its last one (N10,
  // N11); whether the delete happens is settled at the stream's cleanups.
  VaultEvents events(*this);
  const VaultKeep keep = vault_.keep(fs, file_path, VaultEntryState::kPending, config(),
                                     services_.clock->now(), process_id, events);
  if (keep.covered) return;  // nothing this delete can lose
  if (!keep.kept) {
    // Refused or failed: the delete takes the streams with the file (N9). Reported when it
    // happens, if there was a backup to lose, or content the vault refused for a bound.
    const bool backup = stream_exists(fs, file_path, SlotStream(1, BackupPart::kData).name());
    if (!backup && (keep.refused == SkipReason::kDisabled || keep.size == 0)) return;
  }
  state->vault_id = keep.id;
  state->vault_refused = keep.refused;
  state->vault_status = keep.status;
  state->delete_process_id = process_id;
  __atomic_store_n(&state->delete_watch, 1u, __ATOMIC_RELEASE);
}

void Engine::stream_cleaned_up(FileState* state, bool file_deleted, IoTarget target) {
  if (state == nullptr || !watching_delete(*state)) return;
  LockGuard guard(*state->lock);
  if (!watching_delete(*state)) return;  // another cleanup settled it
  if (state->vault_id != 0) {
    // The vault's name keeps the file alive, so the file system does not call it deleted: the
    // original name says whether the delete happened.
    VaultEntry entry;
    TargetedFileSystem fs = fs_on(target);
    const VaultSettle settled =
        vault_.settle(fs, state->vault_id, state->name, services_.clock->now(), &entry);
    if (settled == VaultSettle::kWaiting) return;
    __atomic_store_n(&state->delete_watch, 0u, __ATOMIC_RELEASE);
    state->vault_id = 0;
    if (settled == VaultSettle::kKept) {
      emit_delete(Outcome::kKeptInVault, state->name, state->delete_process_id, entry.size, SkipReason::kNone,
                  nt::kSuccess);
      vault_enforce_bounds(target, vault_volume_of(state->name));
    }
    return;
  }
  if (!file_deleted) return;
  __atomic_store_n(&state->delete_watch, 0u, __ATOMIC_RELEASE);
  emit_delete(Outcome::kBackupLost, state->name, state->delete_process_id, 0, state->vault_refused,
              state->vault_refused == SkipReason::kNone ? state->vault_status : nt::kSuccess);
}

void Engine::emit_delete(Outcome outcome, Str16 path, uint64_t process_id, uint64_t size, SkipReason reason,
                         NtStatus status, Trigger trigger) {
  BackupEvent event;
  event.time = services_.clock->now();
  event.process_id = process_id;
  event.trigger = trigger;
  event.outcome = outcome;
  event.skip_reason = reason;
  event.status = status;
  event.file_size = size;
  event.slot = outcome == Outcome::kBackupLost ? 1 : 0;
  event.path = path;
  if (outcome == Outcome::kBackupLost) counters_.add_backup_lost();
  counters_.add_event();
  services_.sink->notify(event);
}

bool Engine::arrive(Str16 name, Str16 receiver, uint64_t process_id, bool renamed_in, IoTarget target) {
  if (!vault_.has_history()) return false;  // the common case: one load
  const int64_t now = services_.clock->now();
  VaultEntry entry;
  if (!vault_.history_for(name, now, &entry)) return false;
  TargetedFileSystem fs = fs_on(target);
  {
    // The file that left the name comes back to it: its history is its own already.
    ScopedHandle h(fs);
    uint64_t id = 0;
    if (nt_success(h.open(receiver, Str16(), OpenMode::kLink)) && nt_success(fs.query_file_id(h.get(), &id)) &&
        id == entry.file_id) {
      h.reset();
      vault_.adopted(fs, entry.id, now);
      return true;
    }
  }
  const Trigger trigger = entry.state == VaultEntryState::kDeparted
                              ? Trigger::kRenameAwayThenRename
                              : (renamed_in ? Trigger::kDeleteThenRename : Trigger::kDeleteThenCreate);
  const VaultPath link(Str16(entry.volume, entry.volume_len), entry.id);
  AdoptJob job;
  job.source = receiver;
  job.target = link.view();
  job.config = config();
  job.time = now;
  job.process_id = process_id;
  job.trigger = trigger;
  PooledBuffer buffer(*services_.buffers);
  const BackupReport report = adopt_replaced_target(fs, job, as_copy_buffer(buffer));
  if (!report.decided) return false;  // the vault's name is gone (evicted meanwhile)
  emit(report, trigger, name, process_id, now);
  // Only a complete adoption releases the vault's copy; otherwise the bounds keep it.
  if (report.outcome == Outcome::kBackedUp && report.versions_dropped == 0)
    vault_.adopted(fs, entry.id, now);
  vault_enforce_bounds(target, vault_volume_of(name));
  return true;
}

void Engine::depart(Str16 file, uint64_t process_id, IoTarget target) {
  if (!vault_.enabled()) return;
  VaultEvents events(*this);
  // Refusals are not reported: the file still exists under its new name.
  TargetedFileSystem fs = fs_on(target);
  (void)vault_.keep(fs, file, VaultEntryState::kDeparted, config(), services_.clock->now(), process_id,
                    events);
  vault_enforce_bounds(target, vault_volume_of(file));
}

uint32_t Engine::vault_scan(IoTarget target, Str16 volume) {
  TargetedFileSystem fs = fs_on(target);
  const int64_t now = services_.clock->now();
  const uint32_t found = vault_.scan(fs, volume, now);
  VaultEvents events(*this);
  vault_.enforce_bounds(fs, volume, config(), now, events);
  return found;
}

void Engine::vault_enforce_bounds(IoTarget target, Str16 volume) {
  VaultEvents events(*this);
  TargetedFileSystem fs = fs_on(target);
  vault_.enforce_bounds(fs, volume, config(), services_.clock->now(), events);
}

void Engine::pre_acquire_for_section(const SectionOp& op, FileState* state, const HandleState* handle) {
  (void)handle;
  if (state == nullptr || op.from_own_client || !section_can_write(op) || session_decided(*state)) return;
  Modification m;
  m.target = op.target;
  m.trigger = Trigger::kMappedSection;
  m.process_id = op.process_id;
  decide_session(state, m);
}

void Engine::pre_fsctl(const FsctlOp& op, FileState* state, const HandleState* handle) {
  (void)handle;
  if (state == nullptr || op.from_own_client || !fsctl_modifies(op.control_code) || session_decided(*state)) return;
  Modification m;
  m.target = op.target;
  m.trigger = Trigger::kOther;
  m.process_id = op.process_id;
  decide_session(state, m);
}

// --- end of a handle ----------------------------------------------------------------------------

void Engine::post_cleanup(FileState* state, HandleState* handle) {
  if (state == nullptr || handle == nullptr || !handle->counted_writer) return;
  LockGuard guard(*state->lock);
  flush_unobserved(state);
  handle->counted_writer = false;
  if (state->writer_count > 0 && --state->writer_count == 0) set_decided(state, kUndecided);  // the session ends
}

// --- events ---------------------------------------------------------------------------------------

void Engine::emit(const BackupReport& report, Trigger trigger, Str16 path, uint64_t process_id, int64_t start) {
  BackupEvent event;
  event.time = start;
  event.process_id = process_id;
  event.trigger = trigger;
  event.outcome = report.outcome;
  event.skip_reason = report.outcome == Outcome::kSkipped ? report.skip_reason : SkipReason::kNone;
  event.status = report.outcome == Outcome::kFailed ? report.status : nt::kSuccess;
  event.file_size = report.file_size;
  event.bytes_copied = report.outcome == Outcome::kBackedUp ? report.bytes_copied : 0;
  const int64_t end = services_.clock->now();
  event.duration = end > start ? static_cast<uint64_t>(end - start) : 0;
  event.slot = report.outcome == Outcome::kBackedUp ? 1 : 0;
  event.path = path;
  switch (report.outcome) {
    case Outcome::kBackedUp: counters_.add_backup(report.bytes_copied); break;
    case Outcome::kSkipped: counters_.add_skip(report.skip_reason); break;
    default: counters_.add_failure(report.status); break;
  }
  if (report.versions_dropped) counters_.add_versions_dropped(report.versions_dropped);
  counters_.add_event();
  services_.sink->notify(event);
}

}  // namespace fb
