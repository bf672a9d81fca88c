#include "monitor/lib/restore.h"

#include "common/engine/streams.h"
#include "common/engine/versions.h"
#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/restore_plan.h"
#include "monitor/lib/text.h"
#include "common/paths/stream_names.h"

namespace fbmon {
namespace {

// Runs one restore; each step either succeeds or fills report.error and returns false.
class Restorer {
 public:
  Restorer(MonitorFileSystem& fs, const RestoreOptions& o, void* buffer, uint32_t size)
      : fs_(fs), o_(o), buffer_(buffer), buffer_size_(size), file_(view(o.file)),
        target_path_(o.out.empty() ? o.file : o.out), target_view_(view(target_path_)), target_(fs) {}

  RestoreReport run() {
    if (!o_.out.empty() && !check_target()) return report_;
    RestoreRequest request;
    request.version = o_.version;
    request.max_versions = o_.max_versions;
    request.to_other_file = !o_.out.empty();
    request.target_exists = !request.to_other_file || fb::stream_exists(fs_, target_view_, fb::Str16());
    for (uint32_t slot = 1; slot <= kMaxSlots; ++slot) {
      request.slots[slot].data = fb::stream_exists(fs_, file_, fb::SlotStream(slot, fb::BackupPart::kData).name());
      request.slots[slot].meta = fb::stream_exists(fs_, file_, fb::SlotStream(slot, fb::BackupPart::kMeta).name());
      if (request.to_other_file && request.target_exists) {
        request.target_slots[slot].data =
            fb::stream_exists(fs_, target_view_, fb::SlotStream(slot, fb::BackupPart::kData).name());
        request.target_slots[slot].meta =
            fb::stream_exists(fs_, target_view_, fb::SlotStream(slot, fb::BackupPart::kMeta).name());
      }
    }
    const RestorePlan plan = plan_restore(request);
    if (!plan.ok()) return refuse_plan(plan.error, request);

    const std::string file_text = to_utf8(o_.file), target_text = to_utf8(target_path_);
    report_.undo_copy = plan.steps.size() > 2;
    for (const RestoreStep& step : plan.steps)
      if (step.kind == StepKind::kPromote) versions_to_keep_ = step.slot;
    for (const RestoreStep& step : plan.steps) {
      if (o_.dry_run) {
        // Verification and the target's open only read, so a dry run does them too: it says
        // "would" only for what the real run would do (a file in use is refused here as there).
        if (step.kind == StepKind::kVerify && !(verify(step.slot) && open_target(/*probe=*/true))) return report_;
        report_.lines.push_back("would " + describe_step(step, file_text, target_text));
        continue;
      }
      if (!execute(step)) return report_;
      report_.lines.push_back("done: " + describe_step(step, file_text, target_text));
    }
    report_.ok = true;
    return report_;
  }

 private:
  bool execute(const RestoreStep& step) {
    switch (step.kind) {
      case StepKind::kVerify: return verify(step.slot) && open_target();
      case StepKind::kSnapshot: return snapshot();
      case StepKind::kWriteTarget: return write_target(step.slot);
      case StepKind::kPromote: return promote(step.slot);
    }
    return false;
  }

  bool verify(uint32_t slot) {
    const SlotInspection s = inspect_slot(fs_, file_, slot, /*verify_data=*/true, buffer_, buffer_size_);
    if (s.trusted()) {
      expected_ = s.check.metadata;
      return true;
    }
    const bool incomplete = !s.data_present || !s.meta_present ||
                            s.check.integrity == fb::BackupIntegrity::kSizeMismatch ||
                            s.check.verify_failure == fb::VerifyFailure::kShorter ||
                            s.check.metadata_error == fb::MetadataError::kTooShort;
    if (!fb::nt_success(s.status) || s.check.integrity == fb::BackupIntegrity::kDataUnreadable) {
      const fb::NtStatus st = fb::nt_success(s.status) ? s.check.status : s.status;
      return fail_status(st, slot_name(slot), "cannot read the backup");
    }
    report_.error.failure = incomplete ? Failure::kBackupIncomplete : Failure::kBackupCorrupt;
    report_.error.subject = slot_name(slot);
    report_.error.detail = integrity_problem(s);
    return false;
  }

  // The target is opened before anything changes, so "file in use" stops the restore while the
  // file and its backups are still exactly as they were.
  // probe: a dry run opens an existing target the same way and closes it again (never creates).
  bool open_target(bool probe = false) {
    const bool exists = fb::stream_exists(fs_, target_view_, fb::Str16());
    if (probe && !exists) return true;
    fb::FsHandle h;
    const fb::NtStatus s = fs_.open_target(target_view_, !o_.out.empty(), &h);
    if (!fb::nt_success(s)) return fail_status(s, to_utf8(target_path_), "cannot open the file for writing");
    target_.adopt(h);
    if (probe) target_.reset();
    return true;
  }

  bool check_target() { return !refuse_target(o_, &report_.error); }

  // The undo copy of the target (the file itself, or an existing OUT) in its own `:backup.tmp`.
  bool snapshot() {
    if (!save_undo_snapshot(fs_, target_path_, o_.now, o_.process_id, o_.elevated, buffer_, buffer_size_,
                            &report_.error, &snapshot_))
      return false;
    snapshot_taken_ = true;
    return true;
  }

  bool write_target(uint32_t slot) {
    fb::ScopedHandle backup(fs_);
    fb::NtStatus s = backup.open(file_, fb::SlotStream(slot, fb::BackupPart::kData).name(), fb::OpenMode::kRead);
    if (!fb::nt_success(s)) return fail_after_snapshot(s, slot_name(slot), "cannot read the backup");
    fb::FsSource source(fs_, backup.get());
    fb::FsSink sink(fs_, target_.get());
    const fb::CopyResult copy = fb::copy_stream(source, sink, expected_.original_size, buffer_, buffer_size_);
    target_.reset();  // closed before the rotation touches the file's streams
    if (!copy.ok())
      return fail_after_snapshot(copy.status, to_utf8(target_path_),
                                 std::string("writing failed at ") + fb::copy_step_name(copy.failed_step));
    if (copy.hash != expected_.content_hash) {
      // The backup changed between verification and copy: what was written is not what was verified.
      report_.error.failure = Failure::kBackupCorrupt;
      report_.error.subject = slot_name(slot);
      report_.error.detail = "the backup changed while it was being restored";
      keep_snapshot_after_failure();
      return false;
    }
    report_.restored_bytes = copy.bytes_copied;
    return true;
  }

  bool promote(uint32_t max_versions) {
    if (driver_took_snapshot()) return !snapshot_lost_ || fail_snapshot_lost();
    const fb::PromoteResult r = fb::promote_temp_backup(fs_, target_view_, max_versions);
    if (!fb::nt_success(r.status))
      return fail_status(r.status, to_utf8(target_path_) + ":backup.tmp",
                         "restored, but the previous content could not be made backup 1 (it is kept in :backup.tmp)");
    return true;
  }

  // After a failed write the file may hold part of the backup: make the snapshot backup 1 so
  // the previous content is one `fbmon restore` away.
  bool fail_after_snapshot(fb::NtStatus s, const std::string& subject, const std::string& what) {
    fail_status(s, subject, what);
    keep_snapshot_after_failure();
    return false;
  }

  // Whether `backup.tmp` is gone (true: nothing left to promote). If the driver backed up our
  // write after all (it excludes only the I/O of the clients it knows), it did so before the
  // first write changed the file, into `backup.tmp`, and promoted it: the previous content is
  // backup 1 already, and our snapshot was that same content. But `backup.tmp` is the driver's
  // name too: a backup of another program's write that failed while we held the snapshot open
  // removes it on its way out. So the driver's copy is believed only if slot 1 holds exactly
  // the snapshot's content (its record's size and hash); otherwise the undo copy was lost and
  // restore says so (snapshot_lost_) instead of reporting success.
  bool driver_took_snapshot() {
    if (fb::stream_exists(fs_, target_view_, fb::SlotStream(fb::kTempBackupSlot, fb::BackupPart::kData).name()))
      return false;
    const SlotInspection s = inspect_slot(fs_, target_view_, 1, /*verify_data=*/true, buffer_, buffer_size_);
    if (s.trusted() && s.check.metadata.original_size == snapshot_.original_size &&
        s.check.metadata.content_hash == snapshot_.content_hash) {
      report_.lines.push_back("note: the driver backed up the previous content itself (backup 1)");
    } else {
      snapshot_lost_ = true;
    }
    return true;
  }

  bool fail_snapshot_lost() {
    report_.error.failure = Failure::kOther;
    report_.error.subject = to_utf8(target_path_) + ":backup.tmp";
    report_.error.detail =
        "restored, but the copy of the previous content is gone and backup 1 is not it (another program wrote the "
        "file meanwhile and the driver's backup of that write failed); the previous content was not kept";
    return false;
  }

  void keep_snapshot_after_failure() {
    if (!snapshot_taken_) return;
    if (driver_took_snapshot()) {
      if (snapshot_lost_) report_.error.detail += "; the copy of the previous content is gone";
      return;
    }
    const fb::PromoteResult r = fb::promote_temp_backup(fs_, target_view_, versions_to_keep_);
    report_.error.detail += fb::nt_success(r.status)
                                ? "; the previous content is backup 1 (`fbmon restore " + to_utf8(target_path_) + "`)"
                                : "; the previous content is kept in :backup.tmp";
  }

  bool fail_status(fb::NtStatus s, const std::string& subject, const std::string& what) {
    report_.error.failure = classify_status(s, o_.elevated);
    report_.error.code = static_cast<uint32_t>(s);
    report_.error.code_kind = CodeKind::kNtStatus;
    report_.error.subject = subject;
    report_.error.detail = what;
    return false;
  }

  RestoreReport refuse_plan(PlanError error, const RestoreRequest& request) {
    report_.error.subject = to_utf8(o_.file);
    switch (error) {
      case PlanError::kNone:
        break;
      case PlanError::kVersionOutOfRange:
        report_.error.failure = Failure::kUsage;
        report_.error.detail = "--version must be 1..9";
        break;
      case PlanError::kNoBackup:
        report_.error.failure = Failure::kNoBackup;
        break;
      case PlanError::kNoSuchVersion:
        report_.error.failure = Failure::kNoSuchVersion;
        report_.error.version = o_.version;
        report_.error.detail = present_versions(request);
        break;
      case PlanError::kMissingMetadata:
        report_.error.failure = Failure::kBackupIncomplete;
        report_.error.subject = slot_name(o_.version);
        report_.error.detail = "its metadata stream is missing";
        break;
      case PlanError::kMissingData:
        report_.error.failure = Failure::kBackupIncomplete;
        report_.error.subject = slot_name(o_.version);
        report_.error.detail = "its data stream is missing; only its metadata is left";
        break;
    }
    return report_;
  }

  std::string slot_name(uint32_t slot) const {
    return to_utf8(o_.file) + ":" + to_utf8(fb::SlotStream(slot, fb::BackupPart::kData).name());
  }

  // Closes the target handle on every path.
  class TargetHandle {
   public:
    explicit TargetHandle(fb::FileSystem& fs) : fs_(fs) {}
    ~TargetHandle() { reset(); }
    TargetHandle(const TargetHandle&) = delete;
    TargetHandle& operator=(const TargetHandle&) = delete;
    void adopt(fb::FsHandle h) { reset(); h_ = h; }
    fb::FsHandle get() const { return h_; }
    void reset() {
      if (h_.valid()) fs_.close(h_);
      h_ = fb::FsHandle();
    }

   private:
    fb::FileSystem& fs_;
    fb::FsHandle h_;
  };

  MonitorFileSystem& fs_;
  const RestoreOptions& o_;
  void* buffer_;
  uint32_t buffer_size_;
  fb::Str16 file_;
  std::u16string target_path_;
  fb::Str16 target_view_;
  TargetHandle target_;
  fb::BackupMetadata expected_;
  bool snapshot_taken_ = false;
  bool snapshot_lost_ = false;
  fb::BackupMetadata snapshot_;  // what save_undo_snapshot wrote
  uint32_t versions_to_keep_ = kMaxSlots;
  RestoreReport report_;
};

}  // namespace

bool save_undo_snapshot(MonitorFileSystem& fs, const std::u16string& target, int64_t now, uint64_t process_id,
                        bool elevated, void* buffer, uint32_t buffer_size, ErrorInfo* error,
                        fb::BackupMetadata* saved) {
  const fb::Str16 target_view = view(target);
  auto fail = [&](fb::NtStatus s, const std::string& subject) {
    error->failure = classify_status(s, elevated);
    error->code = static_cast<uint32_t>(s);
    error->code_kind = CodeKind::kNtStatus;
    error->subject = subject;
    error->detail = "cannot save the current content";
    return false;
  };
  fb::ScopedHandle current(fs);
  fb::NtStatus s = current.open(target_view, fb::Str16(), fb::OpenMode::kRead);
  uint64_t size = 0;
  if (fb::nt_success(s)) s = fs.query_size(current.get(), &size);
  if (!fb::nt_success(s)) {
    fail(s, to_utf8(target));
    error->detail = "cannot read the current content";
    return false;
  }
  fb::FsSource source(fs, current.get());
  const fb::SlotStream temp(fb::kTempBackupSlot, fb::BackupPart::kData), temp_meta(fb::kTempBackupSlot, fb::BackupPart::kMeta);
  const fb::CopyResult copy =
      fb::copy_into_stream(fs, source, size, target_view, temp.name(), fb::CopyBuffer{buffer, buffer_size});
  if (!copy.ok()) return fail(copy.status, to_utf8(target) + ":backup.tmp");
  fb::BackupMetadata m;
  m.backup_time = now;
  m.original_size = copy.bytes_copied;
  m.content_hash = copy.hash;
  m.writer_process_id = process_id;
  m.trigger = fb::Trigger::kOther;
  s = fb::write_metadata_stream(fs, target_view, temp_meta.name(), m);
  if (!fb::nt_success(s)) {
    fb::delete_stream(fs, target_view, temp.name());
    return fail(s, to_utf8(target) + ":backup.tmp.meta");
  }
  if (saved != nullptr) *saved = m;
  return true;
}

bool refuse_target(const RestoreOptions& o, ErrorInfo* error) {
  if (o.out.empty()) return false;
  const TargetProblem problem = target_problem(o.file, o.out);
  if (problem == TargetProblem::kNone) return false;
  error->failure = Failure::kUsage;
  error->help_topic = "restore";
  error->detail =
      problem == TargetProblem::kIsTheFile
          ? "--to " + to_utf8(o.out) + " is the file itself; to put a backup back into it, run `fbmon restore " +
                to_utf8(o.file) + "` (its current content becomes backup 1)"
          : "--to " + to_utf8(o.out) +
                " names a stream (a backup, its metadata or another stream), which restore never writes; give a file";
  return true;
}

RestoreReport run_restore(MonitorFileSystem& fs, const RestoreOptions& options, void* buffer, uint32_t buffer_size) {
  Restorer restorer(fs, options, buffer, buffer_size);
  return restorer.run();
}

}  // namespace fbmon
