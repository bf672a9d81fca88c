// The translation layer between Filter Manager and the backup engine: PURE functions.
//
//   FLT_CALLBACK_DATA / FLT_IO_PARAMETER_BLOCK / FLT_PARAMETERS  ->  common/engine/ops.h descriptors
//   engine answers                                              ->  FLT_PREOP/POSTOP statuses
//
// Nothing here calls the kernel: what only a kernel call can tell (the requestor's process id,
// whether the open is a volume open or carries the prefetcher's ECP, whether the opened object
// is a directory) is gathered by the callback first and passed in as plain values. So the same
// code compiles into FileBackup.sys and natively into fb_driver_translate, where
// tests/unit/translate_*_test.cpp drive it with hand-built FLT_CALLBACK_DATA values.
//
// Every decision stays in the engine (common/engine/filter.h, common/engine/engine.h): these functions copy fields
// and map enumerations, nothing more. Where a buffer is too short to hold what its class
// promises, the function reports "nothing to translate" and the callback lets the operation go
// down untouched (the file system fails it).
#pragma once

#include "common/engine/engine.h"
#include "common/engine/ops.h"
#include "common/engine/state.h"
#include "driver/nt/flt_layouts.h"

// wdm.h's value; the host build's stand-in headers (driver/nt/native_nt_types.h) do not define it.
#ifndef SL_OPEN_TARGET_DIRECTORY
#define SL_OPEN_TARGET_DIRECTORY 0x04
#endif

namespace fbk::translate {

// --- create ------------------------------------------------------------------------------------

// What the pre-create callback learned from kernel calls before translating.
struct CreateFacts {
  bool volume_open = false;      // no file name and no related file object: the volume itself
  bool prefetcher_open = false;  // GUID_ECP_PREFETCH_OPEN attached by kernel mode
  uint64_t process_id = 0;       // FltGetRequestorProcessId
  bool from_own_client = false;  // the requestor is connected to our port (runtime::is_monitor_process)
};

// Pre-create: Parameters.Create, RequestorMode, SL_OPEN_PAGING_FILE, SL_OPEN_TARGET_DIRECTORY,
// SL_FORCE_ACCESS_CHECK (fb::operation_flag::kForceAccessCheck, asserted against wdm.h in
// driver/nt/windows_values.cpp).
fb::CreateOp create_op(const FLT_CALLBACK_DATA& data, const CreateFacts& facts);

// Post-create: IoStatus, the draining flag and whether the create was reparsed (STATUS_REPARSE).
// is_directory: FltIsDirectory on the opened file object (only asked when the create opened a
// file - a success other than STATUS_REPARSE -, the flag is not draining and the engine needs it).
fb::CreateResult create_result(const FLT_CALLBACK_DATA& data, bool is_directory,
                               FLT_POST_OPERATION_FLAGS flags);

// The name-based step's answer (the cheap checks' kIgnore is FLT_PREOP_SUCCESS_NO_CALLBACK).
FLT_PREOP_CALLBACK_STATUS pre_create_status(fb::PreCreateAction action);

// --- write -------------------------------------------------------------------------------------

fb::WriteOp write_op(const FLT_CALLBACK_DATA& data, uint64_t process_id);

// Fast I/O cannot wait for a backup: a fast-I/O write that the engine still has to decide on
// is sent back as an IRP (FLT_PREOP_DISALLOW_FASTIO), where the decision is made.
bool is_fast_io(const FLT_CALLBACK_DATA& data);
FLT_PREOP_CALLBACK_STATUS pre_write_status(bool fast_io, bool decision_pending);

// --- set information ---------------------------------------------------------------------------

// false: a class the engine has no descriptor for, or an InfoBuffer shorter than its class
// needs. Otherwise *out holds the class-specific values read out of InfoBuffer.
bool set_information_op(const FLT_CALLBACK_DATA& data, uint64_t process_id, fb::SetInfoOp* out);

// Pre-set-information's answer: a rename of a tracked file (Engine::rename_changes_name) is
// synchronized so that its post-operation runs in the renaming thread at PASSIVE_LEVEL, where
// the new name can be queried and the file's KMUTEX taken; everything else needs no post.
FLT_PREOP_CALLBACK_STATUS pre_set_information_status(bool post_rename);

// The rename/link destination as the caller wrote it (FILE_RENAME_INFORMATION(_EX) /
// FILE_LINK_INFORMATION(_EX)): the arguments of FltGetDestinationFileNameInformation.
struct DestinationName {
  HANDLE root_directory = nullptr;
  const WCHAR* name = nullptr;
  ULONG name_bytes = 0;
};
bool destination_name(const FLT_CALLBACK_DATA& data, DestinationName* out);

// Byte offsets inside InfoBuffer the translation reads, identical for every class it reads
// them from (FILE_END_OF_FILE / ALLOCATION / VALID_DATA_LENGTH / DISPOSITION(_EX) /
// RENAME(_EX) / LINK(_EX) _INFORMATION). The kernel build static_asserts them against ntifs.h.
namespace info_layout {
constexpr ULONG kValue = 0;             // EndOfFile, AllocationSize, ValidDataLength, DeleteFile,
                                        // ReplaceIfExists, and the _EX Flags
constexpr ULONG kRootDirectory = 8;     // rename / link
constexpr ULONG kFileNameLength = 16;   // rename / link, in bytes
constexpr ULONG kFileName = 20;         // rename / link
}  // namespace info_layout

// --- section synchronization and FSCTL -----------------------------------------------------------

fb::SectionOp section_op(const FLT_CALLBACK_DATA& data, uint64_t process_id);

// false for FSCTL minor functions that carry no control code (mount, verify, load).
bool fsctl_op(const FLT_CALLBACK_DATA& data, uint64_t process_id, fb::FsctlOp* out);

// --- cleanup ------------------------------------------------------------------------------------

// Pre-cleanup: a tracked handle is synchronized so that post-cleanup runs at PASSIVE_LEVEL in
// the closing thread (it takes the file's KMUTEX); any other handle needs no post-cleanup.
FLT_PREOP_CALLBACK_STATUS pre_cleanup_status(bool tracked_handle);

}  // namespace fbk::translate
