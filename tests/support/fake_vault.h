// Vault entries in the monitor's fake file system, as the driver leaves them
// (common/engine/vault.h): `C:\$FileBackupVault\<16 hex>` with the deleted file's streams, and
// its record `<16 hex>.info` written with the engine's own encoder (vault_record.h).
#pragma once

#include <stdio.h>

#include <string>
#include <vector>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "common/engine/vault_record.h"
#include "tests/support/monitor_fake_fs.h"

namespace fbtest {

inline const std::u16string kFakeVault = u"C:\\$FileBackupVault";
inline const std::u16string kFakeVolumeDevice = u"\\Device\\HarddiskVolume3";

inline std::vector<uint8_t> fake_bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

inline std::u16string fake_vault_name(uint64_t id, bool info = false) {
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(id));
  std::u16string n = kFakeVault + u"\\";
  for (const char* p = hex; *p; ++p) n += static_cast<char16_t>(*p);
  if (info) n += u".info";
  return n;
}

// The record's bytes: header from the engine's encoder, then the path UTF-16LE.
inline std::vector<uint8_t> fake_vault_record(const std::u16string& nt_path, int64_t time, uint64_t pid, uint64_t size) {
  fb::VaultRecord r;
  r.time = time;
  r.process_id = pid;
  r.size = size;
  r.path_units = static_cast<uint32_t>(nt_path.size());
  std::vector<uint8_t> out(fb::kVaultRecordHeaderBytes);
  fb::encode_vault_record_header(r, out.data());
  for (char16_t c : nt_path) {
    out.push_back(static_cast<uint8_t>(c));
    out.push_back(static_cast<uint8_t>(c >> 8));
  }
  return out;
}

// The metadata record of a backup holding `data`.
inline std::vector<uint8_t> fake_backup_record(const std::vector<uint8_t>& data, int64_t time, uint64_t pid) {
  fb::BackupMetadata m;
  m.backup_time = time;
  m.original_size = data.size();
  m.content_hash = fb::crc32c(data.data(), data.size());
  m.writer_process_id = pid;
  m.trigger = fb::Trigger::kWrite;
  std::vector<uint8_t> record(fb::kBackupMetadataSize);
  fb::encode_backup_metadata(m, record.data(), record.size());
  return record;
}

inline std::u16string fake_slot(const std::u16string& file, uint32_t slot, bool meta = false) {
  std::u16string n = file + u":backup";
  if (slot >= 2) n += u"." + std::u16string(1, static_cast<char16_t>(u'0' + slot));
  if (meta) n += u".meta";
  return n;
}

// A kept file: content, versions ("v1", "v2"...: slot i holds versions[i-1]) and its record for
// `\Device\HarddiskVolume3` + `path_on_volume` (`\d\a.txt`).
inline void add_kept_file(FakeMonitorFs& fs, uint64_t id, const std::u16string& path_on_volume, const std::string& content,
                          const std::vector<std::string>& versions, int64_t time, uint64_t pid = 4312) {
  const std::u16string file = fake_vault_name(id);
  fs.streams[file] = fake_bytes(content);
  for (size_t i = 0; i < versions.size(); ++i) {
    const uint32_t slot = static_cast<uint32_t>(i + 1);
    fs.streams[fake_slot(file, slot)] = fake_bytes(versions[i]);
    fs.streams[fake_slot(file, slot, true)] = fake_backup_record(fake_bytes(versions[i]), time - slot * 36000000000LL, pid);
  }
  fs.streams[fake_vault_name(id, true)] = fake_vault_record(kFakeVolumeDevice + path_on_volume, time, pid, content.size());
}

}  // namespace fbtest
