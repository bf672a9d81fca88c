#include "monitor/lib/backup_inspect.h"

#include <stdio.h>

#include "common/engine/streams.h"
#include "monitor/lib/civil_time.h"
#include "monitor/lib/text.h"
#include "common/paths/stream_names.h"

namespace fbmon {
namespace {

constexpr uint32_t kMaxMetadataRead = 4096;  // a record is 48 bytes; anything longer is refused

// Reads the whole metadata stream (up to kMaxMetadataRead bytes) into `record`.
fb::NtStatus read_metadata(fb::FileSystem& fs, fb::Str16 file, fb::Str16 stream, std::vector<uint8_t>& record) {
  fb::ScopedHandle h(fs);
  fb::NtStatus s = h.open(file, stream, fb::OpenMode::kRead);
  if (!fb::nt_success(s)) return s;
  uint64_t size = 0;
  s = fs.query_size(h.get(), &size);
  if (!fb::nt_success(s)) return s;
  record.resize(size > kMaxMetadataRead ? kMaxMetadataRead : static_cast<size_t>(size));
  uint32_t got = 0;
  for (uint64_t offset = 0; offset < record.size(); offset += got) {
    s = fs.read(h.get(), offset, record.data() + offset, static_cast<uint32_t>(record.size() - offset), &got);
    if (s == fb::nt::kEndOfFile || (fb::nt_success(s) && got == 0)) {
      record.resize(static_cast<size_t>(offset));
      return fb::nt::kSuccess;
    }
    if (!fb::nt_success(s)) return s;
  }
  return fb::nt::kSuccess;
}

}  // namespace

SlotInspection inspect_slot(fb::FileSystem& fs, fb::Str16 file, uint32_t slot, bool verify_data, void* buffer,
                            uint32_t buffer_size) {
  SlotInspection r;
  r.slot = slot;
  const fb::SlotStream data_name(slot, fb::BackupPart::kData), meta_name(slot, fb::BackupPart::kMeta);

  std::vector<uint8_t> record;
  const fb::NtStatus meta_status = read_metadata(fs, file, meta_name.name(), record);
  r.meta_present = !fb::is_not_found(meta_status);
  if (r.meta_present && !fb::nt_success(meta_status)) r.status = meta_status;

  fb::ScopedHandle data(fs);
  const fb::NtStatus data_status = data.open(file, data_name.name(), fb::OpenMode::kRead);
  r.data_present = !fb::is_not_found(data_status);
  if (r.data_present && !fb::nt_success(data_status) && fb::nt_success(r.status)) r.status = data_status;
  if (data.valid()) {
    const fb::NtStatus s = fs.query_size(data.get(), &r.data_length);
    if (!fb::nt_success(s) && fb::nt_success(r.status)) r.status = s;
  }
  if (!r.data_present || !r.meta_present || !fb::nt_success(r.status)) return r;

  fb::FsSource source(fs, data.get());
  r.check = fb::check_backup(record.data(), record.size(), r.data_length, verify_data ? &source : nullptr, buffer,
                             buffer_size);
  r.data_verified = verify_data;
  return r;
}

std::vector<SlotInspection> inspect_backups(fb::FileSystem& fs, fb::Str16 file, bool verify_data, void* buffer,
                                            uint32_t buffer_size) {
  std::vector<SlotInspection> slots;
  for (uint32_t slot = fb::kFirstBackupSlot; slot <= fb::kLastBackupSlot; ++slot) {
    SlotInspection s = inspect_slot(fs, file, slot, verify_data, buffer, buffer_size);
    if (s.present()) slots.push_back(s);
  }
  SlotInspection temp = inspect_slot(fs, file, fb::kTempBackupSlot, verify_data, buffer, buffer_size);
  if (temp.present()) slots.push_back(temp);
  return slots;
}

std::string integrity_problem(const SlotInspection& s) {
  if (!fb::nt_success(s.status)) return "unreadable, status " + format_hex32(static_cast<uint32_t>(s.status));
  if (!s.data_present) return "data missing";
  if (!s.meta_present) return "metadata missing";
  switch (s.check.integrity) {
    case fb::BackupIntegrity::kOk:
      return "";
    case fb::BackupIntegrity::kMetadataInvalid:
      return std::string("metadata: ") + fb::metadata_error_name(s.check.metadata_error);
    case fb::BackupIntegrity::kSizeMismatch:
      return "size " + std::to_string(s.data_length) + ", metadata says " + std::to_string(s.check.metadata.original_size);
    case fb::BackupIntegrity::kDataUnreadable:
      return "data unreadable, status " + format_hex32(static_cast<uint32_t>(s.check.status));
    case fb::BackupIntegrity::kDataMismatch:
      return std::string("data: ") + fb::verify_failure_name(s.check.verify_failure);
  }
  return "unknown";
}

std::string integrity_text(const SlotInspection& s) {
  const std::string problem = integrity_problem(s);
  if (!problem.empty()) return "bad (" + problem + ")";
  return s.data_verified ? "ok" : "ok (not read)";
}

std::string format_backup_list(const std::string& file, const std::vector<SlotInspection>& slots,
                               const std::function<int64_t(int64_t)>& to_local) {
  std::string out = file + "\n";
  if (slots.empty()) return out + "  no backups\n";
  out += "  slot  time                     size        writer  integrity\n";
  for (const SlotInspection& s : slots) {
    const bool has_record = s.meta_present && s.check.integrity != fb::BackupIntegrity::kMetadataInvalid &&
                            fb::nt_success(s.status) && s.data_present;
    char row[160];
    const std::string slot = s.slot == fb::kTempBackupSlot ? "tmp" : std::to_string(s.slot);
    const std::string time =
        has_record ? format_civil(civil_from_filetime(to_local(s.check.metadata.backup_time))) : "-";
    const std::string size = format_size(s.data_length);
    const std::string writer = has_record ? std::to_string(s.check.metadata.writer_process_id) : "-";
    snprintf(row, sizeof row, "  %-4s  %-23s  %-10s  %6s  ", slot.c_str(), time.c_str(), size.c_str(), writer.c_str());
    out += row + integrity_text(s);
    if (s.slot == fb::kTempBackupSlot) out += "  (a backup in progress, or one that was interrupted)";
    out += "\n";
  }
  return out;
}

}  // namespace fbmon
