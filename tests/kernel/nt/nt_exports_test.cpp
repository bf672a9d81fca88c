// Contracts of individual simulated ntoskrnl routines, as the image sees them: DbgPrintEx's
// Windows format conventions, ZwQueryValueKey's buffer-size protocol, symbolic links.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/kernel/nt/dbgprint.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/nt/symlinks.h"
#include "tests/kernel/sim/harness.h"
#include "tests/kernel/sim/nt_types.h"

namespace ksim {
namespace {

template <typename Fn>
Fn routine(const char* name) {
  return reinterpret_cast<Fn>(find_export("ntoskrnl.exe", name)->address);
}

using NtExportsTest = KernelTest;

TEST_F(NtExportsTest, DbgPrintExFollowsWindowsFormatConventions) {
  using Print = uint32_t(KSIM_API*)(uint32_t, uint32_t, const char*, ...);
  auto print = routine<Print>("DbgPrintEx");
  char16_t text[] = u"C:\\d\u00e9j\u00e0";
  nt::UNICODE_STRING us{8, 20, text};  // %wZ prints Length bytes only: "C:\d"
  // `l` is 32 bits (LLP64): 0x1'00000005 passed as %lu prints 5; I64 and ll are 64 bits.
  print(77, 3, "%wZ|%ws|%S|%lu|%I64x|%llu|%08lx|%-4d|%c|%s|%p|%%", &us, text, text, 0x100000005ull,
        0x123456789abull, 18446744073709551615ull, 0xc0000034u, -7, 'x', "ok", reinterpret_cast<void*>(0xabc));
  const auto lines = dbgprint::lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].component, 77u);
  EXPECT_EQ(lines[0].level, 3u);
  EXPECT_EQ(lines[0].text,
            "C:\\d|C:\\d\xc3\xa9j\xc3\xa0|C:\\d\xc3\xa9j\xc3\xa0|5|123456789ab|18446744073709551615|c0000034|-7  |x|ok|"
            "0000000000000ABC|%");
}

TEST_F(NtExportsTest, ZwQueryValueKeyReportsTheSizeNeededAndFillsOnlyWhatFits) {
  const std::u16string key = u"\\Registry\\Machine\\Software\\Test";
  registry::set_dword(key, u"Value", 0x11223344);
  using Open = int32_t(KSIM_API*)(void**, uint32_t, nt::OBJECT_ATTRIBUTES*);
  using Query = int32_t(KSIM_API*)(void*, nt::UNICODE_STRING*, int32_t, void*, uint32_t, uint32_t*);
  using Close = int32_t(KSIM_API*)(void*);
  std::u16string path = u"\\REGISTRY\\machine\\software\\TEST";  // case-insensitive
  nt::UNICODE_STRING name{static_cast<uint16_t>(path.size() * 2), static_cast<uint16_t>(path.size() * 2), path.data()};
  nt::OBJECT_ATTRIBUTES oa{sizeof(nt::OBJECT_ATTRIBUTES), nullptr, &name, nt::OBJ_KERNEL_HANDLE, nullptr, nullptr};
  void* handle = nullptr;
  ASSERT_EQ(routine<Open>("ZwOpenKey")(&handle, 0, &oa), nt::STATUS_SUCCESS);
  std::u16string value_name = u"value";
  nt::UNICODE_STRING vn{10, 10, value_name.data()};
  uint8_t buffer[32];
  std::memset(buffer, 0xee, sizeof buffer);
  uint32_t needed = 0;
  auto query = routine<Query>("ZwQueryValueKey");
  EXPECT_EQ(query(handle, &vn, nt::KeyValuePartialInformation, buffer, 4, &needed), nt::STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(needed, 16u);  // 12-byte header + 4 bytes of data
  EXPECT_EQ(query(handle, &vn, nt::KeyValuePartialInformation, buffer, 12, &needed), nt::STATUS_BUFFER_OVERFLOW);
  EXPECT_EQ(buffer[4], nt::REG_DWORD);
  EXPECT_EQ(buffer[12], 0xee) << "no data written on overflow";
  EXPECT_EQ(query(handle, &vn, nt::KeyValuePartialInformation, buffer, sizeof buffer, &needed), nt::STATUS_SUCCESS);
  uint32_t data = 0;
  std::memcpy(&data, buffer + 12, 4);
  EXPECT_EQ(data, 0x11223344u);
  std::u16string missing = u"Missing";
  nt::UNICODE_STRING mn{14, 14, missing.data()};
  EXPECT_EQ(query(handle, &mn, nt::KeyValuePartialInformation, buffer, sizeof buffer, &needed),
            nt::STATUS_OBJECT_NAME_NOT_FOUND);
  EXPECT_EQ(routine<Close>("ZwClose")(handle), nt::STATUS_SUCCESS);
}

TEST_F(NtExportsTest, DriveLetterLinksResolveThroughGlobalDosDevices) {
  symlinks::add(u"D:", u"\\Device\\HarddiskVolume7");
  using Open = int32_t(KSIM_API*)(void**, uint32_t, nt::OBJECT_ATTRIBUTES*);
  using Query = int32_t(KSIM_API*)(void*, nt::UNICODE_STRING*, uint32_t*);
  using Close = int32_t(KSIM_API*)(void*);
  std::u16string path = u"\\GLOBAL??\\d:";
  nt::UNICODE_STRING name{static_cast<uint16_t>(path.size() * 2), static_cast<uint16_t>(path.size() * 2), path.data()};
  nt::OBJECT_ATTRIBUTES oa{sizeof(nt::OBJECT_ATTRIBUTES), nullptr, &name, nt::OBJ_KERNEL_HANDLE, nullptr, nullptr};
  void* link = nullptr;
  ASSERT_EQ(routine<Open>("ZwOpenSymbolicLinkObject")(&link, 0, &oa), nt::STATUS_SUCCESS);
  char16_t small[4];
  nt::UNICODE_STRING target{0, sizeof small, small};
  uint32_t returned = 0;
  EXPECT_EQ(routine<Query>("ZwQuerySymbolicLinkObject")(link, &target, &returned), nt::STATUS_BUFFER_TOO_SMALL);
  EXPECT_EQ(returned, 46u);
  char16_t big[64];
  target = nt::UNICODE_STRING{0, sizeof big, big};
  EXPECT_EQ(routine<Query>("ZwQuerySymbolicLinkObject")(link, &target, &returned), nt::STATUS_SUCCESS);
  EXPECT_EQ(std::u16string(big, target.Length / 2), u"\\Device\\HarddiskVolume7");
  EXPECT_EQ(routine<Close>("ZwClose")(link), nt::STATUS_SUCCESS);
}

}  // namespace
}  // namespace ksim
