// The Windows x64 structures Filter Manager reads from or hands to a minifilter beyond the ones
// a callback reads (those come from driver/nt/flt_layouts.h, shared with the driver's native
// translation build), spelled out for the host simulation of fltmgr.sys.
//
// Sources, checked independently of the driver's own headers:
//   - FLT_REGISTRATION, FLT_OPERATION_REGISTRATION, FLT_CONTEXT_REGISTRATION,
//     FLT_FILE_NAME_INFORMATION, FILTER_MESSAGE_HEADER: docs/flt-abi.md (WDK
//     fltKernel.h 2019/2022, ReactOS and Wine agree);
//   - FILE_OBJECT, OBJECT_ATTRIBUTES, FILE_STANDARD_INFORMATION, FILE_FS_SIZE_INFORMATION and
//     every constant below: mingw-w64's ddk/ntifs.h and wdm.h, read by compiling offsetof/sizeof
//     probes with x86_64-w64-mingw32-gcc 12 on this machine (2026-11-21).
// A wrong offset here would make the simulation disagree with the image silently, hence the
// static_asserts at the end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "driver/nt/flt_layouts.h"
#include "tests/kernel/sim/exports.h"

namespace ksim::flt {

// --- registration (fltKernel.h) ---------------------------------------------------------------
using PreOperationFn = FLT_PREOP_CALLBACK_STATUS(KSIM_API*)(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS, PVOID*);
using PostOperationFn = FLT_POSTOP_CALLBACK_STATUS(KSIM_API*)(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS, PVOID,
                                                            ULONG);
using ContextCleanup = void(KSIM_API*)(PVOID context, USHORT type);
using ContextAllocate = PVOID(KSIM_API*)(int pool_type, SIZE_T size, USHORT type);
using ContextFree = void(KSIM_API*)(PVOID pool, USHORT type);
using FilterUnload = NTSTATUS(KSIM_API*)(ULONG flags);
using InstanceSetup = NTSTATUS(KSIM_API*)(PCFLT_RELATED_OBJECTS, ULONG flags, ULONG device_type, ULONG fs_type);
using InstanceQueryTeardown = NTSTATUS(KSIM_API*)(PCFLT_RELATED_OBJECTS, ULONG flags);
using InstanceTeardown = void(KSIM_API*)(PCFLT_RELATED_OBJECTS, ULONG reason);
using ConnectNotify = NTSTATUS(KSIM_API*)(PFLT_PORT client, PVOID server_cookie, PVOID context, ULONG size,
                                          PVOID* connection_cookie);
using DisconnectNotify = void(KSIM_API*)(PVOID connection_cookie);
using MessageNotify = NTSTATUS(KSIM_API*)(PVOID cookie, PVOID input, ULONG input_length, PVOID output,
                                          ULONG output_length, PULONG returned);

struct FltOperationRegistration {
  UCHAR MajorFunction;
  ULONG Flags;
  PreOperationFn PreOperation;
  PostOperationFn PostOperation;
  PVOID Reserved1;
};

struct FltContextRegistration {
  USHORT ContextType;
  USHORT Flags;
  ContextCleanup ContextCleanupCallback;
  SIZE_T Size;
  ULONG PoolTag;
  ContextAllocate ContextAllocateCallback;
  ContextFree ContextFreeCallback;
  PVOID Reserved1;
};

struct Registration {
  USHORT Size;
  USHORT Version;
  ULONG Flags;
  const FltContextRegistration* ContextRegistration;
  const FltOperationRegistration* OperationRegistration;
  FilterUnload FilterUnloadCallback;
  InstanceSetup InstanceSetupCallback;
  InstanceQueryTeardown InstanceQueryTeardownCallback;
  InstanceTeardown InstanceTeardownStartCallback;
  InstanceTeardown InstanceTeardownCompleteCallback;
  PVOID GenerateFileNameCallback;
  PVOID NormalizeNameComponentCallback;
  PVOID NormalizeContextCleanupCallback;
  PVOID TransactionNotificationCallback;
  PVOID NormalizeNameComponentExCallback;
  PVOID SectionNotificationCallback;
};

constexpr USHORT kRegistrationVersion0202 = 0x0202;  // 104 bytes, without SectionNotificationCallback
constexpr USHORT kRegistrationVersion0203 = 0x0203;  // 112 bytes (Windows 8+)
constexpr UCHAR kOperationEnd = 0x80;                // IRP_MJ_OPERATION_END
constexpr USHORT kContextEnd = 0xffff;               // FLT_CONTEXT_END
constexpr SIZE_T kVariableSizedContexts = static_cast<SIZE_T>(-1);

// Context types (one bit each).
constexpr USHORT kVolumeContext = 0x0001, kInstanceContext = 0x0002, kFileContext = 0x0004,
                 kStreamContext = 0x0008, kStreamHandleContext = 0x0010, kTransactionContext = 0x0020,
                 kSectionContext = 0x0040;
constexpr USHORT kAllContextTypes = 0x007f;

// Operation registration flags (FLTFL_OPERATION_REGISTRATION_*).
constexpr ULONG kSkipPagingIo = 0x1, kSkipCachedIo = 0x2, kSkipNonDasdIo = 0x4, kSkipNonCachedNonPagingIo = 0x8;
constexpr ULONG kValidOperationFlags = 0xf;
constexpr ULONG kValidRegistrationFlags = 0x7;  // DO_NOT_SUPPORT_SERVICE_STOP, SUPPORT_NPFS_MSFS, SUPPORT_DAX_VOLUME

// --- names --------------------------------------------------------------------------------------
struct FileNameInformation {
  USHORT Size;
  USHORT NamesParsed;
  ULONG Format;
  UNICODE_STRING Name;
  UNICODE_STRING Volume;
  UNICODE_STRING Share;
  UNICODE_STRING Extension;
  UNICODE_STRING Stream;
  UNICODE_STRING FinalComponent;
  UNICODE_STRING ParentDir;
};
constexpr ULONG kNameNormalized = 0x01, kNameOpened = 0x02, kNameShort = 0x03, kNameFormatMask = 0xff;
constexpr ULONG kQueryDefault = 0x0100, kQueryCacheOnly = 0x0200, kQueryFileSystemOnly = 0x0300,
                kQueryAlwaysAllowCacheLookup = 0x0400, kQueryMethodMask = 0xff00;
constexpr USHORT kParsedFinalComponent = 0x1, kParsedExtension = 0x2, kParsedStream = 0x4, kParsedParentDir = 0x8;

// --- port ----------------------------------------------------------------------------------------
struct FilterMessageHeader {
  ULONG ReplyLength;
  ULONGLONG MessageId;
};

// --- I/O manager objects (ntifs.h / wdm.h) --------------------------------------------------------
struct FileObject {
  USHORT Type;  // IO_TYPE_FILE
  USHORT Size;
  PDEVICE_OBJECT DeviceObject;
  PVOID Vpb;
  PVOID FsContext;   // the file system's stream: one per stream, shared by its file objects
  PVOID FsContext2;  // per file object
  PVOID SectionObjectPointer;
  PVOID PrivateCacheMap;
  NTSTATUS FinalStatus;
  FileObject* RelatedFileObject;
  BOOLEAN LockOperation;
  BOOLEAN DeletePending;
  BOOLEAN ReadAccess;
  BOOLEAN WriteAccess;
  BOOLEAN DeleteAccess;
  BOOLEAN SharedRead;
  BOOLEAN SharedWrite;
  BOOLEAN SharedDelete;
  ULONG Flags;
  UNICODE_STRING FileName;
  LARGE_INTEGER CurrentByteOffset;
  ULONG Waiters;
  ULONG Busy;
  PVOID LastLock;
  uint8_t Lock[24];   // KEVENT
  uint8_t Event[24];  // KEVENT
  PVOID CompletionContext;
  ULONG_PTR IrpListLock;
  LIST_ENTRY IrpList;
  PVOID FileObjectExtension;
};
constexpr USHORT kIoTypeFile = 5;

struct ObjectAttributes {
  ULONG Length;
  HANDLE RootDirectory;
  UNICODE_STRING* ObjectName;
  ULONG Attributes;
  PVOID SecurityDescriptor;
  PVOID SecurityQualityOfService;
};

struct FileStandardInformation {
  LARGE_INTEGER AllocationSize;
  LARGE_INTEGER EndOfFile;
  ULONG NumberOfLinks;
  BOOLEAN DeletePending;
  BOOLEAN Directory;
};

struct FileFsSizeInformation {
  LARGE_INTEGER TotalAllocationUnits;
  LARGE_INTEGER AvailableAllocationUnits;
  ULONG SectorsPerAllocationUnit;
  ULONG BytesPerSector;
};

// FILE_INFORMATION_CLASS / FS_INFORMATION_CLASS values (wdm.h, ntifs.h).
enum InfoClass : ULONG {
  kFileRenameInformation = 10,
  kFileLinkInformation = 11,
  kFileDispositionInformation = 13,
  kFileStandardInformation = 5,
  kFileInternalInformation = 6,
  kFileNamesInformation = 12,
  kFileAllocationInformation = 19,
  kFileEndOfFileInformation = 20,
  kFileValidDataLengthInformation = 39,
  kFileDispositionInformationEx = 64,
  kFileRenameInformationEx = 65,
};
constexpr ULONG kFileFsSizeInformation = 3;
// FILE_DISPOSITION_INFORMATION_EX Flags (ntddk.h): FILE_DISPOSITION_DELETE, FILE_DISPOSITION_POSIX_SEMANTICS.
constexpr ULONG kFileDispositionDelete = 0x1;
constexpr ULONG kFileDispositionPosixSemantics = 0x2;
// CreateOptions FILE_DIRECTORY_FILE (wdm.h).
constexpr ULONG kFileDirectoryFile = 0x1;

// Flags and codes.
constexpr ULONG kIoForceAccessCheck = 0x0001;          // IO_FORCE_ACCESS_CHECK (FltCreateFileEx2 Flags)
constexpr ULONG kIoIgnoreShareAccessCheck = 0x0800;    // IO_IGNORE_SHARE_ACCESS_CHECK
constexpr UCHAR kSlForceAccessCheck = 0x01;            // SL_FORCE_ACCESS_CHECK (IRP_MJ_CREATE Flags)
constexpr UCHAR kSlOpenPagingFile = 0x02;              // SL_OPEN_PAGING_FILE
constexpr UCHAR kSlOpenTargetDirectory = 0x04;         // SL_OPEN_TARGET_DIRECTORY
constexpr ULONG kFoSynchronousIo = 0x2;                // FO_SYNCHRONOUS_IO
constexpr ULONG kFsctlSetZeroData = 0x980c8;           // FSCTL_SET_ZERO_DATA
constexpr ULONG kIrpNocache = 0x1, kIrpPagingIo = 0x2, kIrpSynchronousPagingIo = 0x40;
constexpr UCHAR kIrpMjCreate = 0x00, kIrpMjClose = 0x02, kIrpMjRead = 0x03, kIrpMjWrite = 0x04,
                kIrpMjQueryInformation = 0x05, kIrpMjSetInformation = 0x06, kIrpMjFileSystemControl = 0x0d,
                kIrpMjCleanup = 0x12, kIrpMjMaximumFunction = 0x1b;
constexpr UCHAR kIrpMjAcquireForSectionSynchronization = 0xff;  // (UCHAR)-1
constexpr UCHAR kLowestPseudoMajor = 0xed;                      // IRP_MJ_VOLUME_DISMOUNT, (UCHAR)-19
constexpr UCHAR kIrpMnUserFsRequest = 0x00;
constexpr ULONG kFileDeviceDiskFileSystem = 0x08;
constexpr ULONG kFsTypeNtfs = 2, kFsTypeFat = 3;
constexpr ULONG kPostOperationDraining = 0x1;
constexpr ULONG kCallbackIrp = 0x1, kCallbackFastIo = 0x2, kCallbackFsFilter = 0x4, kCallbackGeneratedIo = 0x10000,
                kCallbackPostOperation = 0x80000, kCallbackDirty = 0x80000000u;
constexpr USHORT kFileAttributeDirectory = 0x10;

// NTSTATUS values (ntstatus.h, as mingw-w64 spells them).
namespace status {
constexpr NTSTATUS kSuccess = 0;
constexpr NTSTATUS kTimeout = 0x00000102;
constexpr NTSTATUS kOplockBreakInProgress = 0x00000108;
constexpr NTSTATUS kEndOfFile = static_cast<NTSTATUS>(0xC0000011);
constexpr NTSTATUS kInvalidParameter = static_cast<NTSTATUS>(0xC000000D);
constexpr NTSTATUS kAccessDenied = static_cast<NTSTATUS>(0xC0000022);
constexpr NTSTATUS kBufferTooSmall = static_cast<NTSTATUS>(0xC0000023);
constexpr NTSTATUS kObjectNameInvalid = static_cast<NTSTATUS>(0xC0000033);
constexpr NTSTATUS kObjectNameNotFound = static_cast<NTSTATUS>(0xC0000034);
constexpr NTSTATUS kObjectNameCollision = static_cast<NTSTATUS>(0xC0000035);
constexpr NTSTATUS kPortDisconnected = static_cast<NTSTATUS>(0xC0000037);
constexpr NTSTATUS kInvalidDeviceRequest = static_cast<NTSTATUS>(0xC0000010);
constexpr NTSTATUS kInsufficientResources = static_cast<NTSTATUS>(0xC000009A);
constexpr NTSTATUS kNotSupported = static_cast<NTSTATUS>(0xC00000BB);
constexpr NTSTATUS kInvalidHandle = static_cast<NTSTATUS>(0xC0000008);
constexpr NTSTATUS kNotFound = static_cast<NTSTATUS>(0xC0000225);
constexpr NTSTATUS kConnectionCountLimit = static_cast<NTSTATUS>(0xC0000246);
constexpr NTSTATUS kFltNoHandlerDefined = static_cast<NTSTATUS>(0xC01C0001);
constexpr NTSTATUS kFltContextAlreadyDefined = static_cast<NTSTATUS>(0xC01C0002);
constexpr NTSTATUS kFltDisallowFastIo = static_cast<NTSTATUS>(0xC01C0004);
constexpr NTSTATUS kFltInvalidNameRequest = static_cast<NTSTATUS>(0xC01C0005);
constexpr NTSTATUS kFltNotInitialized = static_cast<NTSTATUS>(0xC01C0007);
constexpr NTSTATUS kFltDeletingObject = static_cast<NTSTATUS>(0xC01C000B);
constexpr NTSTATUS kFltDoNotAttach = static_cast<NTSTATUS>(0xC01C000F);
constexpr NTSTATUS kFltContextAllocationNotFound = static_cast<NTSTATUS>(0xC01C0016);
constexpr NTSTATUS kFltInvalidContextRegistration = static_cast<NTSTATUS>(0xC01C0017);
constexpr NTSTATUS kFltVolumeNotFound = static_cast<NTSTATUS>(0xC01C0014);
constexpr NTSTATUS kFltInstanceNotFound = static_cast<NTSTATUS>(0xC01C0015);
constexpr NTSTATUS kFltContextAlreadyLinked = static_cast<NTSTATUS>(0xC01C001C);
}  // namespace status

constexpr UCHAR kPassiveLevel = 0, kApcLevel = 1, kDispatchLevel = 2;

// --- pinned ------------------------------------------------------------------------------------
#define KSIM_LAYOUT(type, field, off, size)                                     \
  static_assert(offsetof(type, field) == (off), #type "." #field " offset"); \
  static_assert(sizeof(((type*)nullptr)->field) == (size), #type "." #field " size")
static_assert(sizeof(FltOperationRegistration) == 32, "FLT_OPERATION_REGISTRATION");
KSIM_LAYOUT(FltOperationRegistration, Flags, 4, 4);
KSIM_LAYOUT(FltOperationRegistration, PreOperation, 8, 8);
KSIM_LAYOUT(FltOperationRegistration, PostOperation, 16, 8);
static_assert(sizeof(FltContextRegistration) == 56, "FLT_CONTEXT_REGISTRATION");
KSIM_LAYOUT(FltContextRegistration, Flags, 2, 2);
KSIM_LAYOUT(FltContextRegistration, ContextCleanupCallback, 8, 8);
KSIM_LAYOUT(FltContextRegistration, Size, 16, 8);
KSIM_LAYOUT(FltContextRegistration, PoolTag, 24, 4);
KSIM_LAYOUT(FltContextRegistration, ContextAllocateCallback, 32, 8);
KSIM_LAYOUT(FltContextRegistration, ContextFreeCallback, 40, 8);
static_assert(sizeof(Registration) == 112, "FLT_REGISTRATION (0x0203)");
KSIM_LAYOUT(Registration, ContextRegistration, 8, 8);
KSIM_LAYOUT(Registration, OperationRegistration, 16, 8);
KSIM_LAYOUT(Registration, FilterUnloadCallback, 24, 8);
KSIM_LAYOUT(Registration, InstanceSetupCallback, 32, 8);
KSIM_LAYOUT(Registration, InstanceQueryTeardownCallback, 40, 8);
KSIM_LAYOUT(Registration, InstanceTeardownStartCallback, 48, 8);
KSIM_LAYOUT(Registration, InstanceTeardownCompleteCallback, 56, 8);
KSIM_LAYOUT(Registration, SectionNotificationCallback, 104, 8);
static_assert(sizeof(FileNameInformation) == 120, "FLT_FILE_NAME_INFORMATION");
KSIM_LAYOUT(FileNameInformation, Format, 4, 4);
KSIM_LAYOUT(FileNameInformation, Name, 8, 16);
KSIM_LAYOUT(FileNameInformation, Volume, 24, 16);
KSIM_LAYOUT(FileNameInformation, Extension, 56, 16);
KSIM_LAYOUT(FileNameInformation, Stream, 72, 16);
KSIM_LAYOUT(FileNameInformation, FinalComponent, 88, 16);
KSIM_LAYOUT(FileNameInformation, ParentDir, 104, 16);
static_assert(sizeof(FilterMessageHeader) == 16, "FILTER_MESSAGE_HEADER");
static_assert(sizeof(FileObject) == 216, "FILE_OBJECT");
KSIM_LAYOUT(FileObject, DeviceObject, 8, 8);
KSIM_LAYOUT(FileObject, FsContext, 24, 8);
KSIM_LAYOUT(FileObject, FsContext2, 32, 8);
KSIM_LAYOUT(FileObject, SectionObjectPointer, 40, 8);
KSIM_LAYOUT(FileObject, RelatedFileObject, 64, 8);
KSIM_LAYOUT(FileObject, DeletePending, 73, 1);
KSIM_LAYOUT(FileObject, Flags, 80, 4);
KSIM_LAYOUT(FileObject, FileName, 88, 16);
KSIM_LAYOUT(FileObject, CurrentByteOffset, 104, 8);
KSIM_LAYOUT(FileObject, Lock, 128, 24);
KSIM_LAYOUT(FileObject, Event, 152, 24);
KSIM_LAYOUT(FileObject, FileObjectExtension, 208, 8);
static_assert(sizeof(ObjectAttributes) == 48, "OBJECT_ATTRIBUTES");
KSIM_LAYOUT(ObjectAttributes, RootDirectory, 8, 8);
KSIM_LAYOUT(ObjectAttributes, ObjectName, 16, 8);
KSIM_LAYOUT(ObjectAttributes, Attributes, 24, 4);
KSIM_LAYOUT(ObjectAttributes, SecurityDescriptor, 32, 8);
static_assert(sizeof(FileStandardInformation) == 24, "FILE_STANDARD_INFORMATION");
KSIM_LAYOUT(FileStandardInformation, EndOfFile, 8, 8);
KSIM_LAYOUT(FileStandardInformation, NumberOfLinks, 16, 4);
KSIM_LAYOUT(FileStandardInformation, DeletePending, 20, 1);
KSIM_LAYOUT(FileStandardInformation, Directory, 21, 1);
static_assert(sizeof(FileFsSizeInformation) == 24, "FILE_FS_SIZE_INFORMATION");
KSIM_LAYOUT(FileFsSizeInformation, AvailableAllocationUnits, 8, 8);
KSIM_LAYOUT(FileFsSizeInformation, SectorsPerAllocationUnit, 16, 4);
KSIM_LAYOUT(FileFsSizeInformation, BytesPerSector, 20, 4);
#undef KSIM_LAYOUT

}  // namespace ksim::flt
