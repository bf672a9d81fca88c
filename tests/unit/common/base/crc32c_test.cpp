// CRC-32C: known answers (RFC 3720 B.4 and common check values), the hardware and portable
// paths against each other at every length and alignment, and chunked extension.
#include "common/base/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/memory_byte_io.h"

namespace {

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

std::vector<uint8_t> ascending(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i);
  return v;
}

std::vector<uint8_t> descending(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(n - 1 - i);
  return v;
}

// RFC 3720 B.4: an iSCSI SCSI Read (10) command PDU.
std::vector<uint8_t> iscsi_read_pdu() {
  std::vector<uint8_t> v(48, 0);
  v[0] = 0x01, v[1] = 0xC0, v[16] = 0x14, v[22] = 0x04, v[27] = 0x14, v[31] = 0x18, v[32] = 0x28, v[40] = 0x02;
  return v;
}

struct KnownAnswer {
  const char* name;
  std::vector<uint8_t> input;
  uint32_t crc;
};

std::vector<KnownAnswer> known_answers() {
  return {
      {"empty", {}, 0x00000000u},
      {"a", bytes_of("a"), 0xC1D04330u},
      {"check_123456789", bytes_of("123456789"), 0xE3069283u},
      {"quick_brown_fox", bytes_of("The quick brown fox jumps over the lazy dog"), 0x22620404u},
      {"rfc3720_32_zeros", std::vector<uint8_t>(32, 0x00), 0x8A9136AAu},
      {"rfc3720_32_ones", std::vector<uint8_t>(32, 0xFF), 0x62A8AB43u},
      {"rfc3720_32_ascending", ascending(32), 0x46DD794Eu},
      {"rfc3720_32_descending", descending(32), 0x113FDB5Cu},
      {"rfc3720_iscsi_read_pdu", iscsi_read_pdu(), 0xD9963A56u},
  };
}

using Extend = uint32_t (*)(uint32_t, const void*, size_t);

struct Implementation {
  const char* name;
  Extend extend;
};

class Crc32cImplementation : public ::testing::TestWithParam<Implementation> {
 protected:
  void SetUp() override {
    if (GetParam().extend == &fb::crc32c_extend_hardware && !fb::crc32c_hardware_available())
      GTEST_SKIP() << "no SSE4.2 on this CPU";
  }
};

TEST_P(Crc32cImplementation, KnownAnswers) {
  for (const KnownAnswer& ka : known_answers()) {
    SCOPED_TRACE(ka.name);
    EXPECT_EQ(GetParam().extend(0, ka.input.data(), ka.input.size()), ka.crc);
  }
}

// Extending at every split point equals hashing in one go.
TEST_P(Crc32cImplementation, ExtendAtEverySplitEqualsWhole) {
  const std::vector<uint8_t> data = fbtest::pattern_bytes(300, 7);
  const uint32_t whole = fb::crc32c_extend_portable(0, data.data(), data.size());
  for (size_t split = 0; split <= data.size(); ++split) {
    const uint32_t head = GetParam().extend(0, data.data(), split);
    EXPECT_EQ(GetParam().extend(head, data.data() + split, data.size() - split), whole) << "split " << split;
  }
}

// Lengths around the 8-byte step and the 3 x 4096-byte interleaved block of the hardware
// path, at every alignment, against the portable tables.
TEST_P(Crc32cImplementation, MatchesPortableAtEveryLengthAndAlignment) {
  const std::vector<uint8_t> data = fbtest::pattern_bytes(3 * 4096 * 2 + 64, 3);
  const size_t lengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 255, 4095, 4096, 4097,
                            3 * 4096 - 1, 3 * 4096, 3 * 4096 + 1, 3 * 4096 + 8, 2 * 3 * 4096 + 13};
  for (size_t align = 0; align < 8; ++align)
    for (size_t length : lengths) {
      const uint8_t* p = data.data() + align;
      EXPECT_EQ(GetParam().extend(0, p, length), fb::crc32c_extend_portable(0, p, length))
          << "align " << align << " length " << length;
      EXPECT_EQ(GetParam().extend(0x12345678u, p, length), fb::crc32c_extend_portable(0x12345678u, p, length))
          << "seeded, align " << align << " length " << length;
    }
}

TEST_P(Crc32cImplementation, EmptyInputLeavesCrcUnchanged) {
  for (uint32_t crc : {0u, 1u, 0xE3069283u, 0xFFFFFFFFu}) EXPECT_EQ(GetParam().extend(crc, nullptr, 0), crc);
}

INSTANTIATE_TEST_SUITE_P(Both, Crc32cImplementation,
                         ::testing::Values(Implementation{"portable", &fb::crc32c_extend_portable},
                                           Implementation{"hardware", &fb::crc32c_extend_hardware},
                                           Implementation{"dispatch", &fb::crc32c_extend}),
                         [](const ::testing::TestParamInfo<Implementation>& info) { return info.param.name; });

TEST(Crc32c, OneShotKnownAnswers) {
  for (const KnownAnswer& ka : known_answers()) {
    SCOPED_TRACE(ka.name);
    EXPECT_EQ(fb::crc32c(ka.input.data(), ka.input.size()), ka.crc);
  }
}

// A single flipped bit anywhere changes the CRC (guaranteed for any CRC; checks the wiring).
TEST(Crc32c, EverySingleBitFlipChangesCrc) {
  std::vector<uint8_t> data = fbtest::pattern_bytes(64, 11);
  const uint32_t original = fb::crc32c(data.data(), data.size());
  for (size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_NE(fb::crc32c(data.data(), data.size()), original) << "bit " << bit;
    data[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

TEST(Crc32c, HardwareDetectionIsStable) {
  const bool first = fb::crc32c_hardware_available();
  EXPECT_EQ(fb::crc32c_hardware_available(), first);
}

}  // namespace
