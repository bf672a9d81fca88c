// driver/nt/user_memory.cpp's guarded copy in the shipped image: a fault inside its
// __C_specific_handler scope resumes at the scope's target and the call returns
// STATUS_ACCESS_VIOLATION, as on Windows; valid user memory is copied; kernel ranges are
// refused without being touched.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

constexpr int32_t kStatusAccessViolation = static_cast<int32_t>(0xC0000005);
using Copy = int32_t(KSIM_API*)(void*, const void*, uint64_t);

// Two pages below MmUserProbeAddress (Windows' 0x7FFFFFFF0000; Linux puts mmap far above it):
// the first readable, the second not mapped at all.
class UserPages {
 public:
  UserPages() {
    for (uintptr_t hint = 0x100000000; hint < 0x7F0000000000 && base_ == nullptr; hint += 0x100000000) {
      void* p = mmap(reinterpret_cast<void*>(hint), 8192, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
      if (p != MAP_FAILED) base_ = static_cast<uint8_t*>(p);
    }
    if (base_ != nullptr) munmap(base_ + 4096, 4096);
  }
  ~UserPages() {
    if (base_ != nullptr) munmap(base_, 4096);
  }
  uint8_t* readable() const { return base_; }
  uint8_t* unmapped() const { return base_ + 4096; }

 private:
  uint8_t* base_ = nullptr;
};

using GuardedCopyTest = KernelTest;

TEST_F(GuardedCopyTest, AnUnmappedUserAddressReturnsAccessViolation) {
  UserPages user;
  ASSERT_NE(user.readable(), nullptr);
  ASSERT_LT(reinterpret_cast<uint64_t>(user.unmapped()) + 4096, g_mm_user_probe_address);
  auto read = image_function<Copy>("fbk::user_memory::read(void*, void const*, unsigned long long)");
  ASSERT_NE(read, nullptr);
  uint8_t kernel[64] = {};
  EXPECT_EQ(read(kernel, user.unmapped(), 16), kStatusAccessViolation);
  // A range that starts readable and runs into the hole faults part way, still caught.
  EXPECT_EQ(read(kernel, user.readable() + 4096 - 8, 16), kStatusAccessViolation);
}

TEST_F(GuardedCopyTest, ReadableUserMemoryIsCopied) {
  UserPages user;
  ASSERT_NE(user.readable(), nullptr);
  std::memcpy(user.readable(), "user bytes", 10);
  auto read = image_function<Copy>("fbk::user_memory::read(void*, void const*, unsigned long long)");
  ASSERT_NE(read, nullptr);
  char kernel[16] = {};
  EXPECT_EQ(read(kernel, user.readable(), 10), 0);
  EXPECT_EQ(std::string(kernel, 10), "user bytes");
  auto write = image_function<Copy>("fbk::user_memory::write(void*, void const*, unsigned long long)");
  ASSERT_NE(write, nullptr);
  EXPECT_EQ(write(user.readable() + 100, "reply", 5), 0);
  EXPECT_EQ(std::memcmp(user.readable() + 100, "reply", 5), 0);
  EXPECT_EQ(write(user.unmapped(), "reply", 5), kStatusAccessViolation);
}

TEST_F(GuardedCopyTest, AKernelRangeIsRefusedUntouched) {
  auto read = image_function<Copy>("fbk::user_memory::read(void*, void const*, unsigned long long)");
  ASSERT_NE(read, nullptr);
  char kernel[16] = {};
  // Above MmUserProbeAddress, and a range that wraps past it.
  EXPECT_EQ(read(kernel, reinterpret_cast<void*>(0xFFFFF80000000000ull), 8), kStatusAccessViolation);
  EXPECT_EQ(read(kernel, reinterpret_cast<void*>(g_mm_user_probe_address - 4), 8), kStatusAccessViolation);
}

}  // namespace
}  // namespace ksim
