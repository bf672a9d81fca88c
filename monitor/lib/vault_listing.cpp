#include "monitor/lib/vault_listing.h"

#include <stdio.h>

#include <algorithm>

#include "common/engine/streams.h"
#include "common/engine/vault.h"
#include "monitor/lib/civil_time.h"
#include "monitor/lib/json.h"
#include "monitor/lib/restore_plan.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

uint64_t get_le(const uint8_t* in, uint32_t bytes) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return v;
}

// Reads a whole small file (at most `cap` bytes; a longer one is read up to cap).
fb::NtStatus read_small(fb::FileSystem& fs, fb::Str16 file, uint32_t cap, std::vector<uint8_t>& out) {
  fb::ScopedHandle h(fs);
  fb::NtStatus s = h.open(file, fb::Str16(), fb::OpenMode::kRead);
  uint64_t size = 0;
  if (fb::nt_success(s)) s = fs.query_size(h.get(), &size);
  if (!fb::nt_success(s)) return s;
  out.resize(size > cap ? cap : static_cast<size_t>(size));
  uint32_t got = 0;
  for (size_t at = 0; at < out.size(); at += got) {
    s = fs.read(h.get(), at, out.data() + at, static_cast<uint32_t>(out.size() - at), &got);
    if (!fb::nt_success(s) && s != fb::nt::kEndOfFile) return s;
    if (s == fb::nt::kEndOfFile || got == 0) {
      out.resize(at);
      break;
    }
  }
  return fb::nt::kSuccess;
}

class VaultNames final : public fb::DirectoryVisitor {
 public:
  bool entry(fb::Str16 name) override {
    uint64_t id = 0;
    if (fb::vault_id_of_name(name, &id)) ids.push_back(id);
    return true;
  }
  std::vector<uint64_t> ids;
};

// The kept file's size, versions and link count.
void inspect_kept(MonitorFileSystem& fs, DeletedFile& d) {
  const fb::Str16 file = view(d.vault_file);
  {
    fb::ScopedHandle h(fs);
    if (fb::nt_success(h.open(file, fb::Str16(), fb::OpenMode::kRead))) {
      (void)fs.query_size(h.get(), &d.size);
      if (!fb::nt_success(fs.query_links(h.get(), &d.links))) d.links = 0;
    }
  }
  for (uint32_t slot = 1; slot <= kMaxSlots; ++slot) {
    if (!fb::stream_exists(fs, file, fb::SlotStream(slot, fb::BackupPart::kData).name())) continue;
    ++d.versions;
    d.highest_slot = slot;
  }
}

std::string local_time(int64_t filetime, const std::function<int64_t(int64_t)>& to_local) {
  return format_civil(civil_from_filetime(to_local(filetime)));
}

std::string record_problem(const DeletedFile& d) {
  std::string text = std::string("record ") + record_state_text(d.record);
  if (d.record == RecordState::kUnreadable) text += " (status " + format_hex32(static_cast<uint32_t>(d.record_status)) + ")";
  return text;
}

}  // namespace

const char* record_state_text(RecordState state) {
  switch (state) {
    case RecordState::kOk: return "ok";
    case RecordState::kMissing: return "missing";
    case RecordState::kTruncated: return "truncated";
    case RecordState::kMalformed: return "malformed";
    case RecordState::kUnreadable: return "unreadable";
  }
  return "malformed";
}

ParsedVaultRecord parse_vault_record(const std::vector<uint8_t>& bytes) {
  ParsedVaultRecord p;
  const uint32_t n = static_cast<uint32_t>(std::min<size_t>(bytes.size(), kMaxVaultRecordBytes));
  const bool magic = n >= 4 && bytes[0] == 'F' && bytes[1] == 'B' && bytes[2] == 'V' && bytes[3] == '1';
  if (fb::decode_vault_record_header(bytes.data(), n, &p.record)) {
    p.state = RecordState::kOk;
    for (uint32_t i = 0; i < p.record.path_units; ++i)
      p.original_nt.push_back(static_cast<char16_t>(get_le(bytes.data() + fb::kVaultRecordHeaderBytes + 2 * i, 2)));
    return p;
  }
  // Why not: a right start that ends early is truncated (a write cut short), anything else is
  // not a record of ours.
  if (!magic) {
    // An empty record is one whose write never started (the driver creates it, then writes).
    p.state = n < 4 && std::equal(bytes.begin(), bytes.begin() + n, "FBV1") ? RecordState::kTruncated
                                                                            : RecordState::kMalformed;
    return p;
  }
  if (n < fb::kVaultRecordHeaderBytes) {
    p.state = RecordState::kTruncated;
    return p;
  }
  const uint64_t units = get_le(bytes.data() + 32, 4);
  const bool header_fields_ok = get_le(bytes.data() + 4, 2) == 1 && get_le(bytes.data() + 6, 2) == 0 &&
                                get_le(bytes.data() + 36, 4) == 0 && static_cast<int64_t>(get_le(bytes.data() + 8, 8)) >= 0 &&
                                units >= 1 && units <= fb::kMaxPathUnits;
  p.state = header_fields_ok && n < fb::kVaultRecordHeaderBytes + 2 * units ? RecordState::kTruncated
                                                                           : RecordState::kMalformed;
  return p;
}

std::u16string vault_folder_of(const std::u16string& volume_root) {
  std::u16string root = volume_root;
  while (!root.empty() && (root.back() == u'\\' || root.back() == u'/')) root.pop_back();
  return root + u"\\$FileBackupVault";
}

std::string vault_id_text(uint64_t id) {
  char text[17];
  snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
  return text;
}

bool parse_vault_id(const std::string& text, uint64_t* id) {
  if (text.empty() || text.size() > 16 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return false;
  const uint64_t v = std::stoull(text, nullptr, 16);
  if (v == 0) return false;
  *id = v;
  return true;
}

std::u16string vault_file_path(const std::u16string& vault_folder, uint64_t id, bool info) {
  return join_path(vault_folder, to_utf16(vault_id_text(id) + (info ? ".info" : "")));
}

VaultListing list_vault(MonitorFileSystem& fs, const std::u16string& folder, const DeviceTable& devices, bool elevated) {
  VaultListing r;
  VaultNames names;
  const fb::NtStatus s = fs.list_directory(view(folder), names);
  if (fb::is_not_found(s)) {
    r.ok = true;
    return r;
  }
  if (!fb::nt_success(s)) {
    r.error.failure = classify_status(s, elevated);
    r.error.code = static_cast<uint32_t>(s);
    r.error.code_kind = CodeKind::kNtStatus;
    r.error.subject = to_utf8(folder);
    if (s == fb::nt::kAccessDenied) r.error.failure = elevated ? Failure::kAccessDenied : Failure::kNotElevated;
    if (r.error.failure == Failure::kNotElevated || r.error.failure == Failure::kAccessDenied)
      r.error.subject += " (the vault of deleted files; its folder admits SYSTEM and Administrators only)";
    return r;
  }
  r.ok = r.exists = true;
  for (uint64_t id : names.ids) {
    DeletedFile d;
    d.id = id;
    d.vault_file = vault_file_path(folder, id, false);
    std::vector<uint8_t> bytes;
    const fb::NtStatus rs = read_small(fs, view(vault_file_path(folder, id, true)), kMaxVaultRecordBytes, bytes);
    if (fb::is_not_found(rs)) {
      d.record = RecordState::kMissing;
    } else if (!fb::nt_success(rs)) {
      d.record = RecordState::kUnreadable;
      d.record_status = rs;
    } else {
      const ParsedVaultRecord p = parse_vault_record(bytes);
      d.record = p.state;
      if (p.state == RecordState::kOk) {
        d.info = p.record;
        d.original_nt = p.original_nt;
        d.original = nt_to_win32(view(p.original_nt), devices).path;
      }
    }
    inspect_kept(fs, d);
    r.files.push_back(std::move(d));
  }
  sort_deleted(r.files);
  return r;
}

bool path_is_under(const std::u16string& path, const std::u16string& folder) {
  std::u16string f = folder;
  while (f.size() > 1 && (f.back() == u'\\' || f.back() == u'/')) f.pop_back();
  if (!starts_with_ascii_nocase(view(path), view(f))) return false;
  if (path.size() == f.size()) return true;
  return path[f.size()] == u'\\' || (!f.empty() && f.back() == u'\\');
}

void sort_deleted(std::vector<DeletedFile>& files) {
  std::stable_sort(files.begin(), files.end(), [](const DeletedFile& a, const DeletedFile& b) {
    const bool at = a.record == RecordState::kOk, bt = b.record == RecordState::kOk;
    if (at != bt) return at;
    if (at && a.info.time != b.info.time) return a.info.time > b.info.time;
    return a.id > b.id;
  });
}

DeletedChoice choose_deleted(const std::vector<DeletedFile>& files, const std::u16string& path, uint64_t id,
                             const std::function<int64_t(int64_t)>& to_local) {
  DeletedChoice c;
  if (id != 0) {
    for (const DeletedFile& d : files) {
      if (d.id != id) continue;
      if (d.record != RecordState::kOk) {
        c.error.failure = Failure::kBackupIncomplete;
        c.error.subject = to_utf8(d.vault_file);
        c.error.detail = record_problem(d) + ": its original path is unknown; copy the file out by hand, or "
                         "`fbmon prune --deleted --all` removes it";
        return c;
      }
      if (!path.empty() && !equal_ascii_nocase(view(d.original), view(path))) {
        c.error.failure = Failure::kUsage;
        c.error.help_topic = "restore";
        c.error.detail = "--id " + vault_id_text(id) + " is the deleted " + to_utf8(d.original) + ", not " + to_utf8(path);
        return c;
      }
      if (d.still_named()) break;
      c.file = &d;
      c.matches = 1;
      return c;
    }
    c.error.failure = Failure::kNotKept;
    c.error.subject = "--id " + vault_id_text(id);
    c.error.detail = "is not in the vault";
    return c;
  }
  for (const DeletedFile& d : files) {  // newest first
    if (!d.restorable() || !equal_ascii_nocase(view(d.original), view(path))) continue;
    if (c.file == nullptr) c.file = &d;
    ++c.matches;
  }
  if (c.file == nullptr) {
    c.error.failure = Failure::kNotKept;
    c.error.subject = to_utf8(path);
    c.error.detail = "is not in the vault";
    return c;
  }
  if (c.matches > 1)
    c.note = std::to_string(c.matches) + " deleted files were kept for " + to_utf8(path) +
             "; restoring the newest (deleted " + local_time(c.file->info.time, to_local) + ", id " +
             vault_id_text(c.file->id) + "); --id ID picks another (`fbmon deleted` lists them)";
  return c;
}

std::string format_deleted(const std::string& scope, const std::vector<DeletedFile>& files,
                           const std::function<int64_t(int64_t)>& to_local) {
  if (files.empty()) return "no deleted file is kept " + scope + "\n";
  std::string out = std::to_string(files.size()) + (files.size() == 1 ? " deleted file" : " deleted files") +
                    " kept " + scope + ", newest first\n";
  out += "  deleted                  size        pid     versions  id                file\n";
  for (const DeletedFile& d : files) {
    const bool ok = d.record == RecordState::kOk;
    const std::string time = ok ? local_time(d.info.time, to_local) : "-";
    const std::string pid = ok && d.info.process_id ? std::to_string(d.info.process_id) : "-";
    char row[200];
    snprintf(row, sizeof row, "  %-23s  %-10s  %-6s  %-8u  %s  ", time.c_str(), format_size(d.size).c_str(),
             pid.c_str(), d.versions, vault_id_text(d.id).c_str());
    out += row;
    out += ok ? to_utf8(d.original) : "? (" + record_problem(d) + "; the file is " + to_utf8(d.vault_file) + ")";
    if (ok && d.still_named()) out += "  (not deleted: the file still has another name)";
    out += "\n";
  }
  return out;
}

std::string format_deleted_json(const std::vector<DeletedFile>& files, const std::function<int64_t(int64_t)>& to_local) {
  std::string out;
  for (const DeletedFile& d : files) {
    out += "{\"id\":\"" + vault_id_text(d.id) + "\",\"vault_file\":" + json_string(view(d.vault_file));
    out += ",\"record\":\"" + std::string(record_state_text(d.record)) + "\"";
    if (d.record == RecordState::kOk) {
      std::string t = local_time(d.info.time, to_local);
      const size_t space = t.find(' ');
      if (space != std::string::npos) t[space] = 'T';
      out += ",\"file\":" + json_string(view(d.original)) + ",\"nt_path\":" + json_string(view(d.original_nt)) +
             ",\"deleted\":\"" + t + "\",\"filetime_utc\":" + std::to_string(d.info.time) +
             ",\"pid\":" + std::to_string(d.info.process_id) + ",\"size_at_delete\":" + std::to_string(d.info.size);
    }
    out += ",\"size\":" + std::to_string(d.size) + ",\"versions\":" + std::to_string(d.versions) +
           ",\"still_named\":" + (d.still_named() ? "true" : "false") + "}\n";
  }
  return out;
}

}  // namespace fbmon
