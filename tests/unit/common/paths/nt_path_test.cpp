#include "common/paths/nt_path.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>

#include "common/events/event.h"

namespace {

using fb::StreamKind;

fb::Str16 S(const std::u16string& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }
std::u16string str(fb::Str16 s) { return std::u16string(s.data ? s.data : u"", s.len); }

struct ParseCase {
  std::u16string path;
  std::u16string volume, parent, file_name, stream_name, stream_type;
  StreamKind kind;
  bool volume_only;
  bool trailing;
  const char* what;
};

const std::u16string kVol = u"\\Device\\HarddiskVolume3";

const ParseCase kParseCases[] = {
    {kVol + u"\\Users\\a\\Documents\\x.txt:s:$DATA", kVol, u"\\Users\\a\\Documents", u"x.txt", u"s", u"$DATA",
     StreamKind::kNamedData, false, false, "full form"},
    {kVol + u"\\Users\\a\\x", kVol, u"\\Users\\a", u"x", u"", u"", StreamKind::kDefault, false, false, "plain file"},
    {kVol + u"\\Users\\a\\x::$DATA", kVol, u"\\Users\\a", u"x", u"", u"$DATA", StreamKind::kDefault, false, false,
     "default stream spelled out"},
    {kVol + u"\\Users\\a\\x::$data", kVol, u"\\Users\\a", u"x", u"", u"$data", StreamKind::kDefault, false, false,
     "type compares case-insensitively"},
    {kVol + u"\\Users\\a\\x:s", kVol, u"\\Users\\a", u"x", u"s", u"", StreamKind::kNamedData, false, false, "named"},
    {kVol + u"\\Users\\a\\x:$DATA", kVol, u"\\Users\\a", u"x", u"$DATA", u"", StreamKind::kNamedData, false, false,
     "a stream named $DATA (MS-FSCC 5), not the default stream"},
    {kVol + u"\\a\\dir::$INDEX_ALLOCATION", kVol, u"\\a", u"dir", u"", u"$INDEX_ALLOCATION", StreamKind::kIndex, false,
     false, "directory index"},
    {kVol + u"\\a\\dir:$I30:$INDEX_ALLOCATION", kVol, u"\\a", u"dir", u"$I30", u"$INDEX_ALLOCATION",
     StreamKind::kIndex, false, false, "directory index by name"},
    {kVol + u"\\a\\x::$BITMAP", kVol, u"\\a", u"x", u"", u"$BITMAP", StreamKind::kOtherType, false, false,
     "other attribute type"},
    {kVol, kVol, u"", u"", u"", u"", StreamKind::kDefault, true, false, "volume only"},
    {kVol + u"\\", kVol, u"", u"", u"", u"", StreamKind::kDefault, false, false, "root directory"},
    {kVol + u"\\x.txt", kVol, u"", u"x.txt", u"", u"", StreamKind::kDefault, false, false, "file in the root"},
    {kVol + u"\\:s", kVol, u"", u"", u"s", u"", StreamKind::kNamedData, false, false, "stream of the root"},
    {kVol + u"\\Users\\a\\Documents\\", kVol, u"\\Users\\a", u"Documents", u"", u"", StreamKind::kDefault, false, true,
     "directory with a trailing backslash"},
    {u"\\Device\\HarddiskVolumeShadowCopy12\\Users\\x", u"\\Device\\HarddiskVolumeShadowCopy12", u"\\Users", u"x",
     u"", u"", StreamKind::kDefault, false, false, "shadow copy volume"},
    {kVol + u"\\Été 2024\\Документы\\отчёт.docx", kVol, u"\\Été 2024\\Документы", u"отчёт.docx", u"", u"",
     StreamKind::kDefault, false, false, "non-ASCII names"},
    {kVol + u"\\a\\x:Zone.Identifier:$DATA", kVol, u"\\a", u"x", u"Zone.Identifier", u"$DATA",
     StreamKind::kNamedData, false, false, "Zone.Identifier"},
    {kVol + u"\\a\\.x", kVol, u"\\a", u".x", u"", u"", StreamKind::kDefault, false, false, "dot file"},
    {kVol + u"\\a\\...", kVol, u"\\a", u"...", u"", u"", StreamKind::kDefault, false, false, "three dots is a name"},
};

TEST(ParseNtPath, SplitsEveryForm) {
  for (const ParseCase& c : kParseCases) {
    fb::NtPathParts p;
    ASSERT_EQ(fb::parse_nt_path(S(c.path), &p), fb::nt::kSuccess) << c.what;
    EXPECT_EQ(str(p.volume), c.volume) << c.what;
    EXPECT_EQ(str(p.parent), c.parent) << c.what;
    EXPECT_EQ(str(p.directory), c.volume + c.parent) << c.what;
    EXPECT_EQ(str(p.file_name), c.file_name) << c.what;
    EXPECT_EQ(str(p.stream_name), c.stream_name) << c.what;
    EXPECT_EQ(str(p.stream_type), c.stream_type) << c.what;
    EXPECT_EQ(p.stream_kind, c.kind) << c.what;
    EXPECT_EQ(p.is_default_stream(), c.kind == StreamKind::kDefault) << c.what;
    EXPECT_EQ(p.volume_only, c.volume_only) << c.what;
    EXPECT_EQ(p.trailing_separator, c.trailing) << c.what;
  }
}

TEST(ParseNtPath, FilePathStopsBeforeTheStreamSuffix) {
  const std::u16string path = kVol + u"\\a\\x.txt:s:$DATA";
  fb::NtPathParts p;
  ASSERT_EQ(fb::parse_nt_path(S(path), &p), fb::nt::kSuccess);
  EXPECT_EQ(str(p.file_path), kVol + u"\\a\\x.txt");
  EXPECT_EQ(p.file_path.data, path.data());  // a view, not a copy
}

TEST(ParseNtPath, RootAndVolumeAreNotFiles) {
  fb::NtPathParts p;
  ASSERT_EQ(fb::parse_nt_path(S(kVol + u"\\"), &p), fb::nt::kSuccess);
  EXPECT_TRUE(p.is_root());
  ASSERT_EQ(fb::parse_nt_path(S(kVol), &p), fb::nt::kSuccess);
  EXPECT_FALSE(p.is_root());
  EXPECT_TRUE(p.volume_only);
}

struct BadCase {
  std::u16string path;
  const char* what;
};

const BadCase kBadCases[] = {
    {u"", "empty"},
    {u"\\", "a lone backslash"},
    {u"Device\\HarddiskVolume3\\x", "relative"},
    {u"\\Device", "no volume name"},
    {u"\\Device\\", "empty volume name"},
    {u"\\\\Device\\HarddiskVolume3\\x", "empty first component"},
    {kVol + u"\\\\x", "empty component"},
    {kVol + u"\\a\\\\x", "empty component inside"},
    {kVol + u"\\\\", "root written with two backslashes"},
    {kVol + u"\\a\\.\\x", "dot component"},
    {kVol + u"\\..\\x", "dot-dot component"},
    {kVol + u"\\a\\..", "dot-dot as the name"},
    {kVol + u"\\.", "dot as the name"},
    {kVol + u"\\a:b\\x", "colon in a directory"},
    {kVol + u"\\a\\x:", "empty stream name"},
    {kVol + u"\\a\\x::", "empty stream type"},
    {kVol + u"\\a\\x:s:", "empty stream type after a name"},
    {kVol + u"\\a\\x:s:DATA", "type without $"},
    {kVol + u"\\a\\x:s:$DATA:z", "three colons"},
    {kVol + u"\\a\\:s", "empty file name outside the root"},
    {kVol + u"\\a\\x:s\\", "stream with a trailing backslash"},
    {kVol + u"\\a\\x:s/t", "slash in a stream name"},
    {kVol + u"\\a\\x" + std::u16string(1, u'\0') + u"y", "NUL in the name"},
    {kVol + u"\\a" + std::u16string(1, u'\0') + u"\\y", "NUL in a directory"},
    {kVol + u"\\a\\x:" + std::u16string(256, u's'), "stream name over 255 units"},
};

TEST(ParseNtPath, RejectsMalformedNamesAndClearsTheOutput) {
  for (const BadCase& c : kBadCases) {
    fb::NtPathParts p;
    p.file_name = fb::Str16::lit(u"stale");
    EXPECT_EQ(fb::parse_nt_path(S(c.path), &p), fb::nt::kObjectNameInvalid) << c.what;
    EXPECT_EQ(p.file_name.len, 0u) << c.what;
  }
}

TEST(ParseNtPath, LongestNameIsAcceptedAndOneMoreIsTooLong) {
  std::u16string path = kVol + u"\\";
  while (path.size() + 101 < fb::kMaxPathUnits) path += std::u16string(100, u'd') + u"\\";
  path += std::u16string(fb::kMaxPathUnits - path.size(), u'f');
  ASSERT_EQ(path.size(), fb::kMaxPathUnits);
  fb::NtPathParts p;
  EXPECT_EQ(fb::parse_nt_path(S(path), &p), fb::nt::kSuccess);
  path += u'f';
  EXPECT_EQ(fb::parse_nt_path(S(path), &p), fb::nt::kNameTooLong);
}

TEST(ParseNtPath, StreamNameOf255UnitsIsAccepted) {
  fb::NtPathParts p;
  EXPECT_EQ(fb::parse_nt_path(S(kVol + u"\\x:" + std::u16string(255, u's')), &p), fb::nt::kSuccess);
  EXPECT_EQ(p.stream_name.len, 255u);
}

TEST(ParseNtPath, NullDataIsInvalid) {
  fb::NtPathParts p;
  EXPECT_EQ(fb::parse_nt_path(fb::Str16(nullptr, 5), &p), fb::nt::kObjectNameInvalid);
}

// Every prefix of a valid name, each in a buffer of exactly its size: parsing must stay inside
// (ASan in the fuzzer build checks the reads; here every prefix must at least give a verdict).
TEST(ParseNtPath, EveryPrefixGivesAVerdict) {
  const std::u16string full = kVol + u"\\Users\\a\\Documents\\x.txt:s:$DATA";
  for (size_t n = 0; n <= full.size(); ++n) {
    std::unique_ptr<char16_t[]> exact(new char16_t[n + 1]);
    full.copy(exact.get(), n);
    fb::NtPathParts p;
    const fb::NtStatus s = fb::parse_nt_path(fb::Str16(exact.get(), static_cast<uint32_t>(n)), &p);
    EXPECT_TRUE(s == fb::nt::kSuccess || s == fb::nt::kObjectNameInvalid) << n;
  }
}

struct VolumeCase {
  std::u16string path;
  uint32_t volume_len;
  fb::NtStatus status;
  std::u16string parent;
  const char* what;
};

const std::u16string kMup = u"\\Device\\Mup\\server\\share";
const std::u16string kRedirected = u"\\Device\\Mup\\;Z:0000";

const VolumeCase kVolumeCases[] = {
    {kMup + u"\\dir\\f.txt", static_cast<uint32_t>(kMup.size()), fb::nt::kSuccess, u"\\dir", "four-component volume"},
    {kMup, static_cast<uint32_t>(kMup.size()), fb::nt::kSuccess, u"", "that volume alone"},
    {kMup + u"\\dir\\f.txt", 5, fb::nt::kObjectNameInvalid, u"", "volume ends inside a component"},
    {kMup, static_cast<uint32_t>(kMup.size()) + 1, fb::nt::kObjectNameInvalid, u"", "volume longer than the path"},
    {kMup + u"\\f", 1, fb::nt::kObjectNameInvalid, u"", "volume of one unit"},
    {kRedirected + u"\\srv\\f", static_cast<uint32_t>(kRedirected.size()), fb::nt::kSuccess, u"\\srv",
     "colons allowed inside the volume"},
};

TEST(ParseNtPathOnVolume, UsesTheGivenVolumeLength) {
  for (const VolumeCase& c : kVolumeCases) {
    fb::NtPathParts p;
    EXPECT_EQ(fb::parse_nt_path_on_volume(S(c.path), c.volume_len, &p), c.status) << c.what;
    if (c.status == fb::nt::kSuccess) {
      EXPECT_EQ(p.volume.len, c.volume_len) << c.what;
      EXPECT_EQ(str(p.parent), c.parent) << c.what;
    }
  }
}

struct ExtensionCase {
  std::u16string name;
  std::u16string ext;
};

const ExtensionCase kExtensionCases[] = {
    {u"a.txt", u"txt"},      {u"a.tar.gz", u"gz"}, {u"noext", u""}, {u"trailing.", u""},
    {u".gitignore", u"gitignore"}, {u"", u""},     {u"отчёт.DOCX", u"DOCX"},
};

TEST(FileExtension, IsTheTextAfterTheLastDot) {
  for (const ExtensionCase& c : kExtensionCases) EXPECT_EQ(str(fb::file_extension(S(c.name))), c.ext);
}

// The SSE2 separator scan against the obvious loop, on random strings of every length up to 80
// and every window position (including the overlapping last window).
TEST(SeparatorMask, AgreesWithAScalarScan) {
  std::mt19937 rng(7);
  for (uint32_t len = 1; len <= 80; ++len) {
    for (int round = 0; round < 20; ++round) {
      std::u16string s(len, u'a');
      for (char16_t& u : s) u = (rng() % 4 == 0) ? u'\\' : static_cast<char16_t>(u'a' + rng() % 3 + (rng() % 8 == 0 ? 0x5C00 : 0));
      for (uint32_t base = 0; base < len; ++base) {
        uint32_t expected = 0;
        for (uint32_t i = base; i < len && i < base + 16; ++i) expected |= static_cast<uint32_t>(s[i] == u'\\') << (i - base);
        ASSERT_EQ(fb::separator_mask16(S(s), base), expected) << "len " << len << " base " << base;
      }
    }
  }
}

TEST(AnyComponent, VisitsEveryComponentInOrderAndStopsWhenAsked) {
  const std::u16string path = u"\\a\\bb\\\\" + std::u16string(70, u'c') + u"\\d";
  std::u16string seen;
  const bool stopped = fb::any_component(S(path), [&](uint32_t start, uint32_t end) {
    seen += path.substr(start, end - start) + u"|";
    return false;
  });
  EXPECT_FALSE(stopped);
  EXPECT_EQ(seen, u"a|bb||" + std::u16string(70, u'c') + u"|d|");
  int visits = 0;
  EXPECT_TRUE(fb::any_component(S(path), [&](uint32_t, uint32_t) { return ++visits == 2; }));
  EXPECT_EQ(visits, 2);
  EXPECT_FALSE(fb::any_component(fb::Str16(), [&](uint32_t, uint32_t) { return true; }));
}

}  // namespace
