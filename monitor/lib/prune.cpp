#include "monitor/lib/prune.h"

#include "common/engine/streams.h"
#include "common/engine/versions.h"
#include "monitor/lib/backup_inspect.h"
#include "monitor/lib/civil_time.h"
#include "monitor/lib/restore_deleted.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

constexpr int64_t kFiletimeDay = 864000000000LL;  // 100 ns units per day

std::string slot_text(const std::string& file, uint32_t slot) {
  return file + ":" + to_utf8(fb::SlotStream(slot, fb::BackupPart::kData).name());
}

}  // namespace

std::vector<uint32_t> slots_to_prune(const std::vector<uint32_t>& slots, const std::vector<int64_t>& times,
                                     const PruneOptions& o) {
  std::vector<uint32_t> out;
  for (size_t rank = 0; rank < slots.size(); ++rank) {
    bool go = o.all;
    if (!o.all) {
      const bool beyond_keep = o.keep == kKeepUnset || rank >= o.keep;
      const int64_t limit = o.now - static_cast<int64_t>(o.older_than_days) * kFiletimeDay;
      const bool old_enough = o.older_than_days == 0 || (times[rank] != 0 && times[rank] < limit);
      go = (o.keep != kKeepUnset || o.older_than_days != 0) && beyond_keep && old_enough;
    }
    if (go) out.push_back(slots[rank]);
  }
  return out;
}

PruneReport run_prune(MonitorFileSystem& fs, const PruneOptions& o) {
  PruneReport r;
  const fb::Str16 file = view(o.file);
  const std::string name = to_utf8(o.file);
  std::vector<uint32_t> slots;
  std::vector<int64_t> times;
  std::vector<uint64_t> sizes;
  for (uint32_t slot = 1; slot <= fb::kMaxBackupVersions; ++slot) {
    const SlotInspection s = inspect_slot(fs, file, slot, /*verify_data=*/false, nullptr, 0);
    if (!s.present()) continue;
    slots.push_back(slot);
    const bool dated = s.meta_present && s.data_present && fb::nt_success(s.status) &&
                       s.check.integrity != fb::BackupIntegrity::kMetadataInvalid;
    times.push_back(dated ? s.check.metadata.backup_time : 0);
    sizes.push_back(s.data_length + s.meta_length);
  }
  if (slots.empty()) {
    r.error.failure = Failure::kNoBackup;
    r.error.subject = name;
    return r;
  }
  const std::vector<uint32_t> doomed = slots_to_prune(slots, times, o);
  for (uint32_t slot : doomed) {
    uint64_t bytes = 0;
    for (size_t i = 0; i < slots.size(); ++i)
      if (slots[i] == slot) bytes = sizes[i];
    const std::string what = slot_text(name, slot) + " and its metadata (" + format_size(bytes) + ")";
    if (o.dry_run) {
      r.lines.push_back("would delete " + what);
    } else {
      const fb::NtStatus s = fb::delete_backup_slot(fs, file, slot);
      if (!fb::nt_success(s)) {
        r.error.failure = classify_status(s, true);
        r.error.code = static_cast<uint32_t>(s);
        r.error.code_kind = CodeKind::kNtStatus;
        r.error.subject = slot_text(name, slot);
        r.error.detail = "cannot delete it; the slots deleted before it are gone, the rest are as they were";
        return r;
      }
      r.lines.push_back("deleted " + what);
    }
    ++r.deleted;
    r.bytes_freed += bytes;
  }
  r.kept = static_cast<uint32_t>(slots.size() - doomed.size());
  // Renumbering is needed when a kept slot sits above the count kept (a gap below it).
  uint32_t highest_kept = 0;
  for (uint32_t slot : slots) {
    bool gone = false;
    for (uint32_t d : doomed) gone = gone || d == slot;
    if (!gone) highest_kept = slot;
  }
  if (highest_kept > r.kept) {
    const std::string step = "renumber the " + std::to_string(r.kept) + " kept backup" + (r.kept == 1 ? "" : "s") +
                             " of " + name + " as 1.." + std::to_string(r.kept) + ", newest first";
    if (o.dry_run) {
      r.lines.push_back("would " + step);
    } else {
      const fb::NtStatus s = fb::renumber_slots(fs, file);
      if (!fb::nt_success(s)) {
        r.error.failure = classify_status(s, true);
        r.error.code = static_cast<uint32_t>(s);
        r.error.code_kind = CodeKind::kNtStatus;
        r.error.subject = name;
        r.error.detail = "deleted, but the kept backups could not be renumbered; they are intact, `fbmon list` shows them";
        return r;
      }
      r.lines.push_back("done: " + step);
    }
  }
  r.ok = true;
  return r;
}

std::vector<size_t> deleted_to_prune(const std::vector<DeletedFile>& files, const PruneOptions& o) {
  std::vector<size_t> out;
  const int64_t limit = o.now - static_cast<int64_t>(o.older_than_days) * kFiletimeDay;
  for (size_t i = 0; i < files.size(); ++i) {
    const DeletedFile& d = files[i];
    if (d.still_named()) continue;
    const bool known = d.record == RecordState::kOk;
    bool go = o.all;
    if (!o.all) {
      // Rank among the kept files of the same path, newest first.
      size_t rank = 0;
      for (size_t j = 0; j < i && known; ++j)
        if (files[j].record == RecordState::kOk && !files[j].still_named() &&
            equal_ascii_nocase(view(files[j].original), view(d.original)))
          ++rank;
      const bool beyond_keep = o.keep == kKeepUnset || rank >= o.keep;
      const bool old_enough = o.older_than_days == 0 || (known && d.info.time < limit);
      go = (o.keep != kKeepUnset || o.older_than_days != 0) && beyond_keep && old_enough;
    }
    if (go) out.push_back(i);
  }
  return out;
}

PruneReport run_prune_deleted(MonitorFileSystem& fs, const std::vector<DeletedFile>& files, const PruneOptions& o) {
  PruneReport r;
  const std::vector<size_t> doomed = deleted_to_prune(files, o);
  for (size_t i : doomed) {
    const DeletedFile& d = files[i];
    const std::string name = d.record == RecordState::kOk ? to_utf8(d.original) : "(record " +
                                                                                      std::string(record_state_text(d.record)) + ")";
    const std::string when =
        d.record != RecordState::kOk ? ""
        : o.to_local ? ", deleted " + format_civil(civil_from_filetime(o.to_local(d.info.time)))
                     : ", deleted " + format_civil(civil_from_filetime(d.info.time)) + " UTC";
    const std::string what = "the kept " + name + when + " (id " + vault_id_text(d.id) + ", " + format_size(d.size) +
                             ", " + std::to_string(d.versions) + (d.versions == 1 ? " version" : " versions") + ")";
    if (o.dry_run) {
      r.lines.push_back("would delete " + what);
    } else {
      const fb::NtStatus s = remove_vault_entry(fs, d);
      if (!fb::nt_success(s)) {
        r.error.failure = classify_status(s, true);
        r.error.code = static_cast<uint32_t>(s);
        r.error.code_kind = CodeKind::kNtStatus;
        r.error.subject = to_utf8(d.vault_file);
        r.error.detail = "cannot delete it; the kept files deleted before it are gone, the rest are as they were";
        return r;
      }
      r.lines.push_back("deleted " + what);
    }
    ++r.deleted;
    r.bytes_freed += d.size;
  }
  r.kept = static_cast<uint32_t>(files.size() - doomed.size());
  r.ok = true;
  return r;
}

}  // namespace fbmon
