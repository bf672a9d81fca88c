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

// The rescue name lives at the start of the engine's buffer; the copy uses the rest.
struct RescueBuffers {
  NtStatus status = nt::kSuccess;
  Str16 rescue;
  CopyBuffer copy;
};

RescueBuffers split(Str16 file, uint32_t rescue_id, const CopyBuffer& buffer) {
  RescueBuffers out;
  const uint32_t units = file.len + kRescueSuffixUnits;
  const uint32_t name_bytes = (units * 2 + 15u) & ~15u;
  if (buffer.data == nullptr || buffer.size < name_bytes + kMinCopyBytes) {
    out.status = nt::kInsufficientResources;
    return out;
  }
  char16_t* name = static_cast<char16_t*>(buffer.data);
  uint32_t len = 0;
  out.status = build_rescue_name(file, rescue_id, name, units, &len);
  out.rescue = Str16(name, len);
  out.copy.data = static_cast<uint8_t*>(buffer.data) + name_bytes;
  out.copy.size = buffer.size - name_bytes;
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

void rescue_before_overwrite(FileSystem& fs, const RescueJob& job, const CopyBuffer& buffer, CreateTicket* ticket) {
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
    buffers = split(job.file, ticket->rescue_id, buffer);
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
    if (!nt_success(copy_backup_slot(fs, job.file, buffers.rescue, slot, buffers.copy))) break;
    ticket->slots_rescued = static_cast<uint8_t>(slot);
  }
}

BackupReport restore_after_overwrite(FileSystem& fs, Str16 file, const CreateTicket& ticket, bool include_content,
                                     const EngineConfig& config, const CopyBuffer& buffer) {
  BackupReport report;
  if (ticket.failure != nt::kSuccess) report = failed(ticket.failure, ticket.file_size);
  else if (ticket.skip_reason != SkipReason::kNone) report = skipped(ticket.skip_reason, ticket.file_size);
  if (!ticket.rescue_active) return report;

  RescueBuffers buffers = split(file, ticket.rescue_id, buffer);
  if (!nt_success(buffers.status)) return failed(buffers.status, ticket.file_size);
  for (uint32_t slot = 1; slot <= ticket.slots_rescued; ++slot) {
    if (!stream_exists(fs, buffers.rescue, SlotStream(slot, BackupPart::kData).name())) continue;
    if (!nt_success(copy_backup_slot(fs, buffers.rescue, file, slot, buffers.copy))) {
      report.versions_dropped = ticket.slots_rescued - slot + 1;
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
      const uint32_t dropped = report.versions_dropped;
      report = failed(s, ticket.file_size);
      report.versions_dropped = dropped;
    }
  }
  delete_file(fs, buffers.rescue);
  return report;
}

void discard_rescue(FileSystem& fs, Str16 file, const CreateTicket& ticket, const CopyBuffer& buffer) {
  if (!ticket.rescue_active) return;
  RescueBuffers buffers = split(file, ticket.rescue_id, buffer);
  if (nt_success(buffers.status)) delete_file(fs, buffers.rescue);
}

}  // namespace fb
