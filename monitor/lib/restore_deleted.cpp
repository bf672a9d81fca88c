#include "monitor/lib/restore_deleted.h"

#include <algorithm>

#include "common/engine/streams.h"
#include "common/engine/versions.h"
#include "monitor/lib/restore_plan.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

std::string slot_text(uint32_t slot) { return to_utf8(fb::SlotStream(slot, fb::BackupPart::kData).name()); }

// The size and CRC-32C of `file:stream` as it reads now.
fb::NtStatus digest(fb::FileSystem& fs, fb::Str16 file, fb::Str16 stream, void* buffer, uint32_t buffer_size,
                    uint64_t* size, uint32_t* hash) {
  fb::ScopedHandle h(fs);
  fb::NtStatus s = h.open(file, stream, fb::OpenMode::kRead);
  if (fb::nt_success(s)) s = fs.query_size(h.get(), size);
  if (!fb::nt_success(s)) return s;
  fb::FsSource source(fs, h.get());
  const fb::VerifyResult v = fb::hash_stream(source, *size, buffer, buffer_size);
  *hash = v.hash;
  return v.status;
}

class DeletedRestorer {
 public:
  DeletedRestorer(MonitorFileSystem& fs, const DeletedFile& kept, const RestoreDeletedOptions& o, void* buffer,
                  uint32_t buffer_size)
      : fs_(fs), kept_(kept), o_(o), buffer_(buffer), buffer_size_(buffer_size),
        kept_view_(view(kept.vault_file)) {
    report_.target = o.out.empty() ? kept.original : o.out;
    target_view_ = view(report_.target);
  }

  RestoreDeletedReport run() {
    if (!kept_.restorable()) return refuse_unrestorable();
    if (!o_.out.empty() && target_problem(kept_.vault_file, o_.out) != TargetProblem::kNone) {
      report_.error.failure = Failure::kUsage;
      report_.error.help_topic = "restore";
      report_.error.detail = "--to " + to_utf8(o_.out) + " names a stream or the kept file itself; give a file";
      return report_;
    }
    DeletedRestoreRequest request;
    request.max_versions = o_.max_versions;
    request.target_exists = fb::stream_exists(fs_, target_view_, fb::Str16());
    for (uint32_t slot = 1; slot <= kMaxSlots; ++slot) {
      if (fb::stream_exists(fs_, kept_view_, fb::SlotStream(slot, fb::BackupPart::kData).name()))
        request.kept_slots.push_back(slot);
      if (request.target_exists &&
          (fb::stream_exists(fs_, target_view_, fb::SlotStream(slot, fb::BackupPart::kData).name()) ||
           fb::stream_exists(fs_, target_view_, fb::SlotStream(slot, fb::BackupPart::kMeta).name())))
        request.target_highest_slot = slot;
    }
    target_existed_ = request.target_exists;
    const DeletedRestorePlan plan = plan_restore_deleted(request);
    report_.versions_stay = plan.versions_stay;
    const std::string kept_text = to_utf8(kept_.vault_file), target_text = to_utf8(report_.target);
    for (const DeletedStep& step : plan.steps) {
      if (step.kind == DeletedStepKind::kPromote) promote_max_ = step.slot;
      if (o_.dry_run) {
        if (step.kind == DeletedStepKind::kCheck && !check()) return report_;
        report_.lines.push_back("would " + describe_deleted_step(step, kept_text, target_text));
        continue;
      }
      if (!execute(step)) return report_;
      report_.lines.push_back("done: " + describe_deleted_step(step, kept_text, target_text));
    }
    report_.undo_copy = target_existed_;
    report_.ok = true;
    return report_;
  }

 private:
  bool execute(const DeletedStep& step) {
    switch (step.kind) {
      case DeletedStepKind::kCheck: return check();
      case DeletedStepKind::kSnapshot:
        snapshot_taken_ = save_undo_snapshot(fs_, report_.target, o_.now, o_.process_id, o_.elevated, buffer_,
                                             buffer_size_, &report_.error);
        return snapshot_taken_;
      case DeletedStepKind::kCopyVersion: return copy_version(step.slot);
      case DeletedStepKind::kWrite: return write_content();
      case DeletedStepKind::kPromote: return promote();
      case DeletedStepKind::kRemove: return remove();
    }
    return false;
  }

  // A file with another name is no deleted file; one without a readable record has no known path.
  RestoreDeletedReport refuse_unrestorable() {
    const bool named = kept_.record == RecordState::kOk;
    report_.error.failure = named ? Failure::kOther : Failure::kBackupIncomplete;
    report_.error.subject = to_utf8(kept_.vault_file);
    report_.error.detail = named ? "not deleted: the file still has another name (a delete not finished yet, or a "
                                   "rename the driver is following)"
                                 : std::string("record ") + record_state_text(kept_.record) +
                                       ": its original path is unknown";
    return report_;
  }

  // The kept file reads, and an existing target opens for writing (file in use stops here,
  // before anything changed). A dry run does the same reads.
  bool check() {
    fb::ScopedHandle h(fs_);
    fb::NtStatus s = h.open(kept_view_, fb::Str16(), fb::OpenMode::kRead);
    if (fb::nt_success(s)) s = fs_.query_size(h.get(), &kept_size_);
    if (!fb::nt_success(s)) return fail(s, to_utf8(kept_.vault_file), "cannot read the kept file");
    if (!target_existed_) return true;
    fb::FsHandle t;
    s = fs_.open_target(target_view_, false, &t);
    if (!fb::nt_success(s)) return fail(s, to_utf8(report_.target), "cannot open the file for writing");
    fs_.close(t);
    return true;
  }

  // Reads back `target:stream` and compares it with the kept file's same stream.
  bool verify_copy(fb::Str16 stream, const std::string& subject) {
    uint64_t a_size = 0, b_size = 0;
    uint32_t a_hash = 0, b_hash = 0;
    fb::NtStatus s = digest(fs_, kept_view_, stream, buffer_, buffer_size_, &a_size, &a_hash);
    if (!fb::nt_success(s)) return fail(s, to_utf8(kept_.vault_file), "cannot read the kept file back");
    s = digest(fs_, target_view_, stream, buffer_, buffer_size_, &b_size, &b_hash);
    if (!fb::nt_success(s)) return fail(s, subject, "cannot read the copy back");
    if (a_size != b_size || a_hash != b_hash) {
      report_.error.failure = Failure::kOther;
      report_.error.subject = subject;
      report_.error.detail = "the copy does not read back as the kept file (" + std::to_string(b_size) + " bytes, kept " +
                             std::to_string(a_size) + ")";
      return false;
    }
    return true;
  }

  bool write_content() {
    fb::ScopedHandle source(fs_);
    fb::NtStatus s = source.open(kept_view_, fb::Str16(), fb::OpenMode::kRead);
    if (!fb::nt_success(s)) return undo(fail(s, to_utf8(kept_.vault_file), "cannot read the kept file"));
    fb::FsHandle t;
    s = fs_.open_target(target_view_, !target_existed_, &t);
    if (!fb::nt_success(s)) return undo(fail(s, to_utf8(report_.target), "cannot open the file for writing"));
    created_ = !target_existed_;
    fb::FsSource from(fs_, source.get());
    fb::FsSink to(fs_, t);
    const fb::CopyResult copy = fb::copy_stream(from, to, kept_size_, buffer_, buffer_size_);
    fs_.close(t);
    source.reset();
    if (!copy.ok())
      return undo(fail(copy.status, to_utf8(report_.target),
                       std::string("writing failed at ") + fb::copy_step_name(copy.failed_step)));
    if (!verify_copy(fb::Str16(), to_utf8(report_.target))) return undo(false);
    report_.restored_bytes = copy.bytes_copied;
    return true;
  }

  bool copy_version(uint32_t slot) {
    const fb::NtStatus s = fb::copy_backup_slot(fs_, kept_view_, target_view_, slot, fb::CopyBuffer{buffer_, buffer_size_});
    const std::string subject = to_utf8(report_.target) + ":" + slot_text(slot);
    if (!fb::nt_success(s)) return undo(fail(s, subject, "cannot copy the kept file's backup"));
    copied_slots_.push_back(slot);
    if (!verify_copy(fb::SlotStream(slot, fb::BackupPart::kData).name(), subject) ||
        !verify_copy(fb::SlotStream(slot, fb::BackupPart::kMeta).name(), subject + ".meta"))
      return undo(false);
    ++report_.versions_copied;
    return true;
  }

  bool promote() {
    if (!fb::stream_exists(fs_, target_view_, fb::SlotStream(fb::kTempBackupSlot, fb::BackupPart::kData).name())) {
      report_.lines.push_back("note: the driver backed up the previous content itself (backup 1)");
      return true;
    }
    const fb::PromoteResult r = fb::promote_temp_backup(fs_, target_view_, promote_max_);
    if (!fb::nt_success(r.status))
      return fail(r.status, to_utf8(report_.target) + ":backup.tmp",
                  "restored, but the previous content could not be made backup 1 (it is kept in :backup.tmp); "
                  "the kept file stays in the vault");
    return true;
  }

  bool remove() {
    const fb::NtStatus s = remove_vault_entry(fs_, kept_);
    if (!fb::nt_success(s))
      return fail(s, to_utf8(kept_.vault_file),
                  "restored and verified, but the vault entry could not be removed; `fbmon prune --deleted` "
                  "removes it later");
    report_.entry_removed = true;
    return true;
  }

  // After a failure before the content was written back: what this run created goes, so the
  // target is as it was; the kept file is untouched either way. After a failed write over an
  // existing target: its previous content becomes backup 1 (as restore does).
  bool undo(bool) {
    for (uint32_t slot : copied_slots_) (void)fb::delete_backup_slot(fs_, target_view_, slot);
    if (created_ && !kept_file_opens()) {
      // The kept file left the vault meanwhile: a driver that did not know this process as its
      // client gave the new file at the name the kept file's history (delete-then-create,
      // common/engine/vault.h) and removed the vault's name. The file created here holds that
      // history now: it stays.
      report_.error.detail += "; the kept file is no longer in the vault (the driver gave its history to " +
                              to_utf8(report_.target) + "): it is left as it is, `fbmon list " +
                              to_utf8(report_.target) + "` shows its backups";
    } else if (created_) {
      (void)fb::delete_all_backups(fs_, target_view_);
      fb::ScopedHandle h(fs_);
      if (fb::nt_success(h.open(target_view_, fb::Str16(), fb::OpenMode::kMove))) (void)fs_.mark_delete(h.get());
      report_.error.detail += "; nothing was changed, the kept file stays in the vault";
    } else if (snapshot_taken_) {
      const fb::PromoteResult r = fb::promote_temp_backup(fs_, target_view_, promote_max_);
      report_.error.detail += fb::nt_success(r.status)
                                  ? "; the previous content is backup 1 (`fbmon restore " + to_utf8(report_.target) +
                                        "`), the kept file stays in the vault"
                                  : "; the previous content is kept in :backup.tmp, the kept file stays in the vault";
    } else {
      report_.error.detail += "; nothing was changed, the kept file stays in the vault";
    }
    return false;
  }

  // The kept file still opens by its vault name. A name that is gone, or delete pending (the
  // driver's adoption deleted it while this run held the file open), does not.
  bool kept_file_opens() {
    fb::ScopedHandle h(fs_);
    return fb::nt_success(h.open(kept_view_, fb::Str16(), fb::OpenMode::kRead));
  }

  bool fail(fb::NtStatus s, const std::string& subject, const std::string& what) {
    report_.error.failure = classify_status(s, o_.elevated);
    report_.error.code = static_cast<uint32_t>(s);
    report_.error.code_kind = CodeKind::kNtStatus;
    report_.error.subject = subject;
    report_.error.detail = what;
    return false;
  }

  MonitorFileSystem& fs_;
  const DeletedFile& kept_;
  const RestoreDeletedOptions& o_;
  void* buffer_;
  uint32_t buffer_size_;
  fb::Str16 kept_view_;
  fb::Str16 target_view_;
  uint64_t kept_size_ = 0;
  bool target_existed_ = false;
  bool created_ = false;
  bool snapshot_taken_ = false;
  uint32_t promote_max_ = kMaxSlots;
  std::vector<uint32_t> copied_slots_;
  RestoreDeletedReport report_;
};

}  // namespace

DeletedRestorePlan plan_restore_deleted(const DeletedRestoreRequest& r) {
  DeletedRestorePlan plan;
  plan.steps.push_back({DeletedStepKind::kCheck, 0});
  const uint32_t kept_highest = r.kept_slots.empty() ? 0 : r.kept_slots.back();
  if (!r.target_exists) {
    plan.steps.push_back({DeletedStepKind::kWrite, 0});
    for (uint32_t slot : r.kept_slots) plan.steps.push_back({DeletedStepKind::kCopyVersion, slot});
    plan.steps.push_back({DeletedStepKind::kRemove, 0});
    return plan;
  }
  // The snapshot goes in front of whatever the target then holds, dropping nothing unless all
  // nine slots are in use (the rule of restore_plan.h).
  const bool versions_come = !r.kept_slots.empty() && r.target_highest_slot == 0 && kept_highest < kMaxSlots;
  const uint32_t below = versions_come ? kept_highest : r.target_highest_slot;
  const uint32_t keep = std::min<uint32_t>(kMaxSlots, std::max<uint32_t>(r.max_versions, below + 1));
  plan.steps.push_back({DeletedStepKind::kSnapshot, 0});
  if (versions_come)
    for (uint32_t slot : r.kept_slots) plan.steps.push_back({DeletedStepKind::kCopyVersion, slot});
  plan.steps.push_back({DeletedStepKind::kWrite, 0});
  plan.steps.push_back({DeletedStepKind::kPromote, keep});
  plan.versions_stay = !r.kept_slots.empty() && !versions_come;
  if (!plan.versions_stay) plan.steps.push_back({DeletedStepKind::kRemove, 0});
  return plan;
}

std::string describe_deleted_step(const DeletedStep& step, const std::string& kept, const std::string& target) {
  switch (step.kind) {
    case DeletedStepKind::kCheck: return "read the kept file " + kept;
    case DeletedStepKind::kSnapshot: return "copy the current content of " + target + " to " + target + ":backup.tmp";
    case DeletedStepKind::kCopyVersion:
      return "copy " + kept + ":" + slot_text(step.slot) + " (and its metadata) to " + target + ":" +
             slot_text(step.slot) + " and read it back";
    case DeletedStepKind::kWrite: return "write the kept content to " + target + " and read it back";
    case DeletedStepKind::kPromote:
      return "make " + target + ":backup.tmp backup 1, the others one older (keeping at most " +
             std::to_string(step.slot) + ")";
    case DeletedStepKind::kRemove: return "remove " + kept + " and its record from the vault";
  }
  return "";
}

fb::NtStatus remove_vault_entry(MonitorFileSystem& fs, const DeletedFile& kept) {
  if (kept.still_named()) return fb::nt::kAccessDenied;
  const fb::Str16 file = view(kept.vault_file);
  {
    fb::ScopedHandle h(fs);
    fb::NtStatus s = h.open(file, fb::Str16(), fb::OpenMode::kMove);
    if (fb::nt_success(s)) s = fs.mark_delete(h.get());
    if (!fb::nt_success(s) && !fb::is_not_found(s)) return s;
  }
  const std::u16string folder = kept.vault_file.substr(0, kept.vault_file.find_last_of(u'\\'));
  const std::u16string record = vault_file_path(folder, kept.id, true);
  {
    fb::ScopedHandle h(fs);
    fb::NtStatus s = h.open(view(record), fb::Str16(), fb::OpenMode::kMove);
    if (fb::nt_success(s)) s = fs.mark_delete(h.get());
    if (!fb::nt_success(s) && !fb::is_not_found(s)) return s;
  }
  // NTFS: the streams went with the file's last name (these find nothing). Wine keeps
  // `<id>:backup` as a plain file of that name, which outlives the link.
  if (!fb::stream_exists(fs, file, fb::Str16())) return fb::delete_all_backups(fs, file);
  return fb::nt::kSuccess;
}

RestoreDeletedReport run_restore_deleted(MonitorFileSystem& fs, const DeletedFile& kept,
                                         const RestoreDeletedOptions& options, void* buffer, uint32_t buffer_size) {
  DeletedRestorer r(fs, kept, options, buffer, buffer_size);
  return r.run();
}

}  // namespace fbmon
