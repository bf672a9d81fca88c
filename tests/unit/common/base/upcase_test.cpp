#include "common/base/upcase.h"

#include <gtest/gtest.h>

#include <string>

namespace {

fb::Str16 S(const std::u16string& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }

struct UpcaseCase {
  char16_t in;
  char16_t out;
  const char* what;
};

// Values of the $UpCase table Windows writes when it formats an NTFS volume (Vista and later).
const UpcaseCase kUpcaseCases[] = {
    {u'a', u'A', "ASCII small a"},
    {u'z', u'Z', "ASCII small z"},
    {u'A', u'A', "ASCII capital stays"},
    {u'`', u'`', "just below a"},
    {u'{', u'{', "just above z"},
    {u'5', u'5', "digit"},
    {0x00E9, 0x00C9, "e acute"},
    {0x00E0, 0x00C0, "a grave, first of Latin-1 small letters"},
    {0x00FE, 0x00DE, "thorn, last of Latin-1 small letters"},
    {0x00F7, 0x00F7, "division sign is not a letter"},
    {0x00DF, 0x00DF, "sharp s has no single capital: stays"},
    {0x00B5, 0x00B5, "micro sign stays (NTFS does not map it to Greek Mu)"},
    {0x00FF, 0x0178, "y diaeresis -> U+0178 in Latin Extended-A"},
    {0x0101, 0x0100, "a macron"},
    {0x0100, 0x0100, "A macron stays"},
    {0x0131, 0x0131, "dotless i stays"},
    {0x0130, 0x0130, "I with dot stays"},
    {0x0133, 0x0132, "ij ligature"},
    {0x0138, 0x0138, "kra has no capital"},
    {0x0142, 0x0141, "l stroke"},
    {0x0149, 0x0149, "n preceded by apostrophe stays"},
    {0x0177, 0x0176, "y circumflex"},
    {0x017E, 0x017D, "z caron"},
    {0x017F, 0x017F, "long s stays"},
    {0x03B1, 0x0391, "alpha"},
    {0x03C1, 0x03A1, "rho"},
    {0x03C2, 0x03A3, "final sigma -> capital sigma"},
    {0x03C3, 0x03A3, "sigma"},
    {0x03C9, 0x03A9, "omega"},
    {0x03AC, 0x0386, "alpha with tonos"},
    {0x03AD, 0x0388, "epsilon with tonos"},
    {0x03CC, 0x038C, "omicron with tonos"},
    {0x03CE, 0x038F, "omega with tonos"},
    {0x0390, 0x0390, "iota with dialytika and tonos stays"},
    {0x03F2, 0x03F9, "lunate sigma"},
    {0x037B, 0x03FD, "reversed lunate sigma"},
    {0x03E3, 0x03E2, "Coptic shei"},
    {0x0430, 0x0410, "Cyrillic a"},
    {0x044F, 0x042F, "Cyrillic ya"},
    {0x0451, 0x0401, "Cyrillic io"},
    {0x045F, 0x040F, "Cyrillic dzhe"},
    {0x0463, 0x0462, "Cyrillic yat"},
    {0x0491, 0x0490, "Ukrainian ghe with upturn"},
    {0x04C2, 0x04C1, "zhe with breve"},
    {0x04CF, 0x04C0, "palochka"},
    {0x04D1, 0x04D0, "a with breve"},
    {0x0513, 0x0512, "Cyrillic Supplement el with hook"},
    {0x0482, 0x0482, "thousands sign stays"},
    {0x4E00, 0x4E00, "CJK stays"},
    {0xD800, 0xD800, "surrogates stay"},
    {0xFF41, 0xFF41, "outside the covered blocks: identity"},
};

TEST(UpcaseNative, MatchesTheNtfsTable) {
  for (const UpcaseCase& c : kUpcaseCases)
    EXPECT_EQ(static_cast<int>(fb::upcase_native(c.in)), static_cast<int>(c.out)) << c.what;
}

TEST(UpcaseNative, IsIdempotentForEveryUnit) {
  for (uint32_t u = 0; u <= 0xFFFF; ++u) {
    const char16_t once = fb::upcase_native(static_cast<char16_t>(u));
    ASSERT_EQ(fb::upcase_native(once), once) << std::hex << u;
  }
}

char16_t never_called(char16_t) {
  ADD_FAILURE() << "ASCII must not reach the upcase function";
  return 0;
}

TEST(UpcaseUnit, AsciiFastPathAgreesWithTheTableAndSkipsTheCall) {
  for (char16_t u = 0; u < 0x80; ++u) EXPECT_EQ(fb::upcase_unit(u, never_called), fb::upcase_native(u)) << int(u);
}

TEST(UpcaseUnit, NonAsciiGoesThroughTheGivenFunction) {
  EXPECT_EQ(fb::upcase_unit(0x00E9, [](char16_t) -> char16_t { return u'#'; }), u'#');
}

struct CompareCase {
  std::u16string a;
  std::u16string b;
  bool equal;
  const char* what;
};

const CompareCase kCompareCases[] = {
    {u"documents", u"DOCUMENTS", true, "ASCII"},
    {u"Dokumente", u"DOKUMENTE", true, "German"},
    {u"été", u"ÉTÉ", true, "French accents"},
    {u"Документы", u"ДОКУМЕНТЫ", true, "Cyrillic"},
    {u"документы", u"ДокуменТЫ", true, "Cyrillic mixed"},
    {u"Ελληνικά", u"ΕΛΛΗΝΙΚΆ", true, "Greek with tonos"},
    {u"σας", u"ΣΑΣ", true, "Greek final sigma"},
    {u"straße", u"STRASSE", false, "no expansion of sharp s"},
    {u"documents", u"document", false, "length differs"},
    {u"documents", u"documentz", false, "last unit differs"},
    {u"", u"", true, "empty"},
    {u"ı", u"I", false, "dotless i is its own letter"},
};

TEST(EqualIgnoreCase, ComparesUpcasedUnits) {
  for (const CompareCase& c : kCompareCases) {
    EXPECT_EQ(fb::equal_ignore_case(S(c.a), S(c.b), fb::upcase_native), c.equal) << c.what;
    EXPECT_EQ(fb::equal_ignore_case(S(c.b), S(c.a), fb::upcase_native), c.equal) << c.what << " (swapped)";
  }
}

TEST(StartsWithIgnoreCase, ChecksOnlyThePrefix) {
  EXPECT_TRUE(fb::starts_with_ignore_case(S(u"BACKUP.2"), S(u"backup"), fb::upcase_native));
  EXPECT_TRUE(fb::starts_with_ignore_case(S(u"Документы"), S(u"ДОК"), fb::upcase_native));
  EXPECT_TRUE(fb::starts_with_ignore_case(S(u"abc"), S(u""), fb::upcase_native));
  EXPECT_FALSE(fb::starts_with_ignore_case(S(u"back"), S(u"backup"), fb::upcase_native));
  EXPECT_FALSE(fb::starts_with_ignore_case(S(u"bakup"), S(u"backup"), fb::upcase_native));
}

}  // namespace
