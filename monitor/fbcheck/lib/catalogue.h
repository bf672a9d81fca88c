// What fbcheck checks: the NTFS facts the model encodes (../shared/notes/ntfs-semantics.md,
// N1-N13, in the project's notes) and the save stories it plays with the driver loaded. The
// ids and names here are the ones the output lines carry; the Win32 procedures live in
// monitor/fbcheck/win/, one per entry.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

namespace fbcheck {

struct CheckInfo {
  const char* id;    // "N1" .. "N13"; "S1" .. "S8", "DEL"
  const char* name;  // what it claims, in a few words
  // Non-null for a fact no user-mode program can observe: the SKIP reason. Such a fact is
  // never reported as PASS.
  const char* never_checkable;
};

// N1 .. N13, in order.
const std::vector<CheckInfo>& facts();
// The stories in the order they are played: S1, S2, S3, S4, S5, S7, S8, DEL.
const std::vector<CheckInfo>& stories();
// nullptr when `id` names neither.
const CheckInfo* find_check(const std::string& id);

// N4: the create dispositions (ZwCreateFile CreateDisposition) and the IoStatus.Information
// values a create reports, as the notes give them (docs: ZwCreateFile, IRP_MJ_CREATE). The glue
// asserts mingw-w64's FILE_* constants against these numbers and checks the values Windows returns.
struct DispositionCase {
  const char* disposition_name;  // "FILE_OVERWRITE_IF"
  uint32_t disposition;          // 5
  bool file_exists;              // before the create
  bool succeeds;
  uint64_t information;          // IoStatus.Information when it succeeds
  uint32_t failure_status;       // the NTSTATUS when it fails
  const char* result_name;       // "FILE_OVERWRITTEN", or the failure status's name
};
namespace disposition {
constexpr uint32_t kSupersede = 0, kOpen = 1, kCreate = 2, kOpenIf = 3, kOverwrite = 4, kOverwriteIf = 5;
}
namespace create_information {
constexpr uint64_t kSuperseded = 0, kOpened = 1, kCreated = 2, kOverwritten = 3;
}
const std::vector<DispositionCase>& disposition_cases();

}  // namespace fbcheck
