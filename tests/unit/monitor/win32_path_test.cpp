#include "monitor/lib/win32_path.h"

#include "monitor/lib/text.h"

#include <gtest/gtest.h>

namespace {

fbmon::DeviceTable sample_table() {
  fbmon::DeviceTable t;
  t.add(u"\\Device\\HarddiskVolume3", u"C:");
  t.add(u"\\Device\\HarddiskVolume30", u"E:");
  t.add(u"\\Device\\HarddiskVolume4\\", u"D:");  // trailing backslash is trimmed
  t.add(u"\\Device\\CdRom0", u"F:");
  return t;
}

TEST(MonitorNtPath, ConvertsWithTheDeviceTable) {
  struct Case { std::u16string nt; std::u16string win32; bool mapped; };
  const Case cases[] = {
      {u"\\Device\\HarddiskVolume3\\Users\\me\\a.txt", u"C:\\Users\\me\\a.txt", true},
      {u"\\device\\harddiskvolume3\\x", u"C:\\x", true},                     // object names ignore case
      {u"\\Device\\HarddiskVolume30\\x", u"E:\\x", true},                    // not C: + "0\x"
      {u"\\Device\\HarddiskVolume4\\x", u"D:\\x", true},
      {u"\\Device\\HarddiskVolume3", u"C:\\", true},                         // volume root
      {u"\\Device\\HarddiskVolume31\\x", u"\\\\?\\GLOBALROOT\\Device\\HarddiskVolume31\\x", false},
      {u"\\Device\\Mup\\srv\\share\\a.txt", u"\\\\srv\\share\\a.txt", true},
      {u"\\Device\\LanmanRedirector\\srv\\s\\a", u"\\\\srv\\s\\a", true},
      {u"\\??\\C:\\a.txt", u"C:\\a.txt", true},
      {u"\\DosDevices\\z:\\a", u"z:\\a", true},
      {u"\\Device\\HarddiskVolumeShadowCopy1\\a", u"\\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy1\\a", false},
      {u"", u"\\\\?\\GLOBALROOT", false},
  };
  const fbmon::DeviceTable table = sample_table();
  for (const Case& c : cases) {
    const fbmon::Win32Path p = fbmon::nt_to_win32(fbmon::view(c.nt), table);
    EXPECT_EQ(p.path, c.win32) << fbmon::to_utf8(c.nt);
    EXPECT_EQ(p.mapped, c.mapped) << fbmon::to_utf8(c.nt);
  }
}

TEST(MonitorNtPath, LongestDeviceWins) {
  fbmon::DeviceTable t;
  t.add(u"\\Device\\Mup\\srv\\share", u"Z:");
  const fbmon::Win32Path p = fbmon::nt_to_win32(fb::Str16::lit(u"\\Device\\Mup\\srv\\share\\d\\a.txt"), t);
  EXPECT_EQ(p.path, u"Z:\\d\\a.txt");
  EXPECT_EQ(fbmon::nt_to_win32(fb::Str16::lit(u"\\Device\\Mup\\srv\\other\\a"), t).path, u"\\\\srv\\other\\a");
}

TEST(MonitorNtPath, Win32ToNtUsesTheSameTable) {
  const fbmon::DeviceTable table = sample_table();
  EXPECT_EQ(fbmon::win32_to_nt(fb::Str16::lit(u"c:\\Users\\a"), table), u"\\Device\\HarddiskVolume3\\Users\\a");
  EXPECT_EQ(fbmon::win32_to_nt(fb::Str16::lit(u"Q:\\a"), table), u"");
  EXPECT_EQ(fbmon::win32_to_nt(fb::Str16::lit(u"relative\\a"), table), u"");
}

}  // namespace
