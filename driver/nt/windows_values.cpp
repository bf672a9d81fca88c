// Every number common/ shares with Windows, checked against mingw-w64's own headers (ntifs.h,
// wdm.h, ntstatus.h, fltuserstructures.h), never against ourselves. Where mingw-w64 10 lacks a
// name, the value is checked against the one Microsoft documents, cited next to it.
//
// common/ is portable and cannot include these headers, so it spells the values out; a wrong one
// is not a compile error on Windows but a silent misjudgement (an FSCTL that changes data passing
// as harmless, a status never recognised). This translation unit holds nothing but the asserts:
//   - it is part of FileBackup.sys (driver/CMakeLists.txt globs driver/*.cpp), so the shipped
//     image cannot be built with a wrong value;
//   - CTest compiles it on its own (artifact.header.windows-values) and against a copy of
//     common/engine/ops.h with one value broken (artifact.bites.header.windows-value), which
//     must fail: the check bites.
// It includes mingw's headers directly, not driver/nt/flt_kernel.h: Filter Manager's user-mode
// structures (FLT_FILESYSTEM_TYPE, FILTER_MESSAGE_HEADER) come from fltuserstructures.h here,
// while flt_kernel.h declares its own copy for the kernel build.
//
// When common/ gains a Windows value, add its assert here.
#include <ntifs.h>
#include <fltuserstructures.h>

#include "common/base/fb_base.h"
#include "common/config/config_values.h"
#include "common/engine/ops.h"
#include "common/engine/rescue_security.h"
#include "common/engine/volume_policy.h"
#include "common/events/event.h"
#include "common/protocol/protocol.h"

namespace {

constexpr uint32_t u32(ULONG v) { return static_cast<uint32_t>(v); }
constexpr fb::NtStatus status(NTSTATUS v) { return static_cast<fb::NtStatus>(v); }

// --- requestor mode (KPROCESSOR_MODE) ------------------------------------------------------------
static_assert(static_cast<int>(fb::RequestorMode::kKernel) == KernelMode, "KernelMode");
static_assert(static_cast<int>(fb::RequestorMode::kUser) == UserMode, "UserMode");

// --- access rights (ACCESS_MASK) -------------------------------------------------------------------
static_assert(fb::access::kReadData == u32(FILE_READ_DATA), "FILE_READ_DATA");
static_assert(fb::access::kWriteData == u32(FILE_WRITE_DATA), "FILE_WRITE_DATA");
static_assert(fb::access::kWriteEa == u32(FILE_WRITE_EA), "FILE_WRITE_EA");
static_assert(fb::access::kWriteAttributes == u32(FILE_WRITE_ATTRIBUTES), "FILE_WRITE_ATTRIBUTES");
static_assert(fb::access::kAppendData == u32(FILE_APPEND_DATA), "FILE_APPEND_DATA");
static_assert(fb::access::kDelete == u32(DELETE), "DELETE");
static_assert(fb::access::kMaximumAllowed == u32(MAXIMUM_ALLOWED), "MAXIMUM_ALLOWED");
static_assert(fb::access::kGenericAll == u32(GENERIC_ALL), "GENERIC_ALL");
static_assert(fb::access::kGenericWrite == u32(GENERIC_WRITE), "GENERIC_WRITE");

// --- share access ------------------------------------------------------------------------------------
static_assert(fb::share::kRead == FILE_SHARE_READ, "FILE_SHARE_READ");
static_assert(fb::share::kWrite == FILE_SHARE_WRITE, "FILE_SHARE_WRITE");
static_assert(fb::share::kDelete == FILE_SHARE_DELETE, "FILE_SHARE_DELETE");

// --- create dispositions and post-create Information (N4) ------------------------------------------
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kSupersede) == FILE_SUPERSEDE, "FILE_SUPERSEDE");
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kOpen) == FILE_OPEN, "FILE_OPEN");
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kCreate) == FILE_CREATE, "FILE_CREATE");
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kOpenIf) == FILE_OPEN_IF, "FILE_OPEN_IF");
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kOverwrite) == FILE_OVERWRITE, "FILE_OVERWRITE");
static_assert(static_cast<uint32_t>(fb::CreateDisposition::kOverwriteIf) == FILE_OVERWRITE_IF, "FILE_OVERWRITE_IF");
static_assert(fb::create_info::kSuperseded == FILE_SUPERSEDED, "FILE_SUPERSEDED");
static_assert(fb::create_info::kOpened == FILE_OPENED, "FILE_OPENED");
static_assert(fb::create_info::kCreated == FILE_CREATED, "FILE_CREATED");
static_assert(fb::create_info::kOverwritten == FILE_OVERWRITTEN, "FILE_OVERWRITTEN");

// --- create options ----------------------------------------------------------------------------------
static_assert(fb::create_option::kDirectoryFile == FILE_DIRECTORY_FILE, "FILE_DIRECTORY_FILE");
static_assert(fb::create_option::kNonDirectoryFile == FILE_NON_DIRECTORY_FILE, "FILE_NON_DIRECTORY_FILE");
static_assert(fb::create_option::kDeleteOnClose == FILE_DELETE_ON_CLOSE, "FILE_DELETE_ON_CLOSE");
static_assert(fb::create_option::kOpenByFileId == FILE_OPEN_BY_FILE_ID, "FILE_OPEN_BY_FILE_ID");
static_assert(fb::create_option::kOpenForBackupIntent == FILE_OPEN_FOR_BACKUP_INTENT, "FILE_OPEN_FOR_BACKUP_INTENT");
static_assert(fb::create_option::kOpenReparsePoint == FILE_OPEN_REPARSE_POINT, "FILE_OPEN_REPARSE_POINT");

// --- IRP stack location flags of a create -----------------------------------------------------------
static_assert(fb::operation_flag::kForceAccessCheck == SL_FORCE_ACCESS_CHECK, "SL_FORCE_ACCESS_CHECK");

// --- FILE_INFORMATION_CLASS ------------------------------------------------------------------------
#define FB_INFO_CLASS(ours, theirs) \
  static_assert(static_cast<uint32_t>(fb::FileInfoClass::ours) == static_cast<uint32_t>(theirs), #theirs)
FB_INFO_CLASS(kRename, FileRenameInformation);
FB_INFO_CLASS(kLink, FileLinkInformation);
FB_INFO_CLASS(kDisposition, FileDispositionInformation);
FB_INFO_CLASS(kAllocation, FileAllocationInformation);
FB_INFO_CLASS(kEndOfFile, FileEndOfFileInformation);
FB_INFO_CLASS(kValidDataLength, FileValidDataLengthInformation);
FB_INFO_CLASS(kRenameBypassAccess, FileRenameInformationBypassAccessCheck);
FB_INFO_CLASS(kDispositionEx, FileDispositionInformationEx);
FB_INFO_CLASS(kRenameEx, FileRenameInformationEx);
FB_INFO_CLASS(kRenameExBypassAccess, FileRenameInformationExBypassAccessCheck);
FB_INFO_CLASS(kLinkEx, FileLinkInformationEx);
#undef FB_INFO_CLASS

// --- FILE_RENAME_INFORMATION_EX / FILE_DISPOSITION_INFORMATION_EX flags (not in mingw-w64 10) -------
// FILE_RENAME_REPLACE_IF_EXISTS (0x00000001): "FILE_RENAME_INFORMATION structure (ntifs.h)",
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntifs/ns-ntifs-_file_rename_information
static_assert(fb::rename_flag::kReplaceIfExists == 0x00000001, "FILE_RENAME_REPLACE_IF_EXISTS (docs)");
// FILE_DISPOSITION_DELETE (0x00000001): "FILE_DISPOSITION_INFORMATION_EX structure (ntddk.h)",
// https://learn.microsoft.com/windows-hardware/drivers/ddi/ntddk/ns-ntddk-_file_disposition_information_ex
static_assert(fb::disposition_flag::kDelete == 0x00000001, "FILE_DISPOSITION_DELETE (docs)");

// --- section synchronization (FS_FILTER_SECTION_SYNC_TYPE) and page protections ---------------------
static_assert(static_cast<uint32_t>(fb::SectionSync::kOther) == SyncTypeOther, "SyncTypeOther");
static_assert(static_cast<uint32_t>(fb::SectionSync::kCreateSection) == SyncTypeCreateSection, "SyncTypeCreateSection");
static_assert(fb::page::kReadWrite == PAGE_READWRITE, "PAGE_READWRITE");
static_assert(fb::page::kWriteCopy == PAGE_WRITECOPY, "PAGE_WRITECOPY");
static_assert(fb::page::kExecuteReadWrite == PAGE_EXECUTE_READWRITE, "PAGE_EXECUTE_READWRITE");
static_assert(fb::page::kExecuteWriteCopy == PAGE_EXECUTE_WRITECOPY, "PAGE_EXECUTE_WRITECOPY");

// --- FSCTL codes -----------------------------------------------------------------------------------
static_assert(fb::fsctl::kSetZeroData == u32(FSCTL_SET_ZERO_DATA), "FSCTL_SET_ZERO_DATA");
static_assert(fb::fsctl::kWriteRawEncrypted == u32(FSCTL_WRITE_RAW_ENCRYPTED), "FSCTL_WRITE_RAW_ENCRYPTED");
// Not in mingw-w64 10; built with mingw's CTL_CODE from the definitions Microsoft documents:
// FSCTL_OFFLOAD_WRITE = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 154, METHOD_BUFFERED, FILE_WRITE_ACCESS)
// ("FSCTL_OFFLOAD_WRITE control code", https://learn.microsoft.com/windows-hardware/drivers/ifs/fsctl-offload-write,
// definition in winioctl.h of the Windows SDK);
static_assert(fb::fsctl::kOffloadWrite == u32(CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 154, METHOD_BUFFERED, FILE_WRITE_ACCESS)),
              "FSCTL_OFFLOAD_WRITE (docs)");
// FSCTL_DUPLICATE_EXTENTS_TO_FILE = CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 209, METHOD_BUFFERED, FILE_WRITE_DATA)
// ("FSCTL_DUPLICATE_EXTENTS_TO_FILE IOCTL (winioctl.h)",
// https://learn.microsoft.com/windows/win32/api/winioctl/ni-winioctl-fsctl_duplicate_extents_to_file).
static_assert(fb::fsctl::kDuplicateExtentsToFile ==
                  u32(CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 209, METHOD_BUFFERED, FILE_WRITE_DATA)),
              "FSCTL_DUPLICATE_EXTENTS_TO_FILE (docs)");

// --- NTSTATUS values ----------------------------------------------------------------------------------
#define FB_STATUS(ours, theirs) static_assert(fb::nt::ours == status(theirs), #theirs)
FB_STATUS(kSuccess, STATUS_SUCCESS);
FB_STATUS(kEndOfFile, STATUS_END_OF_FILE);
FB_STATUS(kUnsuccessful, STATUS_UNSUCCESSFUL);
FB_STATUS(kNotImplemented, STATUS_NOT_IMPLEMENTED);
FB_STATUS(kInvalidParameter, STATUS_INVALID_PARAMETER);
FB_STATUS(kNoSuchFile, STATUS_NO_SUCH_FILE);
FB_STATUS(kAccessDenied, STATUS_ACCESS_DENIED);
FB_STATUS(kBufferTooSmall, STATUS_BUFFER_TOO_SMALL);
FB_STATUS(kObjectNameInvalid, STATUS_OBJECT_NAME_INVALID);
FB_STATUS(kObjectNameNotFound, STATUS_OBJECT_NAME_NOT_FOUND);
FB_STATUS(kObjectNameCollision, STATUS_OBJECT_NAME_COLLISION);
FB_STATUS(kObjectPathNotFound, STATUS_OBJECT_PATH_NOT_FOUND);
FB_STATUS(kSharingViolation, STATUS_SHARING_VIOLATION);
FB_STATUS(kReparse, STATUS_REPARSE);
FB_STATUS(kDeletePending, STATUS_DELETE_PENDING);
FB_STATUS(kDiskFull, STATUS_DISK_FULL);
FB_STATUS(kInsufficientResources, STATUS_INSUFFICIENT_RESOURCES);
FB_STATUS(kNoMemory, STATUS_NO_MEMORY);
FB_STATUS(kDeviceDataError, STATUS_DEVICE_DATA_ERROR);
FB_STATUS(kFileIsADirectory, STATUS_FILE_IS_A_DIRECTORY);
FB_STATUS(kNotSupported, STATUS_NOT_SUPPORTED);
FB_STATUS(kNameTooLong, STATUS_NAME_TOO_LONG);
FB_STATUS(kFileCorruptError, STATUS_FILE_CORRUPT_ERROR);
FB_STATUS(kDataError, STATUS_DATA_ERROR);
FB_STATUS(kRevisionMismatch, STATUS_REVISION_MISMATCH);
FB_STATUS(kInvalidDeviceRequest, STATUS_INVALID_DEVICE_REQUEST);
FB_STATUS(kFileTooLarge, STATUS_FILE_TOO_LARGE);
#undef FB_STATUS
static_assert(fb::proto::kWatcherBusyStatus == status(STATUS_CONNECTION_COUNT_LIMIT), "STATUS_CONNECTION_COUNT_LIMIT");

// --- names: UNICODE_STRING::Length is a USHORT count of bytes ---------------------------------------
static_assert(fb::kMaxPathUnits == static_cast<decltype(UNICODE_STRING::Length)>(~0u) / sizeof(WCHAR),
              "the longest UNICODE_STRING, in UTF-16 units");

// --- Filter Manager: volumes and the communication port ---------------------------------------------
static_assert(fb::kFsTypeNtfs == static_cast<uint32_t>(FLT_FSTYPE_NTFS), "FLT_FSTYPE_NTFS");
static_assert(fb::kDeviceDiskFileSystem == FILE_DEVICE_DISK_FILE_SYSTEM, "FILE_DEVICE_DISK_FILE_SYSTEM");
// FLTFL_INSTANCE_SETUP_DETACHED_VOLUME (0x00000008), not in mingw-w64 10: "PFLT_INSTANCE_SETUP_CALLBACK
// callback function (fltkernel.h)", https://learn.microsoft.com/windows-hardware/drivers/ddi/fltkernel/nc-fltkernel-pflt_instance_setup_callback
static_assert(fb::kSetupFlagDetachedVolume == 0x00000008, "FLTFL_INSTANCE_SETUP_DETACHED_VOLUME (docs)");
static_assert(fb::proto::kFilterMessageHeaderBytes == sizeof(FILTER_MESSAGE_HEADER), "sizeof FILTER_MESSAGE_HEADER");
static_assert(fb::proto::kFilterReplyHeaderBytes == sizeof(FILTER_REPLY_HEADER), "sizeof FILTER_REPLY_HEADER");

// --- registry value types ----------------------------------------------------------------------------
static_assert(fb::reg::kSz == REG_SZ, "REG_SZ");
static_assert(fb::reg::kExpandSz == REG_EXPAND_SZ, "REG_EXPAND_SZ");
static_assert(fb::reg::kBinary == REG_BINARY, "REG_BINARY");
static_assert(fb::reg::kDword == REG_DWORD, "REG_DWORD");
static_assert(fb::reg::kMultiSz == REG_MULTI_SZ, "REG_MULTI_SZ");
static_assert(fb::reg::kQword == REG_QWORD, "REG_QWORD");

// --- the rescue file's security descriptor (common/engine/rescue_security.h) ------------------------
namespace sec = fb::security;
static_assert(sec::kSdRevision == SECURITY_DESCRIPTOR_REVISION, "SECURITY_DESCRIPTOR_REVISION");
static_assert(sec::kSeDaclPresent == SE_DACL_PRESENT, "SE_DACL_PRESENT");
static_assert(sec::kSeDaclProtected == SE_DACL_PROTECTED, "SE_DACL_PROTECTED");
static_assert(sec::kSeSelfRelative == SE_SELF_RELATIVE, "SE_SELF_RELATIVE");
static_assert(sec::kAclRevision == ACL_REVISION, "ACL_REVISION");
static_assert(sec::kAccessAllowedAceType == ACCESS_ALLOWED_ACE_TYPE, "ACCESS_ALLOWED_ACE_TYPE");
static_assert(sec::kFileAllAccess == u32(FILE_ALL_ACCESS), "FILE_ALL_ACCESS");
static_assert(sec::kReadControl == u32(READ_CONTROL), "READ_CONTROL");
static_assert(sec::kSdHeaderBytes == sizeof(SECURITY_DESCRIPTOR_RELATIVE), "sizeof SECURITY_DESCRIPTOR_RELATIVE");
static_assert(sec::kAclHeaderBytes == sizeof(ACL), "sizeof ACL");

// A SID's identifier authority is six big-endian bytes; ours keeps the last (the others are 0).
constexpr bool authority_is(uint8_t last, const SID_IDENTIFIER_AUTHORITY& a) {
  return a.Value[0] == 0 && a.Value[1] == 0 && a.Value[2] == 0 && a.Value[3] == 0 && a.Value[4] == 0 &&
         a.Value[5] == last;
}
constexpr SID_IDENTIFIER_AUTHORITY kNtAuthority = SECURITY_NT_AUTHORITY;
constexpr SID_IDENTIFIER_AUTHORITY kCreatorAuthority = SECURITY_CREATOR_SID_AUTHORITY;
static_assert(authority_is(sec::kLocalSystem.authority, kNtAuthority) && sec::kLocalSystem.count == 1 &&
                  sec::kLocalSystem.sub[0] == u32(SECURITY_LOCAL_SYSTEM_RID),
              "S-1-5-18 (SECURITY_NT_AUTHORITY, SECURITY_LOCAL_SYSTEM_RID)");
static_assert(authority_is(sec::kAdministrators.authority, kNtAuthority) && sec::kAdministrators.count == 2 &&
                  sec::kAdministrators.sub[0] == u32(SECURITY_BUILTIN_DOMAIN_RID) &&
                  sec::kAdministrators.sub[1] == u32(DOMAIN_ALIAS_RID_ADMINS),
              "S-1-5-32-544 (SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS)");
static_assert(authority_is(sec::kOwnerRights.authority, kCreatorAuthority) && sec::kOwnerRights.count == 1 &&
                  sec::kOwnerRights.sub[0] == u32(SECURITY_CREATOR_OWNER_RIGHTS_RID),
              "S-1-3-4 (SECURITY_CREATOR_SID_AUTHORITY, SECURITY_CREATOR_OWNER_RIGHTS_RID)");

}  // namespace
