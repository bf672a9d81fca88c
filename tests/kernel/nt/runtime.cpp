// The remaining ntoskrnl exports the image imports or looks up: string and memory helpers,
// MmUserProbeAddress, MmGetSystemRoutineAddress, KeQuerySystemTimePrecise, the requestor
// context (ExGetPreviousMode, IoGetTopLevelIrp), KeBugCheckEx and __C_specific_handler.
#include <cstdio>
#include <cstring>
#include <cwctype>

#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/nt/clock.h"
#include "tests/kernel/nt/entry.h"
#include "tests/kernel/nt/names.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::runtime {
namespace {

using namespace ksim::nt;

// RtlInitUnicodeString: IRQL <= DISPATCH_LEVEL (the source must be nonpaged above PASSIVE).
// Length = the string's bytes without the terminator, MaximumLength = Length + 2; a NULL source
// gives an empty string with a NULL Buffer.
KSIM_API void RtlInitUnicodeString(UNICODE_STRING* destination, const char16_t* source) {
  KSIM_ENTER(DISPATCH_LEVEL);
  destination->Buffer = const_cast<char16_t*>(source);
  if (source == nullptr) {
    destination->Length = destination->MaximumLength = 0;
    return;
  }
  size_t n = 0;
  while (source[n] != 0) ++n;
  if (n * 2 > 0xfffc) {
    ksim_entry.violation(verifier::kDdiCompliance, "source longer than a UNICODE_STRING can describe");
    n = 0xfffc / 2;
  }
  destination->Length = static_cast<USHORT>(n * 2);
  destination->MaximumLength = static_cast<USHORT>(n * 2 + 2);
}

// RtlUpcaseUnicodeChar: IRQL <= DISPATCH_LEVEL (docs: "any" for the nonpaged table). Windows
// uses its NLS upcase table; towupper in the C.UTF-8 locale agrees on every letter the driver's
// names contain (ASCII, Latin-1, Greek, Cyrillic), not on every code point.
KSIM_API WCHAR RtlUpcaseUnicodeChar(WCHAR c) {
  KSIM_ENTER(DISPATCH_LEVEL);
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr);
  if (c < 0x80) return (c >= u'a' && c <= u'z') ? static_cast<WCHAR>(c - 32) : c;
  if (utf8 == nullptr || (c >= 0xD800 && c < 0xE000)) return c;
  const wint_t up = towupper_l(static_cast<wint_t>(c), utf8);
  return up <= 0xFFFF ? static_cast<WCHAR>(up) : c;
}

KSIM_API void* memcpy_export(void* destination, const void* source, size_t bytes) {
  return std::memcpy(destination, source, bytes);
}

KSIM_API void* memset_export(void* destination, int value, size_t bytes) { return std::memset(destination, value, bytes); }

// KeQuerySystemTimePrecise (Windows 8+; the driver finds it with MmGetSystemRoutineAddress).
KSIM_API void KeQuerySystemTimePrecise(LARGE_INTEGER* time) {
  KSIM_ENTER(HIGH_LEVEL);
  time->QuadPart = clock::system_time();
}

// MmGetSystemRoutineAddress: IRQL PASSIVE_LEVEL. Any ntoskrnl or HAL export the simulation has.
KSIM_API void* MmGetSystemRoutineAddress(UNICODE_STRING* name) {
  KSIM_ENTER(PASSIVE_LEVEL);
  if (name == nullptr || name->Buffer == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "NULL SystemRoutineName");
    return nullptr;
  }
  const std::string ascii = names::to_utf8(names::to_u16(*name));
  for (const char* module : {"ntoskrnl.exe", "HAL.dll"})
    if (const Export* e = find_export(module, ascii.c_str())) return e->address;
  return nullptr;
}

// ExGetPreviousMode: IRQL <= DISPATCH_LEVEL... any IRQL in practice.
KSIM_API int8_t ExGetPreviousMode() {
  KSIM_ENTER(HIGH_LEVEL);
  return current_thread().previous_mode;
}

// IoGetTopLevelIrp: any IRQL.
KSIM_API void* IoGetTopLevelIrp() {
  KSIM_ENTER(HIGH_LEVEL);
  return current_thread().top_level_irp;
}

// KeBugCheckEx: the machine stops. Here: the test process, after naming the caller.
KSIM_API void KeBugCheckEx(ULONG code, uint64_t p1, uint64_t p2, uint64_t p3, uint64_t p4) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "KeBugCheckEx(0x%08X, 0x%llx, 0x%llx, 0x%llx, 0x%llx)", code,
                static_cast<unsigned long long>(p1), static_cast<unsigned long long>(p2),
                static_cast<unsigned long long>(p3), static_cast<unsigned long long>(p4));
  verifier::fatal(verifier::kBugCheck, __builtin_return_address(0), buf);
}

// __C_specific_handler is only ever called by the kernel's exception dispatcher, never by
// driver code; the simulation's fault handler reads the image's scope tables itself
// (loader/privileged.cpp). A direct call means the image did something no Windows driver does.
KSIM_API int C_specific_handler(void*, void*, void*, void*) {
  verifier::fatal(verifier::kBugCheck, __builtin_return_address(0), "__C_specific_handler called directly");
}

const Export kExports[] = {
    {"ntoskrnl.exe", "RtlInitUnicodeString", reinterpret_cast<void*>(&RtlInitUnicodeString), false},
    {"ntoskrnl.exe", "RtlUpcaseUnicodeChar", reinterpret_cast<void*>(&RtlUpcaseUnicodeChar), false},
    {"ntoskrnl.exe", "memcpy", reinterpret_cast<void*>(&memcpy_export), false},
    {"ntoskrnl.exe", "memset", reinterpret_cast<void*>(&memset_export), false},
    {"ntoskrnl.exe", "KeQuerySystemTimePrecise", reinterpret_cast<void*>(&KeQuerySystemTimePrecise), false},
    {"ntoskrnl.exe", "MmGetSystemRoutineAddress", reinterpret_cast<void*>(&MmGetSystemRoutineAddress), false},
    {"ntoskrnl.exe", "MmUserProbeAddress", &g_mm_user_probe_address, true},
    {"ntoskrnl.exe", "ExGetPreviousMode", reinterpret_cast<void*>(&ExGetPreviousMode), false},
    {"ntoskrnl.exe", "IoGetTopLevelIrp", reinterpret_cast<void*>(&IoGetTopLevelIrp), false},
    {"ntoskrnl.exe", "KeBugCheckEx", reinterpret_cast<void*>(&KeBugCheckEx), false},
    {"ntoskrnl.exe", "__C_specific_handler", reinterpret_cast<void*>(&C_specific_handler), false},
};
const ExportTable kTable(kExports);

}  // namespace
}  // namespace ksim::runtime
