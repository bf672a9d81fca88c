#include "monitor/lib/backup_inspect.h"

#include <stdio.h>

#include <algorithm>

#include "common/engine/streams.h"
#include "monitor/lib/civil_time.h"
#include "monitor/lib/json.h"
#include "monitor/lib/text.h"
#include "common/paths/stream_names.h"

namespace fbmon {
namespace {

constexpr uint32_t kMaxMetadataRead = 4096;  // a record is 48 bytes; anything longer is refused

// Reads the whole metadata stream (up to kMaxMetadataRead bytes) into `record`.
fb::NtStatus read_metadata(fb::FileSystem& fs, fb::Str16 file, fb::Str16 stream, std::vector<uint8_t>& record,
                           uint64_t* length) {
  fb::ScopedHandle h(fs);
  fb::NtStatus s = h.open(file, stream, fb::OpenMode::kRead);
  if (!fb::nt_success(s)) return s;
  uint64_t size = 0;
  s = fs.query_size(h.get(), &size);
  if (!fb::nt_success(s)) return s;
  *length = size;
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
  const fb::NtStatus meta_status = read_metadata(fs, file, meta_name.name(), record, &r.meta_length);
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

namespace {

bool has_record(const SlotInspection& s) {
  return s.meta_present && s.check.integrity != fb::BackupIntegrity::kMetadataInvalid && fb::nt_success(s.status) &&
         s.data_present;
}

// "2026-11-21T13:03:17.512": format_civil with a T, as `watch --json` writes times.
std::string iso_time(int64_t local) {
  std::string t = format_civil(civil_from_filetime(local));
  const size_t space = t.find(' ');
  if (space != std::string::npos) t[space] = 'T';
  return t;
}

}  // namespace

std::string format_backup_list_json(const std::string& file, const std::vector<SlotInspection>& slots,
                                    const std::function<int64_t(int64_t)>& to_local) {
  std::string out = "{\"file\":" + json_string(file) + ",\"slots\":[";
  for (size_t i = 0; i < slots.size(); ++i) {
    const SlotInspection& s = slots[i];
    out += (i ? ",{" : "{") + std::string("\"slot\":") + std::to_string(s.slot);
    if (has_record(s)) {
      out += ",\"time\":" + json_string(iso_time(to_local(s.check.metadata.backup_time))) +
             ",\"filetime_utc\":" + std::to_string(s.check.metadata.backup_time) +
             ",\"writer\":" + std::to_string(s.check.metadata.writer_process_id);
    }
    out += ",\"size\":" + std::to_string(s.data_length);
    const std::string problem = integrity_problem(s);
    out += std::string(",\"ok\":") + (problem.empty() ? "true" : "false");
    if (!problem.empty()) out += ",\"problem\":" + json_string(problem);
    out += "}";
  }
  return out + "]}\n";
}

FileUsage usage_of(const std::string& file, const std::vector<SlotInspection>& slots) {
  FileUsage u;
  u.file = file;
  for (const SlotInspection& s : slots) {
    if (!s.present()) continue;
    ++u.slots;
    u.bytes += s.data_length + s.meta_length;
    if (s.slot == 1 && has_record(s)) u.newest_time = static_cast<uint64_t>(s.check.metadata.backup_time);
  }
  return u;
}

namespace {

void largest_first(std::vector<FileUsage>& files) {
  std::sort(files.begin(), files.end(), [](const FileUsage& a, const FileUsage& b) {
    return a.bytes != b.bytes ? a.bytes > b.bytes : a.file < b.file;
  });
}

}  // namespace

std::string format_usage(const std::string& folder, std::vector<FileUsage> files) {
  if (files.empty()) return "no file under " + folder + " has a backup\n";
  largest_first(files);
  uint64_t total = 0, slots = 0;
  std::string out = "  backups  size        file\n";
  for (const FileUsage& f : files) {
    char row[64];
    snprintf(row, sizeof row, "  %7u  %-10s  ", f.slots, format_size(f.bytes).c_str());
    out += row + f.file + "\n";
    total += f.bytes;
    slots += f.slots;
  }
  out += std::to_string(files.size()) + (files.size() == 1 ? " file" : " files") + " under " + folder + " hold " +
         std::to_string(slots) + (slots == 1 ? " backup" : " backups") + " in " + format_size(total) + " (" +
         std::to_string(total) + " bytes)\n";
  return out;
}

std::string format_usage_json(const std::string& folder, std::vector<FileUsage> files) {
  largest_first(files);
  std::string out;
  uint64_t total = 0, slots = 0;
  for (const FileUsage& f : files) {
    out += "{\"file\":" + json_string(f.file) + ",\"backups\":" + std::to_string(f.slots) +
           ",\"bytes\":" + std::to_string(f.bytes) + "}\n";
    total += f.bytes;
    slots += f.slots;
  }
  out += "{\"total\":{\"folder\":" + json_string(folder) + ",\"files\":" + std::to_string(files.size()) +
         ",\"backups\":" + std::to_string(slots) + ",\"bytes\":" + std::to_string(total) + "}}\n";
  return out;
}

}  // namespace fbmon
