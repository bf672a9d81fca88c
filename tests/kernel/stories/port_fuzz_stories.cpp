// Bad input at \FileBackupPort: the image's message notify callback receives more than 100,000
// malformed messages (truncated, oversized, misaligned, of another protocol version, of an
// unknown type or direction, random bytes, replies too small) mixed with valid ones, from a
// seeded generator (repeatable). Each class gets the status docs/protocol.md and
// common/protocol/control_requests.h document; nothing crashes; the unload then finds no leak.
#include <map>
#include <random>

#include "tests/kernel/stories/image_world.h"

namespace ksim::stories {
namespace {

namespace proto = fb::proto;

constexpr NTSTATUS kInvalidParameter = static_cast<NTSTATUS>(0xC000000D);
constexpr NTSTATUS kInvalidDeviceRequest = static_cast<NTSTATUS>(0xC0000010);
constexpr NTSTATUS kInvalidBufferSize = static_cast<NTSTATUS>(0xC0000206);
constexpr NTSTATUS kAccessDenied = static_cast<NTSTATUS>(0xC0000022);
constexpr NTSTATUS kBufferTooSmall = static_cast<NTSTATUS>(0xC0000023);
constexpr uint32_t kPortMaxMessageBytes = 64 * 1024;  // driver/runtime/port.h kMaxMessageBytes

enum class Kind { kValidStats, kValidReload, kTruncated, kOversized, kMisaligned, kOtherVersion, kUnknownType,
                  kWrongDirection, kRandom, kReplyTooSmall, kProbeAsksStats, kCount };
const char* kind_name(Kind k) {
  static const char* names[] = {"valid get-stats", "valid reload", "truncated", "oversized", "misaligned",
                                "other protocol version", "unknown type", "wrong direction", "random bytes",
                                "reply buffer too small", "version probe asks for stats"};
  return names[static_cast<int>(k)];
}

// Header fields (docs/protocol.md): magic u32 @0, version u16 @4, type u16 @6, length u32 @8.
void set_u16(std::vector<uint8_t>& m, size_t at, uint16_t v) { std::memcpy(m.data() + at, &v, 2); }

std::vector<uint8_t> get_stats() {
  std::vector<uint8_t> m(proto::kGetStatsBytes);
  proto::encode_get_stats(m.data(), m.size());
  return m;
}

struct Answer {
  NTSTATUS status;
  std::vector<uint8_t> reply;
};

// The reply's error, or kOk with *type when a normal reply decoded.
proto::Error decode_reply(const std::vector<uint8_t>& reply, proto::MessageType* type, proto::ErrorReply* error) {
  // Decoders want 2-byte alignment for events only; replies are copied anyway.
  proto::Header h;
  const proto::Error e = proto::decode_header(reply.data(), reply.size(), &h);
  if (e != proto::Error::kOk) return e;
  *type = h.type;
  switch (h.type) {
    case proto::MessageType::kErrorReply: return proto::decode_error_reply(reply.data(), reply.size(), error);
    case proto::MessageType::kStatsReply: {
      proto::StatsReply r;
      return proto::decode_stats_reply(reply.data(), reply.size(), &r);
    }
    case proto::MessageType::kReloadConfigReply: {
      proto::ReloadConfigReply r;
      return proto::decode_reload_config_reply(reply.data(), reply.size(), &r);
    }
    case proto::MessageType::kHelloReply: {
      proto::HelloReply r;
      return proto::decode_hello_reply(reply.data(), reply.size(), &r);
    }
    default: return proto::Error::kUnexpectedType;
  }
}

using PortFuzzStory = StoryTest;

TEST_P(PortFuzzStory, HundredThousandMalformedMessagesGetTheirDocumentedStatus) {
  start();
  PortClient control, probe;
  ASSERT_EQ(control.connect(proto::HelloRole::kControl, 7001), 0);
  ASSERT_EQ(probe.connect(proto::HelloRole::kVersionProbe, 7002), 0);
  std::mt19937_64 rng(20261206);
  std::vector<uint8_t> oversized(kPortMaxMessageBytes + 4096, 0);
  std::vector<uint8_t> misaligned_storage(proto::kGetStatsBytes + 1);
  std::map<Kind, uint64_t> sent;
  constexpr int kMessages = 125000;
  const int kinds = static_cast<int>(Kind::kCount);
  int failures = 0;
  for (int i = 0; i < kMessages + kinds && failures < 20; ++i) {
    const Kind kind = i < kinds ? static_cast<Kind>(i) : static_cast<Kind>(rng() % kinds);
    if (kind == Kind::kValidReload && (rng() % 50) != 0 && i >= kinds) continue;  // rarer: it re-reads the registry
    ++sent[kind];
    std::vector<uint8_t> m = get_stats();
    PortClient* client = &control;
    const void* input = nullptr;
    uint32_t input_bytes = 0;
    uint32_t capacity = 4096;
    NTSTATUS expected_status = 0;          // the callback's return
    NTSTATUS expected_reply_status = 0;    // an error reply's status (0: a normal reply)
    bool any_reply = false;                // random bytes: whatever the decoders say
    switch (kind) {
      case Kind::kValidStats: break;
      case Kind::kValidReload:
        m.assign(proto::kReloadConfigBytes, 0);
        proto::encode_reload_config(m.data(), m.size());
        break;
      case Kind::kTruncated:
        m.resize(rng() % m.size());
        expected_reply_status = kInvalidParameter;
        break;
      case Kind::kOversized:
        input = oversized.data();
        input_bytes = kPortMaxMessageBytes + 1 + static_cast<uint32_t>(rng() % 4000);
        expected_status = kInvalidBufferSize;
        break;
      case Kind::kMisaligned:
        std::memcpy(misaligned_storage.data() + 1, m.data(), m.size());
        input = misaligned_storage.data() + 1;
        input_bytes = static_cast<uint32_t>(m.size());
        break;
      case Kind::kOtherVersion:
        // Any version but ours (and not 0, which the decoder rejects as malformed).
        set_u16(m, 4, static_cast<uint16_t>(proto::kProtocolVersion + 1 + rng() % 100));
        expected_reply_status = proto::kVersionMismatchStatus;
        break;
      case Kind::kUnknownType:
        set_u16(m, 6, static_cast<uint16_t>(0x0100 + rng() % 0xff00));
        expected_reply_status = kInvalidDeviceRequest;
        break;
      case Kind::kWrongDirection:
        set_u16(m, 6, static_cast<uint16_t>(rng() % 2 == 0 ? 0x0091 : 0x00FF));  // a reply sent to the driver
        expected_reply_status = kInvalidParameter;                                  // does not decode as a request
        any_reply = true;
        break;
      case Kind::kRandom:
        m.resize(rng() % 300);
        for (uint8_t& b : m) b = static_cast<uint8_t>(rng());
        if (rng() % 2 == 0 && m.size() >= 4) std::memcpy(m.data(), &proto::kMagic, 4);  // reach past the magic
        any_reply = true;
        break;
      case Kind::kReplyTooSmall:
        capacity = static_cast<uint32_t>(rng() % proto::kStatsReplyBytes);
        expected_status = kBufferTooSmall;
        break;
      case Kind::kProbeAsksStats:
        client = &probe;
        expected_reply_status = kAccessDenied;
        break;
      case Kind::kCount: break;
    }
    if (input == nullptr) {
      input = m.data();
      input_bytes = static_cast<uint32_t>(m.size());
    }
    std::vector<uint8_t> reply;
    const NTSTATUS status = client->send(input, input_bytes, &reply, capacity);
    auto fail = [&](const std::string& why) {
      ++failures;
      ADD_FAILURE() << "message " << i << " (" << kind_name(kind) << ", " << input_bytes << " bytes): " << why;
    };
    if (expected_status != 0) {
      if (status != expected_status) fail("callback status " + std::to_string(status));
      if (!reply.empty()) fail("a reply came with a failure status");
      continue;
    }
    if (status != 0) {
      fail("callback status " + std::to_string(status));
      continue;
    }
    proto::MessageType type{};
    proto::ErrorReply error;
    if (decode_reply(reply, &type, &error) != proto::Error::kOk) {
      fail("the reply does not decode");
      continue;
    }
    if (any_reply) continue;
    if (expected_reply_status == 0) {
      if (type == proto::MessageType::kErrorReply) fail("an error reply to a valid request");
    } else if (type != proto::MessageType::kErrorReply || error.status != expected_reply_status) {
      fail("reply status " + std::to_string(error.status));
    }
  }
  uint64_t total = 0;
  for (const auto& s : sent) total += s.second;
  std::printf("port fuzz: %llu messages (seed 20261206):", static_cast<unsigned long long>(total));
  for (const auto& s : sent) std::printf(" %s %llu;", kind_name(s.first), static_cast<unsigned long long>(s.second));
  std::printf("\n");
  EXPECT_GE(total - sent[Kind::kValidStats] - sent[Kind::kValidReload], 100000u) << "malformed messages";
  control.close();
  probe.close();
  world().finish();  // unload: the pool tracking finds every request's buffer freed
}

INSTANTIATE_TEST_SUITE_P(ImageLayer, PortFuzzStory, ::testing::Values(Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
