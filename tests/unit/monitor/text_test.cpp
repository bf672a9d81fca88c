#include "monitor/lib/json.h"
#include "monitor/lib/text.h"

#include <gtest/gtest.h>

namespace {

using fbmon::json_string;
using fbmon::to_utf16;
using fbmon::to_utf8;

TEST(MonitorUtf8, ConvertsBmpPairsAndLoneSurrogates) {
  struct Case { std::u16string in; std::string out; };
  const Case cases[] = {
      {u"", ""},
      {u"C:\\a.txt", "C:\\a.txt"},
      {u"\u00e9\u4e2d", "\xc3\xa9\xe4\xb8\xad"},
      {u"\U0001F600", "\xf0\x9f\x98\x80"},
      {std::u16string(1, char16_t(0xD800)), "\xef\xbf\xbd"},        // lone high
      {std::u16string(1, char16_t(0xDC00)) + u"x", "\xef\xbf\xbd" "x"},  // lone low
      {std::u16string{char16_t(0xD83D), u'a'}, "\xef\xbf\xbd" "a"},      // high then not low
  };
  for (const Case& c : cases) EXPECT_EQ(to_utf8(c.in), c.out);
}

TEST(MonitorUtf8, DecodesAndReplacesInvalidBytes) {
  struct Case { std::string in; std::u16string out; };
  const Case cases[] = {
      {"abc", u"abc"},
      {"\xc3\xa9", u"\u00e9"},
      {"\xf0\x9f\x98\x80", u"\U0001F600"},
      {"\xc3", u"\ufffd"},              // truncated
      {"\xc0\x80", u"\ufffd\ufffd"},    // overlong NUL
      {"\xed\xa0\x80", u"\ufffd\ufffd\ufffd"},  // encoded surrogate
      {"\xff" "a", u"\ufffd" "a"},
  };
  for (const Case& c : cases) EXPECT_EQ(to_utf16(c.in), c.out) << c.in;
}

TEST(MonitorJson, EscapesEveryUtf16Form) {
  struct Case { std::u16string in; std::string out; };
  const Case cases[] = {
      {u"C:\\a \"b\"", "\"C:\\\\a \\\"b\\\"\""},
      {u"a\nb\tc\x01", "\"a\\nb\\tc\\u0001\""},
      {u"\x7f", "\"\\u007f\""},
      {u"\u00e9", "\"\xc3\xa9\""},
      {u"\U0001F600", "\"\xf0\x9f\x98\x80\""},
      {std::u16string{u'x', char16_t(0xD800), u'y'}, "\"x\\ud800y\""},
      {std::u16string{char16_t(0xDFFF)}, "\"\\udfff\""},
      {std::u16string{char16_t(0xDC00), char16_t(0xD800)}, "\"\\udc00\\ud800\""},  // reversed pair
  };
  for (const Case& c : cases) EXPECT_EQ(json_string(fbmon::view(c.in)), c.out);
}

TEST(MonitorJson, EscapesUtf8Strings) {
  EXPECT_EQ(json_string(std::string("WINWORD.EXE")), "\"WINWORD.EXE\"");
  EXPECT_EQ(json_string(std::string("a\\b\"\r")), "\"a\\\\b\\\"\\r\"");
  EXPECT_EQ(json_string(std::string("\xc3\xa9")), "\"\xc3\xa9\"");
}

TEST(MonitorFormat, SizesDurationsAndCodes) {
  struct SizeCase { uint64_t bytes; const char* text; };
  const SizeCase sizes[] = {{0, "0 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"},
                            {20u << 20, "20.0 MiB"}, {1048575, "1.00 MiB"}, {3ull << 30, "3.00 GiB"},
                            {UINT64_MAX, "16.0 EiB"}};
  for (const SizeCase& c : sizes) EXPECT_EQ(fbmon::format_size(c.bytes), c.text) << c.bytes;
  EXPECT_EQ(fbmon::format_duration(4000), "0.4 ms");
  EXPECT_EQ(fbmon::format_duration(120000), "12 ms");
  EXPECT_EQ(fbmon::format_duration(12500000), "1.25 s");
  EXPECT_EQ(fbmon::format_hex32(0x80004001u), "0x80004001");
}

TEST(MonitorText, AsciiCaseInsensitiveMatching) {
  EXPECT_TRUE(fbmon::contains_ascii_nocase("C:\\Users\\Me\\Report.DOCX", "report.docx"));
  EXPECT_FALSE(fbmon::contains_ascii_nocase("C:\\a", "b"));
  EXPECT_TRUE(fbmon::contains_ascii_nocase("abc", ""));
  EXPECT_TRUE(fbmon::equal_ascii_nocase(fb::Str16::lit(u"\\DEVICE\\x"), fb::Str16::lit(u"\\device\\X")));
}

}  // namespace
