// The driver's answer to every kind of client request (common/protocol/control_requests.h): each request type
// by each role, malformed and unknown requests, and outputs too small for the reply.
#include "common/protocol/control_requests.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace fb {
namespace proto {
namespace {

class FakeHost : public RequestHost {
 public:
  void fill_statistics(Statistics* out) override {
    ++stats_calls;
    out->backups = 42;
    out->events_dropped = 7;
    out->rules_loaded = 3;
  }
  NtStatus reload(uint32_t* rules_loaded) override {
    ++reload_calls;
    *rules_loaded = 5;
    return reload_status;
  }
  void fill_status(DriverStatus* out) override {
    ++status_calls;
    out->driver_major = 1;
    out->driver_minor = 4;
    out->driver_patch = 2;
    out->watcher_connected = true;
    out->watcher_process_id = 4312;
  }
  int stats_calls = 0;
  int status_calls = 0;
  int reload_calls = 0;
  NtStatus reload_status = nt::kSuccess;
};

using Bytes = std::vector<uint8_t>;

Bytes hello(uint16_t version, HelloRole role) {
  Hello h;
  h.version = version;
  h.role = role;
  Bytes out(kHelloBytes);
  EXPECT_EQ(encode_hello(h, out.data(), out.size()).error, Error::kOk);
  return out;
}
Bytes get_stats() {
  Bytes out(kGetStatsBytes);
  EXPECT_EQ(encode_get_stats(out.data(), out.size()).error, Error::kOk);
  return out;
}
Bytes reload_config() {
  Bytes out(kReloadConfigBytes);
  EXPECT_EQ(encode_reload_config(out.data(), out.size()).error, Error::kOk);
  return out;
}
Bytes gap() {
  GapReport g{2, 1, 2};
  Bytes out(kGapBytes);
  EXPECT_EQ(encode_gap(g, out.data(), out.size()).error, Error::kOk);
  return out;
}
Bytes with_type(Bytes b, uint16_t type) {
  b[6] = static_cast<uint8_t>(type);
  b[7] = static_cast<uint8_t>(type >> 8);
  return b;
}
Bytes with_version(Bytes b, uint16_t version) {
  b[4] = static_cast<uint8_t>(version);
  b[5] = static_cast<uint8_t>(version >> 8);
  return b;
}

struct Case {
  const char* name;
  HelloRole role;
  Bytes request;
  MessageType answered;
  NtStatus reply_status;
  Error decode_error;  // for error replies
};

TEST(ControlRequests, EveryRequestGetsItsReplyOrARefusalWithAReason) {
  const std::vector<Case> cases = {
      {"hello, same version", HelloRole::kControl, hello(kProtocolVersion, HelloRole::kControl),
       MessageType::kHelloReply, nt::kSuccess, Error::kOk},
      {"probe hello, other version", HelloRole::kVersionProbe, hello(kProtocolVersion + 7, HelloRole::kVersionProbe),
       MessageType::kHelloReply, kVersionMismatchStatus, Error::kOk},
      {"stats from control", HelloRole::kControl, get_stats(), MessageType::kStatsReply, nt::kSuccess, Error::kOk},
      {"stats from watcher", HelloRole::kWatcher, get_stats(), MessageType::kStatsReply, nt::kSuccess, Error::kOk},
      {"reload from control", HelloRole::kControl, reload_config(), MessageType::kReloadConfigReply, nt::kSuccess,
       Error::kOk},
      {"stats from a version probe", HelloRole::kVersionProbe, get_stats(), MessageType::kErrorReply,
       nt::kAccessDenied, Error::kUnexpectedType},
      {"reload from a version probe", HelloRole::kVersionProbe, reload_config(), MessageType::kErrorReply,
       nt::kAccessDenied, Error::kUnexpectedType},
      {"unknown type", HelloRole::kControl, with_type(get_stats(), 0x0042), MessageType::kErrorReply,
       nt::kInvalidDeviceRequest, Error::kUnknownType},
      {"a gap sent to the driver", HelloRole::kControl, gap(), MessageType::kErrorReply, nt::kInvalidDeviceRequest,
       Error::kUnexpectedType},
      {"a reply sent to the driver", HelloRole::kControl, with_type(get_stats(), 0x0091), MessageType::kErrorReply,
       nt::kInvalidDeviceRequest, Error::kUnexpectedType},
      {"stats of another version", HelloRole::kControl, with_version(get_stats(), kProtocolVersion + 1),
       MessageType::kErrorReply, kVersionMismatchStatus, Error::kUnsupportedVersion},
      {"truncated", HelloRole::kControl, [] { Bytes b = get_stats(); b.resize(10); return b; }(), MessageType::kErrorReply,
       nt::kInvalidParameter, Error::kBufferTooShort},
      {"bad magic", HelloRole::kControl, [] { Bytes b = get_stats(); b[0] ^= 0xFF; return b; }(),
       MessageType::kErrorReply, nt::kInvalidParameter, Error::kBadMagic},
      {"trailing bytes", HelloRole::kControl, [] { Bytes b = get_stats(); b.resize(b.size() + 8); b[8] += 8; return b; }(),
       MessageType::kErrorReply, nt::kInvalidParameter, Error::kTrailingBytes},
      {"empty", HelloRole::kControl, Bytes(), MessageType::kErrorReply, nt::kInvalidParameter, Error::kBufferTooShort},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeHost host;
    Bytes reply(kMaxReplyBytes);
    const RequestOutcome out = answer_request(c.role, c.request.data(), static_cast<uint32_t>(c.request.size()),
                                              reply.data(), static_cast<uint32_t>(reply.size()), host);
    ASSERT_EQ(out.status, nt::kSuccess);
    ASSERT_GT(out.bytes, 0u);
    EXPECT_EQ(out.answered, c.answered);
    EXPECT_EQ(out.reply_status, c.reply_status);
    Header header;
    ASSERT_EQ(decode_header(reply.data(), out.bytes, &header), Error::kOk);
    EXPECT_EQ(header.type, c.answered);
    switch (c.answered) {
      case MessageType::kHelloReply: {
        HelloReply r;
        ASSERT_EQ(decode_hello_reply(reply.data(), out.bytes, &r), Error::kOk);
        EXPECT_EQ(r.driver_version, kProtocolVersion);
        EXPECT_EQ(r.status, c.reply_status);
        break;
      }
      case MessageType::kStatsReply: {
        StatsReply r;
        ASSERT_EQ(decode_stats_reply(reply.data(), out.bytes, &r), Error::kOk);
        EXPECT_EQ(r.stats.backups, 42u);
        EXPECT_EQ(r.stats.events_dropped, 7u);
        EXPECT_EQ(r.stats.rules_loaded, 3u);
        EXPECT_EQ(host.stats_calls, 1);
        break;
      }
      case MessageType::kReloadConfigReply: {
        ReloadConfigReply r;
        ASSERT_EQ(decode_reload_config_reply(reply.data(), out.bytes, &r), Error::kOk);
        EXPECT_EQ(r.rules_loaded, 5u);
        EXPECT_EQ(host.reload_calls, 1);
        break;
      }
      default: {
        ErrorReply r;
        ASSERT_EQ(decode_error_reply(reply.data(), out.bytes, &r), Error::kOk);
        EXPECT_EQ(r.status, c.reply_status);
        EXPECT_EQ(r.decode_error, c.decode_error);
        if (c.request.size() >= 8) {
          EXPECT_EQ(r.request_type, c.request[6] | c.request[7] << 8);
        }
        EXPECT_EQ(host.stats_calls + host.reload_calls, 0);  // refused requests do nothing
        break;
      }
    }
  }
}

TEST(ControlRequests, AFailedReloadIsReportedInTheReply) {
  FakeHost host;
  host.reload_status = nt::kInsufficientResources;
  const Bytes request = reload_config();
  Bytes reply(kMaxReplyBytes);
  const RequestOutcome out = answer_request(HelloRole::kControl, request.data(), static_cast<uint32_t>(request.size()),
                                            reply.data(), static_cast<uint32_t>(reply.size()), host);
  ASSERT_EQ(out.status, nt::kSuccess);
  ReloadConfigReply r;
  ASSERT_EQ(decode_reload_config_reply(reply.data(), out.bytes, &r), Error::kOk);
  EXPECT_EQ(r.status, nt::kInsufficientResources);
  EXPECT_EQ(out.reply_status, nt::kInsufficientResources);
}

TEST(ControlRequests, AnOutputTooSmallIsRefusedBeforeAnythingHappens) {
  struct Small {
    const char* name;
    Bytes request;
    uint32_t capacity;
  };
  const std::vector<Small> cases = {
      {"stats", get_stats(), kStatsReplyBytes - 1},
      {"reload", reload_config(), kReloadConfigReplyBytes - 1},
      {"hello", hello(kProtocolVersion, HelloRole::kControl), kHelloReplyBytes - 1},
      {"error reply", with_type(get_stats(), 0x0042), kErrorReplyBytes - 1},
      {"no output at all", get_stats(), 0},
  };
  for (const Small& c : cases) {
    SCOPED_TRACE(c.name);
    FakeHost host;
    Bytes reply(kMaxReplyBytes, 0xEE);
    const RequestOutcome out = answer_request(HelloRole::kControl, c.request.data(),
                                              static_cast<uint32_t>(c.request.size()),
                                              c.capacity == 0 ? nullptr : reply.data(), c.capacity, host);
    EXPECT_EQ(out.status, nt::kBufferTooSmall);
    EXPECT_EQ(out.bytes, 0u);
    EXPECT_EQ(host.reload_calls, 0);
    EXPECT_EQ(host.stats_calls, 0);
  }
}

// Protocol 2: fbmon status asks the driver's build version and whether a watcher is connected.
TEST(ControlRequests, StatusIsAnsweredWithTheHostsFacts) {
  FakeHost host;
  Bytes request(kGetStatusBytes);
  ASSERT_EQ(encode_get_status(request.data(), request.size()).error, Error::kOk);
  Bytes reply(kMaxReplyBytes);
  const RequestOutcome out = answer_request(HelloRole::kControl, request.data(), static_cast<uint32_t>(request.size()),
                                            reply.data(), static_cast<uint32_t>(reply.size()), host);
  ASSERT_EQ(out.status, nt::kSuccess);
  EXPECT_EQ(out.answered, MessageType::kStatusReply);
  EXPECT_EQ(out.bytes, kStatusReplyBytes);
  EXPECT_EQ(host.status_calls, 1);
  StatusReply decoded;
  ASSERT_EQ(decode_status_reply(reply.data(), out.bytes, &decoded), Error::kOk);
  EXPECT_EQ(decoded.driver.driver_major, 1);
  EXPECT_EQ(decoded.driver.driver_minor, 4);
  EXPECT_EQ(decoded.driver.driver_patch, 2);
  EXPECT_TRUE(decoded.driver.watcher_connected);
  EXPECT_EQ(decoded.driver.watcher_process_id, 4312u);
  // The layout, byte for byte (docs/protocol.md): header, prefix, body.
  const Bytes expected = {0x46, 0x42, 0x4B, 0x50, 0x02, 0x00, 0x93, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // status, reserved
                          0x01, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00,  // version 1.4.2, reserved
                          0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // watcher connected, reserved
                          0xD8, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}; // watcher process id 4312
  EXPECT_EQ(Bytes(reply.begin(), reply.begin() + out.bytes), expected);
  // A version probe may not ask; a reply too small is refused before the host is asked.
  EXPECT_EQ(answer_request(HelloRole::kVersionProbe, request.data(), static_cast<uint32_t>(request.size()), reply.data(),
                           static_cast<uint32_t>(reply.size()), host)
                .answered,
            MessageType::kErrorReply);
  EXPECT_EQ(answer_request(HelloRole::kControl, request.data(), static_cast<uint32_t>(request.size()), reply.data(),
                           kStatusReplyBytes - 1, host)
                .status,
            nt::kBufferTooSmall);
  EXPECT_EQ(host.status_calls, 1);
  // Reserved bytes set, or a watcher flag other than 0/1: refused by the decoder.
  Bytes bad(expected);
  bad[30] = 1;
  EXPECT_EQ(decode_status_reply(bad.data(), bad.size(), &decoded), Error::kReservedNotZero);
  bad = expected;
  bad[32] = 2;
  EXPECT_EQ(decode_status_reply(bad.data(), bad.size(), &decoded), Error::kBadEnumValue);
}

}  // namespace
}  // namespace proto
}  // namespace fb
