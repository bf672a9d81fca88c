#include "common/engine/vault.h"

#include "common/base/upcase.h"
#include "common/engine/vault_record.h"
#include "common/paths/nt_path.h"

namespace fb {
namespace {

constexpr char16_t kVaultFolder[] = u"\\$FileBackupVault";
constexpr uint32_t kVaultFolderUnits = 17;
constexpr char16_t kInfoSuffix[] = u".info";
constexpr uint32_t kInfoSuffixUnits = 5;
constexpr int64_t kHour = 36000000000ll;  // FILETIME units

bool same_volume(const VaultEntry& e, Str16 volume) {
  return equal_ignore_case(Str16(e.volume, e.volume_len), volume, upcase_native);
}

void put_le(uint8_t* out, uint64_t v, uint32_t bytes) {
  for (uint32_t i = 0; i < bytes; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint64_t get_le(const uint8_t* in, uint32_t bytes) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(in[i]) << (8 * i);
  return v;
}

// Deletes `file` (one name of it). Success when it does not exist.
NtStatus delete_name(FileSystem& fs, Str16 file) {
  ScopedHandle h(fs);
  NtStatus s = h.open(file, Str16(), OpenMode::kMove);
  if (is_not_found(s)) return nt::kSuccess;
  if (nt_success(s)) s = fs.mark_delete(h.get());
  return s;
}

// Writes the record `<id>.info` (header, then the path in pieces). A failure leaves no record.
// Not inlined, like the other helpers that hold a VaultPath: the kernel's 1 KiB frame limit.
__attribute__((noinline)) NtStatus write_record(FileSystem& fs, Str16 volume, uint64_t id, Str16 original, const VaultRecord& record) {
  ScopedHandle h(fs);
  NtStatus s;
  {
    const VaultPath info(volume, id, true);
    s = h.open(info.view(), Str16(), OpenMode::kCreateNew);
  }
  if (!nt_success(s)) return s;
  uint8_t chunk[kVaultRecordHeaderBytes + 24];
  encode_vault_record_header(record, chunk);
  uint32_t written = 0;
  s = fs.write(h.get(), 0, chunk, kVaultRecordHeaderBytes, &written);
  uint64_t offset = kVaultRecordHeaderBytes;
  for (uint32_t at = 0; nt_success(s) && at < original.len;) {
    uint32_t units = original.len - at;
    if (units > sizeof chunk / 2) units = sizeof chunk / 2;
    for (uint32_t i = 0; i < units; ++i) put_le(chunk + 2 * i, original.data[at + i], 2);
    s = fs.write(h.get(), offset, chunk, units * 2, &written);
    offset += units * 2;
    at += units;
  }
  if (!nt_success(s)) (void)fs.mark_delete(h.get());
  return s;
}

__attribute__((noinline)) NtStatus ensure_vault_folder(FileSystem& fs, Str16 volume) {
  const VaultPath folder(volume, 0);
  return fs.ensure_directory(folder.view());
}

__attribute__((noinline)) NtStatus link_file(FileSystem& fs, FsHandle h, Str16 volume, uint64_t id) {
  const VaultPath link(volume, id);
  return fs.link_into(h, link.view());
}

__attribute__((noinline)) NtStatus delete_vault_name(FileSystem& fs, Str16 volume, uint64_t id, bool info) {
  const VaultPath path(volume, id, info);
  return delete_name(fs, path.view());
}

// The number of names of the vault file `id` (0: it is gone).
__attribute__((noinline)) NtStatus vault_links(FileSystem& fs, Str16 volume, uint64_t id, uint32_t* links) {
  const VaultPath link(volume, id);
  ScopedHandle h(fs);
  *links = 0;
  const NtStatus s = h.open(link.view(), Str16(), OpenMode::kLink);
  if (is_not_found(s)) return nt::kSuccess;
  if (!nt_success(s)) return s;
  return fs.query_links(h.get(), links);
}

// Free space on the volume of the vault file `id`; UINT64_MAX when it cannot be asked.
__attribute__((noinline)) uint64_t vault_free_space(FileSystem& fs, Str16 volume, uint64_t id) {
  const VaultPath link(volume, id);
  ScopedHandle h(fs);
  uint64_t free_space = UINT64_MAX;
  if (!nt_success(h.open(link.view(), Str16(), OpenMode::kLink)) ||
      !nt_success(fs.query_free_space(h.get(), &free_space)))
    return UINT64_MAX;
  return free_space;
}

// What a restart left of the vault file `id`: the time it left its name and its size, from its
// record; without a valid record, its own size and `now`, so that the age bound counts from the
// scan and never removes a file earlier than VaultMaxAgeHours after anyone could have seen it.
// False when the file cannot be opened (gone meanwhile, or not a file).
__attribute__((noinline)) bool read_kept(FileSystem& fs, Str16 volume, uint64_t id, int64_t now, int64_t* time,
                                         uint64_t* size, uint64_t* process_id) {
  {
    const VaultPath info(volume, id, true);
    ScopedHandle h(fs);
    uint64_t bytes = 0;
    uint8_t header[kVaultRecordHeaderBytes];
    uint32_t got = 0;
    VaultRecord record;
    if (nt_success(h.open(info.view(), Str16(), OpenMode::kRead)) && nt_success(fs.query_size(h.get(), &bytes)) &&
        bytes <= UINT32_MAX && nt_success(fs.read(h.get(), 0, header, sizeof header, &got)) &&
        got == sizeof header && decode_vault_record_header(header, static_cast<uint32_t>(bytes), &record)) {
      *time = record.time;
      *size = record.size;
      *process_id = record.process_id;
      return true;
    }
  }
  const VaultPath file(volume, id);
  ScopedHandle h(fs);
  if (!nt_success(h.open(file.view(), Str16(), OpenMode::kRead)) || !nt_success(fs.query_size(h.get(), size)))
    return false;
  *time = now;
  *process_id = 0;  // unknown
  return true;
}

// Puts each vault file a listing finds back in the ledger (records and foreign names are left
// alone: nothing here deletes what it does not understand).
class KeptFiles final : public DirectoryVisitor {
 public:
  KeptFiles(FileSystem& fs, Vault& vault, Str16 volume, int64_t now)
      : fs_(fs), vault_(vault), volume_(volume), now_(now) {}
  bool entry(Str16 name) override {
    uint64_t id = 0;
    if (!vault_id_of_name(name, &id)) return true;
    int64_t time = 0;
    uint64_t size = 0, process_id = 0;
    if (!read_kept(fs_, volume_, id, now_, &time, &size, &process_id)) return true;
    if (!vault_.found(volume_, id, time, size, process_id)) return false;  // the ledger is full
    ++count;
    return true;
  }
  uint32_t count = 0;

 private:
  FileSystem& fs_;
  Vault& vault_;
  Str16 volume_;
  int64_t now_;
};

}  // namespace

// --- pure helpers -------------------------------------------------------------------------------

bool vault_id_of_name(Str16 name, uint64_t* id) {
  if (name.len != 16) return false;
  uint64_t v = 0;
  for (uint32_t i = 0; i < 16; ++i) {
    const char16_t c = name.data[i];
    uint32_t digit;
    if (c >= u'0' && c <= u'9') digit = c - u'0';
    else if (c >= u'a' && c <= u'f') digit = c - u'a' + 10;
    else if (c >= u'A' && c <= u'F') digit = c - u'A' + 10;  // NTFS names compare case-insensitively
    else return false;
    v = v << 4 | digit;
  }
  if (v == 0) return false;  // build_vault_path's id 0 is the folder itself
  *id = v;
  return true;
}

Str16 vault_volume_of(Str16 file) {
  NtPathParts parts;
  if (!nt_success(parse_nt_path(file, &parts)) || parts.file_name.len == 0) return Str16();
  const Str16 volume = parts.volume;
  if (volume.len == 0 || volume.len > kVaultVolumeUnits) return Str16();
  if (equal_ignore_case(volume, Str16(u"\\Device\\Mup", 11), upcase_native)) return Str16();
  return volume;
}

uint64_t history_hash(Str16 path) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis (0xcbf29ce484222325)
  for (uint32_t i = 0; i < path.len; ++i) {
    const char16_t u = upcase_unit(path.data[i], upcase_native);
    h = (h ^ static_cast<uint8_t>(u)) * 1099511628211ull;
    h = (h ^ static_cast<uint8_t>(u >> 8)) * 1099511628211ull;
  }
  return h;
}

NtStatus build_vault_path(Str16 volume, uint64_t id, bool info, char16_t* out, uint32_t cap, uint32_t* len) {
  const bool folder_only = id == 0 && !info;
  const uint32_t need = volume.len + kVaultFolderUnits + (folder_only ? 0 : 17 + (info ? kInfoSuffixUnits : 0));
  *len = 0;
  if (volume.len == 0 || need > cap) return nt::kNameTooLong;
  uint32_t at = 0;
  for (uint32_t i = 0; i < volume.len; ++i) out[at++] = volume.data[i];
  for (uint32_t i = 0; i < kVaultFolderUnits; ++i) out[at++] = kVaultFolder[i];
  if (!folder_only) {
    out[at++] = u'\\';
    static const char16_t kHex[] = u"0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) out[at++] = kHex[(id >> shift) & 0xF];
    if (info)
      for (uint32_t i = 0; i < kInfoSuffixUnits; ++i) out[at++] = kInfoSuffix[i];
  }
  *len = at;
  return nt::kSuccess;
}

void encode_vault_record_header(const VaultRecord& record, uint8_t* out) {
  out[0] = 'F';
  out[1] = 'B';
  out[2] = 'V';
  out[3] = '1';
  put_le(out + 4, 1, 2);
  put_le(out + 6, 0, 2);
  put_le(out + 8, static_cast<uint64_t>(record.time), 8);
  put_le(out + 16, record.process_id, 8);
  put_le(out + 24, record.size, 8);
  put_le(out + 32, record.path_units, 4);
  put_le(out + 36, 0, 4);
}

bool decode_vault_record_header(const uint8_t* in, uint32_t bytes, VaultRecord* out) {
  if (bytes < kVaultRecordHeaderBytes) return false;
  if (in[0] != 'F' || in[1] != 'B' || in[2] != 'V' || in[3] != '1') return false;
  if (get_le(in + 4, 2) != 1 || get_le(in + 6, 2) != 0 || get_le(in + 36, 4) != 0) return false;
  VaultRecord r;
  r.time = static_cast<int64_t>(get_le(in + 8, 8));
  r.process_id = get_le(in + 16, 8);
  r.size = get_le(in + 24, 8);
  r.path_units = static_cast<uint32_t>(get_le(in + 32, 4));
  if (r.time < 0 || r.path_units == 0 || r.path_units > kMaxPathUnits) return false;
  if (bytes != kVaultRecordHeaderBytes + 2ull * r.path_units) return false;
  *out = r;
  return true;
}

// --- the vault ----------------------------------------------------------------------------------

VaultEntry* Vault::find_id(uint64_t id) {
  for (VaultEntry& e : entries_)
    if (e.state != VaultEntryState::kFree && e.id == id) return &e;
  return nullptr;
}

VaultEntry* Vault::find_file(Str16 volume, uint64_t file_id) {
  for (VaultEntry& e : entries_)
    if (e.state != VaultEntryState::kFree && e.file_id == file_id && same_volume(e, volume)) return &e;
  return nullptr;
}

void Vault::occupy(VaultEntry* e) {
  (void)e;
  __atomic_add_fetch(&live_, 1u, __ATOMIC_RELEASE);
}

void Vault::release(VaultEntry* e) {
  *e = VaultEntry();
  __atomic_sub_fetch(&live_, 1u, __ATOMIC_RELEASE);
}

bool Vault::remove_names(FileSystem& fs, const VaultEntry& e) {
  const Str16 volume(e.volume, e.volume_len);
  const NtStatus s = delete_vault_name(fs, volume, e.id, false);
  (void)delete_vault_name(fs, volume, e.id, true);
  return nt_success(s);
}

void Vault::evict(FileSystem& fs, VaultEntry* e, VaultReporter& reporter) {
  if (!remove_names(fs, *e)) return;  // held without FILE_SHARE_DELETE: the next bound retries
  const VaultEntry gone = *e;
  release(e);
  const VaultPath link(Str16(gone.volume, gone.volume_len), gone.id);
  reporter.evicted(link.view(), gone);
}

VaultEntry* Vault::free_slot(FileSystem& fs, Str16 volume, VaultReporter& reporter) {
  for (VaultEntry& e : entries_)
    if (e.state == VaultEntryState::kFree) return &e;
  // Full: the oldest adopted memory goes first (it holds no file), then the oldest kept file.
  VaultEntry* oldest = nullptr;
  for (VaultEntry& e : entries_)
    if (e.state == VaultEntryState::kAdopted && (oldest == nullptr || e.time < oldest->time)) oldest = &e;
  if (oldest != nullptr) {
    release(oldest);
    return oldest;
  }
  for (VaultEntry& e : entries_)
    if (e.state == VaultEntryState::kKept && same_volume(e, volume) && (oldest == nullptr || e.time < oldest->time))
      oldest = &e;
  if (oldest == nullptr) return nullptr;
  evict(fs, oldest, reporter);
  return oldest->state == VaultEntryState::kFree ? oldest : nullptr;
}

VaultKeep Vault::keep(FileSystem& fs, Str16 file, VaultEntryState kind, const EngineConfig& config, int64_t now,
                      uint64_t process_id, VaultReporter& reporter, bool history, Str16 record_name) {
  VaultKeep out;
  if (!enabled() || config.vault_max_bytes == 0 || !config.enabled) {
    out.refused = SkipReason::kDisabled;
    return out;
  }
  const Str16 volume = vault_volume_of(file);
  if (volume.len == 0) {
    out.status = nt::kNotSupported;
    return out;
  }
  LockGuard guard(*lock_);
  ScopedHandle h(fs);
  NtStatus s = h.open(file, Str16(), OpenMode::kLink);
  uint64_t file_id = 0;
  if (nt_success(s)) s = fs.query_size(h.get(), &out.size);
  if (nt_success(s)) s = fs.query_file_id(h.get(), &file_id);
  if (!nt_success(s)) {
    out.covered = is_not_found(s);  // already gone: nothing this request can lose
    out.status = s;
    return out;
  }
  if (VaultEntry* held = find_file(volume, file_id)) {
    // Renamed away earlier (its vault name still holds it), or its history already went to the
    // file that took its name (Word deleting `~WRL*.tmp`): nothing to keep, nothing lost.
    (void)held;
    out.covered = true;
    return out;
  }
  // (A safety copy is asked for because it holds something: its versions may be in slots or
  // in backup.tmp, its default stream empty, like a rescue file's.)
  if (history && out.size == 0 && !stream_exists(fs, file, SlotStream(1, BackupPart::kData).name())) {
    out.covered = true;  // no content and no backup: nothing to keep
    return out;
  }
  if (out.size > config.vault_max_file_size) {
    out.refused = SkipReason::kTooLarge;
    return out;
  }
  uint64_t free_space = UINT64_MAX;
  if (!nt_success(fs.query_free_space(h.get(), &free_space))) free_space = UINT64_MAX;
  if (kind == VaultEntryState::kPending && free_space < config.min_free_space) {
    out.refused = SkipReason::kLowDiskSpace;  // the user may be deleting to make room
    return out;
  }
  VaultEntry* e = free_slot(fs, volume, reporter);
  if (e == nullptr) {
    out.status = nt::kInsufficientResources;
    return out;
  }
  s = ensure_vault_folder(fs, volume);
  if (nt_success(s)) s = link_file(fs, h.get(), volume, next_id_);
  if (!nt_success(s)) {
    out.status = s;
    return out;
  }
  VaultRecord record;
  record.time = now;
  record.process_id = process_id;
  record.size = out.size;
  const Str16 named = record_name.len > 0 ? record_name : file;
  record.path_units = named.len;
  // Without its record the entry still gives the name its history and is bounded; only
  // fbmon cannot show where it came from.
  (void)write_record(fs, volume, next_id_, named, record);
  e->state = kind;
  e->id = next_id_++;
  e->name_hash = history ? history_hash(file) : 0;
  e->file_id = file_id;
  e->time = now;
  e->process_id = process_id;
  e->size = out.size;
  for (uint32_t i = 0; i < volume.len; ++i) e->volume[i] = volume.data[i];
  e->volume_len = volume.len;
  occupy(e);
  out.kept = true;
  out.id = e->id;
  return out;
}

VaultSettle Vault::settle(FileSystem& fs, uint64_t id, Str16 name, int64_t now, VaultEntry* entry) {
  if (!enabled()) return VaultSettle::kGone;
  LockGuard guard(*lock_);
  VaultEntry* e = find_id(id);
  if (e == nullptr || e->state != VaultEntryState::kPending) return VaultSettle::kGone;
  ScopedHandle h(fs);
  const NtStatus s = h.open(name, Str16(), OpenMode::kLink);
  if (s == nt::kDeletePending) return VaultSettle::kWaiting;
  uint64_t file_id = 0;
  if (nt_success(s) && nt_success(fs.query_file_id(h.get(), &file_id)) && file_id == e->file_id) {
    h.reset();
    if (!remove_names(fs, *e)) return VaultSettle::kWaiting;  // retried at the next cleanup or bound
    release(e);
    return VaultSettle::kCancelled;
  }
  if (!nt_success(s) && !is_not_found(s)) return VaultSettle::kWaiting;  // cannot tell yet
  e->state = VaultEntryState::kKept;
  e->time = now;
  *entry = *e;
  return VaultSettle::kKept;
}

void Vault::discard(FileSystem& fs, uint64_t id) {
  if (!enabled()) return;
  LockGuard guard(*lock_);
  VaultEntry* e = find_id(id);
  if (e == nullptr || !remove_names(fs, *e)) return;
  release(e);
}

bool Vault::history_for(Str16 name, int64_t now, VaultEntry* out) {
  if (!enabled() || !has_history()) return false;
  const Str16 volume = vault_volume_of(name);
  if (volume.len == 0) return false;
  const uint64_t hash = history_hash(name);
  LockGuard guard(*lock_);
  const VaultEntry* best = nullptr;
  for (const VaultEntry& e : entries_) {
    if (e.state != VaultEntryState::kPending && e.state != VaultEntryState::kDeparted &&
        e.state != VaultEntryState::kKept)
      continue;
    if (e.name_hash == 0 || e.name_hash != hash || !same_volume(e, volume) || now - e.time > kNameHistoryWindow)
      continue;
    if (best == nullptr || e.time > best->time) best = &e;
  }
  if (best == nullptr) return false;
  *out = *best;
  return true;
}

void Vault::adopted(FileSystem& fs, uint64_t id, int64_t now) {
  if (!enabled()) return;
  LockGuard guard(*lock_);
  VaultEntry* e = find_id(id);
  if (e == nullptr) return;
  // A name that cannot go now stays a kept entry: the bounds remove it later.
  if (!remove_names(fs, *e)) return;
  e->state = VaultEntryState::kAdopted;
  e->time = now;
}

void Vault::enforce_bounds(FileSystem& fs, Str16 volume, const EngineConfig& config, int64_t now,
                           VaultReporter& reporter) {
  if (!enabled() || !has_history()) return;
  LockGuard guard(*lock_);
  const int64_t max_age = static_cast<int64_t>(config.vault_max_age_hours) * kHour;
  for (VaultEntry& e : entries_) {
    const int64_t age = now - e.time;
    if (e.state == VaultEntryState::kAdopted) {  // memory only: no I/O, any volume
      if (age > kNameHistoryWindow) release(&e);
      continue;
    }
    if (e.state == VaultEntryState::kFree || !same_volume(e, volume)) continue;  // its volume bounds it
    switch (e.state) {
      case VaultEntryState::kAdopted:
        break;
      case VaultEntryState::kDeparted:
      case VaultEntryState::kPending: {
        if (age <= (e.state == VaultEntryState::kDeparted ? kNameHistoryWindow : max_age)) break;
        // The window passed: if the file still has another name, the vault's goes; if the
        // vault's is its last (the new name was deleted since), it is a kept file now.
        uint32_t links = 0;
        if (!nt_success(vault_links(fs, Str16(e.volume, e.volume_len), e.id, &links))) break;
        if (links == 0) {
          release(&e);
        } else if (links > 1) {
          if (remove_names(fs, e)) release(&e);
        } else {
          e.state = VaultEntryState::kKept;
        }
        break;
      }
      case VaultEntryState::kKept:
        if (age > max_age) evict(fs, &e, reporter);
        break;
      case VaultEntryState::kFree:
        break;
    }
  }
  // The oldest kept files go until the total and the free space are within the bounds.
  for (;;) {
    uint64_t total = 0;
    VaultEntry* oldest = nullptr;  // on this volume
    for (VaultEntry& e : entries_) {
      if (e.state != VaultEntryState::kKept) continue;
      total += e.size;
      if (same_volume(e, volume) && (oldest == nullptr || e.time < oldest->time)) oldest = &e;
    }
    if (oldest == nullptr) return;
    bool over = total > config.vault_max_bytes;
    if (!over) over = vault_free_space(fs, Str16(oldest->volume, oldest->volume_len), oldest->id) < config.min_free_space;
    if (!over) return;
    evict(fs, oldest, reporter);
    if (oldest->state != VaultEntryState::kFree) return;  // could not go now: try at the next bound
  }
}

bool Vault::found(Str16 volume, uint64_t id, int64_t time, uint64_t size, uint64_t process_id) {
  if (!enabled() || volume.len == 0 || volume.len > kVaultVolumeUnits) return false;
  LockGuard guard(*lock_);
  if (find_id(id) != nullptr) return true;
  for (VaultEntry& e : entries_) {
    if (e.state != VaultEntryState::kFree) continue;
    e.state = VaultEntryState::kKept;
    e.id = id;
    e.time = time;
    e.size = size;
    e.process_id = process_id;
    e.file_id = 0;    // not asked: a kept file's only name is the vault's
    e.name_hash = 0;  // its name's window passed long ago
    for (uint32_t i = 0; i < volume.len; ++i) e.volume[i] = volume.data[i];
    e.volume_len = volume.len;
    occupy(&e);
    if (id >= next_id_) next_id_ = id + 1;
    return true;
  }
  return false;
}

uint32_t Vault::scan(FileSystem& fs, Str16 volume, int64_t now) {
  if (!enabled() || volume.len == 0 || volume.len > kVaultVolumeUnits) return 0;
  KeptFiles kept(fs, *this, volume, now);
  const VaultPath folder(volume, 0);
  (void)fs.list_directory(folder.view(), kept);  // no folder: nothing was kept here
  return kept.count;
}

uint32_t Vault::count(VaultEntryState state) {
  if (!enabled()) return 0;
  LockGuard guard(*lock_);
  uint32_t n = 0;
  for (const VaultEntry& e : entries_)
    if (e.state == state) ++n;
  return n;
}

uint64_t Vault::kept_bytes() {
  if (!enabled()) return 0;
  LockGuard guard(*lock_);
  uint64_t n = 0;
  for (const VaultEntry& e : entries_)
    if (e.state == VaultEntryState::kKept) n += e.size;
  return n;
}

}  // namespace fb
