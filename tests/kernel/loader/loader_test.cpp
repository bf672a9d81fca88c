// The loader against the shipped image: where it maps, what relocation and binding produce,
// the protections, the entry point, and that an import nobody provides stops the load.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/kernel/loader/pe_loader.h"
#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

using LoaderTest = KernelTest;

// The permissions /proc/self/maps shows for the mapping containing `address` ("r-xp"...).
std::string permissions_of(const void* address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto a = reinterpret_cast<uintptr_t>(address);
  while (std::getline(maps, line)) {
    uintptr_t lo = 0, hi = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &lo, &hi, perms) == 3 && a >= lo && a < hi) return perms;
  }
  return "unmapped";
}

TEST_F(LoaderTest, MapsAwayFromThePreferredBaseAndEveryRelocatedPointerLandsInTheImage) {
  EXPECT_NE(reinterpret_cast<uint64_t>(image().base()), image().preferred_base());
  EXPECT_EQ(image().preferred_base(), 0x140000000u);  // --image-base in cmake/KernelFlags
  ASSERT_GT(image().relocations_applied(), 0u);
  // Independent of the loader's arithmetic: in a driver every DIR64 target is a pointer into the
  // image itself (vtables, string tables, the registration), so after relocation each must
  // point inside the mapping, never inside [preferred base, preferred base + size).
  const pe::DataDirectory dir = image().file().directory(pe::kDirBaseReloc);
  const uint8_t* at = image().base() + dir.rva;
  const uint8_t* end = at + dir.size;
  size_t checked = 0;
  while (at + 8 <= end) {
    uint32_t page = 0, block = 0;
    std::memcpy(&page, at, 4);
    std::memcpy(&block, at + 4, 4);
    for (const uint8_t* e = at + 8; e + 2 <= at + block; e += 2) {
      uint16_t entry = 0;
      std::memcpy(&entry, e, 2);
      if ((entry >> 12) != 10) continue;
      uint64_t value = 0;
      std::memcpy(&value, image().base() + page + (entry & 0xfff), 8);
      EXPECT_TRUE(image().contains(reinterpret_cast<void*>(value)))
          << "relocated pointer at rva 0x" << std::hex << page + (entry & 0xfff) << " = 0x" << value;
      ++checked;
    }
    at += block;
  }
  EXPECT_EQ(checked, image().relocations_applied());
}

TEST_F(LoaderTest, EveryImportIsBoundToItsExportWithDataImportsHoldingTheVariablesAddress) {
  size_t data = 0;
  for (const pe::Import& imp : image().file().imports()) {
    const Export* e = find_export(imp.dll.c_str(), imp.name.c_str());
    ASSERT_NE(e, nullptr) << imp.dll << "!" << imp.name;
    void* slot = nullptr;
    std::memcpy(&slot, image().at_rva(imp.iat_rva), 8);
    EXPECT_EQ(slot, e->address) << imp.dll << "!" << imp.name;
    if (e->is_data) ++data;
  }
  // MmUserProbeAddress and PsThreadType (host-kernel.md).
  EXPECT_EQ(data, 2u);
}

TEST_F(LoaderTest, SectionsGetTheProtectionsTheirHeadersAsk) {
  for (const pe::Section& s : image().file().sections()) {
    std::string want = "r--p";
    if (s.characteristics & pe::kSectionMemWrite) want = "rw-p";
    if (s.characteristics & pe::kSectionMemExecute) want = "r-xp";
    EXPECT_EQ(permissions_of(image().at_rva(s.virtual_address)), want) << s.name;
  }
  EXPECT_EQ(permissions_of(image().base()), "r--p") << "headers";
}

TEST_F(LoaderTest, TheEntryPointIsDriverEntry) {
  EXPECT_EQ(image().entry_point(), image().at_rva(symbols().rva_of("DriverEntry")));
}

TEST_F(LoaderTest, TheGuardedCopyHasOneExecuteHandlerScopeUnderCSpecificHandler) {
  const uint32_t rva = symbols().rva_of("fbk_guarded_copy");
  ASSERT_NE(rva, 0u);
  std::vector<ScopeRecord> scopes;
  std::string why;
  ASSERT_TRUE(image().c_scope_table(rva, &scopes, &why)) << why;
  ASSERT_EQ(scopes.size(), 1u);
  EXPECT_EQ(scopes[0].handler_rva, 1u);  // EXCEPTION_EXECUTE_HANDLER
  EXPECT_GT(scopes[0].begin_rva, rva);
  EXPECT_GT(scopes[0].end_rva, scopes[0].begin_rva);
  EXPECT_GT(scopes[0].target_rva, scopes[0].end_rva);
}

// A copy of the shipped image with one import name changed to something nobody exports.
std::string image_with_renamed_import(const std::string& from, const std::string& to) {
  std::ifstream in(shipped_image_path(), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  std::string s = bytes.str();
  // The import's hint/name entry: a 2-byte hint, then the name and its terminator.
  const size_t at = s.find(from + '\0');
  if (at == std::string::npos || at == 0 || std::isalnum(static_cast<unsigned char>(s[at - 1])) ||
      to.size() != from.size())
    return {};
  s.replace(at, from.size(), to);
  const std::string path = testing::TempDir() + "FileBackup-renamed-import.sys";
  std::ofstream(path, std::ios::binary) << s;
  return path;
}

TEST(LoaderUnbound, AnImportNobodyProvidesFailsTheLoadNamingIt) {
  const std::string path = image_with_renamed_import("KeSetEvent", "KeSetEvenX");
  ASSERT_FALSE(path.empty());
  std::string error;
  EXPECT_EQ(LoadedImage::load(path, LoadOptions{}, &error), nullptr);
  EXPECT_NE(error.find("ntoskrnl.exe!KeSetEvenX"), std::string::npos) << error;
}

TEST(LoaderUnbound, TrapModeBindsItToAnInaccessibleSlotAndACallDiesNamingIt) {
  const std::string path = image_with_renamed_import("KeSetEvent", "KeSetEvenX");
  ASSERT_FALSE(path.empty());
  std::string error;
  LoadOptions options;
  options.unbound_imports_trap = true;
  auto image = LoadedImage::load(path, options, &error);
  ASSERT_NE(image, nullptr) << error;
  const auto& trapped = image->trapped_imports();
  EXPECT_NE(std::find(trapped.begin(), trapped.end(), "ntoskrnl.exe!KeSetEvenX"), trapped.end());
  for (const std::string& name : trapped) EXPECT_EQ(name.find("KeSetEvent"), std::string::npos) << name;
  void* target = *image->import_slot("ntoskrnl.exe", "KeSetEvenX");
  EXPECT_EQ(image->trap_name(target), "ntoskrnl.exe!KeSetEvenX");
  EXPECT_DEATH(
      {
        install_fault_handler();
        // A call from inside the image: its return address is an image address.
        using Fn = void (*)();
        reinterpret_cast<Fn>(target)();
      },
      "KeSetEvenX");
}

}  // namespace
}  // namespace ksim
