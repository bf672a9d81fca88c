// The Filter Manager structures a callback reads (fltKernel.h in the WDK), in ONE definition
// shared by both builds:
//   cross (FB_KERNEL): on top of mingw-w64's <ntifs.h>; driver/nt/flt_kernel.h includes this file and
//     declares the rest of the Filter Manager API;
//   native: on top of driver/nt/native_nt_types.h, so the translation functions (driver/callbacks/translate.h) and their
//     tests compile on the host against exactly the layouts the driver uses.
// The static_asserts below hold in both builds: an offset that differs from the Windows x64 ABI
// (docs/flt-abi.md) is a compile error on either side, never a blue screen.
#pragma once

#ifdef FB_KERNEL
#ifndef POOL_TAGGING
#define POOL_TAGGING 1  // see driver/nt/flt_kernel.h: keeps ExAllocatePoolWithTag's tag
#endif
#include <ntifs.h>
#else
#include "driver/nt/native_nt_types.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct _KTRANSACTION* PKTRANSACTION;

// Windows 8+: the output block of IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION.
typedef struct _FS_FILTER_SECTION_SYNC_OUTPUT {
  ULONG StructureSize;
  ULONG SizeReturned;
  ULONG Flags;
  ULONG DesiredReadAlignment;
} FS_FILTER_SECTION_SYNC_OUTPUT, *PFS_FILTER_SECTION_SYNC_OUTPUT;

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

#ifdef __cplusplus
}  // extern "C"
#endif

// --- the layouts, pinned (values from docs/flt-abi.md) ---------------------------------------
#ifdef __cplusplus
#define FB_LAYOUT(type, field, off, size)                                           \
  static_assert(offsetof(type, field) == (off), #type "." #field " offset");       \
  static_assert(sizeof(((type*)nullptr)->field) == (size), #type "." #field " size")
#define FB_LAYOUT_SIZE(type, size) static_assert(sizeof(type) == (size), "sizeof " #type)

FB_LAYOUT_SIZE(UNICODE_STRING, 16);
FB_LAYOUT_SIZE(IO_STATUS_BLOCK, 16);
FB_LAYOUT_SIZE(LIST_ENTRY, 16);
FB_LAYOUT_SIZE(LARGE_INTEGER, 8);
FB_LAYOUT_SIZE(FLT_CALLBACK_DATA, 88);
FB_LAYOUT(FLT_CALLBACK_DATA, Flags, 0, 4);
FB_LAYOUT(FLT_CALLBACK_DATA, Thread, 8, 8);
FB_LAYOUT(FLT_CALLBACK_DATA, Iopb, 16, 8);
FB_LAYOUT(FLT_CALLBACK_DATA, IoStatus, 24, 16);
FB_LAYOUT(FLT_CALLBACK_DATA, IoStatus.Status, 24, 4);
FB_LAYOUT(FLT_CALLBACK_DATA, IoStatus.Information, 32, 8);
FB_LAYOUT(FLT_CALLBACK_DATA, TagData, 40, 8);
FB_LAYOUT(FLT_CALLBACK_DATA, QueueLinks, 48, 16);
FB_LAYOUT(FLT_CALLBACK_DATA, QueueContext, 64, 16);
FB_LAYOUT(FLT_CALLBACK_DATA, FilterContext, 48, 32);
FB_LAYOUT(FLT_CALLBACK_DATA, RequestorMode, 80, 1);
FB_LAYOUT_SIZE(FLT_IO_PARAMETER_BLOCK, 72);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, IrpFlags, 0, 4);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, MajorFunction, 4, 1);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, MinorFunction, 5, 1);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, OperationFlags, 6, 1);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, Reserved, 7, 1);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, TargetFileObject, 8, 8);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, TargetInstance, 16, 8);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, Parameters, 24, 48);
// Spot checks of the union as seen through the parameter block (union offset + 24).
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, Parameters.Write.ByteOffset, 40, 8);
FB_LAYOUT(FLT_IO_PARAMETER_BLOCK, Parameters.SetFileInformation.InfoBuffer, 56, 8);
FB_LAYOUT_SIZE(FLT_PARAMETERS, 48);
FB_LAYOUT(FLT_PARAMETERS, Create, 0, 48);
FB_LAYOUT(FLT_PARAMETERS, Create.SecurityContext, 0, 8);
FB_LAYOUT(FLT_PARAMETERS, Create.Options, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, Create.FileAttributes, 16, 2);
FB_LAYOUT(FLT_PARAMETERS, Create.ShareAccess, 18, 2);
FB_LAYOUT(FLT_PARAMETERS, Create.EaLength, 24, 4);
FB_LAYOUT(FLT_PARAMETERS, Create.EaBuffer, 32, 8);
FB_LAYOUT(FLT_PARAMETERS, Create.AllocationSize, 40, 8);
FB_LAYOUT(FLT_PARAMETERS, Read, 0, 40);
FB_LAYOUT(FLT_PARAMETERS, Read.Length, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, Read.Key, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, Read.ByteOffset, 16, 8);
FB_LAYOUT(FLT_PARAMETERS, Read.ReadBuffer, 24, 8);
FB_LAYOUT(FLT_PARAMETERS, Read.MdlAddress, 32, 8);
FB_LAYOUT(FLT_PARAMETERS, Write, 0, 40);
FB_LAYOUT(FLT_PARAMETERS, Write.Length, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, Write.Key, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, Write.ByteOffset, 16, 8);
FB_LAYOUT(FLT_PARAMETERS, Write.WriteBuffer, 24, 8);
FB_LAYOUT(FLT_PARAMETERS, Write.MdlAddress, 32, 8);
FB_LAYOUT(FLT_PARAMETERS, QueryFileInformation, 0, 24);
FB_LAYOUT(FLT_PARAMETERS, QueryFileInformation.Length, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, QueryFileInformation.FileInformationClass, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, QueryFileInformation.InfoBuffer, 16, 8);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation, 0, 40);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.Length, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.FileInformationClass, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.ParentOfTarget, 16, 8);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.ReplaceIfExists, 24, 1);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.AdvanceOnly, 25, 1);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.ClusterCount, 24, 4);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.DeleteHandle, 24, 8);
FB_LAYOUT(FLT_PARAMETERS, SetFileInformation.InfoBuffer, 32, 8);
FB_LAYOUT(FLT_PARAMETERS, DeviceIoControl.Buffered.OutputBufferLength, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, DeviceIoControl.Buffered.InputBufferLength, 8, 4);
FB_LAYOUT(FLT_PARAMETERS, DeviceIoControl.Buffered.IoControlCode, 16, 4);
FB_LAYOUT(FLT_PARAMETERS, DeviceIoControl.Buffered.SystemBuffer, 24, 8);
FB_LAYOUT(FLT_PARAMETERS, FileSystemControl.Common.FsControlCode, 16, 4);
FB_LAYOUT(FLT_PARAMETERS, AcquireForSectionSynchronization.SyncType, 0, 4);
FB_LAYOUT(FLT_PARAMETERS, AcquireForSectionSynchronization.PageProtection, 4, 4);
FB_LAYOUT(FLT_PARAMETERS, AcquireForSectionSynchronization.OutputInformation, 8, 8);
FB_LAYOUT(FLT_PARAMETERS, AcquireForSectionSynchronization.Flags, 16, 4);
FB_LAYOUT(FLT_PARAMETERS, AcquireForSectionSynchronization.AllocationAttributes, 20, 4);
FB_LAYOUT(FLT_PARAMETERS, Others, 0, 48);
FB_LAYOUT(FLT_PARAMETERS, Others.Argument6, 40, 8);
FB_LAYOUT_SIZE(FLT_RELATED_OBJECTS, 48);
FB_LAYOUT(FLT_RELATED_OBJECTS, Size, 0, 2);
FB_LAYOUT(FLT_RELATED_OBJECTS, TransactionContext, 2, 2);
FB_LAYOUT(FLT_RELATED_OBJECTS, Filter, 8, 8);
FB_LAYOUT(FLT_RELATED_OBJECTS, Volume, 16, 8);
FB_LAYOUT(FLT_RELATED_OBJECTS, Instance, 24, 8);
FB_LAYOUT(FLT_RELATED_OBJECTS, FileObject, 32, 8);
FB_LAYOUT(FLT_RELATED_OBJECTS, Transaction, 40, 8);

// The create's security context (wdm.h): pre-create reads DesiredAccess through it.
FB_LAYOUT_SIZE(IO_SECURITY_CONTEXT, 24);
FB_LAYOUT(IO_SECURITY_CONTEXT, DesiredAccess, 16, 4);
FB_LAYOUT_SIZE(FS_FILTER_SECTION_SYNC_OUTPUT, 16);
static_assert(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION == 0xFF, "pseudo major functions are negative UCHARs");

#undef FB_LAYOUT
#undef FB_LAYOUT_SIZE
#endif  // __cplusplus
