// The kernel declarations FileBackup.sys is built against: mingw-w64's <ntifs.h> plus the
// Filter Manager API (fltKernel.h in the WDK), which mingw-w64 does not ship, and the few
// ntoskrnl declarations mingw-w64 10 lacks.
//
// Every name below is the documented WDK name, so WDK documentation and samples read the same
// way against this header. Only what this driver uses (or is about to use) is declared. The
// layouts must equal the Windows x64 ABI recorded in ../shared/notes/flt-abi-x64.md; the
// static_asserts at the end pin every offset and size the driver relies on, because a wrong
// offset here is not a compile error on Windows but a blue screen.
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

#ifdef __cplusplus
extern "C" {
#endif

#define FLTAPI NTAPI

// --- ntoskrnl bits mingw-w64 10 lacks ------------------------------------------------------

typedef struct _KTRANSACTION* PKTRANSACTION;

// Windows 8+: the output block of IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION.
typedef struct _FS_FILTER_SECTION_SYNC_OUTPUT {
  ULONG StructureSize;
  ULONG SizeReturned;
  ULONG Flags;
  ULONG DesiredReadAlignment;
} FS_FILTER_SECTION_SYNC_OUTPUT, *PFS_FILTER_SECTION_SYNC_OUTPUT;

#ifndef KERNEL_SECURITY_CHECK_FAILURE
#define KERNEL_SECURITY_CHECK_FAILURE 0x00000139
#endif
#ifndef FAST_FAIL_VTGUARD_CHECK_FAILURE
#define FAST_FAIL_VTGUARD_CHECK_FAILURE 1
#endif

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

// --- Filter Manager opaque objects -------------------------------------------------------------

typedef struct _FLT_FILTER* PFLT_FILTER;
typedef struct _FLT_VOLUME* PFLT_VOLUME;
typedef struct _FLT_INSTANCE* PFLT_INSTANCE;
typedef struct _FLT_PORT* PFLT_PORT;
typedef PVOID PFLT_CONTEXT;
typedef PVOID PFLT_GENERIC_WORKITEM;

#define NULL_CONTEXT ((PFLT_CONTEXT)NULL)

// --- operation registration ------------------------------------------------------------------

// Filter Manager's pseudo major functions for fast I/O and FsFilter callbacks.
#define IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION ((UCHAR)-1)
#define IRP_MJ_RELEASE_FOR_SECTION_SYNCHRONIZATION ((UCHAR)-2)
#define IRP_MJ_ACQUIRE_FOR_MOD_WRITE ((UCHAR)-3)
#define IRP_MJ_RELEASE_FOR_MOD_WRITE ((UCHAR)-4)
#define IRP_MJ_ACQUIRE_FOR_CC_FLUSH ((UCHAR)-5)
#define IRP_MJ_RELEASE_FOR_CC_FLUSH ((UCHAR)-6)
#define IRP_MJ_QUERY_OPEN ((UCHAR)-7)
#define IRP_MJ_FAST_IO_CHECK_IF_POSSIBLE ((UCHAR)-13)
#define IRP_MJ_NETWORK_QUERY_OPEN ((UCHAR)-14)
#define IRP_MJ_MDL_READ ((UCHAR)-15)
#define IRP_MJ_MDL_READ_COMPLETE ((UCHAR)-16)
#define IRP_MJ_PREPARE_MDL_WRITE ((UCHAR)-17)
#define IRP_MJ_MDL_WRITE_COMPLETE ((UCHAR)-18)
#define IRP_MJ_VOLUME_MOUNT ((UCHAR)-19)
#define IRP_MJ_VOLUME_DISMOUNT ((UCHAR)-20)
#define IRP_MJ_OPERATION_END ((UCHAR)0x80)

typedef enum _FLT_PREOP_CALLBACK_STATUS {
  FLT_PREOP_SUCCESS_WITH_CALLBACK = 0,
  FLT_PREOP_SUCCESS_NO_CALLBACK = 1,
  FLT_PREOP_PENDING = 2,
  FLT_PREOP_DISALLOW_FASTIO = 3,
  FLT_PREOP_COMPLETE = 4,
  FLT_PREOP_SYNCHRONIZE = 5,
  FLT_PREOP_DISALLOW_FSFILTER_IO = 6
} FLT_PREOP_CALLBACK_STATUS, *PFLT_PREOP_CALLBACK_STATUS;

typedef enum _FLT_POSTOP_CALLBACK_STATUS {
  FLT_POSTOP_FINISHED_PROCESSING = 0,
  FLT_POSTOP_MORE_PROCESSING_REQUIRED = 1,
  FLT_POSTOP_DISALLOW_FSFILTER_IO = 2
} FLT_POSTOP_CALLBACK_STATUS, *PFLT_POSTOP_CALLBACK_STATUS;

typedef ULONG FLT_OPERATION_REGISTRATION_FLAGS;
#define FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO 0x00000001
#define FLTFL_OPERATION_REGISTRATION_SKIP_CACHED_IO 0x00000002
#define FLTFL_OPERATION_REGISTRATION_SKIP_NON_DASD_IO 0x00000004
#define FLTFL_OPERATION_REGISTRATION_SKIP_NON_CACHED_NON_PAGING_IO 0x00000008

typedef ULONG FLT_POST_OPERATION_FLAGS;
#define FLTFL_POST_OPERATION_DRAINING 0x00000001

// --- parameters ------------------------------------------------------------------------------

// Each member of the union follows the IO_STACK_LOCATION parameter layout, including the
// POINTER_ALIGNMENT (8 bytes on x64) on fields after the first: dropping it keeps
// sizeof(FLT_PARAMETERS) at 48 but moves the fields, hence the offset asserts below.
typedef union _FLT_PARAMETERS {
  struct {
    PIO_SECURITY_CONTEXT SecurityContext;
    ULONG POINTER_ALIGNMENT Options;  // high byte: create disposition; low 24 bits: options
    USHORT POINTER_ALIGNMENT FileAttributes;
    USHORT ShareAccess;
    ULONG POINTER_ALIGNMENT EaLength;
    PVOID EaBuffer;
    LARGE_INTEGER AllocationSize;
  } Create;

  struct {
    ULONG Length;
    ULONG POINTER_ALIGNMENT Key;
    LARGE_INTEGER ByteOffset;
    PVOID ReadBuffer;
    PMDL MdlAddress;
  } Read;

  struct {
    ULONG Length;
    ULONG POINTER_ALIGNMENT Key;
    LARGE_INTEGER ByteOffset;
    PVOID WriteBuffer;
    PMDL MdlAddress;
  } Write;

  struct {
    ULONG Length;
    FILE_INFORMATION_CLASS POINTER_ALIGNMENT FileInformationClass;
    PVOID InfoBuffer;
  } QueryFileInformation;

  struct {
    ULONG Length;
    FILE_INFORMATION_CLASS POINTER_ALIGNMENT FileInformationClass;
    PFILE_OBJECT ParentOfTarget;
    union {
      struct {
        BOOLEAN ReplaceIfExists;
        BOOLEAN AdvanceOnly;
      };
      ULONG ClusterCount;
      HANDLE DeleteHandle;
    };
    PVOID InfoBuffer;
  } SetFileInformation;

  union {
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT IoControlCode;
    } Common;
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT IoControlCode;
      PVOID SystemBuffer;
    } Buffered;
  } DeviceIoControl;

  union {
    struct {
      PVPB Vpb;
      PDEVICE_OBJECT DeviceObject;
    } VerifyVolume;
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT FsControlCode;
    } Common;
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT FsControlCode;
      PVOID InputBuffer;
      PVOID OutputBuffer;
      PMDL OutputMdlAddress;
    } Neither;
    struct {
      ULONG OutputBufferLength;
      ULONG POINTER_ALIGNMENT InputBufferLength;
      ULONG POINTER_ALIGNMENT FsControlCode;
      PVOID SystemBuffer;
    } Buffered;
  } FileSystemControl;

  // Windows 8+ layout (OutputInformation, Flags, AllocationAttributes appended).
  struct {
    FS_FILTER_SECTION_SYNC_TYPE SyncType;
    ULONG PageProtection;
    PFS_FILTER_SECTION_SYNC_OUTPUT OutputInformation;
    ULONG Flags;
    ULONG AllocationAttributes;
  } AcquireForSectionSynchronization;

  struct {
    PVOID Argument1;
    PVOID Argument2;
    PVOID Argument3;
    PVOID Argument4;
    PVOID Argument5;
    LARGE_INTEGER Argument6;
  } Others;
} FLT_PARAMETERS, *PFLT_PARAMETERS;

typedef struct _FLT_IO_PARAMETER_BLOCK {
  ULONG IrpFlags;
  UCHAR MajorFunction;
  UCHAR MinorFunction;
  UCHAR OperationFlags;
  UCHAR Reserved;
  PFILE_OBJECT TargetFileObject;
  PFLT_INSTANCE TargetInstance;
  FLT_PARAMETERS Parameters;
} FLT_IO_PARAMETER_BLOCK, *PFLT_IO_PARAMETER_BLOCK;

typedef ULONG FLT_CALLBACK_DATA_FLAGS;
#define FLTFL_CALLBACK_DATA_IRP_OPERATION 0x00000001
#define FLTFL_CALLBACK_DATA_FAST_IO_OPERATION 0x00000002
#define FLTFL_CALLBACK_DATA_FS_FILTER_OPERATION 0x00000004
#define FLTFL_CALLBACK_DATA_SYSTEM_BUFFER 0x00000008
#define FLTFL_CALLBACK_DATA_GENERATED_IO 0x00010000
#define FLTFL_CALLBACK_DATA_REISSUED_IO 0x00020000
#define FLTFL_CALLBACK_DATA_DRAINING_IO 0x00040000
#define FLTFL_CALLBACK_DATA_POST_OPERATION 0x00080000
#define FLTFL_CALLBACK_DATA_NEW_SYSTEM_BUFFER 0x00100000
#define FLTFL_CALLBACK_DATA_DIRTY 0x80000000

typedef struct _FLT_CALLBACK_DATA {
  FLT_CALLBACK_DATA_FLAGS Flags;
  PETHREAD const Thread;
  PFLT_IO_PARAMETER_BLOCK const Iopb;
  IO_STATUS_BLOCK IoStatus;
  struct _FLT_TAG_DATA_BUFFER* TagData;
  union {
    struct {
      LIST_ENTRY QueueLinks;
      PVOID QueueContext[2];
    };
    PVOID FilterContext[4];
  };
  KPROCESSOR_MODE RequestorMode;
} FLT_CALLBACK_DATA, *PFLT_CALLBACK_DATA;

typedef struct _FLT_RELATED_OBJECTS {
  USHORT const Size;
  USHORT const TransactionContext;
  PFLT_FILTER const Filter;
  PFLT_VOLUME const Volume;
  PFLT_INSTANCE const Instance;
  PFILE_OBJECT const FileObject;
  PKTRANSACTION const Transaction;
} FLT_RELATED_OBJECTS, *PFLT_RELATED_OBJECTS;
typedef const FLT_RELATED_OBJECTS* PCFLT_RELATED_OBJECTS;

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

// --- Filter Manager exports (fltmgr.sys; listed in driver/fltmgr.def) -------------------------

NTSTATUS FLTAPI FltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION* Registration,
                                  PFLT_FILTER* RetFilter);
VOID FLTAPI FltUnregisterFilter(PFLT_FILTER Filter);
NTSTATUS FLTAPI FltStartFiltering(PFLT_FILTER Filter);

NTSTATUS FLTAPI FltBuildDefaultSecurityDescriptor(PSECURITY_DESCRIPTOR* SecurityDescriptor,
                                                  ACCESS_MASK DesiredAccess);
VOID FLTAPI FltFreeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor);
NTSTATUS FLTAPI FltCreateCommunicationPort(PFLT_FILTER Filter, PFLT_PORT* ServerPort,
                                           POBJECT_ATTRIBUTES ObjectAttributes,
                                           PVOID ServerPortCookie,
                                           PFLT_CONNECT_NOTIFY ConnectNotifyCallback,
                                           PFLT_DISCONNECT_NOTIFY DisconnectNotifyCallback,
                                           PFLT_MESSAGE_NOTIFY MessageNotifyCallback,
                                           LONG MaxConnections);
VOID FLTAPI FltCloseCommunicationPort(PFLT_PORT ServerPort);
VOID FLTAPI FltCloseClientPort(PFLT_FILTER Filter, PFLT_PORT* ClientPort);
NTSTATUS FLTAPI FltSendMessage(PFLT_FILTER Filter, PFLT_PORT* ClientPort, PVOID SenderBuffer,
                               ULONG SenderBufferLength, PVOID ReplyBuffer, PULONG ReplyLength,
                               PLARGE_INTEGER Timeout);

NTSTATUS FLTAPI FltGetFileNameInformation(PFLT_CALLBACK_DATA CallbackData,
                                          FLT_FILE_NAME_OPTIONS NameOptions,
                                          PFLT_FILE_NAME_INFORMATION* FileNameInformation);
NTSTATUS FLTAPI FltGetFileNameInformationUnsafe(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance,
                                                FLT_FILE_NAME_OPTIONS NameOptions,
                                                PFLT_FILE_NAME_INFORMATION* FileNameInformation);
NTSTATUS FLTAPI FltParseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);
VOID FLTAPI FltReferenceFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);
VOID FLTAPI FltReleaseFileNameInformation(PFLT_FILE_NAME_INFORMATION FileNameInformation);

NTSTATUS FLTAPI FltAllocateContext(PFLT_FILTER Filter, FLT_CONTEXT_TYPE ContextType,
                                   SIZE_T ContextSize, POOL_TYPE PoolType,
                                   PFLT_CONTEXT* ReturnedContext);
VOID FLTAPI FltReferenceContext(PFLT_CONTEXT Context);
VOID FLTAPI FltReleaseContext(PFLT_CONTEXT Context);
VOID FLTAPI FltDeleteContext(PFLT_CONTEXT Context);
NTSTATUS FLTAPI FltSetInstanceContext(PFLT_INSTANCE Instance, FLT_SET_CONTEXT_OPERATION Operation,
                                      PFLT_CONTEXT NewContext, PFLT_CONTEXT* OldContext);
NTSTATUS FLTAPI FltGetInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT* Context);
NTSTATUS FLTAPI FltSetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                    FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext,
                                    PFLT_CONTEXT* OldContext);
NTSTATUS FLTAPI FltGetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                    PFLT_CONTEXT* Context);
NTSTATUS FLTAPI FltSetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                          FLT_SET_CONTEXT_OPERATION Operation,
                                          PFLT_CONTEXT NewContext, PFLT_CONTEXT* OldContext);
NTSTATUS FLTAPI FltGetStreamHandleContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                          PFLT_CONTEXT* Context);
NTSTATUS FLTAPI FltSetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                  FLT_SET_CONTEXT_OPERATION Operation, PFLT_CONTEXT NewContext,
                                  PFLT_CONTEXT* OldContext);
NTSTATUS FLTAPI FltGetFileContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                  PFLT_CONTEXT* Context);

NTSTATUS FLTAPI FltCreateFileEx2(PFLT_FILTER Filter, PFLT_INSTANCE Instance, PHANDLE FileHandle,
                                 PFILE_OBJECT* FileObject, ACCESS_MASK DesiredAccess,
                                 POBJECT_ATTRIBUTES ObjectAttributes,
                                 PIO_STATUS_BLOCK IoStatusBlock, PLARGE_INTEGER AllocationSize,
                                 ULONG FileAttributes, ULONG ShareAccess, ULONG CreateDisposition,
                                 ULONG CreateOptions, PVOID EaBuffer, ULONG EaLength, ULONG Flags,
                                 PIO_DRIVER_CREATE_CONTEXT DriverContext);
NTSTATUS FLTAPI FltClose(HANDLE FileHandle);
NTSTATUS FLTAPI FltReadFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject,
                            PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                            FLT_IO_OPERATION_FLAGS Flags, PULONG BytesRead,
                            PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine,
                            PVOID CallbackContext);
NTSTATUS FLTAPI FltWriteFile(PFLT_INSTANCE InitiatingInstance, PFILE_OBJECT FileObject,
                             PLARGE_INTEGER ByteOffset, ULONG Length, PVOID Buffer,
                             FLT_IO_OPERATION_FLAGS Flags, PULONG BytesWritten,
                             PFLT_COMPLETED_ASYNC_IO_CALLBACK CallbackRoutine,
                             PVOID CallbackContext);
NTSTATUS FLTAPI FltQueryInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                        PVOID FileInformation, ULONG Length,
                                        FILE_INFORMATION_CLASS FileInformationClass,
                                        PULONG LengthReturned);
NTSTATUS FLTAPI FltSetInformationFile(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject,
                                      PVOID FileInformation, ULONG Length,
                                      FILE_INFORMATION_CLASS FileInformationClass);
NTSTATUS FLTAPI FltIsDirectory(PFILE_OBJECT FileObject, PFLT_INSTANCE Instance,
                               PBOOLEAN IsDirectory);

BOOLEAN FLTAPI FltIsOperationSynchronous(PFLT_CALLBACK_DATA CallbackData);
ULONG FLTAPI FltGetRequestorProcessId(PFLT_CALLBACK_DATA CallbackData);
VOID FLTAPI FltSetCallbackDataDirty(PFLT_CALLBACK_DATA Data);
VOID FLTAPI FltCancelFileOpen(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject);
VOID FLTAPI FltObjectDereference(PVOID FltObject);

VOID FLTAPI FltInitializePushLock(PEX_PUSH_LOCK PushLock);
VOID FLTAPI FltDeletePushLock(PEX_PUSH_LOCK PushLock);
VOID FLTAPI FltAcquirePushLockExclusive(PEX_PUSH_LOCK PushLock);
VOID FLTAPI FltAcquirePushLockShared(PEX_PUSH_LOCK PushLock);
VOID FLTAPI FltReleasePushLock(PEX_PUSH_LOCK PushLock);
VOID FLTAPI FltAcquireResourceExclusive(PERESOURCE Resource);
VOID FLTAPI FltAcquireResourceShared(PERESOURCE Resource);
VOID FLTAPI FltReleaseResource(PERESOURCE Resource);

PFLT_GENERIC_WORKITEM FLTAPI FltAllocateGenericWorkItem(VOID);
VOID FLTAPI FltFreeGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem);
NTSTATUS FLTAPI FltQueueGenericWorkItem(PFLT_GENERIC_WORKITEM FltWorkItem, PVOID FltObject,
                                        PFLT_GENERIC_WORKITEM_ROUTINE WorkerRoutine,
                                        WORK_QUEUE_TYPE QueueType, PVOID Context);

#ifdef __cplusplus
}  // extern "C"
#endif

// --- the layouts, pinned (values from ../shared/notes/flt-abi-x64.md) --------------------------
#ifdef __cplusplus
#define FB_ABI(type, field, off, size)                                              \
  static_assert(offsetof(type, field) == (off), #type "." #field " offset");       \
  static_assert(sizeof(((type*)nullptr)->field) == (size), #type "." #field " size")
#define FB_ABI_SIZE(type, size) static_assert(sizeof(type) == (size), "sizeof " #type)

FB_ABI_SIZE(UNICODE_STRING, 16);
FB_ABI_SIZE(IO_STATUS_BLOCK, 16);
FB_ABI_SIZE(LIST_ENTRY, 16);
FB_ABI_SIZE(LARGE_INTEGER, 8);

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

FB_ABI_SIZE(FLT_CALLBACK_DATA, 88);
FB_ABI(FLT_CALLBACK_DATA, Flags, 0, 4);
FB_ABI(FLT_CALLBACK_DATA, Thread, 8, 8);
FB_ABI(FLT_CALLBACK_DATA, Iopb, 16, 8);
FB_ABI(FLT_CALLBACK_DATA, IoStatus, 24, 16);
FB_ABI(FLT_CALLBACK_DATA, IoStatus.Status, 24, 4);
FB_ABI(FLT_CALLBACK_DATA, IoStatus.Information, 32, 8);
FB_ABI(FLT_CALLBACK_DATA, TagData, 40, 8);
FB_ABI(FLT_CALLBACK_DATA, QueueLinks, 48, 16);
FB_ABI(FLT_CALLBACK_DATA, QueueContext, 64, 16);
FB_ABI(FLT_CALLBACK_DATA, FilterContext, 48, 32);
FB_ABI(FLT_CALLBACK_DATA, RequestorMode, 80, 1);

FB_ABI_SIZE(FLT_IO_PARAMETER_BLOCK, 72);
FB_ABI(FLT_IO_PARAMETER_BLOCK, IrpFlags, 0, 4);
FB_ABI(FLT_IO_PARAMETER_BLOCK, MajorFunction, 4, 1);
FB_ABI(FLT_IO_PARAMETER_BLOCK, MinorFunction, 5, 1);
FB_ABI(FLT_IO_PARAMETER_BLOCK, OperationFlags, 6, 1);
FB_ABI(FLT_IO_PARAMETER_BLOCK, Reserved, 7, 1);
FB_ABI(FLT_IO_PARAMETER_BLOCK, TargetFileObject, 8, 8);
FB_ABI(FLT_IO_PARAMETER_BLOCK, TargetInstance, 16, 8);
FB_ABI(FLT_IO_PARAMETER_BLOCK, Parameters, 24, 48);
// Spot checks of the union as seen through the parameter block (union offset + 24).
FB_ABI(FLT_IO_PARAMETER_BLOCK, Parameters.Write.ByteOffset, 40, 8);
FB_ABI(FLT_IO_PARAMETER_BLOCK, Parameters.SetFileInformation.InfoBuffer, 56, 8);

FB_ABI_SIZE(FLT_PARAMETERS, 48);
FB_ABI(FLT_PARAMETERS, Create, 0, 48);
FB_ABI(FLT_PARAMETERS, Create.SecurityContext, 0, 8);
FB_ABI(FLT_PARAMETERS, Create.Options, 8, 4);
FB_ABI(FLT_PARAMETERS, Create.FileAttributes, 16, 2);
FB_ABI(FLT_PARAMETERS, Create.ShareAccess, 18, 2);
FB_ABI(FLT_PARAMETERS, Create.EaLength, 24, 4);
FB_ABI(FLT_PARAMETERS, Create.EaBuffer, 32, 8);
FB_ABI(FLT_PARAMETERS, Create.AllocationSize, 40, 8);
FB_ABI(FLT_PARAMETERS, Read, 0, 40);
FB_ABI(FLT_PARAMETERS, Read.Length, 0, 4);
FB_ABI(FLT_PARAMETERS, Read.Key, 8, 4);
FB_ABI(FLT_PARAMETERS, Read.ByteOffset, 16, 8);
FB_ABI(FLT_PARAMETERS, Read.ReadBuffer, 24, 8);
FB_ABI(FLT_PARAMETERS, Read.MdlAddress, 32, 8);
FB_ABI(FLT_PARAMETERS, Write, 0, 40);
FB_ABI(FLT_PARAMETERS, Write.Length, 0, 4);
FB_ABI(FLT_PARAMETERS, Write.Key, 8, 4);
FB_ABI(FLT_PARAMETERS, Write.ByteOffset, 16, 8);
FB_ABI(FLT_PARAMETERS, Write.WriteBuffer, 24, 8);
FB_ABI(FLT_PARAMETERS, Write.MdlAddress, 32, 8);
FB_ABI(FLT_PARAMETERS, QueryFileInformation, 0, 24);
FB_ABI(FLT_PARAMETERS, QueryFileInformation.Length, 0, 4);
FB_ABI(FLT_PARAMETERS, QueryFileInformation.FileInformationClass, 8, 4);
FB_ABI(FLT_PARAMETERS, QueryFileInformation.InfoBuffer, 16, 8);
FB_ABI(FLT_PARAMETERS, SetFileInformation, 0, 40);
FB_ABI(FLT_PARAMETERS, SetFileInformation.Length, 0, 4);
FB_ABI(FLT_PARAMETERS, SetFileInformation.FileInformationClass, 8, 4);
FB_ABI(FLT_PARAMETERS, SetFileInformation.ParentOfTarget, 16, 8);
FB_ABI(FLT_PARAMETERS, SetFileInformation.ReplaceIfExists, 24, 1);
FB_ABI(FLT_PARAMETERS, SetFileInformation.AdvanceOnly, 25, 1);
FB_ABI(FLT_PARAMETERS, SetFileInformation.ClusterCount, 24, 4);
FB_ABI(FLT_PARAMETERS, SetFileInformation.DeleteHandle, 24, 8);
FB_ABI(FLT_PARAMETERS, SetFileInformation.InfoBuffer, 32, 8);
FB_ABI(FLT_PARAMETERS, DeviceIoControl.Buffered.OutputBufferLength, 0, 4);
FB_ABI(FLT_PARAMETERS, DeviceIoControl.Buffered.InputBufferLength, 8, 4);
FB_ABI(FLT_PARAMETERS, DeviceIoControl.Buffered.IoControlCode, 16, 4);
FB_ABI(FLT_PARAMETERS, DeviceIoControl.Buffered.SystemBuffer, 24, 8);
FB_ABI(FLT_PARAMETERS, FileSystemControl.Common.FsControlCode, 16, 4);
FB_ABI(FLT_PARAMETERS, AcquireForSectionSynchronization.SyncType, 0, 4);
FB_ABI(FLT_PARAMETERS, AcquireForSectionSynchronization.PageProtection, 4, 4);
FB_ABI(FLT_PARAMETERS, AcquireForSectionSynchronization.OutputInformation, 8, 8);
FB_ABI(FLT_PARAMETERS, AcquireForSectionSynchronization.Flags, 16, 4);
FB_ABI(FLT_PARAMETERS, AcquireForSectionSynchronization.AllocationAttributes, 20, 4);
FB_ABI(FLT_PARAMETERS, Others, 0, 48);
FB_ABI(FLT_PARAMETERS, Others.Argument6, 40, 8);

FB_ABI_SIZE(FLT_RELATED_OBJECTS, 48);
FB_ABI(FLT_RELATED_OBJECTS, Size, 0, 2);
FB_ABI(FLT_RELATED_OBJECTS, TransactionContext, 2, 2);
FB_ABI(FLT_RELATED_OBJECTS, Filter, 8, 8);
FB_ABI(FLT_RELATED_OBJECTS, Volume, 16, 8);
FB_ABI(FLT_RELATED_OBJECTS, Instance, 24, 8);
FB_ABI(FLT_RELATED_OBJECTS, FileObject, 32, 8);
FB_ABI(FLT_RELATED_OBJECTS, Transaction, 40, 8);

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
static_assert(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION == 0xFF, "pseudo major functions are negative UCHARs");

#undef FB_ABI
#undef FB_ABI_SIZE
#endif  // __cplusplus
