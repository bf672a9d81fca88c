// The handful of NT base types driver/nt/flt_layouts.h is written in, for the NATIVE build only (the
// translation library and its tests). The cross build takes them from mingw-w64's <ntifs.h>.
//
// Same names and the same Windows x64 (LLP64) sizes as the WDK's: ULONG is 32 bits here too
// (uint32_t, never `unsigned long`, which is 64 bits on Linux), pointers are 64 bits. Only the
// fields a layout needs are spelled out; every other kernel object is an opaque pointer, so a
// test can never depend on a structure the driver does not read. driver/nt/flt_layouts.h pins the sizes
// and offsets with the same static_asserts in both builds.
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef FB_KERNEL
#error "driver/nt/native_nt_types.h is for the native build; the kernel build uses <ntifs.h>"
#endif

static_assert(sizeof(void*) == 8, "the native translation build assumes a 64-bit host like Windows x64");

typedef void VOID;
typedef void* PVOID;
typedef void* HANDLE;
typedef uint8_t UCHAR;
typedef uint8_t BOOLEAN;
typedef char CCHAR;
typedef uint16_t USHORT;
typedef int32_t LONG;
typedef uint32_t ULONG;
typedef uint64_t ULONGLONG;
typedef int64_t LONGLONG;
typedef uint64_t ULONG_PTR;
typedef uint64_t SIZE_T;
typedef int32_t NTSTATUS;
typedef uint32_t ACCESS_MASK;
typedef uint16_t WCHAR;  // UTF-16 code unit, as on Windows (wchar_t is 32 bits on Linux)
typedef ULONG* PULONG;

#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

// Fields after the first of each FLT_PARAMETERS member are 8-byte aligned on x64 (wdm.h).
#define POINTER_ALIGNMENT __attribute__((aligned(8)))

typedef CCHAR KPROCESSOR_MODE;
typedef enum _MODE { KernelMode = 0, UserMode = 1, MaximumMode = 2 } MODE;

typedef union _LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  };
  LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef struct _LIST_ENTRY {
  struct _LIST_ENTRY* Flink;
  struct _LIST_ENTRY* Blink;
} LIST_ENTRY, *PLIST_ENTRY;

typedef struct _UNICODE_STRING {
  USHORT Length;
  USHORT MaximumLength;
  WCHAR* Buffer;
} UNICODE_STRING, *PUNICODE_STRING;

typedef struct _IO_STATUS_BLOCK {
  union {
    NTSTATUS Status;
    PVOID Pointer;
  };
  ULONG_PTR Information;
} IO_STATUS_BLOCK, *PIO_STATUS_BLOCK;

// ntstatus.h: a create that must be reissued (symbolic link, mount point, IO_REPARSE). A success
// code by NT_SUCCESS, yet nothing was opened.
#ifndef STATUS_REPARSE
#define STATUS_REPARSE ((NTSTATUS)0x00000104L)
#endif

// The create's security context: the translation reads DesiredAccess only.
typedef struct _IO_SECURITY_CONTEXT {
  struct _SECURITY_QUALITY_OF_SERVICE* SecurityQos;
  struct _ACCESS_STATE* AccessState;
  ACCESS_MASK DesiredAccess;
  ULONG FullCreateOptions;
} IO_SECURITY_CONTEXT, *PIO_SECURITY_CONTEXT;

// Opaque kernel objects.
typedef struct _FILE_OBJECT* PFILE_OBJECT;
typedef struct _ETHREAD* PETHREAD;
typedef struct _MDL* PMDL;
typedef struct _VPB* PVPB;
typedef struct _DEVICE_OBJECT* PDEVICE_OBJECT;

// 4-byte enums in the kernel headers; only their values cross into fb::.
typedef enum _FILE_INFORMATION_CLASS { FileInformationClassNativeStandIn = 0 } FILE_INFORMATION_CLASS;
typedef enum _FS_FILTER_SECTION_SYNC_TYPE {
  SyncTypeOther = 0,
  SyncTypeCreateSection = 1
} FS_FILTER_SECTION_SYNC_TYPE;

// wdm.h / ntifs.h constants the translation reads.
#define IRP_MJ_CREATE 0x00
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_SET_INFORMATION 0x06
#define IRP_MJ_FILE_SYSTEM_CONTROL 0x0d
#define IRP_MJ_CLEANUP 0x12
#define IRP_MN_USER_FS_REQUEST 0x00
#define IRP_MN_KERNEL_CALL 0x04
#define IRP_NOCACHE 0x00000001
#define IRP_PAGING_IO 0x00000002
#define IRP_SYNCHRONOUS_PAGING_IO 0x00000040
#define SL_OPEN_PAGING_FILE 0x02
