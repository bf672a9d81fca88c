// Each verifier check fails when its rule is broken (called here from host code standing in for
// the image), and names the check; image offsets are named with the unsigned build's symbols.
#include <gtest/gtest.h>

#include <cstring>

#include "tests/kernel/nt/kthread.h"
#include "tests/kernel/sim/nt_types.h"
#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/nt/pool.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

template <typename Fn>
Fn routine(const char* name) {
  const Export* e = find_export("ntoskrnl.exe", name);
  return e == nullptr ? nullptr : reinterpret_cast<Fn>(e->address);
}

using Alloc = void*(KSIM_API*)(int, size_t, uint32_t);
using FreeTag = void(KSIM_API*)(void*, uint32_t);
using Free = void(KSIM_API*)(void*);
constexpr int kNonPagedPoolNx = 512;
constexpr uint32_t kTag = 0x74736554;  // 'Test'

class VerifierTest : public KernelTest {
 protected:
  // The checks each violation came from.
  std::vector<std::string> checks() {
    std::vector<std::string> out;
    for (const verifier::Violation& v : take_violations()) out.push_back(v.check + ": " + v.detail);
    return out;
  }
  static bool any_contains(const std::vector<std::string>& all, const std::string& text) {
    for (const std::string& s : all)
      if (s.find(text) != std::string::npos) return true;
    return false;
  }
};

TEST_F(VerifierTest, DescribeNamesImageOffsetsWithTheUnsignedBuildsSymbols) {
  const uint32_t rva = symbols().rva_of("fbk::sender::start()");
  ASSERT_NE(rva, 0u);
  const std::string where = verifier::describe(image().at_rva(rva + 5));
  EXPECT_NE(where.find("FileBackup.sys+0x"), std::string::npos) << where;
  EXPECT_NE(where.find("fbk::sender::start()+0x5"), std::string::npos) << where;
}

TEST_F(VerifierTest, PoolLeaksAreListedWithTagAndSizeAtUnload) {
  auto alloc = routine<Alloc>("ExAllocatePoolWithTag");
  void* block = alloc(kNonPagedPoolNx, 100, kTag);
  ASSERT_NE(block, nullptr);
  verifier::run_unload_checks();
  const auto found = checks();
  EXPECT_TRUE(any_contains(found, std::string(verifier::kPoolTracking) + ": pool leak at unload: tag 'Test', 100 bytes"))
      << ::testing::PrintToString(found);
}

TEST_F(VerifierTest, DoubleFreeWrongTagAndOverrunAreCaught) {
  auto alloc = routine<Alloc>("ExAllocatePoolWithTag");
  auto free_tag = routine<FreeTag>("ExFreePoolWithTag");
  auto free_any = routine<Free>("ExFreePool");
  auto* a = static_cast<uint8_t*>(alloc(kNonPagedPoolNx, 10, kTag));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a[0], 0xA5) << "fresh pool is poisoned, never zeroed";
  a[10] = 1;  // one byte past the end, inside the 16-byte rounding: found at free
  free_tag(a, 0x656e6f4e);  // 'None'
  free_any(a);
  auto found = checks();
  EXPECT_TRUE(any_contains(found, "freed with tag 'None', allocated with 'Test'")) << ::testing::PrintToString(found);
  EXPECT_TRUE(any_contains(found, "written outside its bounds")) << ::testing::PrintToString(found);
  EXPECT_TRUE(any_contains(found, "double free of a 'Test' block of 10 bytes")) << ::testing::PrintToString(found);
  int local = 0;
  free_any(&local);
  EXPECT_TRUE(any_contains(checks(), "which is not a pool block"));
}

TEST_F(VerifierTest, PoolBlocksEndAtAGuardPage) {
  auto alloc = routine<Alloc>("ExAllocatePoolWithTag");
  auto* a = static_cast<volatile uint8_t*>(alloc(kNonPagedPoolNx, 32, kTag));
  ASSERT_NE(a, nullptr);
  EXPECT_DEATH(a[32] = 1, "");
  routine<Free>("ExFreePool")(const_cast<uint8_t*>(a));
}

TEST_F(VerifierTest, RoutinesCalledAboveTheirMaximumIrqlAreReported) {
  using Wait = int32_t(KSIM_API*)(void*, int, int8_t, uint8_t, nt::LARGE_INTEGER*);
  using InitEvent = void(KSIM_API*)(void*, int, uint8_t);
  alignas(8) uint8_t event[24];
  routine<InitEvent>("KeInitializeEvent")(event, 0, 1);
  current_thread().irql = nt::DISPATCH_LEVEL;
  routine<Wait>("KeWaitForSingleObject")(event, 0, 0, 0, nullptr);  // signaled: returns at once
  nt::LARGE_INTEGER zero{};
  routine<Wait>("KeWaitForSingleObject")(event, 0, 0, 0, &zero);   // a poll is allowed at DISPATCH
  current_thread().irql = nt::PASSIVE_LEVEL;
  const auto found = checks();
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_EQ(found[0], std::string(verifier::kIrqlChecking) +
                          ": KeWaitForSingleObject called at IRQL 2; its maximum is APC_LEVEL");
}

TEST_F(VerifierTest, ACallbackMustReturnAtItsIrqlWithoutLocks) {
  using Acquire = uint8_t(KSIM_API*)(uint64_t*);
  uint64_t lock = 0;
  {
    verifier::CallbackScope scope("PreWrite", image().entry_point());
    routine<Acquire>("KeAcquireSpinLockRaiseToDpc")(&lock);  // and never released
  }
  const auto found = checks();
  EXPECT_TRUE(any_contains(found, std::string(verifier::kIrqlUnchanged) + ": PreWrite returned at IRQL 2, called at IRQL 0"))
      << ::testing::PrintToString(found);
  EXPECT_TRUE(any_contains(found, "PreWrite returned holding 1 spin lock(s)")) << ::testing::PrintToString(found);
  current_thread().irql = 0;
  current_thread().spin_locks_held = 0;
}

// Uses `depth` bytes of stack, then calls an export (where the image's depth is sampled).
__attribute__((noinline)) void deep_call(size_t depth) {
  volatile uint8_t frame[1024];
  frame[0] = 1;
  if (depth > sizeof frame) {
    deep_call(depth - sizeof frame);
  } else {
    routine<void*(KSIM_API*)()>("PsGetCurrentProcessId")();
  }
  frame[1] = frame[0];
}

TEST_F(VerifierTest, ACallbackOverTheStackBudgetIsReported) {
  {
    verifier::CallbackScope scope("PreCreate (small)", image().entry_point());
    deep_call(2 * 1024);
  }
  EXPECT_TRUE(checks().empty());
  {
    verifier::CallbackScope scope("PreCreate (deep)", image().entry_point());
    deep_call(verifier::kStackBudgetBytes + 2048);
  }
  const auto found = checks();
  ASSERT_EQ(found.size(), 1u) << ::testing::PrintToString(found);
  EXPECT_NE(found[0].find(verifier::kStackBudget), std::string::npos) << found[0];
  EXPECT_NE(found[0].find("PreCreate (deep) used"), std::string::npos) << found[0];
}

TEST_F(VerifierTest, HandlesAndReferencesLeftAtUnloadAreReported) {
  using Open = int32_t(KSIM_API*)(void**, uint32_t, nt::OBJECT_ATTRIBUTES*);
  char16_t name[] = u"\\GLOBAL??\\C:";
  nt::UNICODE_STRING us{static_cast<uint16_t>(sizeof name - 2), sizeof name, name};
  nt::OBJECT_ATTRIBUTES oa{sizeof(nt::OBJECT_ATTRIBUTES), nullptr, &us, nt::OBJ_KERNEL_HANDLE, nullptr, nullptr};
  void* handle = nullptr;
  EXPECT_EQ(routine<Open>("ZwOpenSymbolicLinkObject")(&handle, 0, &oa), nt::STATUS_OBJECT_NAME_NOT_FOUND);
  using Close = int32_t(KSIM_API*)(void*);
  EXPECT_EQ(routine<Close>("ZwClose")(reinterpret_cast<void*>(0x1234)), nt::STATUS_INVALID_HANDLE);
  EXPECT_TRUE(any_contains(checks(), std::string(verifier::kHandleChecking) + ": ZwClose: closing"));
}

TEST_F(VerifierTest, ImageCodeRunAfterUnloadDiesNamingTheCheck) {
  auto now = image_function<int64_t(KSIM_API*)(void*)>("fbk::KernelClock::now()");
  ASSERT_NE(now, nullptr);
  image().mark_unloaded();
  void* fake[2] = {nullptr, nullptr};
  EXPECT_DEATH(
      {
        install_fault_handler();
        now(fake);
      },
      "code or data used after unload");
}

}  // namespace
}  // namespace ksim
