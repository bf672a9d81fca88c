// Kernel-safe basics shared by every file in common/: fixed-width integers, a 16-bit string
// view, and the NTSTATUS values the portable code returns.
//
// Everything in common/ compiles three ways: natively (tests), with the kernel flags into
// FileBackup.sys, and into fbmon.exe. So: freestanding headers only (<stdint.h>, <stddef.h>),
// no exceptions, no RTTI, no allocation, no non-trivial globals, and char16_t, never wchar_t
// (wchar_t is 32-bit on Linux). `long` is 32-bit on Windows: use the fixed-width types.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fb {

// A non-owning view of UTF-16 code units; `len` counts code units, not bytes. Never assumed
// to be NUL-terminated (UNICODE_STRING is not).
struct Str16 {
  const char16_t* data = nullptr;
  uint32_t len = 0;

  constexpr Str16() = default;
  constexpr Str16(const char16_t* d, uint32_t n) : data(d), len(n) {}
  template <size_t N>
  static constexpr Str16 lit(const char16_t (&s)[N]) { return Str16(s, static_cast<uint32_t>(N - 1)); }

  constexpr bool empty() const { return len == 0; }
  constexpr char16_t operator[](uint32_t i) const { return data[i]; }
  constexpr Str16 sub(uint32_t pos, uint32_t count) const { return Str16(data + pos, count); }
  constexpr Str16 from(uint32_t pos) const { return Str16(data + pos, len - pos); }
};

// Exact code-unit equality.
constexpr bool equal(Str16 a, Str16 b) {
  if (a.len != b.len) return false;
  for (uint32_t i = 0; i < a.len; ++i)
    if (a.data[i] != b.data[i]) return false;
  return true;
}

// NTSTATUS as a fixed-width value. The names mirror the WDK's STATUS_* without colliding with
// the kernel headers' macros. Negative (high bit set) means failure, as NT_SUCCESS tests.
using NtStatus = int32_t;

namespace nt {
constexpr NtStatus kSuccess = 0x00000000;
constexpr NtStatus kReparse = 0x00000104;  // success class, yet nothing opened (ops.h CreateResult::reparsed)
constexpr NtStatus kEndOfFile = static_cast<NtStatus>(0xC0000011);
constexpr NtStatus kUnsuccessful = static_cast<NtStatus>(0xC0000001);
constexpr NtStatus kNotImplemented = static_cast<NtStatus>(0xC0000002);
constexpr NtStatus kInvalidParameter = static_cast<NtStatus>(0xC000000D);
constexpr NtStatus kNoSuchFile = static_cast<NtStatus>(0xC000000F);
constexpr NtStatus kAccessDenied = static_cast<NtStatus>(0xC0000022);
constexpr NtStatus kBufferTooSmall = static_cast<NtStatus>(0xC0000023);
constexpr NtStatus kObjectNameInvalid = static_cast<NtStatus>(0xC0000033);
constexpr NtStatus kObjectNameNotFound = static_cast<NtStatus>(0xC0000034);
constexpr NtStatus kObjectNameCollision = static_cast<NtStatus>(0xC0000035);
constexpr NtStatus kObjectPathNotFound = static_cast<NtStatus>(0xC000003A);
constexpr NtStatus kSharingViolation = static_cast<NtStatus>(0xC0000043);
constexpr NtStatus kDeletePending = static_cast<NtStatus>(0xC0000056);
constexpr NtStatus kDiskFull = static_cast<NtStatus>(0xC000007F);
constexpr NtStatus kInsufficientResources = static_cast<NtStatus>(0xC000009A);
constexpr NtStatus kNoMemory = static_cast<NtStatus>(0xC0000017);
constexpr NtStatus kDeviceDataError = static_cast<NtStatus>(0xC000009C);
constexpr NtStatus kFileIsADirectory = static_cast<NtStatus>(0xC00000BA);
constexpr NtStatus kNotSupported = static_cast<NtStatus>(0xC00000BB);
constexpr NtStatus kNameTooLong = static_cast<NtStatus>(0xC0000106);
constexpr NtStatus kFileCorruptError = static_cast<NtStatus>(0xC0000102);
constexpr NtStatus kDataError = static_cast<NtStatus>(0xC000003E);
constexpr NtStatus kRevisionMismatch = static_cast<NtStatus>(0xC0000059);
constexpr NtStatus kInvalidDeviceRequest = static_cast<NtStatus>(0xC0000010);
constexpr NtStatus kFileTooLarge = static_cast<NtStatus>(0xC0000904);
}  // namespace nt

constexpr bool nt_success(NtStatus s) { return s >= 0; }

}  // namespace fb
