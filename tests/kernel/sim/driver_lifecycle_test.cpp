// The first end-to-end story of the host-kernel layer: the shipped image's DriverEntry under the
// simulated ntoskrnl and Filter Manager, then its unload, with every verifier check on.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/nt/dbgprint.h"
#include "tests/kernel/nt/objects.h"
#include "tests/kernel/nt/pool.h"
#include "tests/kernel/nt/registry.h"
#include "tests/kernel/nt/threads.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

// DRIVER_OBJECT on x64 (wdm.h): 0x150 bytes, Type IO_TYPE_DRIVER (4) at 0, Size at 2,
// DriverUnload at 0x68. FltRegisterFilter takes DriverUnload over; nobody else reads it here.
struct DriverObject {
  alignas(8) uint8_t bytes[0x150];
};
constexpr size_t kDriverUnloadOffset = 0x68;

const char16_t kServiceKey[] = u"\\Registry\\Machine\\System\\CurrentControlSet\\Services\\FileBackup";

class DriverLifecycleTest : public KernelTest {
 protected:
  void SetUp() override {
    KernelTest::SetUp();
    flt::FilterManager::get().reset();
    std::memset(&driver_, 0, sizeof driver_);
    driver_.bytes[0] = 4;
    const uint16_t size = sizeof driver_;
    std::memcpy(driver_.bytes + 2, &size, 2);
    path_.Buffer = const_cast<char16_t*>(kServiceKey);
    path_.Length = static_cast<uint16_t>((sizeof kServiceKey) - 2);
    path_.MaximumLength = sizeof kServiceKey;
  }
  void TearDown() override {
    flt::FilterManager::get().reset();
    KernelTest::TearDown();
  }

  int32_t driver_entry() {
    using Entry = int32_t(KSIM_API*)(void*, nt::UNICODE_STRING*);
    auto entry = reinterpret_cast<Entry>(image().entry_point());
    verifier::CallbackScope scope("DriverEntry", image().entry_point());
    return entry(&driver_, &path_);
  }

  DriverObject driver_;
  nt::UNICODE_STRING path_{};
};

TEST_F(DriverLifecycleTest, DriverEntryWithNoRegistryKeySucceedsAndUnloadFreesEverything) {
  // No Parameters key at all: the driver must run on its defaults. The service's Instances key
  // (altitude, written by the INF) is present, as FltRegisterFilter needs.
  flt::FilterManager& fm = flt::FilterManager::get();
  fm.set_instances_key_present(true);
  const int32_t status = driver_entry();
  ASSERT_EQ(status, 0) << std::hex << "DriverEntry returned 0x" << status << "\n" << dbgprint::all_text();
  ASSERT_NE(fm.filter(), nullptr);
  EXPECT_TRUE(fm.filter()->filtering) << "FltStartFiltering was not called";
  EXPECT_NE(dbgprint::all_text().find("using defaults"), std::string::npos) << dbgprint::all_text();
  EXPECT_GT(pool::outstanding().size(), 0u) << "a loaded driver holds its state in pool";
  EXPECT_EQ(threads::running(), 1u) << "the sender thread";

  EXPECT_EQ(fm.unload(), 0);
  EXPECT_TRUE(fm.unregistered()) << "the filter unload callback must call FltUnregisterFilter";
  EXPECT_TRUE(threads::join_all(5000)) << "the sender thread is still running after unload";
  EXPECT_EQ(ob::open_handle_count(), 0u);
  const auto leaks = pool::outstanding();
  for (const pool::Outstanding& o : leaks)
    ADD_FAILURE() << "pool block '" << o.tag_text << "' of " << o.bytes << " bytes left at unload, allocated at "
                  << verifier::describe(o.caller);
  verify_unload();  // every unload check of every module, then the image becomes inaccessible
}

TEST_F(DriverLifecycleTest, DriverEntryFailsCleanlyWhenRegistrationIsRefused) {
  // Without the Instances key FltRegisterFilter fails (STATUS_OBJECT_NAME_NOT_FOUND): DriverEntry
  // must return that failure and leave nothing behind (the driver is unmapped right after).
  flt::FilterManager::get().set_instances_key_present(false);
  const int32_t status = driver_entry();
  EXPECT_LT(status, 0);
  EXPECT_EQ(threads::running(), 0u);
  EXPECT_EQ(ob::open_handle_count(), 0u);
  EXPECT_EQ(pool::outstanding().size(), 0u);
  verify_unload();
}

// Registry values of every type and garbage do not stop the driver from loading.
TEST_F(DriverLifecycleTest, DriverEntryLoadsWithGarbageParameters) {
  const std::u16string params = std::u16string(kServiceKey) + u"\\Parameters";
  registry::create_key(params);
  registry::set_value(params, u"MaxVersions", nt::REG_SZ, {0x41, 0x00});           // wrong type, unterminated
  registry::set_value(params, u"Enabled", nt::REG_DWORD, {1, 2});                  // short DWORD
  registry::set_value(params, u"ProtectedFolders", nt::REG_MULTI_SZ, std::vector<uint8_t>(70001, 0xff));  // odd, unterminated
  flt::FilterManager& fm = flt::FilterManager::get();
  fm.set_instances_key_present(true);
  const int32_t status = driver_entry();
  ASSERT_EQ(status, 0) << std::hex << "DriverEntry returned 0x" << status << "\n" << dbgprint::all_text();
  EXPECT_EQ(fm.unload(), 0);
  EXPECT_TRUE(threads::join_all(5000));
  verify_unload();
}

}  // namespace
}  // namespace ksim
