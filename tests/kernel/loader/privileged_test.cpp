// The privileged instructions of the shipped image: the list of sites is pinned (a new form
// fails here before it can run wrong), every site decodes to a form the fault handler
// emulates, and the emulation itself gives the simulated IRQL and time.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <map>

#include "tests/kernel/loader/privileged.h"
#include "tests/kernel/nt/clock.h"
#include "tests/kernel/nt/kthread.h"
#include "tests/kernel/sim/harness.h"

namespace ksim {
namespace {

// What mingw-w64 12 emits for the driver today (host-kernel.md): KeGetCurrentIrql inlined as a
// CR8 read (8 sites: pre_create 2, pre_set_information, pre_acquire_for_section, pre_fsctl,
// pre_write 3) and KeQuerySystemTime inlined as one 8-byte load of KUSER_SHARED_DATA.SystemTime
// (KernelClock::now). No CR8 write, no other control register, no gs: access, no other
// KUSER_SHARED_DATA field.
//
// If this fails: a compiler or source change added a site. A new COUNT of an already emulated
// form only needs the number updated here. A new FORM needs the fault handler
// (loader/privileged.cpp) to emulate it first, with a test below, then its line here.
const std::map<std::string, size_t> kExpectedSites = {
    {"mov r64, cr8", 8},
    {"movabs rax, [KUSER_SHARED_DATA+0x14]", 1},
};

TEST(PrivilegedSites, TheShippedImageContainsExactlyThePinnedFormsAndCounts) {
  pe::Image file;
  std::string error;
  ASSERT_TRUE(file.load(shipped_image_path(), &error))
      << error << " (build it with ./build.sh: cross tree and fb_dist)";
  std::map<std::string, size_t> found;
  size_t text_sections = 0;
  for (const pe::Section& s : file.sections()) {
    if (!(s.characteristics & pe::kSectionMemExecute)) continue;
    ++text_sections;
    const size_t n = std::min(s.raw_size, s.virtual_size);
    for (const PrivilegedSite& site : scan_privileged(file.bytes().data() + s.raw_offset, n)) {
      ++found[site.instruction.form()];
      EXPECT_TRUE(site.instruction.emulated())
          << s.name << "+0x" << std::hex << site.offset << ": " << site.instruction.form()
          << " is not emulated by the fault handler";
    }
  }
  EXPECT_EQ(text_sections, 1u);
  EXPECT_EQ(found, kExpectedSites);
}

// The scanner itself finds the forms the pin guards against (so an empty scan means none).
TEST(PrivilegedSites, TheScannerSeesWritesOtherRegistersGsAndIndirectKuserAccess) {
  const uint8_t code[] = {
      0x90,                                                        // nop
      0x44, 0x0f, 0x22, 0xc1,                                      // mov cr8, rcx
      0x0f, 0x20, 0xd8,                                            // mov rax, cr3
      0x65, 0x48, 0x8b, 0x04, 0x25, 0x88, 0x01, 0x00, 0x00,        // mov rax, gs:[0x188]
      0x48, 0xb8, 0x20, 0x03, 0x00, 0x00, 0x80, 0xf7, 0xff, 0xff,  // mov rax, 0xFFFFF78000000320
      0x8b, 0x04, 0x25, 0x14, 0x00, 0xfe, 0x7f,                    // unrelated: mov eax, [0x7ffe0014]
  };
  std::map<std::string, size_t> found;
  for (const PrivilegedSite& site : scan_privileged(code, sizeof code)) ++found[site.instruction.form()];
  const std::map<std::string, size_t> expected = {
      {"mov cr8, r64", 1},
      {"mov r64, cr3", 1},
      {"gs: absolute access", 1},
      {"imm64 KUSER_SHARED_DATA+0x320 (indirect access)", 1},
  };
  EXPECT_EQ(found, expected);
}

// A synthetic code page: the handler's emulation of each form, register by register.
class SyntheticCode {
 public:
  explicit SyntheticCode(std::initializer_list<uint8_t> bytes) {
    page_ = static_cast<uint8_t*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    std::memcpy(page_, bytes.begin(), bytes.size());
    mprotect(page_, 4096, PROT_READ | PROT_EXEC);
    region_.reset(new SyntheticCodeRegion(page_, 4096));
  }
  ~SyntheticCode() {
    region_.reset();
    munmap(page_, 4096);
  }
  template <typename Fn>
  Fn as() const { return reinterpret_cast<Fn>(page_); }

 private:
  uint8_t* page_;
  std::unique_ptr<SyntheticCodeRegion> region_;
};

TEST(PrivilegedEmulation, Cr8ReadsGiveTheThreadsIrqlInAnyRegister) {
  install_fault_handler();
  // mov rax, cr8; ret   and   mov r9, cr8; mov rax, r9; ret
  SyntheticCode read_rax({0x44, 0x0f, 0x20, 0xc0, 0xc3});
  SyntheticCode read_r9({0x45, 0x0f, 0x20, 0xc1, 0x4c, 0x89, 0xc8, 0xc3});
  using Fn = uint64_t (*)();
  for (uint8_t irql : {0, 1, 2}) {
    current_thread().irql = irql;
    EXPECT_EQ(read_rax.as<Fn>()(), irql);
    EXPECT_EQ(read_r9.as<Fn>()(), irql);
  }
  current_thread().irql = 0;
}

TEST(PrivilegedEmulation, Cr8WritesSetTheThreadsIrql) {
  install_fault_handler();
  SyntheticCode write_rcx({0x44, 0x0f, 0x22, 0xc1, 0xc3});  // mov cr8, rcx; ret
  using Fn = void(KSIM_API*)(uint64_t);  // the argument in rcx, as the code expects
  write_rcx.as<Fn>()(2);
  EXPECT_EQ(current_thread().irql, 2);
  write_rcx.as<Fn>()(0);
  EXPECT_EQ(current_thread().irql, 0);
}

TEST(PrivilegedEmulation, TheKuserSystemTimeLoadGivesTheSimulatedSystemTime) {
  install_fault_handler();
  SyntheticCode load({0x48, 0xa1, 0x14, 0x00, 0x00, 0x00, 0x80, 0xf7, 0xff, 0xff, 0xc3});
  using Fn = int64_t (*)();
  const int64_t before = clock::system_time();
  const int64_t t = load.as<Fn>()();
  EXPECT_GE(t, before);
  EXPECT_LE(t, clock::system_time());
  constexpr int64_t kDay = 864000000000LL;
  clock::set_offset(kDay);
  EXPECT_GE(load.as<Fn>()(), before + kDay);
  clock::set_offset(0);
}

// The same load in the image: fbk::KernelClock::now() without KeQuerySystemTimePrecise.
using ImageClockTest = KernelTest;

TEST_F(ImageClockTest, KernelClockNowReadsKuserSystemTimeOrThePreciseRoutine) {
  // KernelClock: { vtable, PreciseFn precise_ } (driver/runtime/kernel_services.h).
  struct FakeClock {
    void* vtable;
    void* precise;
  } clock_object{nullptr, nullptr};
  auto now = image_function<int64_t(KSIM_API*)(FakeClock*)>("fbk::KernelClock::now()");
  ASSERT_NE(now, nullptr);
  const int64_t before = clock::system_time();
  const int64_t t = now(&clock_object);
  EXPECT_GE(t, before);
  EXPECT_LE(t, clock::system_time());
  // initialize() finds KeQuerySystemTimePrecise through MmGetSystemRoutineAddress.
  auto initialize = image_function<void(KSIM_API*)(FakeClock*)>("fbk::KernelClock::initialize()");
  ASSERT_NE(initialize, nullptr);
  initialize(&clock_object);
  EXPECT_EQ(clock_object.precise, find_export("ntoskrnl.exe", "KeQuerySystemTimePrecise")->address);
  const int64_t precise = now(&clock_object);
  EXPECT_GE(precise, t);
  EXPECT_LE(precise, clock::system_time());
}

}  // namespace
}  // namespace ksim
