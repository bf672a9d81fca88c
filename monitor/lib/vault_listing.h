// `fbmon deleted`: the files the driver's vault keeps after a delete (common/engine/vault.h).
// A kept file is a hard link `<volume>\$FileBackupVault\<16 hex id>` with every stream of the
// deleted file (content, `:backup`, older slots), and a record `<id>.info`
// (common/engine/vault_record.h) saying whose it was. Read side only: nothing here writes a
// record or a link. Everything but the folder listing of the Win32 glue is here, tested against
// the in-memory fake (tests/unit/monitor/vault_listing_test.cpp).
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "common/engine/vault_record.h"
#include "monitor/lib/errors.h"
#include "monitor/lib/file_access.h"
#include "monitor/lib/win32_path.h"

namespace fbmon {

// What the record beside a kept file says, or why it says nothing.
enum class RecordState {
  kOk,
  kMissing,     // no `<id>.info` (a restart with a lost record, or removed by hand)
  kTruncated,   // the record starts right but ends early (or its path is shorter than it says)
  kMalformed,   // not a record this fbmon understands (magic, version, reserved fields, sizes)
  kUnreadable,  // it exists but could not be read (status in DeletedFile::record_status)
};
const char* record_state_text(RecordState state);

struct ParsedVaultRecord {
  RecordState state = RecordState::kMalformed;
  fb::VaultRecord record;
  std::u16string original_nt;  // the original NT path, when kOk
};
// The record's bytes (at most kMaxVaultRecordBytes are ever read). Never fails loudly: a record
// that is not exactly header + path is kTruncated or kMalformed.
ParsedVaultRecord parse_vault_record(const std::vector<uint8_t>& bytes);
constexpr uint32_t kMaxVaultRecordBytes = fb::kVaultRecordHeaderBytes + 2 * 32768 + 2;

struct DeletedFile {
  uint64_t id = 0;
  std::u16string vault_file;     // `C:\$FileBackupVault\00000000000000a1`
  RecordState record = RecordState::kMissing;
  fb::NtStatus record_status = fb::nt::kSuccess;  // kUnreadable: why
  fb::VaultRecord info;          // kOk: time, process, size at the delete
  std::u16string original_nt;    // kOk: `\Device\HarddiskVolume3\d\a.txt`
  std::u16string original;       // kOk: `C:\d\a.txt` (nt_to_win32)
  uint64_t size = 0;             // the kept file's size now
  uint32_t versions = 0;         // backup slots 1..9 with data
  uint32_t highest_slot = 0;
  uint32_t links = 0;            // names of the file; 0 when it could not be asked
  // The file still has another name: its delete has not happened (yet), or it was renamed away
  // and the driver keeps its vault name for the name's history. Not a deleted file.
  bool still_named() const { return links > 1; }
  bool restorable() const { return record == RecordState::kOk && !still_named(); }
};

// `C:\` (or `C:`) -> `C:\$FileBackupVault`.
std::u16string vault_folder_of(const std::u16string& volume_root);
// `vault_folder\<16 hex>` / `...\<16 hex>.info`.
std::u16string vault_file_path(const std::u16string& vault_folder, uint64_t id, bool info);
// 16 lower-case hex digits.
std::string vault_id_text(uint64_t id);
// 1..16 hex digits (either case), not 0.
bool parse_vault_id(const std::string& text, uint64_t* id);

struct VaultListing {
  bool ok = false;
  bool exists = false;   // the folder exists (ok && !exists: no vault on that volume yet)
  ErrorInfo error;       // when !ok
  std::vector<DeletedFile> files;  // newest first; records without a time last, by id
};

// Lists one vault folder (a Win32 path, `C:\$FileBackupVault`). `elevated` classifies access
// denied: the folder's DACL admits SYSTEM and Administrators only.
VaultListing list_vault(MonitorFileSystem& fs, const std::u16string& vault_folder, const DeviceTable& devices,
                        bool elevated);

// Whether the Win32 path `path` is `folder` or below it (ASCII case folding, whole components).
bool path_is_under(const std::u16string& path, const std::u16string& folder);
// Newest first (by the record's time; entries without a valid record after them, by id).
void sort_deleted(std::vector<DeletedFile>& files);

// Which kept file `restore --deleted PATH [--id ID]` takes.
struct DeletedChoice {
  const DeletedFile* file = nullptr;  // null: error says why
  size_t matches = 0;                 // kept files for PATH (restorable ones)
  ErrorInfo error;
  std::string note;                   // several matched: which one was taken and how to pick another
};
// id == 0: the newest restorable entry whose original path is `path` (ASCII case folding).
// id != 0: that entry; with a path too, it must be that path's.
DeletedChoice choose_deleted(const std::vector<DeletedFile>& files, const std::u16string& path, uint64_t id,
                             const std::function<int64_t(int64_t)>& to_local);

// The `fbmon deleted` table, and its JSON Lines form (one object per kept file).
std::string format_deleted(const std::string& scope, const std::vector<DeletedFile>& files,
                           const std::function<int64_t(int64_t)>& to_local);
std::string format_deleted_json(const std::vector<DeletedFile>& files, const std::function<int64_t(int64_t)>& to_local);

}  // namespace fbmon
