// fb_wine_fixture: writes the files the Wine runs of fbmon.exe start from, with the project's
// real encoders. Wine stores an alternate data stream `a.txt:backup` as a plain file of that
// name, so a backup is created here as such files inside the Wine prefix's drive_c.
//
//   fb_wine_fixture file PATH TEXT               PATH := TEXT
//   fb_wine_fixture backup PATH SLOT TEXT [PID]  PATH's backup SLOT := TEXT, with a valid metadata record
//   fb_wine_fixture backup-aged PATH SLOT TEXT DAYS  the same, made DAYS days before now (prune --older-than)
//   fb_wine_fixture corrupt PATH SLOT            flips one bit of the backup's data (record unchanged)
//   fb_wine_fixture expect PATH TEXT             exit 0 iff PATH holds exactly TEXT
//   fb_wine_fixture expect-backup PATH SLOT TEXT exit 0 iff the backup holds TEXT and verifies
//   fb_wine_fixture vault-record PATH NTPATH SIZE HOURS  the vault record PATH (`<id>.info`,
//                                                 common/engine/vault_record.h, the engine's
//                                                 encoder) for NTPATH, deleted HOURS hours
//                                                 before the fixture time by PID 4312
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/copy/backup_metadata.h"
#include "common/engine/vault_record.h"
#include "common/base/crc32c.h"
#include "common/paths/stream_names.h"

namespace {

constexpr int64_t kFixtureTime = 134397397975120000;  // 2026-11-21 13:03:17.512 UTC

std::string stream_path(const std::string& file, uint32_t slot, fb::BackupPart part) {
  char16_t suffix[fb::kMaxBackupSuffixUnits];
  uint32_t len = 0;
  if (!fb::nt_success(fb::build_backup_suffix(slot, part, suffix, fb::kMaxBackupSuffixUnits, &len))) {
    fprintf(stderr, "fb_wine_fixture: bad slot %u\n", slot);
    exit(2);
  }
  std::string out = file;
  for (uint32_t i = 0; i < len; ++i) out += static_cast<char>(suffix[i]);  // ASCII by construction
  return out;
}

bool write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(f);
}

bool read_file(const std::string& path, std::vector<uint8_t>& bytes) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

std::vector<uint8_t> bytes_of(const char* text) { return std::vector<uint8_t>(text, text + strlen(text)); }

// Now as a FILETIME (100 ns since 1601-01-01 UTC): the Unix epoch is 11644473600 s after it.
int64_t now_filetime() { return (static_cast<int64_t>(time(nullptr)) + 11644473600LL) * 10000000LL; }

int write_backup(const std::string& file, uint32_t slot, const char* text, uint64_t pid, int64_t when = 0) {
  const std::vector<uint8_t> data = bytes_of(text);
  fb::BackupMetadata m;
  m.backup_time = when != 0 ? when : kFixtureTime - static_cast<int64_t>(slot) * 36000000000LL;  // an hour apart
  m.original_size = data.size();
  m.content_hash = fb::crc32c(data.data(), data.size());
  m.writer_process_id = pid;
  m.trigger = fb::Trigger::kWrite;
  std::vector<uint8_t> record(fb::kBackupMetadataSize);
  if (fb::encode_backup_metadata(m, record.data(), record.size()) != fb::MetadataError::kOk) return 2;
  return write_file(stream_path(file, slot, fb::BackupPart::kData), data) &&
                 write_file(stream_path(file, slot, fb::BackupPart::kMeta), record)
             ? 0
             : 2;
}

int corrupt(const std::string& file, uint32_t slot) {
  const std::string path = stream_path(file, slot, fb::BackupPart::kData);
  std::vector<uint8_t> data;
  if (!read_file(path, data) || data.empty()) return 2;
  data[0] ^= 0x01;
  return write_file(path, data) ? 0 : 2;
}

int expect(const std::string& path, const char* text) {
  std::vector<uint8_t> got;
  if (!read_file(path, got)) {
    fprintf(stderr, "expected %s to exist\n", path.c_str());
    return 1;
  }
  if (got != bytes_of(text)) {
    fprintf(stderr, "expected %s to hold '%s', it holds '%s'\n", path.c_str(), text,
            std::string(got.begin(), got.end()).c_str());
    return 1;
  }
  return 0;
}

int expect_backup(const std::string& file, uint32_t slot, const char* text) {
  if (expect(stream_path(file, slot, fb::BackupPart::kData), text) != 0) return 1;
  std::vector<uint8_t> record;
  fb::BackupMetadata m;
  if (!read_file(stream_path(file, slot, fb::BackupPart::kMeta), record) ||
      fb::decode_backup_metadata(record.data(), record.size(), &m) != fb::MetadataError::kOk) {
    fprintf(stderr, "backup %u of %s has no valid metadata record\n", slot, file.c_str());
    return 1;
  }
  const std::vector<uint8_t> data = bytes_of(text);
  if (m.original_size != data.size() || m.content_hash != fb::crc32c(data.data(), data.size())) {
    fprintf(stderr, "backup %u of %s: the record does not describe its data\n", slot, file.c_str());
    return 1;
  }
  return 0;
}

// The record the driver writes beside a kept file; the path is ASCII here.
int write_vault_record(const std::string& path, const char* nt_path, uint64_t size, int64_t hours) {
  fb::VaultRecord r;
  r.time = kFixtureTime - hours * 36000000000LL;
  r.process_id = 4312;
  r.size = size;
  r.path_units = static_cast<uint32_t>(strlen(nt_path));
  std::vector<uint8_t> bytes(fb::kVaultRecordHeaderBytes);
  fb::encode_vault_record_header(r, bytes.data());
  for (const char* p = nt_path; *p; ++p) {
    bytes.push_back(static_cast<uint8_t>(*p));
    bytes.push_back(0);
  }
  return write_file(path, bytes) ? 0 : 2;
}

uint32_t slot_arg(const char* s) { return static_cast<uint32_t>(strtoul(s, nullptr, 10)); }

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "file" && argc == 4) return write_file(argv[2], bytes_of(argv[3])) ? 0 : 2;
  if (cmd == "backup" && (argc == 5 || argc == 6))
    return write_backup(argv[2], slot_arg(argv[3]), argv[4], argc == 6 ? strtoull(argv[5], nullptr, 10) : 4312);
  if (cmd == "backup-aged" && argc == 6)
    return write_backup(argv[2], slot_arg(argv[3]), argv[4], 4312,
                        now_filetime() - static_cast<int64_t>(strtoll(argv[5], nullptr, 10)) * 864000000000LL);
  if (cmd == "corrupt" && argc == 4) return corrupt(argv[2], slot_arg(argv[3]));
  if (cmd == "expect" && argc == 4) return expect(argv[2], argv[3]);
  if (cmd == "vault-record" && argc == 6)
    return write_vault_record(argv[2], argv[3], strtoull(argv[4], nullptr, 10), strtoll(argv[5], nullptr, 10));
  if (cmd == "expect-backup" && argc == 5) return expect_backup(argv[2], slot_arg(argv[3]), argv[4]);
  fprintf(stderr, "usage: see the comment at the top of tests/wine/wine_fixture.cpp\n");
  return 2;
}
