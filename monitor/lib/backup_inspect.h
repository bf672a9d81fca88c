// What one backup slot of a file holds and whether it can be trusted: the metadata record
// decoded and, when asked, the data verified against it (fb::check_backup, the rule in
// common/copy/backup_metadata.h). Shared by `fbmon list` and `fbmon restore`.
#pragma once

#include <stdint.h>

#include <functional>
#include <string>
#include <vector>

#include "common/copy/backup_metadata.h"
#include "common/engine/file_system.h"

namespace fbmon {

struct SlotInspection {
  uint32_t slot = 0;                // 1..9, or fb::kTempBackupSlot (0) for `backup.tmp`
  bool data_present = false;
  bool meta_present = false;
  uint64_t data_length = 0;
  uint64_t meta_length = 0;                // bytes of the metadata stream (48 when well-formed)
  fb::NtStatus status = fb::nt::kSuccess;  // an open/read failure other than "not found"
  fb::BackupCheck check;                   // meaningful when both streams were read
  bool data_verified = false;              // check includes rule 3 (data hashed)

  bool present() const { return data_present || meta_present; }
  bool trusted() const { return data_present && meta_present && fb::nt_success(status) && check.ok(); }
};

// Inspects `file` slot `slot`. With verify_data the data stream is read in full through
// buffer (rule 3); without, only its length is checked against the record (rules 1-2).
SlotInspection inspect_slot(fb::FileSystem& fs, fb::Str16 file, uint32_t slot, bool verify_data, void* buffer,
                            uint32_t buffer_size);

// Slots 1..9, then the temporary one, keeping only those with any stream present.
std::vector<SlotInspection> inspect_backups(fb::FileSystem& fs, fb::Str16 file, bool verify_data, void* buffer,
                                            uint32_t buffer_size);

// Why a slot is not trusted: "metadata missing", "size 3, metadata says 6",
// "data: content hash mismatch", ...; empty when it is.
std::string integrity_problem(const SlotInspection& slot);
// "ok" (or "ok (not read)" without data verification), else "bad (<problem>)".
std::string integrity_text(const SlotInspection& slot);

// The `fbmon list` table for one file. to_local turns a UTC FILETIME into local time.
std::string format_backup_list(const std::string& file, const std::vector<SlotInspection>& slots,
                               const std::function<int64_t(int64_t)>& to_local);

// The same as JSON Lines: one object for the file, stable snake_case keys, no spaces:
// {"file":"C:\\d\\a.txt","slots":[{"slot":1,"time":"2026-11-21T13:03:17.512","filetime_utc":...,
//  "size":11,"writer":4312,"ok":true},{"slot":2,...,"ok":false,"problem":"data: content hash mismatch"}]}
// `tmp` is slot 0.
std::string format_backup_list_json(const std::string& file, const std::vector<SlotInspection>& slots,
                                    const std::function<int64_t(int64_t)>& to_local);

// `fbmon usage`: the backups one file holds and the bytes they take (data + metadata streams).
struct FileUsage {
  std::string file;
  uint32_t slots = 0;       // slots 1..9 present (data or metadata), plus tmp
  uint64_t bytes = 0;       // every backup stream's length
  uint64_t newest_time = 0; // slot 1's backup time (UTC FILETIME), 0 if unknown
};
FileUsage usage_of(const std::string& file, const std::vector<SlotInspection>& slots);
// Largest first (then by name); a total line at the end. Empty list: one sentence saying so.
std::string format_usage(const std::string& folder, std::vector<FileUsage> files);
std::string format_usage_json(const std::string& folder, std::vector<FileUsage> files);

}  // namespace fbmon
