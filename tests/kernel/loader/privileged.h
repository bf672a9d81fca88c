// Instructions the image executes that a user-mode process cannot: reads and writes of CR8
// (mingw-w64 inlines KeGetCurrentIrql / KeLowerIrql as CR8 accesses) and loads from
// KUSER_SHARED_DATA at 0xFFFFF78000000000 (KeQuerySystemTime inlined). Each faults on Linux; the
// fault handler decodes exactly the forms below and emulates them against the simulated thread
// (its IRQL) and clock. Anything else is not emulated: a fault elsewhere in the image is fatal
// and named, except inside a __C_specific_handler scope (the guarded user-memory copy), which
// resumes at the scope's target with the exception code in rax, as Windows would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ksim {

constexpr uint64_t kKuserSharedData = 0xFFFFF78000000000ull;
constexpr size_t kKuserSharedDataSize = 0x1000;
// KUSER_SHARED_DATA.SystemTime (KSYSTEM_TIME: LowPart, High1Time, High2Time) at +0x14 (ntddk.h).
constexpr uint32_t kKuserSystemTime = 0x14;
// InterruptTime at +0x08.
constexpr uint32_t kKuserInterruptTime = 0x08;

struct PrivilegedInstruction {
  enum Kind { kReadCr, kWriteCr, kKuserLoad, kGsAccess, kKuserAddress } kind;
  size_t length = 0;   // bytes
  int cr = 0;          // kReadCr / kWriteCr: control register number
  int gpr = 0;         // the general register read or written (0 = rax ... 15 = r15)
  int bytes = 0;       // kKuserLoad: operand size
  uint64_t address = 0;  // kKuserLoad / kKuserAddress: the KUSER_SHARED_DATA address
  // The form, register-independent, e.g. "mov r64, cr8", "mov rax, qword [KUSER_SHARED_DATA+0x14]".
  std::string form() const;
  // True for the forms the fault handler emulates.
  bool emulated() const;
};

// Decodes the instruction at `code` if it is one of the forms above.
bool decode_privileged(const uint8_t* code, size_t available, PrivilegedInstruction* out);

// Scans code bytes at every offset for the forms above plus any gs:-relative absolute access and
// any 64-bit immediate that points into KUSER_SHARED_DATA, skipping past each match.
struct PrivilegedSite {
  size_t offset;
  PrivilegedInstruction instruction;
};
std::vector<PrivilegedSite> scan_privileged(const uint8_t* code, size_t size);

// The handler's own unit tests: while one of these lives, privileged instructions in
// [begin, begin + bytes) (a test's synthetic code page) are emulated like the image's.
class SyntheticCodeRegion {
 public:
  SyntheticCodeRegion(const uint8_t* begin, size_t bytes);
  ~SyntheticCodeRegion();
  SyntheticCodeRegion(const SyntheticCodeRegion&) = delete;
  SyntheticCodeRegion& operator=(const SyntheticCodeRegion&) = delete;

 private:
  const uint8_t* begin_;
};

// Installs the SIGSEGV/SIGILL handler (once per process; idempotent).
void install_fault_handler();

// Simulated MmUserProbeAddress: Windows x64's value (0x7FFFFFFF0000), so "user" buffers a test
// hands the image must lie below it.
extern uint64_t g_mm_user_probe_address;

}  // namespace ksim
