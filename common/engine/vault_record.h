// The record beside each vault file (`<id>.info`, common/engine/vault.h): whose file it was, so
// that fbmon can list deleted files with their original path and put one back, and a restart
// can put the entry back under the bounds. Little-endian, fixed header then the path:
//   0  'F' 'B' 'V' '1'   magic
//   4  u16 version (1), u16 reserved (0)
//   8  i64 time the file left its name (FILETIME)
//  16  u64 process id that deleted or renamed it
//  24  u64 size of its default stream then
//  32  u32 path length in UTF-16 units (1..kMaxPathUnits), u32 reserved (0)
//  40  the original NT path, UTF-16LE
#pragma once

#include "common/base/fb_base.h"
#include "common/events/event.h"

namespace fb {

constexpr uint32_t kVaultRecordHeaderBytes = 40;

struct VaultRecord {
  int64_t time = 0;
  uint64_t process_id = 0;
  uint64_t size = 0;
  uint32_t path_units = 0;  // the path follows the header in the record
};

// The header for `record` (path_units set); out must hold kVaultRecordHeaderBytes.
void encode_vault_record_header(const VaultRecord& record, uint8_t* out);
// Checks magic, version, reserved fields and that the path fits `bytes`; false on any mismatch.
bool decode_vault_record_header(const uint8_t* in, uint32_t bytes, VaultRecord* out);

}  // namespace fb
