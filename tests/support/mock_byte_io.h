// GoogleMock ByteSource and ByteSink. By default each forwards to a real endpoint (usually a
// MemorySource/MemorySink), so a test only states the calls it wants to change, e.g. "the
// third call fails with kDiskFull". FaultAtCall numbers the calls of several mocks together,
// which lets a test fail every call position in turn.
#pragma once

#include <gmock/gmock.h>

#include <vector>

#include "common/base/byte_io.h"

namespace fbtest {

class MockByteSource : public fb::ByteSource {
 public:
  MOCK_METHOD(fb::NtStatus, read, (uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read),
              (override));

  void delegate_to(fb::ByteSource& real) {
    ON_CALL(*this, read).WillByDefault([&real](uint64_t offset, void* buffer, uint32_t length, uint32_t* n) {
      return real.read(offset, buffer, length, n);
    });
  }
};

class MockByteSink : public fb::ByteSink {
 public:
  MOCK_METHOD(fb::NtStatus, write, (uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written),
              (override));
  MOCK_METHOD(fb::NtStatus, set_end_of_file, (uint64_t size), (override));

  void delegate_to(fb::ByteSink& real) {
    ON_CALL(*this, write).WillByDefault([&real](uint64_t offset, const void* buffer, uint32_t length, uint32_t* n) {
      return real.write(offset, buffer, length, n);
    });
    ON_CALL(*this, set_end_of_file).WillByDefault([&real](uint64_t size) { return real.set_end_of_file(size); });
  }
};

enum class CallKind { kRead, kWrite, kSetEndOfFile };

// Numbers calls across endpoints; the call numbered `fail_at` (0-based) fails with `status`
// and reports 0 bytes (status kSuccess thus injects an empty read or a write that made no
// progress). `log` records the kind of every call, so a clean run tells a test how many
// positions there are to fail and which step each one is.
struct FaultAtCall {
  int fail_at = -1;
  fb::NtStatus status = fb::nt::kUnsuccessful;
  int calls = 0;
  std::vector<CallKind> log;

  // True when this call is the one to fail.
  bool next(CallKind kind) {
    log.push_back(kind);
    return calls++ == fail_at;
  }
};

// Routes every call of the mocks through `faults`: the chosen call returns faults.status
// (with 0 bytes), every other call reaches the real endpoint.
inline void route_through_faults(MockByteSource& source, fb::ByteSource& real, FaultAtCall& faults) {
  ON_CALL(source, read).WillByDefault([&](uint64_t offset, void* buffer, uint32_t length, uint32_t* n) {
    if (!faults.next(CallKind::kRead)) return real.read(offset, buffer, length, n);
    *n = 0;
    return faults.status;
  });
}

inline void route_through_faults(MockByteSink& sink, fb::ByteSink& real, FaultAtCall& faults) {
  ON_CALL(sink, write).WillByDefault([&](uint64_t offset, const void* buffer, uint32_t length, uint32_t* n) {
    if (!faults.next(CallKind::kWrite)) return real.write(offset, buffer, length, n);
    *n = 0;
    return faults.status;
  });
  ON_CALL(sink, set_end_of_file).WillByDefault([&](uint64_t size) {
    return faults.next(CallKind::kSetEndOfFile) ? faults.status : real.set_end_of_file(size);
  });
}

}  // namespace fbtest
