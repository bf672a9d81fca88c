// What a Filter Manager callback saw, as plain data. The driver copies these fields out of
// FLT_CALLBACK_DATA / FLT_PARAMETERS (layouts: docs/flt-abi.md) and hands them to the
// engine; nothing here points into kernel structures except the names, which are views the
// driver keeps alive for the duration of the call.
//
// The numeric values are the Windows ones, so the driver translates by copying, not by mapping.
// driver/nt/windows_values.cpp asserts every one against mingw-w64's headers (or Microsoft's
// documentation where mingw lacks it), in the driver build and in CTest.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

// Where the engine's opens for an operation are issued: the instance of the callback that saw it
// (the driver's PFLT_INSTANCE, Iopb->TargetInstance), opaque to the engine. Every descriptor below
// carries it and the engine hands it to every open it makes for that operation
// (HostFileSystem, common/engine/file_system.h).
struct IoTarget {
  void* value = nullptr;
};

// KPROCESSOR_MODE of the request (FLT_CALLBACK_DATA::RequestorMode).
enum class RequestorMode : uint8_t { kKernel = 0, kUser = 1 };

// ACCESS_MASK bits the engine looks at (winnt.h values).
namespace access {
constexpr uint32_t kReadData = 0x00000001;
constexpr uint32_t kWriteData = 0x00000002;
constexpr uint32_t kWriteEa = 0x00000010;
constexpr uint32_t kWriteAttributes = 0x00000100;
constexpr uint32_t kAppendData = 0x00000004;
constexpr uint32_t kDelete = 0x00010000;
constexpr uint32_t kMaximumAllowed = 0x02000000;
constexpr uint32_t kGenericAll = 0x10000000;
constexpr uint32_t kGenericWrite = 0x40000000;
}  // namespace access

// FILE_SHARE_* (Create.ShareAccess).
namespace share {
constexpr uint16_t kRead = 0x1;
constexpr uint16_t kWrite = 0x2;
constexpr uint16_t kDelete = 0x4;
constexpr uint16_t kAll = kRead | kWrite | kDelete;
}  // namespace share

// Create dispositions: the high byte of Create.Options (N4).
enum class CreateDisposition : uint8_t {
  kSupersede = 0,
  kOpen = 1,
  kCreate = 2,
  kOpenIf = 3,
  kOverwrite = 4,
  kOverwriteIf = 5,
};

// Post-create IoStatus.Information (N4).
namespace create_info {
constexpr uint64_t kSuperseded = 0;
constexpr uint64_t kOpened = 1;
constexpr uint64_t kCreated = 2;
constexpr uint64_t kOverwritten = 3;
}  // namespace create_info

// Create options: the low 24 bits of Create.Options.
namespace create_option {
constexpr uint32_t kDirectoryFile = 0x00000001;
constexpr uint32_t kNonDirectoryFile = 0x00000040;
constexpr uint32_t kDeleteOnClose = 0x00001000;
constexpr uint32_t kOpenByFileId = 0x00002000;
constexpr uint32_t kOpenForBackupIntent = 0x00004000;
constexpr uint32_t kOpenReparsePoint = 0x00200000;
}  // namespace create_option

// The FILE_INFORMATION_CLASS values of IRP_MJ_SET_INFORMATION the engine acts on.
enum class FileInfoClass : uint32_t {
  kRename = 10,               // FileRenameInformation
  kLink = 11,                 // FileLinkInformation
  kDisposition = 13,          // FileDispositionInformation
  kAllocation = 19,           // FileAllocationInformation
  kEndOfFile = 20,            // FileEndOfFileInformation
  kValidDataLength = 39,      // FileValidDataLengthInformation
  kRenameBypassAccess = 56,   // FileRenameInformationBypassAccessCheck
  kDispositionEx = 64,        // FileDispositionInformationEx
  kRenameEx = 65,             // FileRenameInformationEx
  kRenameExBypassAccess = 66, // FileRenameInformationExBypassAccessCheck
  kLinkEx = 72,               // FileLinkInformationEx
};

// FILE_RENAME_INFORMATION(_EX) flags and FILE_DISPOSITION_INFORMATION_EX flags.
namespace rename_flag {
constexpr uint32_t kReplaceIfExists = 0x1;
}
namespace disposition_flag {
constexpr uint32_t kDelete = 0x1;
}

// AcquireForSectionSynchronization.SyncType and the PAGE_* protections that can write a file.
enum class SectionSync : uint32_t { kOther = 0, kCreateSection = 1 };
namespace page {
constexpr uint32_t kReadWrite = 0x04;
constexpr uint32_t kWriteCopy = 0x08;  // private copy: never reaches the file
constexpr uint32_t kExecuteReadWrite = 0x40;
constexpr uint32_t kExecuteWriteCopy = 0x80;  // private copy: never reaches the file
}  // namespace page

// FSCTL codes that modify a file's data without an IRP_MJ_WRITE. Like every Windows number in
// common/, each is asserted against mingw-w64's headers or cited documentation in
// driver/nt/windows_values.cpp.
namespace fsctl {
constexpr uint32_t kSetZeroData = 0x000980C8;
constexpr uint32_t kWriteRawEncrypted = 0x000900DF;  // CTL_CODE(9, 55, METHOD_NEITHER, FILE_SPECIAL_ACCESS)
constexpr uint32_t kOffloadWrite = 0x00098268;
constexpr uint32_t kDuplicateExtentsToFile = 0x00098344;
}  // namespace fsctl

// FLT_IO_PARAMETER_BLOCK.OperationFlags of a create (the IRP stack location's Flags).
namespace operation_flag {
// SL_FORCE_ACCESS_CHECK: a kernel-mode create that must be access-checked as if it came from user
// mode, against the security context it carries: the SMB server's opens for remote users (N13).
constexpr uint8_t kForceAccessCheck = 0x01;
}  // namespace operation_flag

// Pre-create: Iopb->Parameters.Create and what the driver knows about the open.
struct CreateOp {
  IoTarget target;                 // Iopb->TargetInstance: the instance every open for it uses
  RequestorMode requestor_mode = RequestorMode::kUser;
  bool force_access_check = false;  // operation_flag::kForceAccessCheck: a kernel-mode create on
                                    // behalf of a user (the SMB server), checked like a user's
  uint32_t desired_access = 0;     // SecurityContext->DesiredAccess
  uint32_t create_options = 0;     // Options & 0x00FFFFFF
  CreateDisposition disposition = CreateDisposition::kOpen;  // Options >> 24
  uint16_t share_access = 0;
  bool paging_file = false;        // SL_OPEN_PAGING_FILE in Iopb->OperationFlags
  bool open_target_directory = false;  // SL_OPEN_TARGET_DIRECTORY: the I/O manager opens the
                                       // parent directory of a rename/link target, not the file
  bool volume_open = false;        // FltIsVolumeOpen-style: empty name, no related file object
  bool prefetcher_open = false;    // GUID_ECP_PREFETCH_OPEN on the create's ECP list
  uint64_t process_id = 0;         // FltGetRequestorProcessId
  bool from_own_client = false;    // the requestor is connected to our port (fbmon restoring a file)
};

// Post-create: the create's result.
struct CreateResult {
  NtStatus status = nt::kSuccess;  // Data->IoStatus.Status
  uint64_t information = 0;        // Data->IoStatus.Information (create_info::*)
  bool is_directory = false;       // FltIsDirectory on the opened file object
  bool draining = false;           // FLTFL_POST_OPERATION_DRAINING: do no work, attach nothing
  bool reparsed = false;           // STATUS_REPARSE: passes NT_SUCCESS but opened nothing (the
                                   // I/O manager reissues the create); Information then holds a
                                   // reparse tag, not a create_info value
};

// IRP_MJ_WRITE.
struct WriteOp {
  IoTarget target;                 // Iopb->TargetInstance: the instance every open for it uses
  bool paging_io = false;          // IRP_PAGING_IO (or IRP_SYNCHRONOUS_PAGING_IO) in Iopb->IrpFlags
  uint64_t offset = 0;             // Write.ByteOffset
  uint32_t length = 0;             // Write.Length
  uint64_t process_id = 0;
  bool from_own_client = false;    // the requestor is connected to our port (fbmon restoring a file)
};

// IRP_MJ_SET_INFORMATION, with the class-specific parameters already read out of InfoBuffer.
struct SetInfoOp {
  IoTarget target;                 // Iopb->TargetInstance: the instance every open for it uses
  RequestorMode requestor_mode = RequestorMode::kUser;
  FileInfoClass info_class = FileInfoClass::kEndOfFile;
  bool paging_io = false;          // the lazy writer's end-of-file (IRP_PAGING_IO)
  bool advance_only = false;       // SetFileInformation.AdvanceOnly (cache manager, end of file)
  uint64_t end_of_file = 0;        // FILE_END_OF_FILE_INFORMATION / valid data length
  uint64_t allocation_size = 0;    // FILE_ALLOCATION_INFORMATION
  bool replace_if_exists = false;  // rename/link: ReplaceIfExists, or the _EX flag (see helpers)
  bool delete_file = false;        // disposition: DeleteFile, or the _EX delete flag
  uint64_t process_id = 0;
  bool from_own_client = false;    // the requestor is connected to our port (fbmon restoring a file)
};

// IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION.
struct SectionOp {
  IoTarget target;                 // Iopb->TargetInstance: the instance every open for it uses
  SectionSync sync_type = SectionSync::kOther;
  uint32_t page_protection = 0;
  uint64_t process_id = 0;
  bool from_own_client = false;    // the requestor is connected to our port (fbmon restoring a file)
};

// IRP_MJ_FILE_SYSTEM_CONTROL.
struct FsctlOp {
  IoTarget target;                 // Iopb->TargetInstance: the instance every open for it uses
  uint32_t control_code = 0;       // FileSystemControl.Common.FsControlCode
  uint64_t process_id = 0;
  bool from_own_client = false;    // the requestor is connected to our port (fbmon restoring a file)
};

// Translation helpers for the _EX information classes (one place decides what they mean).
constexpr bool rename_ex_replaces(uint32_t flags) { return (flags & rename_flag::kReplaceIfExists) != 0; }
constexpr bool disposition_ex_deletes(uint32_t flags) { return (flags & disposition_flag::kDelete) != 0; }

}  // namespace fb
