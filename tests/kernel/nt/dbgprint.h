// DbgPrintEx, captured: each call is formatted with Windows kernel printf conventions by our own
// formatter (the arguments arrive as ms_abi varargs, which vsnprintf cannot take) and kept for
// assertions. Conventions (Microsoft docs, "Format specification syntax" and DbgPrint):
//   l = 32 bits (LLP64: long is 32-bit), ll / I64 = 64 bits, I = pointer-sized, h = 16 bits;
//   %wZ = PUNICODE_STRING, %Z = PANSI_STRING, %ws / %ls / %S = PCWSTR, %wc / %C = WCHAR,
//   %p = pointer as 16 hex digits (upper case), %s = PCSTR, %c, %d %i %u %x %X %o, %%.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ksim::dbgprint {

struct Line {
  uint32_t component;
  uint32_t level;
  std::string text;
};

std::vector<Line> lines();
// All captured text joined (for EXPECT_THAT(..., HasSubstr(...))).
std::string all_text();
void clear();

// The formatter, usable directly on a host va_list of ms_abi arguments.
std::string format(const char* format, __builtin_ms_va_list args);

}  // namespace ksim::dbgprint
