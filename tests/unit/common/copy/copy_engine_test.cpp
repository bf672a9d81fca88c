// The copy engine: exact copies under short reads and writes of every size, both end-of-stream
// styles, a source that shrank or grew, a full disk, broken endpoints, a failure injected at
// every call position in turn (never reported as success), and stream verification.
#include "common/copy/copy_engine.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "common/base/crc32c.h"
#include "tests/support/memory_byte_io.h"
#include "tests/support/mock_byte_io.h"
#include "tests/support/posix_file_io.h"

namespace {

using fb::CopyResult;
using fb::CopyStep;
using fb::NtStatus;
using fb::SourceEnd;
using fb::VerifyFailure;
using fb::VerifyResult;
using fbtest::CallKind;
using fbtest::FaultAtCall;
using fbtest::MemorySink;
using fbtest::MemorySource;
using ::testing::_;
using ::testing::NiceMock;
using ::testing::StrictMock;

namespace nt = fb::nt;
using EndStyle = MemorySource::EndStyle;

uint32_t crc_of(const std::vector<uint8_t>& bytes, size_t n) { return fb::crc32c(bytes.data(), n); }

std::vector<uint8_t> prefix(const std::vector<uint8_t>& bytes, size_t n) {
  return std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
}

CopyResult copy(MemorySource& source, MemorySink& sink, uint64_t expected, uint32_t buffer_size,
                SourceEnd end = SourceEnd::kMustReachExpectedSize) {
  std::vector<uint8_t> buffer(buffer_size);
  return fb::copy_stream(source, sink, expected, buffer.data(), buffer_size, end);
}

void expect_exact_copy(const CopyResult& result, const MemorySource& source, const MemorySink& sink, uint64_t size) {
  EXPECT_TRUE(result.ok()) << std::hex << result.status << " at " << fb::copy_step_name(result.failed_step);
  EXPECT_EQ(result.status, nt::kSuccess);
  EXPECT_EQ(result.failed_step, CopyStep::kNone);
  EXPECT_EQ(result.bytes_copied, size);
  EXPECT_EQ(result.hash, crc_of(source.content, size));
  EXPECT_EQ(sink.content, prefix(source.content, size));
  EXPECT_EQ(sink.set_end_of_file_calls, 1);
}

// --- complete copies -------------------------------------------------------------------------

struct SizeCase {
  uint64_t size;
  uint32_t buffer;
};

class CopySizes : public ::testing::TestWithParam<SizeCase> {};

TEST_P(CopySizes, CopiesExactlyAndHashesWhatItCopied) {
  for (EndStyle style : {EndStyle::kZeroBytes, EndStyle::kEndOfFileStatus}) {
    MemorySource source(fbtest::pattern_bytes(GetParam().size));
    source.end_style = style;
    MemorySink sink;
    expect_exact_copy(copy(source, sink, GetParam().size, GetParam().buffer), source, sink, GetParam().size);
    // Never reads past the expected size.
    EXPECT_LE(source.highest_offset_asked, GetParam().size);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, CopySizes,
                         ::testing::Values(SizeCase{0, 1}, SizeCase{0, 4096}, SizeCase{1, 1}, SizeCase{1, 4096},
                                           SizeCase{15, 16}, SizeCase{16, 16}, SizeCase{17, 16},
                                           SizeCase{4096, 4096}, SizeCase{65537, 4096}, SizeCase{65537, 1u << 20},
                                           SizeCase{300001, 65536}, SizeCase{100, 1}));

// Every combination of read size and write size from 1 to the buffer size.
TEST(CopyEngine, ShortReadsAndShortWritesOfEverySize) {
  constexpr uint32_t kBuffer = 16;
  constexpr uint64_t kSize = 100;
  for (uint32_t max_read = 1; max_read <= kBuffer; ++max_read)
    for (uint32_t max_write = 1; max_write <= kBuffer; ++max_write) {
      SCOPED_TRACE("max_read " + std::to_string(max_read) + " max_write " + std::to_string(max_write));
      MemorySource source(fbtest::pattern_bytes(kSize, max_read));
      source.max_read = max_read;
      MemorySink sink;
      sink.max_write = max_write;
      expect_exact_copy(copy(source, sink, kSize, kBuffer), source, sink, kSize);
    }
}

TEST(CopyEngine, SinkLongerThanSourceIsTruncatedToTheCopy) {
  MemorySource source(fbtest::pattern_bytes(10));
  MemorySink sink;
  sink.content = std::vector<uint8_t>(1000, 0xEE);  // a restore over a longer file
  expect_exact_copy(copy(source, sink, 10, 4), source, sink, 10);
}

// A file that grew: exactly expected_size bytes are copied, nothing past it is read.
TEST(CopyEngine, SourceLongerThanExpectedCopiesOnlyExpectedSize) {
  for (uint64_t expected : {0u, 1u, 7u, 8u, 9u, 64u}) {
    MemorySource source(fbtest::pattern_bytes(100));
    MemorySink sink;
    expect_exact_copy(copy(source, sink, expected, 8), source, sink, expected);
    EXPECT_LE(source.highest_offset_asked, expected);
  }
}

// --- a source that ends early (the file shrank) ------------------------------------------------

struct ShrinkCase {
  uint64_t actual;
  uint64_t expected;
  uint32_t buffer;
};

class SourceShrank : public ::testing::TestWithParam<ShrinkCase> {};

TEST_P(SourceShrank, FailsWithEndOfFileAtReadAndNeverSetsEndOfFile) {
  for (EndStyle style : {EndStyle::kZeroBytes, EndStyle::kEndOfFileStatus}) {
    MemorySource source(fbtest::pattern_bytes(GetParam().actual));
    source.end_style = style;
    MemorySink sink;
    const CopyResult result = copy(source, sink, GetParam().expected, GetParam().buffer);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.status, nt::kEndOfFile);
    EXPECT_EQ(result.failed_step, CopyStep::kRead);
    EXPECT_EQ(result.bytes_copied, GetParam().actual);
    EXPECT_EQ(result.hash, crc_of(source.content, GetParam().actual));
    EXPECT_EQ(sink.set_end_of_file_calls, 0);
  }
}

TEST_P(SourceShrank, MayEndEarlyCopiesWhatExists) {
  for (EndStyle style : {EndStyle::kZeroBytes, EndStyle::kEndOfFileStatus}) {
    MemorySource source(fbtest::pattern_bytes(GetParam().actual));
    source.end_style = style;
    MemorySink sink;
    sink.content = std::vector<uint8_t>(GetParam().expected + 5, 0xEE);
    const CopyResult result = copy(source, sink, GetParam().expected, GetParam().buffer, SourceEnd::kMayEndEarly);
    expect_exact_copy(result, source, sink, GetParam().actual);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, SourceShrank,
                         ::testing::Values(ShrinkCase{0, 1, 8}, ShrinkCase{0, 100, 8}, ShrinkCase{5, 10, 8},
                                           ShrinkCase{8, 16, 8}, ShrinkCase{9, 16, 8}, ShrinkCase{99, 100, 1}));

// FltReadFile may return STATUS_END_OF_FILE together with the last bytes it read.
TEST(CopyEngine, EndOfFileStatusWithDataKeepsTheData) {
  const std::vector<uint8_t> data = fbtest::pattern_bytes(10);
  StrictMock<fbtest::MockByteSource> source;
  EXPECT_CALL(source, read(0, _, 10, _)).WillOnce([&](uint64_t, void* buffer, uint32_t, uint32_t* n) {
    std::memcpy(buffer, data.data(), data.size());
    *n = static_cast<uint32_t>(data.size());
    return nt::kEndOfFile;
  });
  MemorySink sink;
  std::vector<uint8_t> buffer(16);
  const CopyResult result = fb::copy_stream(source, sink, 10, buffer.data(), 16);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.bytes_copied, 10u);
  EXPECT_EQ(sink.content, data);
}

// --- sink problems ---------------------------------------------------------------------------------

TEST(CopyEngine, DiskFullPartWayReportsWhatWasWritten) {
  for (uint64_t capacity : {0u, 1u, 15u, 16u, 50u, 99u}) {
    MemorySource source(fbtest::pattern_bytes(100));
    MemorySink sink;
    sink.capacity = capacity;
    const CopyResult result = copy(source, sink, 100, 16);
    EXPECT_EQ(result.status, nt::kDiskFull) << capacity;
    EXPECT_EQ(result.failed_step, CopyStep::kWrite);
    EXPECT_EQ(result.bytes_copied, capacity);
    EXPECT_EQ(result.hash, crc_of(source.content, capacity));
    EXPECT_EQ(sink.set_end_of_file_calls, 0);
  }
}

// --- arguments and broken endpoints ------------------------------------------------------------------

TEST(CopyEngine, InvalidBufferFailsBeforeAnyCall) {
  StrictMock<fbtest::MockByteSource> source;  // any call fails the test
  StrictMock<fbtest::MockByteSink> sink;
  uint8_t byte = 0;
  struct Case {
    void* buffer;
    uint32_t size;
  };
  for (const Case& c : {Case{nullptr, 16}, Case{&byte, 0}, Case{nullptr, 0}}) {
    const CopyResult result = fb::copy_stream(source, sink, 10, c.buffer, c.size);
    EXPECT_EQ(result.status, nt::kInvalidParameter);
    EXPECT_EQ(result.failed_step, CopyStep::kArguments);
    EXPECT_EQ(result.bytes_copied, 0u);
  }
}

TEST(CopyEngine, SourceReportingMoreThanAskedIsAContractViolation) {
  NiceMock<fbtest::MockByteSource> source;
  ON_CALL(source, read).WillByDefault([](uint64_t, void*, uint32_t length, uint32_t* n) {
    *n = length + 1;
    return nt::kSuccess;
  });
  MemorySink sink;
  std::vector<uint8_t> buffer(8);
  const CopyResult result = fb::copy_stream(source, sink, 100, buffer.data(), 8);
  EXPECT_EQ(result.status, fb::kCopyContractViolation);
  EXPECT_EQ(result.failed_step, CopyStep::kRead);
  EXPECT_EQ(result.bytes_copied, 0u);
  EXPECT_TRUE(sink.content.empty());
}

TEST(CopyEngine, SinkReportingMoreThanAskedIsAContractViolation) {
  MemorySource source(fbtest::pattern_bytes(100));
  NiceMock<fbtest::MockByteSink> sink;
  ON_CALL(sink, write).WillByDefault([](uint64_t, const void*, uint32_t length, uint32_t* n) {
    *n = length + 1;
    return nt::kSuccess;
  });
  EXPECT_CALL(sink, set_end_of_file(_)).Times(0);
  std::vector<uint8_t> buffer(8);
  const CopyResult result = fb::copy_stream(source, sink, 100, buffer.data(), 8);
  EXPECT_EQ(result.status, fb::kCopyContractViolation);
  EXPECT_EQ(result.failed_step, CopyStep::kWrite);
  EXPECT_EQ(result.bytes_copied, 0u);
}

// --- a failure at every call position -------------------------------------------------------------

struct Layout {
  const char* name;
  uint64_t size;
  uint32_t buffer;
  uint32_t max_read;
  uint32_t max_write;
};

// What the copy must report when call k (of the given kind) returns `injected` with 0 bytes.
struct Injection {
  const char* name;
  NtStatus injected;
  NtStatus on_read;  // expected status when the injected call is a read (kSuccess: no failure)
  NtStatus on_write;
  NtStatus on_set_end_of_file;
};

constexpr Layout kLayouts[] = {
    {"empty", 0, 8, 8, 8},
    {"one_chunk", 8, 8, 8, 8},
    {"chunks_and_tail", 21, 8, 8, 8},
    {"short_reads", 21, 8, 3, 8},
    {"short_writes", 21, 8, 8, 3},
    {"short_both", 21, 8, 5, 2},
};

constexpr Injection kInjections[] = {
    {"device_error", nt::kDeviceDataError, nt::kDeviceDataError, nt::kDeviceDataError, nt::kDeviceDataError},
    {"access_denied", nt::kAccessDenied, nt::kAccessDenied, nt::kAccessDenied, nt::kAccessDenied},
    // Success with 0 bytes: an early end of the source, a write that made no progress.
    {"zero_bytes", nt::kSuccess, nt::kEndOfFile, nt::kDiskFull, nt::kSuccess},
    // STATUS_END_OF_FILE: the end for a source, a plain failure for a sink.
    {"end_of_file", nt::kEndOfFile, nt::kEndOfFile, nt::kEndOfFile, nt::kEndOfFile},
};

CopyStep step_of(CallKind kind) {
  switch (kind) {
    case CallKind::kRead: return CopyStep::kRead;
    case CallKind::kWrite: return CopyStep::kWrite;
    case CallKind::kSetEndOfFile: return CopyStep::kSetEndOfFile;
  }
  return CopyStep::kNone;
}

NtStatus expected_status(const Injection& injection, CallKind kind) {
  switch (kind) {
    case CallKind::kRead: return injection.on_read;
    case CallKind::kWrite: return injection.on_write;
    case CallKind::kSetEndOfFile: return injection.on_set_end_of_file;
  }
  return nt::kUnsuccessful;
}

struct FaultRun {
  CopyResult result;
  FaultAtCall faults;
  MemorySource real_source;
  MemorySink real_sink;
};

void run_with_fault(const Layout& layout, int fail_at, NtStatus status, FaultRun* run) {
  run->real_source.content = fbtest::pattern_bytes(layout.size, 5);
  run->real_source.max_read = layout.max_read;
  run->real_sink.max_write = layout.max_write;
  run->faults.fail_at = fail_at;
  run->faults.status = status;
  NiceMock<fbtest::MockByteSource> source;
  NiceMock<fbtest::MockByteSink> sink;
  fbtest::route_through_faults(source, run->real_source, run->faults);
  fbtest::route_through_faults(sink, run->real_sink, run->faults);
  std::vector<uint8_t> buffer(layout.buffer);
  run->result = fb::copy_stream(source, sink, layout.size, buffer.data(), layout.buffer);
}

TEST(CopyEngineFaults, FailureAtEveryCallPositionIsReportedPrecisely) {
  for (const Layout& layout : kLayouts) {
    FaultRun clean;
    run_with_fault(layout, -1, nt::kSuccess, &clean);
    ASSERT_TRUE(clean.result.ok()) << layout.name;
    const std::vector<CallKind> calls = clean.faults.log;
    ASSERT_FALSE(calls.empty());
    ASSERT_EQ(calls.back(), CallKind::kSetEndOfFile) << "the copy ends by setting the end of file";

    for (const Injection& injection : kInjections)
      for (int k = 0; k < static_cast<int>(calls.size()); ++k) {
        SCOPED_TRACE(std::string(layout.name) + " " + injection.name + " at call " + std::to_string(k));
        FaultRun run;
        run_with_fault(layout, k, injection.injected, &run);
        const NtStatus want = expected_status(injection, calls[k]);
        EXPECT_EQ(run.result.status, want);
        if (want == nt::kSuccess) {  // a set-end-of-file that "succeeded" without doing anything
          EXPECT_EQ(run.result.bytes_copied, layout.size);
          continue;
        }
        EXPECT_FALSE(run.result.ok());
        EXPECT_EQ(run.result.failed_step, step_of(calls[k]));
        EXPECT_EQ(run.faults.calls, k + 1) << "no call after the failure";
        // bytes_copied is what the sink really holds, and the hash describes exactly that.
        const uint64_t held = calls[k] == CallKind::kSetEndOfFile ? layout.size : run.real_sink.content.size();
        EXPECT_EQ(run.result.bytes_copied, held);
        EXPECT_EQ(prefix(run.real_sink.content, std::min<size_t>(held, run.real_sink.content.size())),
                  prefix(run.real_source.content, std::min<size_t>(held, run.real_sink.content.size())));
        EXPECT_EQ(run.result.hash, crc_of(run.real_source.content, held));
      }
  }
}

// --- real files through the POSIX adapter -------------------------------------------------------------

TEST(CopyEngine, CopiesARealFileThroughThePosixAdapter) {
  char in_path[] = "/tmp/fb_copy_test_in.XXXXXX";
  char out_path[] = "/tmp/fb_copy_test_out.XXXXXX";
  const int in = mkstemp(in_path);
  const int out = mkstemp(out_path);
  ASSERT_GE(in, 0);
  ASSERT_GE(out, 0);
  const std::vector<uint8_t> data = fbtest::pattern_bytes(200000, 9);
  ASSERT_EQ(write(in, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(write(out, "stale bytes past the end", 24), 24);  // the copy must drop them

  fbtest::PosixFileSource source(in);
  fbtest::PosixFileSink sink(out);
  std::vector<uint8_t> buffer(65536);
  const CopyResult result = fb::copy_stream(source, sink, data.size(), buffer.data(), 65536);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.hash, crc_of(data, data.size()));

  fbtest::PosixFileSource copied(out);
  const VerifyResult verify = fb::verify_stream(copied, data.size(), result.hash, buffer.data(), 4096);
  EXPECT_TRUE(verify.ok()) << fb::verify_failure_name(verify.failure);
  close(in);
  close(out);
  unlink(in_path);
  unlink(out_path);
}

TEST(PosixFileAdapter, MapsErrnoToTheStatusWindowsWouldReturn) {
  struct Case {
    int error;
    NtStatus status;
  };
  for (const Case& c : {Case{ENOSPC, nt::kDiskFull}, Case{EACCES, nt::kAccessDenied}, Case{EPERM, nt::kAccessDenied},
                        Case{EISDIR, nt::kFileIsADirectory}, Case{EFBIG, nt::kFileTooLarge},
                        Case{EIO, nt::kDeviceDataError}, Case{EINVAL, nt::kInvalidParameter},
                        Case{EBADF, nt::kUnsuccessful}})
    EXPECT_EQ(fbtest::status_from_errno(c.error), c.status) << c.error;
}

TEST(PosixFileAdapter, ReadOnClosedDescriptorFailsTheCopyAtRead) {
  fbtest::PosixFileSource source(-1);
  MemorySink sink;
  std::vector<uint8_t> buffer(16);
  const CopyResult result = fb::copy_stream(source, sink, 10, buffer.data(), 16);
  EXPECT_EQ(result.status, nt::kUnsuccessful);  // EBADF
  EXPECT_EQ(result.failed_step, CopyStep::kRead);
}

// --- verify_stream and hash_stream ------------------------------------------------------------------------

struct VerifyCase {
  const char* name;
  uint64_t actual;           // bytes in the stream
  uint64_t expected_size;
  bool right_hash;           // pass the CRC of the first expected_size bytes (else a wrong one)
  VerifyFailure failure;
  NtStatus status;
};

class VerifyStream : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(VerifyStream, ReportsTheSpecificFailure) {
  const VerifyCase& c = GetParam();
  for (EndStyle style : {EndStyle::kZeroBytes, EndStyle::kEndOfFileStatus})
    for (uint32_t max_read : {1u, 3u, 64u}) {
      MemorySource source(fbtest::pattern_bytes(c.actual, 4));
      source.end_style = style;
      source.max_read = max_read;
      const uint64_t hashed = std::min(c.actual, c.expected_size);
      const uint32_t hash = c.right_hash ? crc_of(source.content, hashed) : crc_of(source.content, hashed) ^ 1u;
      std::vector<uint8_t> buffer(16);
      const VerifyResult result = fb::verify_stream(source, c.expected_size, hash, buffer.data(), 16);
      EXPECT_EQ(result.failure, c.failure) << fb::verify_failure_name(result.failure);
      EXPECT_EQ(result.status, c.status);
      EXPECT_EQ(result.ok(), c.failure == VerifyFailure::kNone);
      EXPECT_EQ(result.bytes_read, hashed);
      EXPECT_EQ(result.hash, crc_of(source.content, hashed));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Table, VerifyStream,
    ::testing::Values(VerifyCase{"match", 100, 100, true, VerifyFailure::kNone, nt::kSuccess},
                      VerifyCase{"empty_match", 0, 0, true, VerifyFailure::kNone, nt::kSuccess},
                      VerifyCase{"hash_mismatch", 100, 100, false, VerifyFailure::kHashMismatch, nt::kFileCorruptError},
                      VerifyCase{"shorter", 60, 100, true, VerifyFailure::kShorter, nt::kFileCorruptError},
                      VerifyCase{"empty_but_expected_data", 0, 1, true, VerifyFailure::kShorter, nt::kFileCorruptError},
                      VerifyCase{"longer", 101, 100, true, VerifyFailure::kLonger, nt::kFileCorruptError},
                      VerifyCase{"data_but_expected_empty", 1, 0, true, VerifyFailure::kLonger, nt::kFileCorruptError}),
    [](const ::testing::TestParamInfo<VerifyCase>& info) { return info.param.name; });

TEST(VerifyStreamFaults, ReadFailureAtEveryCallPositionIsReported) {
  MemorySource clean_source(fbtest::pattern_bytes(50));
  clean_source.max_read = 7;
  const uint32_t hash = crc_of(clean_source.content, 50);
  std::vector<uint8_t> buffer(16);
  const VerifyResult clean = fb::verify_stream(clean_source, 50, hash, buffer.data(), 16);
  ASSERT_TRUE(clean.ok());
  for (int k = 0; k < clean_source.reads; ++k) {
    SCOPED_TRACE("read " + std::to_string(k));
    MemorySource real = clean_source;
    FaultAtCall faults;
    faults.fail_at = k;
    faults.status = nt::kDeviceDataError;
    NiceMock<fbtest::MockByteSource> source;
    fbtest::route_through_faults(source, real, faults);
    const VerifyResult result = fb::verify_stream(source, 50, hash, buffer.data(), 16);
    EXPECT_FALSE(result.ok());
    EXPECT_EQ(result.failure, VerifyFailure::kRead);
    EXPECT_EQ(result.status, nt::kDeviceDataError);
    EXPECT_EQ(faults.calls, k + 1);
  }
}

TEST(VerifyStream, InvalidBufferFailsBeforeAnyRead) {
  StrictMock<fbtest::MockByteSource> source;
  const VerifyResult result = fb::verify_stream(source, 10, 0, nullptr, 16);
  EXPECT_EQ(result.failure, VerifyFailure::kArguments);
  EXPECT_EQ(result.status, nt::kInvalidParameter);
}

TEST(HashStream, HashesWithoutComparing) {
  MemorySource source(fbtest::pattern_bytes(1000));
  std::vector<uint8_t> buffer(64);
  const VerifyResult result = fb::hash_stream(source, 1000, buffer.data(), 64);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.hash, crc_of(source.content, 1000));
}

TEST(CopyEngineNames, EveryStepAndFailureHasAName) {
  for (CopyStep step : {CopyStep::kNone, CopyStep::kArguments, CopyStep::kRead, CopyStep::kWrite, CopyStep::kSetEndOfFile})
    EXPECT_STRNE(fb::copy_step_name(step), "unknown");
  for (VerifyFailure f : {VerifyFailure::kNone, VerifyFailure::kArguments, VerifyFailure::kRead, VerifyFailure::kShorter,
                          VerifyFailure::kLonger, VerifyFailure::kHashMismatch})
    EXPECT_STRNE(fb::verify_failure_name(f), "unknown");
  EXPECT_STREQ(fb::copy_step_name(CopyStep::kSetEndOfFile), "set-end-of-file");
  EXPECT_STREQ(fb::copy_step_name(static_cast<CopyStep>(99)), "unknown");
}

}  // namespace
