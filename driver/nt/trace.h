// Debug traces of FileBackup.sys: DbgPrintEx under one component id so WinDbg or DebugView
// can filter them (`ed nt!Kd_IHVDRIVER_Mask 0xf` shows every level). Every line starts with
// "FileBackup: " and ends with a newline; format strings are DbgPrintEx's (%wZ for a
// PUNICODE_STRING, %08x for an NTSTATUS). Callable at IRQL <= DIRQL.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::trace {

constexpr ULONG kComponent = DPFLTR_IHVDRIVER_ID;

// DbgPrintEx levels: errors always show on a checked setup; trace and info are opt-in.
constexpr ULONG kError = DPFLTR_ERROR_LEVEL;      // something failed and was undone or refused
constexpr ULONG kWarning = DPFLTR_WARNING_LEVEL;  // a degraded but handled situation
constexpr ULONG kTrace = DPFLTR_TRACE_LEVEL;      // decisions (attach/refuse, connect/disconnect)
constexpr ULONG kInfo = DPFLTR_INFO_LEVEL;        // life cycle (load, unload)

}  // namespace fbk::trace

#define FB_TRACE_AT(level, fmt, ...) \
  DbgPrintEx(::fbk::trace::kComponent, (level), "FileBackup: " fmt "\n", ##__VA_ARGS__)
#define FB_TRACE_ERROR(fmt, ...) FB_TRACE_AT(::fbk::trace::kError, fmt, ##__VA_ARGS__)
#define FB_TRACE_WARNING(fmt, ...) FB_TRACE_AT(::fbk::trace::kWarning, fmt, ##__VA_ARGS__)
#define FB_TRACE(fmt, ...) FB_TRACE_AT(::fbk::trace::kTrace, fmt, ##__VA_ARGS__)
#define FB_TRACE_INFO(fmt, ...) FB_TRACE_AT(::fbk::trace::kInfo, fmt, ##__VA_ARGS__)
