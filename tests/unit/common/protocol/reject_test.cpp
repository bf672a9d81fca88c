// A deliberately corrupted message of every kind is rejected with its specific error.
//
// Two tables: corruptions that apply to every message kind (header, length, type, truncation),
// crossed with every kind; and the corruptions of one kind's own fields. Offsets are from the
// start of the message (docs/protocol.md).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;
using proto::Error;
using Bytes = std::vector<uint8_t>;

template <class T>
void put(Bytes& b, size_t offset, T value) {
  ASSERT_LE(offset + sizeof(T), b.size());
  std::memcpy(b.data() + offset, &value, sizeof(T));
}

template <class T>
T get(const Bytes& b, size_t offset) {
  T v;
  std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

// ---- every kind: a valid encoding and its decoder -------------------------------------------

struct Kind {
  const char* name;
  std::function<Bytes()> make;
  std::function<Error(const uint8_t*, size_t)> decode;
  bool frozen;                // hello, hello reply: any version but 0 decodes
  bool fixed;                 // length is a constant of the type
  proto::MessageType other;   // another known type, for kUnexpectedType
};

template <class Encode>
Bytes encode_with(Encode encode, uint32_t size) {
  Bytes b(size);
  const proto::EncodeResult r = encode(b.data(), b.size());
  EXPECT_EQ(r.error, Error::kOk);
  b.resize(r.size);
  return b;
}

const char16_t kPath[] = u"\\Device\\HarddiskVolume3\\Users\\a\\Documents\\report.docx";

Bytes valid_event() {
  fb::BackupEvent e;
  e.sequence = 5;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.path = fb::Str16::lit(kPath);
  return encode_with([&](void* o, size_t n) { return proto::encode_event(e, o, n); }, proto::kMaxMessageBytes);
}

std::vector<Kind> kinds() {
  return {
      {"Event", valid_event,
       [](const uint8_t* d, size_t n) {
         fb::BackupEvent e;
         return proto::decode_event(d, n, &e);
       },
       false, false, proto::MessageType::kGap},
      {"Gap", [] { return encode_with([](void* o, size_t n) { return proto::encode_gap({3, 4, 6}, o, n); }, 64); },
       [](const uint8_t* d, size_t n) {
         fb::GapReport g;
         return proto::decode_gap(d, n, &g);
       },
       false, true, proto::MessageType::kEvent},
      {"Hello", [] { return encode_with([](void* o, size_t n) { return proto::encode_hello({}, o, n); }, 64); },
       [](const uint8_t* d, size_t n) {
         proto::Hello h;
         return proto::decode_hello(d, n, &h);
       },
       true, true, proto::MessageType::kGetStats},
      {"GetStats", [] { return encode_with(proto::encode_get_stats, 64); },
       [](const uint8_t* d, size_t n) { return proto::decode_get_stats(d, n); }, false, true,
       proto::MessageType::kReloadConfig},
      {"ReloadConfig", [] { return encode_with(proto::encode_reload_config, 64); },
       [](const uint8_t* d, size_t n) { return proto::decode_reload_config(d, n); }, false, true,
       proto::MessageType::kGetStats},
      {"HelloReply",
       [] { return encode_with([](void* o, size_t n) { return proto::encode_hello_reply({}, o, n); }, 64); },
       [](const uint8_t* d, size_t n) {
         proto::HelloReply r;
         return proto::decode_hello_reply(d, n, &r);
       },
       true, true, proto::MessageType::kErrorReply},
      {"StatsReply",
       [] { return encode_with([](void* o, size_t n) { return proto::encode_stats_reply({}, o, n); }, 512); },
       [](const uint8_t* d, size_t n) {
         proto::StatsReply r;
         return proto::decode_stats_reply(d, n, &r);
       },
       false, true, proto::MessageType::kReloadConfigReply},
      {"ReloadConfigReply",
       [] { return encode_with([](void* o, size_t n) { return proto::encode_reload_config_reply({}, o, n); }, 64); },
       [](const uint8_t* d, size_t n) {
         proto::ReloadConfigReply r;
         return proto::decode_reload_config_reply(d, n, &r);
       },
       false, true, proto::MessageType::kStatsReply},
      {"ErrorReply",
       [] { return encode_with([](void* o, size_t n) { return proto::encode_error_reply({}, o, n); }, 64); },
       [](const uint8_t* d, size_t n) {
         proto::ErrorReply r;
         return proto::decode_error_reply(d, n, &r);
       },
       false, true, proto::MessageType::kHelloReply},
  };
}

// ---- corruptions that apply to every kind ---------------------------------------------------

struct Generic {
  const char* name;
  // Spoils `b` (a valid message of `k`); returns false if it does not apply to this kind.
  bool (*spoil)(const Kind& k, Bytes& b);
  Error expected;
};

const Generic kGeneric[] = {
    {"Empty", [](const Kind&, Bytes& b) { b.clear(); return true; }, Error::kBufferTooShort},
    {"HalfAHeader", [](const Kind&, Bytes& b) { b.resize(15); return true; }, Error::kBufferTooShort},
    {"BadMagic", [](const Kind&, Bytes& b) { b[0] ^= 0x20; return true; }, Error::kBadMagic},
    {"NewerVersion", [](const Kind& k, Bytes& b) { put<uint16_t>(b, 4, proto::kProtocolVersion + 1); return !k.frozen; },
     Error::kUnsupportedVersion},
    {"VersionZero", [](const Kind&, Bytes& b) { put<uint16_t>(b, 4, 0); return true; }, Error::kUnsupportedVersion},
    {"HeaderReserved", [](const Kind&, Bytes& b) { put<uint32_t>(b, 12, 1); return true; }, Error::kReservedNotZero},
    {"LengthBelowHeader", [](const Kind&, Bytes& b) { put<uint32_t>(b, 8, 15); return true; },
     Error::kLengthTooSmall},
    {"LengthPastBuffer",
     [](const Kind&, Bytes& b) { put<uint32_t>(b, 8, static_cast<uint32_t>(b.size() + 1)); return true; },
     Error::kLengthExceedsBuffer},
    {"LengthHuge", [](const Kind&, Bytes& b) { put<uint32_t>(b, 8, 0xFFFFFFFF); return true; },
     Error::kLengthExceedsBuffer},
    {"TruncatedByOne",
     [](const Kind&, Bytes& b) {
       b.pop_back();
       return b.size() >= proto::kHeaderBytes;  // header-only messages: see HalfAHeader
     },
     Error::kLengthExceedsBuffer},
    {"UnknownType", [](const Kind&, Bytes& b) { put<uint16_t>(b, 6, 0x7777); return true; }, Error::kUnknownType},
    {"TypeZero", [](const Kind&, Bytes& b) { put<uint16_t>(b, 6, 0); return true; }, Error::kUnknownType},
    {"OtherKnownType",
     [](const Kind& k, Bytes& b) { put<uint16_t>(b, 6, static_cast<uint16_t>(k.other)); return true; },
     Error::kUnexpectedType},
    {"TrailingBytes",
     [](const Kind& k, Bytes& b) {
       b.resize(b.size() + 8, 0);
       put<uint32_t>(b, 8, static_cast<uint32_t>(b.size()));
       return k.fixed;
     },
     Error::kTrailingBytes},
    {"LengthBelowLayout",
     [](const Kind& k, Bytes& b) {
       put<uint32_t>(b, 8, static_cast<uint32_t>(b.size() - 8));
       // Events: see EventLengthBelowFixedPart. GetStats/ReloadConfig: the header is the layout.
       return k.fixed && b.size() >= 24;
     },
     Error::kLengthTooSmall},
};

struct GenericCase {
  Kind kind;
  Generic corruption;
};

void PrintTo(const GenericCase& c, std::ostream* os) { *os << c.kind.name << " " << c.corruption.name; }

class EveryKind : public ::testing::TestWithParam<GenericCase> {};

TEST_P(EveryKind, IsRejectedWithTheSpecificError) {
  const GenericCase& c = GetParam();
  Bytes b = c.kind.make();
  ASSERT_EQ(c.kind.decode(b.data(), b.size()), Error::kOk) << "the valid encoding decodes";
  ASSERT_TRUE(c.corruption.spoil(c.kind, b));
  // Decode from an exact-size copy so that a read past the end is a read past an allocation.
  const Bytes exact(b);
  EXPECT_EQ(c.kind.decode(exact.empty() ? nullptr : exact.data(), exact.size()), c.corruption.expected);
}

std::vector<GenericCase> generic_cases() {
  std::vector<GenericCase> all;
  for (const Kind& k : kinds())
    for (const Generic& g : kGeneric) {
      Bytes probe = k.make();
      if (g.spoil(k, probe)) all.push_back({k, g});  // only the corruptions that apply to k
    }
  return all;
}

INSTANTIATE_TEST_SUITE_P(Corrupted, EveryKind, ::testing::ValuesIn(generic_cases()),
                         [](const ::testing::TestParamInfo<GenericCase>& info) {
                           return std::string(info.param.kind.name) + "_" + info.param.corruption.name;
                         });

TEST(EveryKindTruncated, EveryPrefixIsRejected) {
  for (const Kind& k : kinds()) {
    const Bytes full = k.make();
    for (size_t n = 0; n < full.size(); ++n) {
      const Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      const Error e = k.decode(prefix.empty() ? nullptr : prefix.data(), prefix.size());
      EXPECT_EQ(e, n < proto::kHeaderBytes ? Error::kBufferTooShort : Error::kLengthExceedsBuffer)
          << k.name << " cut to " << n;
    }
  }
}

// ---- corruptions of one kind's own fields ---------------------------------------------------

struct Specific {
  const char* name;
  size_t kind;  // index in kinds()
  void (*spoil)(Bytes& b);
  Error expected;
};

enum KindIndex : size_t { kEvent, kGap, kHello, kGetStats, kReload, kHelloReply, kStatsReply, kReloadReply, kErrorReply };

constexpr size_t kPathBytesAt = 76;
constexpr size_t kReplyReservedAt = 20;

const Specific kSpecific[] = {
    {"EventPathLengthOdd", kEvent, [](Bytes& b) { put<uint32_t>(b, kPathBytesAt, get<uint32_t>(b, kPathBytesAt) - 1); },
     Error::kPathLengthOdd},
    {"EventPathOver32767Units", kEvent, [](Bytes& b) { put<uint32_t>(b, kPathBytesAt, 2 * 32768); },
     Error::kPathTooLong},
    {"EventPathLengthWraps", kEvent, [](Bytes& b) { put<uint32_t>(b, kPathBytesAt, 0xFFFFFFFE); },
     Error::kPathTooLong},
    {"EventPathPastMessage", kEvent,
     [](Bytes& b) { put<uint32_t>(b, kPathBytesAt, get<uint32_t>(b, kPathBytesAt) + 2); },
     Error::kPathExceedsMessage},
    {"EventPathShorterThanMessage", kEvent,
     [](Bytes& b) { put<uint32_t>(b, kPathBytesAt, get<uint32_t>(b, kPathBytesAt) - 2); }, Error::kTrailingBytes},
    {"EventLengthBelowFixedPart", kEvent, [](Bytes& b) { put<uint32_t>(b, 8, 79); }, Error::kLengthTooSmall},
    {"EventReserved", kEvent, [](Bytes& b) { b[75] = 1; }, Error::kReservedNotZero},
    {"EventTriggerZero", kEvent, [](Bytes& b) { b[72] = 0; }, Error::kBadEnumValue},
    {"EventTriggerPastEnd", kEvent, [](Bytes& b) { b[72] = 12; }, Error::kBadEnumValue},
    {"EventOutcomeZero", kEvent, [](Bytes& b) { b[73] = 0; }, Error::kBadEnumValue},
    {"EventOutcomePastEnd", kEvent, [](Bytes& b) { b[73] = 7; }, Error::kBadEnumValue},
    {"EventSkipReasonPastEnd", kEvent, [](Bytes& b) { b[74] = 6; }, Error::kBadEnumValue},
    {"GapDroppedZero", kGap, [](Bytes& b) { put<uint64_t>(b, 16, 0); }, Error::kBadGapRange},
    {"GapCountDisagrees", kGap, [](Bytes& b) { put<uint64_t>(b, 16, 4); }, Error::kBadGapRange},
    {"GapFirstAfterLast", kGap, [](Bytes& b) { put<uint64_t>(b, 24, 7); }, Error::kBadGapRange},
    {"GapSequenceZero", kGap,
     [](Bytes& b) {
       put<uint64_t>(b, 24, 0);
       put<uint64_t>(b, 32, 2);
     },
     Error::kBadGapRange},
    {"HelloRoleZero", kHello, [](Bytes& b) { put<uint32_t>(b, 16, 0); }, Error::kBadEnumValue},
    {"HelloRolePastEnd", kHello, [](Bytes& b) { put<uint32_t>(b, 16, 4); }, Error::kBadEnumValue},
    {"HelloReserved", kHello, [](Bytes& b) { put<uint32_t>(b, 20, 1); }, Error::kReservedNotZero},
    {"HelloReplyPrefixReserved", kHelloReply, [](Bytes& b) { put<uint32_t>(b, kReplyReservedAt, 1); },
     Error::kReservedNotZero},
    {"HelloReplyVersionZero", kHelloReply, [](Bytes& b) { put<uint16_t>(b, 24, 0); }, Error::kUnsupportedVersion},
    {"HelloReplyVersionsDisagree", kHelloReply, [](Bytes& b) { put<uint16_t>(b, 24, proto::kProtocolVersion + 1); },
     Error::kUnsupportedVersion},
    {"HelloReplyBodyReserved", kHelloReply, [](Bytes& b) { put<uint16_t>(b, 26, 1); }, Error::kReservedNotZero},
    {"StatsReplyPrefixReserved", kStatsReply, [](Bytes& b) { put<uint32_t>(b, kReplyReservedAt, 1); },
     Error::kReservedNotZero},
    {"StatsReplyBodyReserved", kStatsReply, [](Bytes& b) { put<uint32_t>(b, 24 + 60, 1); }, Error::kReservedNotZero},
    {"ReloadReplyPrefixReserved", kReloadReply, [](Bytes& b) { put<uint32_t>(b, kReplyReservedAt, 1); },
     Error::kReservedNotZero},
    {"ReloadReplyBodyReserved", kReloadReply, [](Bytes& b) { put<uint32_t>(b, 28, 1); }, Error::kReservedNotZero},
    {"ErrorReplyPrefixReserved", kErrorReply, [](Bytes& b) { put<uint32_t>(b, kReplyReservedAt, 1); },
     Error::kReservedNotZero},
    {"ErrorReplyDecodeErrorPastEnd", kErrorReply, [](Bytes& b) { b[26] = 200; }, Error::kBadEnumValue},
    {"ErrorReplyBodyReserved", kErrorReply, [](Bytes& b) { b[27] = 1; }, Error::kReservedNotZero},
};

void PrintTo(const Specific& s, std::ostream* os) { *os << s.name; }

class OwnFields : public ::testing::TestWithParam<Specific> {};

TEST_P(OwnFields, AreRejectedWithTheSpecificError) {
  const Specific& s = GetParam();
  const Kind k = kinds()[s.kind];
  Bytes b = k.make();
  ASSERT_EQ(k.decode(b.data(), b.size()), Error::kOk);
  s.spoil(b);
  EXPECT_EQ(k.decode(b.data(), b.size()), s.expected) << proto::error_text(s.expected);
}

INSTANTIATE_TEST_SUITE_P(Corrupted, OwnFields, ::testing::ValuesIn(kSpecific),
                         [](const ::testing::TestParamInfo<Specific>& info) { return std::string(info.param.name); });

TEST(EventAlignment, OddAddressIsReportedNotViewed) {
  const Bytes b = valid_event();
  std::vector<uint8_t> shifted(b.size() + 1);
  std::memcpy(shifted.data() + 1, b.data(), b.size());
  fb::BackupEvent e;
  EXPECT_EQ(proto::decode_event(shifted.data() + 1, b.size(), &e), Error::kMisaligned);
  // Fixed-layout messages are copied field by field: any alignment decodes.
  uint8_t gap[proto::kGapBytes + 1];
  ASSERT_EQ(proto::encode_gap({1, 2, 2}, gap + 1, proto::kGapBytes).error, Error::kOk);
  fb::GapReport g;
  EXPECT_EQ(proto::decode_gap(gap + 1, proto::kGapBytes, &g), Error::kOk);
}

TEST(FrozenMessages, DecodeInAnyNonZeroVersion) {
  for (size_t index : {size_t{kHello}, size_t{kHelloReply}}) {
    const Kind k = kinds()[index];
    Bytes b = k.make();
    put<uint16_t>(b, 4, 0xBEEF);
    if (index == kHelloReply) put<uint16_t>(b, 24, 0xBEEF);  // the body repeats the version
    EXPECT_EQ(k.decode(b.data(), b.size()), Error::kOk) << k.name;
  }
}

}  // namespace
