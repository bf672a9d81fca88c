// Round trips of every message kind, encoder bounds, and dispatch through decode_header.
#include <gtest/gtest.h>

#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "common/protocol/protocol.h"

namespace {

using fb::BackupEvent;
using fb::GapReport;
using fb::Str16;
namespace proto = fb::proto;
using proto::Error;

std::vector<uint8_t> encoded_event(const BackupEvent& e) {
  std::vector<uint8_t> out(proto::event_message_bytes(e.path.len));
  const proto::EncodeResult r = proto::encode_event(e, out.data(), out.size());
  EXPECT_EQ(r.error, Error::kOk);
  EXPECT_EQ(r.size, out.size());
  return out;
}

BackupEvent sample_event(const std::u16string& path) {
  BackupEvent e;
  e.sequence = 42;
  e.time = 133'000'000'000'000'000;
  e.process_id = 4321;
  e.trigger = fb::Trigger::kOverwriteOnOpen;
  e.outcome = fb::Outcome::kBackedUp;
  e.skip_reason = fb::SkipReason::kNone;
  e.status = fb::nt::kSuccess;
  e.file_size = 123456;
  e.bytes_copied = 123456;
  e.duration = 5000;
  e.slot = 1;
  e.path = Str16(path.data(), static_cast<uint32_t>(path.size()));
  return e;
}

void expect_same_event(const BackupEvent& a, const BackupEvent& b) {
  EXPECT_EQ(a.sequence, b.sequence);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.process_id, b.process_id);
  EXPECT_EQ(a.trigger, b.trigger);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.skip_reason, b.skip_reason);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.file_size, b.file_size);
  EXPECT_EQ(a.bytes_copied, b.bytes_copied);
  EXPECT_EQ(a.duration, b.duration);
  EXPECT_EQ(a.slot, b.slot);
  EXPECT_TRUE(fb::equal(a.path, b.path));
}

struct EventCase {
  const char* name;
  std::u16string path;
  fb::Trigger trigger;
  fb::Outcome outcome;
  fb::SkipReason skip;
  fb::NtStatus status;
  uint64_t big;  // file size, bytes copied, pid, duration: extremes survive
};

void PrintTo(const EventCase& c, std::ostream* os) { *os << c.name; }

class EventRoundTrip : public ::testing::TestWithParam<EventCase> {};

TEST_P(EventRoundTrip, DecodesToTheSameFieldsAndReencodesToTheSameBytes) {
  const EventCase& c = GetParam();
  BackupEvent e = sample_event(c.path);
  e.trigger = c.trigger;
  e.outcome = c.outcome;
  e.skip_reason = c.skip;
  e.status = c.status;
  e.file_size = e.bytes_copied = e.process_id = e.duration = c.big;
  e.time = -static_cast<int64_t>(c.big / 2);
  const std::vector<uint8_t> bytes = encoded_event(e);

  BackupEvent d;
  ASSERT_EQ(proto::decode_event(bytes.data(), bytes.size(), &d), Error::kOk);
  expect_same_event(e, d);
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(d.path.data), bytes.data() + proto::kEventFixedBytes)
      << "the path is a view into the buffer";
  EXPECT_EQ(encoded_event(d), bytes);
}

std::u16string longest_path() {
  std::u16string p = u"\\Device\\HarddiskVolume3";
  while (p.size() < fb::kMaxPathUnits) p += u"\\d\u00e9";
  p.resize(fb::kMaxPathUnits);
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Events, EventRoundTrip,
    ::testing::Values(
        EventCase{"BackedUp", u"\\Device\\HarddiskVolume3\\Users\\a\\Documents\\report.docx", fb::Trigger::kWrite,
                  fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, 1},
        EventCase{"EmptyPath", u"", fb::Trigger::kOther, fb::Outcome::kFailed, fb::SkipReason::kNone,
                  fb::nt::kSharingViolation, 0},
        EventCase{"SkippedTooLarge", u"\\Device\\HarddiskVolume1\\big.iso", fb::Trigger::kTruncate,
                  fb::Outcome::kSkipped, fb::SkipReason::kTooLarge, fb::nt::kSuccess, UINT64_MAX},
        EventCase{"Cyrillic", u"\\Device\\HarddiskVolume2\\\u0414\u043e\u043a\u0443\u043c\u0435\u043d\u0442\u044b\\x",
                  fb::Trigger::kMappedSection, fb::Outcome::kBackupLost, fb::SkipReason::kNone, fb::nt::kSuccess,
                  1ull << 40},
        EventCase{"SurrogatePair", u"\\Device\\HarddiskVolume2\\\U0001F600.txt", fb::Trigger::kRenameOver,
                  fb::Outcome::kSkipped, fb::SkipReason::kDisabled, fb::nt::kSuccess, 7},
        EventCase{"LongestPath", longest_path(), fb::Trigger::kAppend, fb::Outcome::kFailed, fb::SkipReason::kNone,
                  fb::nt::kDiskFull, 99},
        EventCase{"DeleteLost", u"\\Device\\HarddiskVolume3\\a", fb::Trigger::kDelete, fb::Outcome::kBackupLost,
                  fb::SkipReason::kEmptyFile, fb::nt::kSuccess, 3},
        EventCase{"KeptInVault", u"\\Device\\HarddiskVolume3\\b", fb::Trigger::kDelete, fb::Outcome::kKeptInVault,
                  fb::SkipReason::kNone, fb::nt::kSuccess, 5},
        EventCase{"VaultEvicted", u"\\Device\\HarddiskVolume3\\c", fb::Trigger::kDelete, fb::Outcome::kVaultEvicted,
                  fb::SkipReason::kNone, fb::nt::kSuccess, 6},
        EventCase{"DeleteThenRename", u"\\Device\\HarddiskVolume3\\d", fb::Trigger::kDeleteThenRename,
                  fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, 7},
        EventCase{"RenameAwayThenRename", u"\\Device\\HarddiskVolume3\\e", fb::Trigger::kRenameAwayThenRename,
                  fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, 8},
        EventCase{"DeleteThenCreate", u"\\Device\\HarddiskVolume3\\f", fb::Trigger::kDeleteThenCreate,
                  fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, 9}),
    [](const ::testing::TestParamInfo<EventCase>& info) { return std::string(info.param.name); });

TEST(EventEncoding, LongestPathIsTheLargestMessage) {
  const std::u16string p = longest_path();
  const std::vector<uint8_t> bytes = encoded_event(sample_event(p));
  EXPECT_EQ(bytes.size(), proto::kMaxMessageBytes);
}

TEST(EventEncoding, GoldenBytesPinTheLayout) {
  // If this fails, the wire format changed: raise kProtocolVersion and update docs/protocol.md.
  BackupEvent e;
  e.sequence = 0x0102030405060708;
  e.time = 0x1112131415161718;
  e.process_id = 0x2122232425262728;
  e.file_size = 0x3132333435363738;
  e.bytes_copied = 0x4142434445464748;
  e.duration = 0x5152535455565758;
  e.status = static_cast<fb::NtStatus>(0xC0000043);
  e.slot = 0x61626364;
  e.trigger = fb::Trigger::kAppend;
  e.outcome = fb::Outcome::kFailed;
  e.skip_reason = fb::SkipReason::kLowDiskSpace;
  const char16_t path[] = u"\\A";
  e.path = Str16(path, 2);
  const std::vector<uint8_t> expected = {
      0x46, 0x42, 0x4B, 0x50, 0x02, 0x00, 0x01, 0x00, 0x54, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // header
      0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x18, 0x17, 0x16, 0x15, 0x14, 0x13, 0x12, 0x11,  // seq, time
      0x28, 0x27, 0x26, 0x25, 0x24, 0x23, 0x22, 0x21, 0x38, 0x37, 0x36, 0x35, 0x34, 0x33, 0x32, 0x31,  // pid, size
      0x48, 0x47, 0x46, 0x45, 0x44, 0x43, 0x42, 0x41, 0x58, 0x57, 0x56, 0x55, 0x54, 0x53, 0x52, 0x51,  // copied, dur
      0x43, 0x00, 0x00, 0xC0, 0x64, 0x63, 0x62, 0x61, 0x02, 0x03, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00,  // status..len
      0x5C, 0x00, 0x41, 0x00};                                                                         // path
  EXPECT_EQ(encoded_event(e), expected);
}

TEST(EventEncoding, NeverWritesPastCapacity) {
  const std::u16string p = u"\\Device\\HarddiskVolume3\\x.txt";
  const BackupEvent e = sample_event(p);
  const uint32_t need = proto::event_message_bytes(static_cast<uint32_t>(p.size()));
  for (uint32_t capacity = 0; capacity < need; ++capacity) {
    std::vector<uint8_t> out(capacity + 16, 0xAB);
    const proto::EncodeResult r = proto::encode_event(e, out.data(), capacity);
    EXPECT_EQ(r.error, Error::kOutputTooSmall) << capacity;
    EXPECT_EQ(r.size, need);
    for (uint8_t b : out) ASSERT_EQ(b, 0xAB) << "wrote with capacity " << capacity;
  }
}

TEST(EventEncoding, SizingQueryWithNoBuffer) {
  const std::u16string p = u"abc";
  const proto::EncodeResult r = proto::encode_event(sample_event(p), nullptr, 0);
  EXPECT_EQ(r.error, Error::kOutputTooSmall);
  EXPECT_EQ(r.size, proto::kEventFixedBytes + 6);
  EXPECT_EQ(proto::encode_event(sample_event(p), nullptr, 100).error, Error::kNullBuffer);
}

struct InvalidEventCase {
  const char* name;
  void (*spoil)(BackupEvent*);
  Error expected;
};

void PrintTo(const InvalidEventCase& c, std::ostream* os) { *os << c.name; }

class InvalidEvent : public ::testing::TestWithParam<InvalidEventCase> {};

TEST_P(InvalidEvent, IsRefusedByValidateAndEncode) {
  const std::u16string p = u"\\x";
  BackupEvent e = sample_event(p);
  GetParam().spoil(&e);
  EXPECT_EQ(proto::validate_event(e), GetParam().expected);
  std::vector<uint8_t> out(proto::kMaxMessageBytes + 64);
  EXPECT_EQ(proto::encode_event(e, out.data(), out.size()).error, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Events, InvalidEvent,
    ::testing::Values(
        InvalidEventCase{"PathTooLong", [](BackupEvent* e) { e->path.len = fb::kMaxPathUnits + 1; },
                         Error::kPathTooLong},
        InvalidEventCase{"NullPath", [](BackupEvent* e) { e->path.data = nullptr; }, Error::kNullBuffer},
        InvalidEventCase{"TriggerZero", [](BackupEvent* e) { e->trigger = static_cast<fb::Trigger>(0); },
                         Error::kBadEnumValue},
        InvalidEventCase{"TriggerPastEnd", [](BackupEvent* e) { e->trigger = static_cast<fb::Trigger>(12); },
                         Error::kBadEnumValue},
        InvalidEventCase{"OutcomePastEnd", [](BackupEvent* e) { e->outcome = static_cast<fb::Outcome>(7); },
                         Error::kBadEnumValue},
        InvalidEventCase{"SkipPastEnd", [](BackupEvent* e) { e->skip_reason = static_cast<fb::SkipReason>(fb::kSkipReasonCount); },
                         Error::kBadEnumValue}),
    [](const ::testing::TestParamInfo<InvalidEventCase>& info) { return std::string(info.param.name); });

TEST(GapEncoding, RoundTrips) {
  for (const GapReport& g : {GapReport{1, 7, 7}, GapReport{10, 1, 10}, GapReport{UINT64_MAX, 1, UINT64_MAX}}) {
    uint8_t buf[proto::kGapBytes];
    ASSERT_EQ(proto::encode_gap(g, buf, sizeof(buf)).error, Error::kOk);
    GapReport d;
    ASSERT_EQ(proto::decode_gap(buf, sizeof(buf), &d), Error::kOk);
    EXPECT_EQ(d.dropped, g.dropped);
    EXPECT_EQ(d.first_sequence, g.first_sequence);
    EXPECT_EQ(d.last_sequence, g.last_sequence);
  }
}

TEST(GapEncoding, RefusesInconsistentRanges) {
  uint8_t buf[proto::kGapBytes];
  for (const GapReport& g : {GapReport{0, 5, 5}, GapReport{2, 5, 5}, GapReport{1, 6, 5}, GapReport{1, 0, 0}})
    EXPECT_EQ(proto::encode_gap(g, buf, sizeof(buf)).error, Error::kBadGapRange);
}

TEST(HelloEncoding, RoundTripsEveryRoleAndAnyVersion) {
  for (proto::HelloRole role :
       {proto::HelloRole::kWatcher, proto::HelloRole::kControl, proto::HelloRole::kVersionProbe}) {
    for (uint16_t version : {uint16_t{1}, uint16_t{2}, uint16_t{0xFFFF}}) {
      uint8_t buf[proto::kHelloBytes];
      ASSERT_EQ(proto::encode_hello({version, role}, buf, sizeof(buf)).error, Error::kOk);
      proto::Hello d;
      ASSERT_EQ(proto::decode_hello(buf, sizeof(buf), &d), Error::kOk);
      EXPECT_EQ(d.version, version);
      EXPECT_EQ(d.role, role);
    }
  }
}

TEST(RequestEncoding, GetStatsAndReloadAreBareHeaders) {
  uint8_t buf[proto::kHeaderBytes];
  ASSERT_EQ(proto::encode_get_stats(buf, sizeof(buf)).size, proto::kGetStatsBytes);
  EXPECT_EQ(proto::decode_get_stats(buf, sizeof(buf)), Error::kOk);
  EXPECT_EQ(proto::decode_reload_config(buf, sizeof(buf)), Error::kUnexpectedType);
  ASSERT_EQ(proto::encode_reload_config(buf, sizeof(buf)).size, proto::kReloadConfigBytes);
  EXPECT_EQ(proto::decode_reload_config(buf, sizeof(buf)), Error::kOk);
  EXPECT_EQ(proto::encode_get_stats(buf, 15).error, Error::kOutputTooSmall);
}

TEST(ReplyEncoding, HelloReplyCarriesTheDriversVersion) {
  uint8_t buf[proto::kHelloReplyBytes];
  ASSERT_EQ(proto::encode_hello_reply({proto::kVersionMismatchStatus, 7}, buf, sizeof(buf)).error, Error::kOk);
  proto::HelloReply d;
  ASSERT_EQ(proto::decode_hello_reply(buf, sizeof(buf), &d), Error::kOk);
  EXPECT_EQ(d.status, proto::kVersionMismatchStatus);
  EXPECT_EQ(d.driver_version, 7);
}

TEST(ReplyEncoding, StatsReplyRoundTripsEveryCounter) {
  proto::StatsReply r;
  r.status = fb::nt::kSuccess;
  fb::Statistics& s = r.stats;
  s.tracked_files = 11;
  s.backups = 22;
  s.bytes_copied = 1ull << 50;
  for (int i = 0; i < 8; ++i) {
    s.skips[i] = 100 + i;
    s.failures[i] = 200 + i;
  }
  s.events_dropped = 33;
  s.queue_high_water = 44;
  s.queue_high_water_bytes = 55;
  s.queue_capacity_bytes = 1 << 20;
  s.rules_loaded = 66;
  uint8_t buf[proto::kStatsReplyBytes];
  ASSERT_EQ(proto::encode_stats_reply(r, buf, sizeof(buf)).size, proto::kStatsReplyBytes);
  proto::StatsReply d;
  ASSERT_EQ(proto::decode_stats_reply(buf, sizeof(buf), &d), Error::kOk);
  EXPECT_EQ(std::memcmp(&d.stats, &s, sizeof(s)), 0);
  EXPECT_EQ(d.status, r.status);
}

TEST(ReplyEncoding, ReloadAndErrorRepliesRoundTrip) {
  uint8_t buf[proto::kMaxReplyBytes];
  ASSERT_EQ(proto::encode_reload_config_reply({fb::nt::kObjectNameNotFound, 12}, buf, sizeof(buf)).size,
            proto::kReloadConfigReplyBytes);
  proto::ReloadConfigReply reload;
  ASSERT_EQ(proto::decode_reload_config_reply(buf, proto::kReloadConfigReplyBytes, &reload), Error::kOk);
  EXPECT_EQ(reload.status, fb::nt::kObjectNameNotFound);
  EXPECT_EQ(reload.rules_loaded, 12u);

  ASSERT_EQ(proto::encode_error_reply({fb::nt::kInvalidDeviceRequest, 0x1234, Error::kUnknownType}, buf,
                                      sizeof(buf))
                .size,
            proto::kErrorReplyBytes);
  proto::ErrorReply err;
  ASSERT_EQ(proto::decode_error_reply(buf, proto::kErrorReplyBytes, &err), Error::kOk);
  EXPECT_EQ(err.status, fb::nt::kInvalidDeviceRequest);
  EXPECT_EQ(err.request_type, 0x1234);
  EXPECT_EQ(err.decode_error, Error::kUnknownType);
  EXPECT_EQ(proto::encode_error_reply({0, 1, static_cast<Error>(200)}, buf, sizeof(buf)).error,
            Error::kBadEnumValue);
}

TEST(Dispatch, DecodeHeaderNamesEveryType) {
  std::vector<std::pair<std::vector<uint8_t>, proto::MessageType>> cases;
  const std::u16string p = u"\\p";
  cases.push_back({encoded_event(sample_event(p)), proto::MessageType::kEvent});
  auto add = [&](proto::MessageType type, auto encode, uint32_t size) {
    std::vector<uint8_t> buf(size);
    ASSERT_EQ(encode(buf.data(), buf.size()).error, Error::kOk);
    cases.push_back({buf, type});
  };
  add(proto::MessageType::kGap, [](void* o, size_t n) { return proto::encode_gap({1, 1, 1}, o, n); }, proto::kGapBytes);
  add(proto::MessageType::kHello, [](void* o, size_t n) { return proto::encode_hello({}, o, n); }, proto::kHelloBytes);
  add(proto::MessageType::kGetStats, proto::encode_get_stats, proto::kGetStatsBytes);
  add(proto::MessageType::kReloadConfig, proto::encode_reload_config, proto::kReloadConfigBytes);
  add(proto::MessageType::kHelloReply, [](void* o, size_t n) { return proto::encode_hello_reply({}, o, n); },
      proto::kHelloReplyBytes);
  add(proto::MessageType::kStatsReply, [](void* o, size_t n) { return proto::encode_stats_reply({}, o, n); },
      proto::kStatsReplyBytes);
  add(proto::MessageType::kReloadConfigReply,
      [](void* o, size_t n) { return proto::encode_reload_config_reply({}, o, n); }, proto::kReloadConfigReplyBytes);
  add(proto::MessageType::kErrorReply, [](void* o, size_t n) { return proto::encode_error_reply({}, o, n); },
      proto::kErrorReplyBytes);
  ASSERT_EQ(cases.size(), 9u);
  for (const auto& [bytes, type] : cases) {
    proto::Header h;
    ASSERT_EQ(proto::decode_header(bytes.data(), bytes.size(), &h), Error::kOk);
    EXPECT_EQ(h.type, type);
    EXPECT_EQ(h.length, bytes.size());
    EXPECT_EQ(h.version, proto::kProtocolVersion);
  }
}

TEST(Dispatch, FrozenMessagesPassTheHeaderCheckInAnyVersion) {
  uint8_t hello[proto::kHelloBytes];
  ASSERT_EQ(proto::encode_hello({9, proto::HelloRole::kVersionProbe}, hello, sizeof(hello)).error, Error::kOk);
  proto::Header h;
  ASSERT_EQ(proto::decode_header(hello, sizeof(hello), &h), Error::kOk);
  EXPECT_EQ(h.version, 9);

  uint8_t stats[proto::kGetStatsBytes];
  proto::encode_get_stats(stats, sizeof(stats));
  stats[4] = 9;
  EXPECT_EQ(proto::decode_header(stats, sizeof(stats), &h), Error::kUnsupportedVersion);
}

struct ConnectCase {
  const char* name;
  uint16_t version;
  proto::HelloRole role;
  fb::NtStatus expected;
};

void PrintTo(const ConnectCase& c, std::ostream* os) { *os << c.name; }

class ConnectStatus : public ::testing::TestWithParam<ConnectCase> {};

TEST_P(ConnectStatus, DecidesOnTheHello) {
  const ConnectCase& c = GetParam();
  uint8_t ctx[proto::kHelloBytes];
  ASSERT_EQ(proto::encode_hello({c.version, c.role}, ctx, sizeof(ctx)).error, Error::kOk);
  proto::Hello seen;
  EXPECT_EQ(proto::connect_status(ctx, sizeof(ctx), &seen), c.expected);
  EXPECT_EQ(seen.version, c.version);
}

INSTANTIATE_TEST_SUITE_P(
    Hello, ConnectStatus,
    ::testing::Values(
        ConnectCase{"WatcherSameVersion", proto::kProtocolVersion, proto::HelloRole::kWatcher, fb::nt::kSuccess},
        ConnectCase{"ControlSameVersion", proto::kProtocolVersion, proto::HelloRole::kControl, fb::nt::kSuccess},
        ConnectCase{"WatcherNewer", proto::kProtocolVersion + 1, proto::HelloRole::kWatcher,
                    proto::kVersionMismatchStatus},
        ConnectCase{"ControlNewer", proto::kProtocolVersion + 1, proto::HelloRole::kControl,
                    proto::kVersionMismatchStatus},
        ConnectCase{"ProbeAnyVersion", 77, proto::HelloRole::kVersionProbe, fb::nt::kSuccess}),
    [](const ::testing::TestParamInfo<ConnectCase>& info) { return std::string(info.param.name); });

TEST(ConnectStatusInvalid, GarbageOrMissingContextIsAnInvalidParameter) {
  uint8_t junk[proto::kHelloBytes] = {1, 2, 3};
  EXPECT_EQ(proto::connect_status(junk, sizeof(junk), nullptr), fb::nt::kInvalidParameter);
  EXPECT_EQ(proto::connect_status(nullptr, 0, nullptr), fb::nt::kInvalidParameter);
  uint8_t ctx[proto::kHelloBytes];
  proto::encode_hello({}, ctx, sizeof(ctx));
  EXPECT_EQ(proto::connect_status(ctx, sizeof(ctx) - 1, nullptr), fb::nt::kInvalidParameter);
}

struct AdmissionCase {
  const char* name;
  proto::HelloRole role;
  bool watcher_connected;
  fb::NtStatus expected;
};

void PrintTo(const AdmissionCase& c, std::ostream* os) { *os << c.name; }

class Admission : public ::testing::TestWithParam<AdmissionCase> {};

TEST_P(Admission, OneWatcherAtATime) {
  const AdmissionCase& c = GetParam();
  EXPECT_EQ(proto::admission_status(c.role, c.watcher_connected), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Roles, Admission,
    ::testing::Values(
        AdmissionCase{"FirstWatcher", proto::HelloRole::kWatcher, false, fb::nt::kSuccess},
        AdmissionCase{"SecondWatcher", proto::HelloRole::kWatcher, true, proto::kWatcherBusyStatus},
        AdmissionCase{"ControlBesideWatcher", proto::HelloRole::kControl, true, fb::nt::kSuccess},
        AdmissionCase{"ControlAlone", proto::HelloRole::kControl, false, fb::nt::kSuccess},
        AdmissionCase{"ProbeBesideWatcher", proto::HelloRole::kVersionProbe, true, fb::nt::kSuccess},
        AdmissionCase{"ProbeAlone", proto::HelloRole::kVersionProbe, false, fb::nt::kSuccess}),
    [](const ::testing::TestParamInfo<AdmissionCase>& info) { return std::string(info.param.name); });

TEST(AdmissionStatus, SecondWatcherIsAConnectionCountLimitFailure) {
  EXPECT_EQ(proto::kWatcherBusyStatus, static_cast<fb::NtStatus>(0xC0000246));  // STATUS_CONNECTION_COUNT_LIMIT
  EXPECT_FALSE(fb::nt_success(proto::kWatcherBusyStatus));
}

TEST(ErrorText, EveryErrorHasItsOwnText) {
  std::vector<std::string> seen;
  for (int i = 0; i <= static_cast<int>(Error::kNullBuffer); ++i) {
    const char* text = proto::error_text(static_cast<Error>(i));
    ASSERT_NE(text, nullptr);
    EXPECT_STRNE(text, "unknown protocol error") << i;
    for (const std::string& s : seen) EXPECT_NE(s, text) << i;
    seen.push_back(text);
  }
  EXPECT_STREQ(proto::error_text(static_cast<Error>(250)), "unknown protocol error");
}

}  // namespace
