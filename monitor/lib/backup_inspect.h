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

}  // namespace fbmon
