// Windows x64 (LLP64) types the simulation reads from or writes for the image, in namespace
// ksim::nt so they never meet the driver's own declarations (driver/nt/native_nt_types.h) in a
// test. Sizes and offsets are asserted against Microsoft's documentation / mingw-w64's ddk
// headers (cited per structure), never against the driver's header.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ksim::nt {

using NTSTATUS = int32_t;
using ULONG = uint32_t;
using LONG = int32_t;
using USHORT = uint16_t;
using UCHAR = uint8_t;
using BOOLEAN = uint8_t;
using KIRQL = uint8_t;
using HANDLE = void*;
using ACCESS_MASK = uint32_t;
using WCHAR = char16_t;

// ntstatus.h values the simulation returns or checks.
constexpr NTSTATUS STATUS_SUCCESS = 0;
constexpr NTSTATUS STATUS_TIMEOUT = 0x00000102;
constexpr NTSTATUS STATUS_BUFFER_OVERFLOW = static_cast<NTSTATUS>(0x80000005);
constexpr NTSTATUS STATUS_INVALID_HANDLE = static_cast<NTSTATUS>(0xC0000008);
constexpr NTSTATUS STATUS_INVALID_PARAMETER = static_cast<NTSTATUS>(0xC000000D);
constexpr NTSTATUS STATUS_ACCESS_VIOLATION = static_cast<NTSTATUS>(0xC0000005);
constexpr NTSTATUS STATUS_BUFFER_TOO_SMALL = static_cast<NTSTATUS>(0xC0000023);
constexpr NTSTATUS STATUS_OBJECT_TYPE_MISMATCH = static_cast<NTSTATUS>(0xC0000024);
constexpr NTSTATUS STATUS_OBJECT_NAME_NOT_FOUND = static_cast<NTSTATUS>(0xC0000034);
constexpr NTSTATUS STATUS_INSUFFICIENT_RESOURCES = static_cast<NTSTATUS>(0xC000009A);
constexpr NTSTATUS STATUS_MUTANT_NOT_OWNED = static_cast<NTSTATUS>(0xC0000046);

inline bool nt_success(NTSTATUS s) { return s >= 0; }

// IRQLs (wdm.h).
constexpr KIRQL PASSIVE_LEVEL = 0;
constexpr KIRQL APC_LEVEL = 1;
constexpr KIRQL DISPATCH_LEVEL = 2;
constexpr KIRQL HIGH_LEVEL = 15;

struct UNICODE_STRING {
  USHORT Length;         // bytes, without a terminator
  USHORT MaximumLength;  // bytes
  WCHAR* Buffer;
};
static_assert(sizeof(UNICODE_STRING) == 16 && offsetof(UNICODE_STRING, Buffer) == 8, "wdm.h UNICODE_STRING");

union LARGE_INTEGER {
  struct {
    ULONG LowPart;
    LONG HighPart;
  } u;
  int64_t QuadPart;
};
static_assert(sizeof(LARGE_INTEGER) == 8, "LARGE_INTEGER");

struct LIST_ENTRY {
  LIST_ENTRY* Flink;
  LIST_ENTRY* Blink;
};

// wdm.h OBJECT_ATTRIBUTES (x64: 48 bytes).
struct OBJECT_ATTRIBUTES {
  ULONG Length;
  HANDLE RootDirectory;
  UNICODE_STRING* ObjectName;
  ULONG Attributes;
  void* SecurityDescriptor;
  void* SecurityQualityOfService;
};
static_assert(sizeof(OBJECT_ATTRIBUTES) == 48 && offsetof(OBJECT_ATTRIBUTES, ObjectName) == 16 &&
                  offsetof(OBJECT_ATTRIBUTES, Attributes) == 24,
              "wdm.h OBJECT_ATTRIBUTES");
constexpr ULONG OBJ_CASE_INSENSITIVE = 0x40;
constexpr ULONG OBJ_KERNEL_HANDLE = 0x200;

// wdm.h DISPATCHER_HEADER starts every waitable object: Type byte first, SignalState at +4.
// KEVENT is just the header (24 bytes), KMUTEX 56 bytes (mingw-w64 ddk/wdm.h, x64).
constexpr size_t kKeventSize = 24;
constexpr size_t kKmutexSize = 56;

// Registry value types (winnt.h) and KEY_VALUE_INFORMATION_CLASS (wdm.h).
constexpr ULONG REG_NONE = 0, REG_SZ = 1, REG_EXPAND_SZ = 2, REG_BINARY = 3, REG_DWORD = 4,
                REG_MULTI_SZ = 7, REG_QWORD = 11;
enum KEY_VALUE_INFORMATION_CLASS : int32_t {
  KeyValueBasicInformation = 0,
  KeyValueFullInformation = 1,
  KeyValuePartialInformation = 2,
  KeyValueFullInformationAlign64 = 3,
  KeyValuePartialInformationAlign64 = 4,
};
// KEY_VALUE_PARTIAL_INFORMATION: TitleIndex, Type, DataLength, Data[] at offset 12.
constexpr size_t kKeyValuePartialDataOffset = 12;

}  // namespace ksim::nt
