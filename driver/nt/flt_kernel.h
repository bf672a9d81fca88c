// The kernel declarations FileBackup.sys is built against: mingw-w64's <ntifs.h> plus the
// Filter Manager API (fltKernel.h in the WDK), which mingw-w64 does not ship, and the few
// ntoskrnl declarations mingw-w64 10 lacks.
//
// Every name below is the documented WDK name, so WDK documentation and samples read the same
// way against this header. Only what this driver uses (or is about to use) is declared. The
// layouts must equal the Windows x64 ABI recorded in docs/flt-abi.md; the
// static_asserts at the end (and in driver/nt/flt_layouts.h, for the structures a callback reads, which
// the native translation build shares) pin every offset and size the driver relies on, because
// a wrong offset here is not a compile error on Windows but a blue screen.
//
// Include this header instead of <ntifs.h> everywhere in driver/.
#pragma once

#if !defined(_WIN64) || !defined(__x86_64__)
#error "FileBackup.sys is built for Windows x64 only; the layouts below are the x64 ones."
#endif

// Without POOL_TAGGING, mingw's wdm.h turns ExAllocatePoolWithTag(type, size, tag) into
// ExAllocatePool(type, size): every allocation would lose its tag and hide in !poolused.
#ifndef POOL_TAGGING
#define POOL_TAGGING 1
#endif

#include <ntifs.h>
#include <ntstrsafe.h>

// FLT_PARAMETERS, FLT_CALLBACK_DATA and the other structures a callback reads: shared with the
// native build of the translation functions.
#include "driver/nt/flt_layouts.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FLTAPI NTAPI
// Like the WDK: calls go straight through the import address table, not through a stub.
#define FLTKERNELAPI DECLSPEC_IMPORT

// --- ntoskrnl bits mingw-w64 10 lacks ------------------------------------------------------

#ifndef KERNEL_SECURITY_CHECK_FAILURE
#define KERNEL_SECURITY_CHECK_FAILURE 0x00000139
#endif
#ifndef FAST_FAIL_VTGUARD_CHECK_FAILURE
#define FAST_FAIL_VTGUARD_CHECK_FAILURE 1
#endif

// The highest user-mode address + 1 that ProbeForRead/ProbeForWrite accept (data export;
// dllimport because a driver has no runtime to patch auto-imported data).
extern NTKERNELAPI ULONG_PTR MmUserProbeAddress;

// The thread object type, as the WDK's `*PsThreadType` means it. ntoskrnl exports the variable
// `POBJECT_TYPE PsThreadType`. The WDK declares `extern POBJECT_TYPE *PsThreadType` without
// dllimport: the name denotes the import address table slot (which holds the variable's
// address), so `*PsThreadType` is the type pointer. mingw-w64's wdm.h adds NTSYSAPI
// (dllimport): the name then already denotes the variable, and `*PsThreadType` reads the first
// 8 bytes of the OBJECT_TYPE (its TypeList link, which only points back at the type while the
// type list is empty). Reading the IAT slot by the import library's own symbol for it
// (__imp_PsThreadType) gives two loads, slot then variable, whatever the header says.
// tests/kernel/nt/ps_thread_type_test.cpp checks it on the shipped image.
extern POBJECT_TYPE* __imp_PsThreadType;
static inline POBJECT_TYPE FbkThreadObjectType(void) { return *__imp_PsThreadType; }

// FILE_DISPOSITION_INFORMATION_EX (FileDispositionInformationEx = 64) and its flags.
typedef struct _FILE_DISPOSITION_INFORMATION_EX {
  ULONG Flags;
} FILE_DISPOSITION_INFORMATION_EX, *PFILE_DISPOSITION_INFORMATION_EX;
#define FILE_DISPOSITION_DO_NOT_DELETE 0x00000000
#define FILE_DISPOSITION_DELETE 0x00000001
#define FILE_DISPOSITION_POSIX_SEMANTICS 0x00000002
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004
#define FILE_DISPOSITION_ON_CLOSE 0x00000008
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010

// FILE_RENAME_INFORMATION_EX flags (FileRenameInformationEx = 65): same layout as
// FILE_RENAME_INFORMATION with the BOOLEAN widened to a ULONG of flags.
#define FILE_RENAME_REPLACE_IF_EXISTS 0x00000001
#define FILE_RENAME_POSIX_SEMANTICS 0x00000002
#define FILE_RENAME_IGNORE_READONLY_ATTRIBUTE 0x00000040

// --- callbacks -------------------------------------------------------------------------------

typedef FLT_PREOP_CALLBACK_STATUS(FLTAPI* PFLT_PRE_OPERATION_CALLBACK)(
    PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID* CompletionContext);
typedef FLT_POSTOP_CALLBACK_STATUS(FLTAPI* PFLT_POST_OPERATION_CALLBACK)(
    PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID CompletionContext,
    FLT_POST_OPERATION_FLAGS Flags);

typedef struct _FLT_OPERATION_REGISTRATION {
  UCHAR MajorFunction;
  FLT_OPERATION_REGISTRATION_FLAGS Flags;
  PFLT_PRE_OPERATION_CALLBACK PreOperation;
  PFLT_POST_OPERATION_CALLBACK PostOperation;
  PVOID Reserved1;
} FLT_OPERATION_REGISTRATION, *PFLT_OPERATION_REGISTRATION;

typedef USHORT FLT_CONTEXT_TYPE;
#define FLT_VOLUME_CONTEXT 0x0001
#define FLT_INSTANCE_CONTEXT 0x0002
#define FLT_FILE_CONTEXT 0x0004
#define FLT_STREAM_CONTEXT 0x0008
#define FLT_STREAMHANDLE_CONTEXT 0x0010
#define FLT_TRANSACTION_CONTEXT 0x0020
#define FLT_SECTION_CONTEXT 0x0040
#define FLT_CONTEXT_END 0xffff

typedef USHORT FLT_CONTEXT_REGISTRATION_FLAGS;
#define FLTFL_CONTEXT_REGISTRATION_NO_EXACT_SIZE_MATCH 0x0001
#define FLT_VARIABLE_SIZED_CONTEXTS ((SIZE_T)-1)

typedef VOID(FLTAPI* PFLT_CONTEXT_CLEANUP_CALLBACK)(PFLT_CONTEXT Context,
                                                    FLT_CONTEXT_TYPE ContextType);
typedef PVOID(FLTAPI* PFLT_CONTEXT_ALLOCATE_CALLBACK)(POOL_TYPE PoolType, SIZE_T Size,
                                                      FLT_CONTEXT_TYPE ContextType);
typedef VOID(FLTAPI* PFLT_CONTEXT_FREE_CALLBACK)(PVOID Pool, FLT_CONTEXT_TYPE ContextType);

typedef struct _FLT_CONTEXT_REGISTRATION {
  FLT_CONTEXT_TYPE ContextType;
  FLT_CONTEXT_REGISTRATION_FLAGS Flags;
  PFLT_CONTEXT_CLEANUP_CALLBACK ContextCleanupCallback;
  SIZE_T Size;
  ULONG PoolTag;
  PFLT_CONTEXT_ALLOCATE_CALLBACK ContextAllocateCallback;
  PFLT_CONTEXT_FREE_CALLBACK ContextFreeCallback;
  PVOID Reserved1;
} FLT_CONTEXT_REGISTRATION, *PFLT_CONTEXT_REGISTRATION;
typedef const FLT_CONTEXT_REGISTRATION* PCFLT_CONTEXT_REGISTRATION;

typedef ULONG FLT_FILTER_UNLOAD_FLAGS;
#define FLTFL_FILTER_UNLOAD_MANDATORY 0x00000001

typedef ULONG FLT_INSTANCE_SETUP_FLAGS;
#define FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT 0x00000001
#define FLTFL_INSTANCE_SETUP_MANUAL_ATTACHMENT 0x00000002
#define FLTFL_INSTANCE_SETUP_NEWLY_MOUNTED_VOLUME 0x00000004
#define FLTFL_INSTANCE_SETUP_DETACHED_VOLUME 0x00000008

typedef ULONG FLT_INSTANCE_QUERY_TEARDOWN_FLAGS;

typedef ULONG FLT_INSTANCE_TEARDOWN_FLAGS;
#define FLTFL_INSTANCE_TEARDOWN_MANUAL 0x00000001
#define FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD 0x00000002
#define FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD 0x00000004
#define FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT 0x00000008
#define FLTFL_INSTANCE_TEARDOWN_INTERNAL_ERROR 0x00000010

// File system types reported to InstanceSetup (values of the WDK enum, in order).
typedef enum _FLT_FILESYSTEM_TYPE {
  FLT_FSTYPE_UNKNOWN = 0,
  FLT_FSTYPE_RAW = 1,
  FLT_FSTYPE_NTFS = 2,
  FLT_FSTYPE_FAT = 3,
  FLT_FSTYPE_CDFS = 4,
  FLT_FSTYPE_UDFS = 5,
  FLT_FSTYPE_LANMAN = 6,
  FLT_FSTYPE_WEBDAV = 7,
  FLT_FSTYPE_RDPDR = 8,
  FLT_FSTYPE_NFS = 9,
  FLT_FSTYPE_MS_NETWARE = 10,
  FLT_FSTYPE_NETWARE = 11,
  FLT_FSTYPE_BSUDF = 12,
  FLT_FSTYPE_MUP = 13,
  FLT_FSTYPE_RSFX = 14,
  FLT_FSTYPE_ROXIO_UDF1 = 15,
  FLT_FSTYPE_ROXIO_UDF2 = 16,
  FLT_FSTYPE_ROXIO_UDF3 = 17,
  FLT_FSTYPE_TACIT = 18,
  FLT_FSTYPE_FS_REC = 19,
  FLT_FSTYPE_INCD = 20,
  FLT_FSTYPE_INCD_FAT = 21,
  FLT_FSTYPE_EXFAT = 22,
  FLT_FSTYPE_PSFS = 23,
  FLT_FSTYPE_GPFS = 24,
  FLT_FSTYPE_NPFS = 25,
  FLT_FSTYPE_MSFS = 26,
  FLT_FSTYPE_CSVFS = 27,
  FLT_FSTYPE_REFS = 28,
  FLT_FSTYPE_OPENAFS = 29,
  FLT_FSTYPE_CIMFS = 30
} FLT_FILESYSTEM_TYPE, *PFLT_FILESYSTEM_TYPE;

typedef NTSTATUS(FLTAPI* PFLT_FILTER_UNLOAD_CALLBACK)(FLT_FILTER_UNLOAD_FLAGS Flags);
typedef NTSTATUS(FLTAPI* PFLT_INSTANCE_SETUP_CALLBACK)(
    PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_SETUP_FLAGS Flags,
    DEVICE_TYPE VolumeDeviceType, FLT_FILESYSTEM_TYPE VolumeFilesystemType);
typedef NTSTATUS(FLTAPI* PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK)(
    PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags);
typedef VOID(FLTAPI* PFLT_INSTANCE_TEARDOWN_CALLBACK)(PCFLT_RELATED_OBJECTS FltObjects,
                                                     FLT_INSTANCE_TEARDOWN_FLAGS Reason);

// Name-provider, transaction and section-conflict callbacks: this driver registers none, so
// they are declared as untyped pointers that only hold the FLT_REGISTRATION layout.
typedef PVOID PFLT_GENERATE_FILE_NAME;
typedef PVOID PFLT_NORMALIZE_NAME_COMPONENT;
typedef PVOID PFLT_NORMALIZE_CONTEXT_CLEANUP;
typedef PVOID PFLT_TRANSACTION_NOTIFICATION_CALLBACK;
typedef PVOID PFLT_NORMALIZE_NAME_COMPONENT_EX;
typedef PVOID PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK;

typedef ULONG FLT_REGISTRATION_FLAGS;
#define FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP 0x00000001
#define FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS 0x00000002
#define FLTFL_REGISTRATION_SUPPORT_DAX_VOLUME 0x00000004

// 0x0203 is the Windows 8+ layout ending in SectionNotificationCallback (112 bytes). The
// 104-byte layout without it goes with 0x0202.
#define FLT_REGISTRATION_VERSION_0203 0x0203
#define FLT_REGISTRATION_VERSION FLT_REGISTRATION_VERSION_0203

typedef struct _FLT_REGISTRATION {
  USHORT Size;
  USHORT Version;
  FLT_REGISTRATION_FLAGS Flags;
  const FLT_CONTEXT_REGISTRATION* ContextRegistration;
  const FLT_OPERATION_REGISTRATION* OperationRegistration;
  PFLT_FILTER_UNLOAD_CALLBACK FilterUnloadCallback;
  PFLT_INSTANCE_SETUP_CALLBACK InstanceSetupCallback;
  PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK InstanceQueryTeardownCallback;
  PFLT_INSTANCE_TEARDOWN_CALLBACK InstanceTeardownStartCallback;
  PFLT_INSTANCE_TEARDOWN_CALLBACK InstanceTeardownCompleteCallback;
  PFLT_GENERATE_FILE_NAME GenerateFileNameCallback;
  PFLT_NORMALIZE_NAME_COMPONENT NormalizeNameComponentCallback;
  PFLT_NORMALIZE_CONTEXT_CLEANUP NormalizeContextCleanupCallback;
  PFLT_TRANSACTION_NOTIFICATION_CALLBACK TransactionNotificationCallback;
  PFLT_NORMALIZE_NAME_COMPONENT_EX NormalizeNameComponentExCallback;
  PFLT_SECTION_CONFLICT_NOTIFICATION_CALLBACK SectionNotificationCallback;
} FLT_REGISTRATION, *PFLT_REGISTRATION;

// --- file names ------------------------------------------------------------------------------

typedef ULONG FLT_FILE_NAME_OPTIONS;
#define FLT_FILE_NAME_NORMALIZED 0x01
#define FLT_FILE_NAME_OPENED 0x02
#define FLT_FILE_NAME_SHORT 0x03
#define FLT_FILE_NAME_QUERY_DEFAULT 0x0100
#define FLT_FILE_NAME_QUERY_CACHE_ONLY 0x0200
#define FLT_FILE_NAME_QUERY_FILESYSTEM_ONLY 0x0300
#define FLT_FILE_NAME_QUERY_ALWAYS_ALLOW_CACHE_LOOKUP 0x0400
#define FLT_FILE_NAME_REQUEST_FROM_CURRENT_PROVIDER 0x01000000
#define FLT_FILE_NAME_DO_NOT_CACHE 0x02000000
#define FLT_FILE_NAME_ALLOW_QUERY_ON_REPARSE 0x04000000

typedef USHORT FLT_FILE_NAME_PARSED_FLAGS;
#define FLTFL_FILE_NAME_PARSED_FINAL_COMPONENT 0x0001
#define FLTFL_FILE_NAME_PARSED_EXTENSION 0x0002
#define FLTFL_FILE_NAME_PARSED_STREAM 0x0004
#define FLTFL_FILE_NAME_PARSED_PARENT_DIR 0x0008

typedef struct _FLT_FILE_NAME_INFORMATION {
  USHORT Size;
  FLT_FILE_NAME_PARSED_FLAGS NamesParsed;
  FLT_FILE_NAME_OPTIONS Format;
  UNICODE_STRING Name;
  UNICODE_STRING Volume;
  UNICODE_STRING Share;
  UNICODE_STRING Extension;
  UNICODE_STRING Stream;
  UNICODE_STRING FinalComponent;
  UNICODE_STRING ParentDir;
} FLT_FILE_NAME_INFORMATION, *PFLT_FILE_NAME_INFORMATION;

// --- communication port ----------------------------------------------------------------------

#define FLT_PORT_CONNECT 0x0001
#define FLT_PORT_ALL_ACCESS (FLT_PORT_CONNECT | STANDARD_RIGHTS_ALL)

typedef NTSTATUS(FLTAPI* PFLT_CONNECT_NOTIFY)(PFLT_PORT ClientPort, PVOID ServerPortCookie,
                                              PVOID ConnectionContext, ULONG SizeOfContext,
                                              PVOID* ConnectionPortCookie);
typedef VOID(FLTAPI* PFLT_DISCONNECT_NOTIFY)(PVOID ConnectionCookie);
typedef NTSTATUS(FLTAPI* PFLT_MESSAGE_NOTIFY)(PVOID PortCookie, PVOID InputBuffer,
                                              ULONG InputBufferLength, PVOID OutputBuffer,
                                              ULONG OutputBufferLength,
                                              PULONG ReturnOutputBufferLength);

// What a user-mode FilterGetMessage / FilterReplyMessage buffer starts with (fltUserStructures.h).
// The kernel never sees them (Filter Manager strips and adds them), but the protocol layer
// sizes its messages and replies against them.
typedef struct _FILTER_MESSAGE_HEADER {
  ULONG ReplyLength;
  ULONGLONG MessageId;
} FILTER_MESSAGE_HEADER, *PFILTER_MESSAGE_HEADER;

typedef struct _FILTER_REPLY_HEADER {
  NTSTATUS Status;
  ULONGLONG MessageId;
} FILTER_REPLY_HEADER, *PFILTER_REPLY_HEADER;

// --- I/O issued by the filter ----------------------------------------------------------------

typedef ULONG FLT_IO_OPERATION_FLAGS;
#define FLTFL_IO_OPERATION_NON_CACHED 0x00000001
#define FLTFL_IO_OPERATION_PAGING 0x00000002
#define FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET 0x00000004
#define FLTFL_IO_OPERATION_SYNCHRONOUS_PAGING 0x00000008

typedef VOID(FLTAPI* PFLT_COMPLETED_ASYNC_IO_CALLBACK)(PFLT_CALLBACK_DATA CallbackData,
                                                       PFLT_CONTEXT Context);

typedef enum _FLT_SET_CONTEXT_OPERATION {
  FLT_SET_CONTEXT_REPLACE_IF_EXISTS = 0,
  FLT_SET_CONTEXT_KEEP_IF_EXISTS = 1
} FLT_SET_CONTEXT_OPERATION, *PFLT_SET_CONTEXT_OPERATION;

typedef VOID(FLTAPI* PFLT_GENERIC_WORKITEM_ROUTINE)(PFLT_GENERIC_WORKITEM FltWorkItem,
                                                   PVOID FltObject, PVOID Context);

// --- Filter Manager exports (fltmgr.sys; listed in driver/nt/fltmgr.def) -------------------------

FLTKERNELAPI NTSTATUS FLTAPI FltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION* Registration,
                                  PFLT_FILTER* RetFilter);
FLTKERNELAPI VOID FLTAPI FltUnregisterFilter(PFLT_FILTER Filter);
FLTKERNELAPI NTSTATUS FLTAPI FltStartFiltering(PFLT_FILTER Filter);

FLTKERNELAPI NTSTATUS FLTAPI FltBuildDefaultSecurityDescriptor(PSECURITY_DESCRIPTOR* SecurityDescriptor,
                                                  ACCESS_MASK DesiredAccess);
FLTKERNELAPI VOID FLTAPI FltFreeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor);
FLTKERNELAPI NTSTATUS FLTAPI FltCreateCommunicationPort(PFLT_FILTER Filter, PFLT_PORT* ServerPort,
                                           POBJECT_ATTRIBUTES ObjectAttributes,
                                           PVOID ServerPortCookie,
                                           PFLT_CONNECT_NOTIFY ConnectNotifyCallback,
                                           PFLT_DISCONNECT_NOTIFY DisconnectNotifyCallback,
                                           PFLT_MESSAGE_NOTIFY MessageNotifyCallback,
                                           LONG MaxConnections);
FLTKERNELAPI VOID FLTAPI FltCloseCommunicationPort(PFLT_PORT ServerPort);
FLTKERNELAPI VOID FLTAPI FltCloseClientPort(PFLT_FILTER Filter, PFLT_PORT* ClientPort);
FLTKERNELAPI NTSTATUS FLTAPI FltSendMessage(PFLT_FILTER Filter, PFLT_PORT* ClientPort, PVOID SenderBuffer,
                               ULONG SenderBufferLength, PVOID ReplyBuffer, PULONG ReplyLength,
                               PLARGE_INTEGER Timeout);

FLTKERNELAPI NTSTATUS FLTAPI FltGetFileNameInformation(PFLT_CALLBACK_DATA CallbackData,
                                          FLT_FILE_NAME_OPTIONS NameOptions,
                                          PFLT_FILE_NAME_INFORMATION* FileNameInformation);
FLTKERNELAPI NTSTATUS FLTAPI FltGetFileNameInformationUnsafe(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance,
                                                FLT_FILE_NAME_OPTIONS NameOptions,
                                                PFLT_FILE_NAME_INFORMATION* FileNameInformation);
FLTKERNELAPI NTSTATUS FLTAPI FltParseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);
FLTKERNELAPI VOID FLTAPI FltReferenceFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);
FLTKERNELAPI VOID FLTAPI FltReleaseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);

FLTKERNELAPI NTSTATUS FLTAPI FltAllocateContext(PFLT_FILTER Filter, FLT_CONTEXT_TYPE ContextType,
                                   SIZE_T ContextSize, POOL_TYPE PoolType,
                                   PFLT_CONTEXT* ReturnedContext);
FLTKERNELAPI VOID FLTAPI FltReferenceContext(PFLT_CONTEXT Context);
FLTKERNELAPI VOID FLTAPI FltReleaseContext(PFLT_CONTEXT Context);
FLTKERNELAPI VOID FLTAPI FltDeleteContext(PFLT_CONTEXT Context);
FLTKERNELAPI NTSTATUS FLTAPI FltSetInstanceContext(PFLT_INSTANCE Instance, FLT_SET_CONTEXT_OPERATION Operation,
                                      PFLT_CONTEXT NewContext, PFLT_CONTEXT* OldContext);
FLTKERNELAPI NTSTATUS FLTAPI FltGetInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT* Context);
FLTKERNELAPI NTSTATUS FLTAPI FltSetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                    FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext,
                                    PFLT_CONTEXT* OldContext);
FLTKERNELAPI NTSTATUS FLTAPI FltGetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                    PFLT_CONTEXT* Context);
FLTKERNELAPI NTSTATUS FLTAPI FltSetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                          FLT_SET_CONTEXT_OPERATION Operation,
                                          PFLT_CONTEXT NewContext, PFLT_CONTEXT* OldContext);
FLTKERNELAPI NTSTATUS FLTAPI FltGetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                          PFLT_CONTEXT* Context);
FLTKERNELAPI NTSTATUS FLTAPI FltSetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                  FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext,
                                  PFLT_CONTEXT* OldContext);
FLTKERNELAPI NTSTATUS FLTAPI FltGetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                  PFLT_CONTEXT* Context);

FLTKERNELAPI NTSTATUS FLTAPI FltCreateFileEx2(PFLT_FILTER Filter, PFLT_INSTANCE Instance, PHANDLE FileHandle,
                                 PFILE_OBJECT* FileObject, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes,
                                 PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize,
                                 ULONG FileAttributes, ULONG ShareAccess, ULONG CreateDisposition,
                                 ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG Flags,
                                 PIO_DRIVER_CREATE_CONTEXT DriverContext);
FLTKERNELAPI NTSTATUS FLTAPI FltClose(HANDLE FileHandle);
FLTKERNELAPI NTSTATUS FLTAPI FltReadFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject,
                            PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                            FLT_IO_OPERATION_FLAGS Flags, PULONG BytesRead,
                            PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine,
                            PVOID CallbackContext);
FLTKERNELAPI NTSTATUS FLTAPI FltWriteFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject,
                             PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                             FLT_IO_OPERATION_FLAGS Flags, PULONG BytesWritten,
                             PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine,
                             PVOID CallbackContext);
FLTKERNELAPI NTSTATUS FLTAPI FltQueryInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                        PVOID FileInformation, ULONG Length,
                                        FILE_INFORMATION_CLASS FileInformationClass,
                                        PULONG LengthReturned);
FLTKERNELAPI NTSTATUS FLTAPI FltSetInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                      PVOID FileInformation, ULONG Length,
                                      FILE_INFORMATION_CLASS FileInformationClass);
FLTKERNELAPI NTSTATUS FLTAPI FltIsDirectory(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance,
                               PBOOLEAN IsDirectory);

FLTKERNELAPI BOOLEAN FLTAPI FltIsOperationSynchronous(PFLT_CALLBACK_DATA CallbackData);
FLTKERNELAPI ULONG FLTAPI FltGetRequestorProcessId(PFLT_CALLBACK_DATA CallbackData);
FLTKERNELAPI VOID FLTAPI FltSetCallbackDataDirty(PFLT_CALLBACK_DATA Data);
FLTKERNELAPI VOID FLTAPI FltCancelFileOpen(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject);
FLTKERNELAPI VOID FLTAPI FltObjectDereference(PVOID FltObject);
// The vault's scan at instance setup (driver/runtime/kernel_fs.cpp, list_directory).
FLTKERNELAPI NTSTATUS FLTAPI FltQueryDirectoryFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                      PVOID FileInformation, ULONG Length,
                                      FILE_INFORMATION_CLASS FileInformationClass, BOOLEAN ReturnSingleEntry,
                                      PUNICODE_STRING FileName, BOOLEAN RestartScan, PULONG LengthReturned);
FLTKERNELAPI NTSTATUS FLTAPI FltGetVolumeName(PFLT_VOLUME Volume, PUNICODE_STRING VolumeName,
                                 PULONG BufferSizeNeeded);

FLTKERNELAPI VOID FLTAPI FltInitializePushLock(PEX_PUSH_LOCK PushLock);
FLTKERNELAPI VOID FLTAPI FltDeletePushLock(PEX_PUSH_LOCK PushLock);
FLTKERNELAPI VOID FLTAPI FltAcquirePushLockExclusive(PEX_PUSH_LOCK PushLock);
FLTKERNELAPI VOID FLTAPI FltAcquirePushLockShared(PEX_PUSH_LOCK PushLock);
FLTKERNELAPI VOID FLTAPI FltReleasePushLock(PEX_PUSH_LOCK PushLock);
FLTKERNELAPI VOID FLTAPI FltAcquireResourceExclusive(PERESOURCE Resource);
FLTKERNELAPI VOID FLTAPI FltAcquireResourceShared(PERESOURCE Resource);
FLTKERNELAPI VOID FLTAPI FltReleaseResource(PERESOURCE Resource);

FLTKERNELAPI PFLT_GENERIC_WORKITEM FLTAPI FltAllocateGenericWorkItem(VOID);
FLTKERNELAPI VOID FLTAPI FltFreeGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem);
FLTKERNELAPI NTSTATUS FLTAPI FltQueueGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem, PVOID FltObject,
                                        PFLT_GENERIC_WORKITEM_ROUTINE WorkerRoutine,
                                        WORK_QUEUE_TYPE QueueType, PVOID Context);

// Rename and link destinations, as the file system will see them.
FLTKERNELAPI NTSTATUS FLTAPI FltGetDestinationFileNameInformation(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                                     HANDLE RootDirectory, PWSTR FileName,
                                                     ULONG FileNameLength,
                                                     FLT_FILE_NAME_OPTIONS NameOptions,
                                                     PFLT_FILE_NAME_INFORMATION* RetFileNameInformation);

// Volumes and instances by name (the backup I/O finds its instance from the file's volume).
FLTKERNELAPI NTSTATUS FLTAPI FltGetVolumeFromName(PFLT_FILTER Filter, PCUNICODE_STRING VolumeName,
                                     PFLT_VOLUME* RetVolume);
FLTKERNELAPI NTSTATUS FLTAPI FltGetVolumeInstanceFromName(PFLT_FILTER Filter, PFLT_VOLUME Volume,
                                             PCUNICODE_STRING InstanceName,
                                             PFLT_INSTANCE* RetInstance);
FLTKERNELAPI NTSTATUS FLTAPI FltQueryVolumeInformation(PFLT_INSTANCE Instance, PIO_STATUS_BLOCK Iosb,
                                          PVOID FsInformation, ULONG Length,
                                          FS_INFORMATION_CLASS FsInformationClass);

// Extra create parameters (the prefetcher marks its opens with GUID_ECP_PREFETCH_OPEN).
FLTKERNELAPI NTSTATUS FLTAPI FltGetEcpListFromCallbackData(PFLT_FILTER Filter, PFLT_CALLBACK_DATA CallbackData,
                                              PECP_LIST* EcpList);
FLTKERNELAPI NTSTATUS FLTAPI FltFindExtraCreateParameter(PFLT_FILTER Filter, PECP_LIST EcpList, LPCGUID EcpType,
                                            PVOID* EcpContext, ULONG* EcpContextSize);
FLTKERNELAPI BOOLEAN FLTAPI FltIsEcpFromUserMode(PFLT_FILTER Filter, PVOID EcpContext);

#ifdef __cplusplus
}  // extern "C"
#endif

// --- the layouts, pinned (values from docs/flt-abi.md) ---------------------------------------
#ifdef __cplusplus
#define FB_ABI(type, field, off, size)                                              \
  static_assert(offsetof(type, field) == (off), #type "." #field " offset");       \
  static_assert(sizeof(((type*)nullptr)->field) == (size), #type "." #field " size")
#define FB_ABI_SIZE(type, size) static_assert(sizeof(type) == (size), "sizeof " #type)


FB_ABI_SIZE(FLT_OPERATION_REGISTRATION, 32);
FB_ABI(FLT_OPERATION_REGISTRATION, MajorFunction, 0, 1);
FB_ABI(FLT_OPERATION_REGISTRATION, Flags, 4, 4);
FB_ABI(FLT_OPERATION_REGISTRATION, PreOperation, 8, 8);
FB_ABI(FLT_OPERATION_REGISTRATION, PostOperation, 16, 8);
FB_ABI(FLT_OPERATION_REGISTRATION, Reserved1, 24, 8);

FB_ABI_SIZE(FLT_CONTEXT_REGISTRATION, 56);
FB_ABI(FLT_CONTEXT_REGISTRATION, ContextType, 0, 2);
FB_ABI(FLT_CONTEXT_REGISTRATION, Flags, 2, 2);
FB_ABI(FLT_CONTEXT_REGISTRATION, ContextCleanupCallback, 8, 8);
FB_ABI(FLT_CONTEXT_REGISTRATION, Size, 16, 8);
FB_ABI(FLT_CONTEXT_REGISTRATION, PoolTag, 24, 4);
FB_ABI(FLT_CONTEXT_REGISTRATION, ContextAllocateCallback, 32, 8);
FB_ABI(FLT_CONTEXT_REGISTRATION, ContextFreeCallback, 40, 8);
FB_ABI(FLT_CONTEXT_REGISTRATION, Reserved1, 48, 8);

FB_ABI_SIZE(FLT_REGISTRATION, 112);
FB_ABI(FLT_REGISTRATION, Size, 0, 2);
FB_ABI(FLT_REGISTRATION, Version, 2, 2);
FB_ABI(FLT_REGISTRATION, Flags, 4, 4);
FB_ABI(FLT_REGISTRATION, ContextRegistration, 8, 8);
FB_ABI(FLT_REGISTRATION, OperationRegistration, 16, 8);
FB_ABI(FLT_REGISTRATION, FilterUnloadCallback, 24, 8);
FB_ABI(FLT_REGISTRATION, InstanceSetupCallback, 32, 8);
FB_ABI(FLT_REGISTRATION, InstanceQueryTeardownCallback, 40, 8);
FB_ABI(FLT_REGISTRATION, InstanceTeardownStartCallback, 48, 8);
FB_ABI(FLT_REGISTRATION, InstanceTeardownCompleteCallback, 56, 8);
FB_ABI(FLT_REGISTRATION, GenerateFileNameCallback, 64, 8);
FB_ABI(FLT_REGISTRATION, NormalizeNameComponentCallback, 72, 8);
FB_ABI(FLT_REGISTRATION, NormalizeContextCleanupCallback, 80, 8);
FB_ABI(FLT_REGISTRATION, TransactionNotificationCallback, 88, 8);
FB_ABI(FLT_REGISTRATION, NormalizeNameComponentExCallback, 96, 8);
FB_ABI(FLT_REGISTRATION, SectionNotificationCallback, 104, 8);





FB_ABI_SIZE(FLT_FILE_NAME_INFORMATION, 120);
FB_ABI(FLT_FILE_NAME_INFORMATION, Size, 0, 2);
FB_ABI(FLT_FILE_NAME_INFORMATION, NamesParsed, 2, 2);
FB_ABI(FLT_FILE_NAME_INFORMATION, Format, 4, 4);
FB_ABI(FLT_FILE_NAME_INFORMATION, Name, 8, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, Volume, 24, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, Share, 40, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, Extension, 56, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, Stream, 72, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, FinalComponent, 88, 16);
FB_ABI(FLT_FILE_NAME_INFORMATION, ParentDir, 104, 16);

FB_ABI_SIZE(FILTER_MESSAGE_HEADER, 16);
FB_ABI(FILTER_MESSAGE_HEADER, ReplyLength, 0, 4);
FB_ABI(FILTER_MESSAGE_HEADER, MessageId, 8, 8);
FB_ABI_SIZE(FILTER_REPLY_HEADER, 16);
FB_ABI(FILTER_REPLY_HEADER, Status, 0, 4);
FB_ABI(FILTER_REPLY_HEADER, MessageId, 8, 8);

// FILE_NAMES_INFORMATION (ntifs.h; docs: "FILE_NAMES_INFORMATION structure"): the vault's scan
// walks these entries by NextEntryOffset.
FB_ABI(FILE_NAMES_INFORMATION, NextEntryOffset, 0, 4);
FB_ABI(FILE_NAMES_INFORMATION, FileIndex, 4, 4);
FB_ABI(FILE_NAMES_INFORMATION, FileNameLength, 8, 4);
FB_ABI(FILE_NAMES_INFORMATION, FileName, 12, 2);
static_assert(FileNamesInformation == 12, "FileNamesInformation (wdm.h FILE_INFORMATION_CLASS)");

// Shared with ntifs.h/ntddk.h, but the driver parses these out of InfoBuffer, so pin them too.
FB_ABI(FILE_RENAME_INFORMATION, ReplaceIfExists, 0, 1);
FB_ABI(FILE_RENAME_INFORMATION, RootDirectory, 8, 8);
FB_ABI(FILE_RENAME_INFORMATION, FileNameLength, 16, 4);
FB_ABI(FILE_RENAME_INFORMATION, FileName, 20, 2);
FB_ABI(FILE_END_OF_FILE_INFORMATION, EndOfFile, 0, 8);
FB_ABI_SIZE(FILE_DISPOSITION_INFORMATION_EX, 4);

// Values the driver passes across the ABI.
static_assert(FLT_REGISTRATION_VERSION == 0x0203, "registration layout above is 0x0203");
static_assert(FLT_PORT_ALL_ACCESS == 0x001F0001, "FLT_PORT_ALL_ACCESS");
static_assert(STATUS_FLT_DO_NOT_ATTACH == static_cast<NTSTATUS>(0xC01C000F), "STATUS_FLT_DO_NOT_ATTACH");

#undef FB_ABI
#undef FB_ABI_SIZE
#endif  // __cplusplus
