#include "common/base/fb_base.h"

#include <gtest/gtest.h>

namespace {

TEST(Str16, LiteralLengthExcludesTerminator) {
  constexpr fb::Str16 s = fb::Str16::lit(u"abc");
  EXPECT_EQ(s.len, 3u);
  EXPECT_EQ(s[2], u'c');
}

TEST(Str16, EqualComparesLengthAndUnits) {
  EXPECT_TRUE(fb::equal(fb::Str16::lit(u"ab"), fb::Str16::lit(u"ab")));
  EXPECT_FALSE(fb::equal(fb::Str16::lit(u"ab"), fb::Str16::lit(u"abc")));
  EXPECT_FALSE(fb::equal(fb::Str16::lit(u"ab"), fb::Str16::lit(u"aB")));
}

TEST(NtStatus, SuccessFollowsTheSignBit) {
  EXPECT_TRUE(fb::nt_success(fb::nt::kSuccess));
  EXPECT_FALSE(fb::nt_success(fb::nt::kSharingViolation));
  EXPECT_EQ(static_cast<uint32_t>(fb::nt::kDiskFull), 0xC000007Fu);
}

}  // namespace
