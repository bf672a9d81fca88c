#include "common/engine/rescue.h"

#include "common/copy/backup_metadata.h"
#include "common/engine/streams.h"
#include "common/engine/versions.h"
#include "common/paths/stream_names.h"

namespace fb {
namespace {

constexpr uint32_t kMaxComponentUnits = 255;
constexpr uint32_t kMinCopyBytes = 4096;
constexpr uint32_t kRescueNameAttempts = 4;

// The rescue name in its own buffer (names near NT's limit take 64 KiB), the copy in the other.
struct RescueBuffers {
  NtStatus status = nt::kSuccess;
  Str16 rescue;
  CopyBuffer copy;
};

RescueBuffers split(Str16 file, uint32_t rescue_id, const RescueMemory& memory) {
  RescueBuffers out;
  const uint32_t units = file.len + kRescueSuffixUnits;
  // The longest name the rescue opens is one of its streams: refuse before making anything.
  if (static_cast<uint64_t>(units) + kMaxBackupSuffixUnits > kMaxPathUnits) {
    out.status = nt::kNameTooLong;
    return out;
  }
  if (memory.name.data == nullptr || memory.name.size / sizeof(char16_t) < units || memory.copy.data == nullptr ||
      memory.copy.size < kMinCopyBytes) {
    out.status = nt::kInsufficientResources;
    return out;
  }
  char16_t* name = static_cast<char16_t*>(memory.name.data);
  uint32_t len = 0;
  out.status = build_rescue_name(file, rescue_id, name, units, &len);
  out.rescue = Str16(name, len);
  out.copy = memory.copy;
  return out;
}

uint64_t stream_size(FileSystem& fs, Str16 file, Str16 stream) {
  ScopedHandle h(fs);
  uint64_t size = 0;
  if (!nt_success(h.open(file, stream, OpenMode::kRead)) || !nt_success(fs.query_size(h.get(), &size))) return 0;
  return size;
}

void delete_file(FileSystem& fs, Str16 file) {
  ScopedHandle h(fs);
  if (nt_success(h.open(file, Str16(), OpenMode::kMove))) fs.mark_delete(h.get());
}

// Copies the open default stream into rescue:backup.tmp and its metadata.
NtStatus rescue_content(FileSystem& fs, const RescueJob& job, FsHandle source, uint64_t size, Str16 rescue,
                        const CopyBuffer& buffer, CreateTicket* ticket) {
  FsSource reader(fs, source);
  const CopyResult copy =
      copy_into_stream(fs, reader, size, rescue, SlotStream(kTempBackupSlot, BackupPart::kData).name(), buffer);
  if (!copy.ok()) return copy.status;
  BackupMetadata meta;
  meta.backup_time = job.time;
  meta.original_size = copy.bytes_copied;
  meta.content_hash = copy.hash;
  meta.writer_process_id = job.process_id;
  meta.trigger = Trigger::kOverwriteOnOpen;
  const NtStatus s = write_metadata_stream(fs, rescue, SlotStream(kTempBackupSlot, BackupPart::kMeta).name(), meta);
  if (nt_success(s)) ticket->content_hash = copy.hash;
  return s;
}

}  // namespace

NtStatus build_rescue_name(Str16 file, uint32_t rescue_id, char16_t* out, uint32_t cap, uint32_t* len) {
  *len = 0;
  uint32_t component = 0;
  while (component < file.len && file.data[file.len - 1 - component] != u'\\') ++component;
  const uint32_t total = file.len + kRescueSuffixUnits;
  if (component == 0 || component + kRescueSuffixUnits > kMaxComponentUnits || total > kMaxPathUnits || total > cap)
    return nt::kNameTooLong;
  for (uint32_t i = 0; i < file.len; ++i) out[i] = file.data[i];
  static constexpr char16_t kPrefix[] = u".~fb";
  static constexpr char16_t kHex[] = u"0123456789abcdef";
  uint32_t at = file.len;
  for (uint32_t i = 0; i < 4; ++i) out[at++] = kPrefix[i];
  for (int shift = 28; shift >= 0; shift -= 4) out[at++] = kHex[(rescue_id >> shift) & 0xF];
  *len = at;
  return nt::kSuccess;
}

void rescue_before_overwrite(FileSystem& fs, const RescueJob& job, const RescueMemory& memory, CreateTicket* ticket) {
  *ticket = CreateTicket();
  ticket->rescue_id = job.rescue_id;
  ticket->start_time = job.time;
  ticket->process_id = job.process_id;
  if (!job.config.enabled) {
    ticket->skip_reason = SkipReason::kDisabled;
    return;
  }
  ScopedHandle source(fs);
  NtStatus s = source.open(job.file, Str16(), OpenMode::kRead);
  if (is_not_found(s)) return;  // nothing to lose: the create makes a new file
  uint64_t size = 0;
  if (nt_success(s)) s = fs.query_size(source.get(), &size);
  if (!nt_success(s)) {
    ticket->failure = s;
    return;
  }
  ticket->file_size = size;
  uint64_t free_space = UINT64_MAX;
  if (!nt_success(fs.query_free_space(source.get(), &free_space))) free_space = UINT64_MAX;
  ticket->skip_reason = backup_skip_reason(job.config, size, free_space);
  const bool want_content = ticket->skip_reason == SkipReason::kNone;
  if (ticket->skip_reason == SkipReason::kLowDiskSpace) return;  // no room for old versions either

  // Older versions to carry: all that are kept, slot max included. Whether the content becomes
  // a new version (and slot max then makes room) is only known in post-create: if this open
  // joins a session that already has its backup, the slots go back unchanged.
  const uint32_t carry_limit = job.config.max_versions;
  uint64_t carried_bytes = 0;
  uint32_t carry = 0;
  for (uint32_t slot = 1; slot <= carry_limit; ++slot) {
    if (!stream_exists(fs, job.file, SlotStream(slot, BackupPart::kData).name())) continue;
    carried_bytes += stream_size(fs, job.file, SlotStream(slot, BackupPart::kData).name());
    carry = slot;
  }
  const uint64_t needed = (want_content ? size : 0) + carried_bytes;
  if (carry > 0 && (free_space < needed || free_space - needed < job.config.min_free_space)) carry = 0;
  if (!want_content && carry == 0) return;

  // The create has not met its access check yet: copy nothing for a requestor it will refuse.
  // Expected to fail, so nothing is reported then (post_create drops the ticket of a failed
  // create); should the create succeed after all, the overwrite is reported as a failed backup.
  s = fs.check_requestor_access(job.file, job.requestor_access, job.requestor_options);
  if (is_not_found(s)) return;  // gone since: the create makes a new file
  if (!nt_success(s)) {
    ticket->failure = s;
    return;
  }

  // A rescue file left by a crash may hold a name: try a few others before giving up.
  RescueBuffers buffers;
  s = nt::kObjectNameCollision;
  for (uint32_t attempt = 0; attempt < kRescueNameAttempts && s == nt::kObjectNameCollision; ++attempt) {
    ticket->rescue_id = job.rescue_id ^ (attempt << 24);
    buffers = split(job.file, ticket->rescue_id, memory);
    if (!nt_success(buffers.status)) {
      ticket->failure = buffers.status;
      return;
    }
    ScopedHandle created(fs);
    s = created.open(buffers.rescue, Str16(), OpenMode::kCreateNew);
  }
  if (!nt_success(s)) {
    ticket->failure = s;
    return;
  }
  ticket->rescue_active = true;
  if (want_content) {
    s = rescue_content(fs, job, source.get(), size, buffers.rescue, buffers.copy, ticket);
    if (nt_success(s)) ticket->content_rescued = true;
    else ticket->failure = s;
  }
  source.reset();  // the create must find no handle of ours on the file
  for (uint32_t slot = 1; slot <= carry; ++slot) {
    if (!stream_exists(fs, job.file, SlotStream(slot, BackupPart::kData).name())) continue;
    s = copy_backup_slot(fs, job.file, buffers.rescue, slot, buffers.copy);
    if (!nt_success(s)) {
      // This slot and the ones above it are not in the rescue file: the overwrite takes them
      // (N1). Never silent: the session reports FAILED with this status.
      ticket->carry_failure = s;
      uint8_t left = 0;
      for (uint32_t above = slot; above <= carry; ++above)
        if (stream_exists(fs, job.file, SlotStream(above, BackupPart::kData).name())) ++left;
      ticket->slots_not_rescued = left;
      break;
    }
    ticket->slots_rescued = static_cast<uint8_t>(slot);
  }
}

Str16 rescue_path(Str16 file, const CreateTicket& ticket, const RescueMemory& memory) {
  // Either buffer can hold the name: the other may be the one a shortage took.
  const uint32_t units = file.len + kRescueSuffixUnits;
  const bool name_fits = memory.name.data != nullptr && memory.name.size / sizeof(char16_t) >= units;
  const CopyBuffer& room = name_fits ? memory.name : memory.copy;
  if (room.data == nullptr || room.size / sizeof(char16_t) < units) return Str16();
  char16_t* name = static_cast<char16_t*>(room.data);
  uint32_t len = 0;
  if (!nt_success(build_rescue_name(file, ticket.rescue_id, name, units, &len))) return Str16();
  return Str16(name, len);
}

BackupReport restore_after_overwrite(FileSystem& fs, Str16 file, const CreateTicket& ticket, bool include_content,
                                     const EngineConfig& config, const RescueMemory& memory, bool* rescue_kept) {
  if (rescue_kept != nullptr) *rescue_kept = false;
  BackupReport report;
  if (ticket.failure != nt::kSuccess) report = failed(ticket.failure, ticket.file_size);
  else if (ticket.skip_reason != SkipReason::kNone) report = skipped(ticket.skip_reason, ticket.file_size);
  if (!ticket.rescue_active) return report;

  RescueBuffers buffers = split(file, ticket.rescue_id, memory);
  // Without its buffers nothing can be copied back: the rescue file stays with everything it
  // holds (the engine makes it a vault entry when either buffer can hold its name), and the
  // session reports FAILED.
  if (!nt_success(buffers.status)) {
    if (rescue_kept != nullptr) *rescue_kept = true;
    return failed(buffers.status, ticket.file_size);
  }
  // What could not be kept: the slots the rescue could not carry (pre-create), then the first
  // slot that cannot be put back. The slots above a failed one stay in the rescue file too: put
  // back with a gap, slot max would be deleted by the promotion below to make room.
  NtStatus lost = ticket.carry_failure;
  uint32_t dropped = ticket.slots_not_rescued;
  bool keep_rescue = false;  // it holds something the file could not take back
  for (uint32_t slot = 1; slot <= ticket.slots_rescued; ++slot) {
    if (!stream_exists(fs, buffers.rescue, SlotStream(slot, BackupPart::kData).name())) continue;
    const NtStatus s = copy_backup_slot(fs, buffers.rescue, file, slot, buffers.copy);
    if (!nt_success(s)) {
      if (nt_success(lost)) lost = s;
      dropped += ticket.slots_rescued - slot + 1;
      keep_rescue = true;
      break;
    }
  }
  if (include_content && ticket.content_rescued) {
    NtStatus s = copy_backup_slot(fs, buffers.rescue, file, kTempBackupSlot, buffers.copy);
    if (nt_success(s)) s = promote_temp_backup(fs, file, config.max_versions, version_trim(config)).status;
    if (nt_success(s)) {
      report.outcome = Outcome::kBackedUp;
      report.status = nt::kSuccess;
      report.file_size = ticket.file_size;
      report.bytes_copied = ticket.file_size;
      report.content_hash = ticket.content_hash;
    } else {
      report = failed(s, ticket.file_size);
      keep_rescue = true;
    }
  }
  // A version that could not be kept is never reported as a plain backup.
  if (!nt_success(lost) && report.outcome != Outcome::kFailed) report = failed(lost, ticket.file_size);
  report.versions_dropped = dropped;
  if (!keep_rescue) delete_file(fs, buffers.rescue);
  if (rescue_kept != nullptr) *rescue_kept = keep_rescue;
  return report;
}

void discard_rescue(FileSystem& fs, Str16 file, const CreateTicket& ticket, const RescueMemory& memory) {
  if (!ticket.rescue_active) return;
  RescueBuffers buffers = split(file, ticket.rescue_id, memory);
  if (nt_success(buffers.status)) delete_file(fs, buffers.rescue);
}

}  // namespace fb
