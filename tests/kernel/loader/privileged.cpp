#include "tests/kernel/loader/privileged.h"

#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "tests/kernel/loader/pe_loader.h"
#include "tests/kernel/nt/clock.h"
#include "tests/kernel/nt/kthread.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim {

uint64_t g_mm_user_probe_address = 0x7FFFFFFF0000ull;

namespace {

constexpr int32_t kStatusAccessViolation = static_cast<int32_t>(0xC0000005);

// gregs index of each general register in x86-64 encoding order.
const int kGregOf[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                         REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

bool is_rex(uint8_t b) { return b >= 0x40 && b <= 0x4f; }

bool in_kuser(uint64_t a, size_t bytes) {
  return a >= kKuserSharedData && a - kKuserSharedData + bytes <= kKuserSharedDataSize;
}

uint64_t read_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The simulated KUSER_SHARED_DATA bytes [offset, offset + bytes) into `out`. Only the fields the
// image is pinned to read are defined; anything else is reported by the caller.
bool kuser_read(uint32_t offset, int bytes, uint64_t* out) {
  uint8_t page[32] = {};
  uint32_t base = 0;
  if (offset >= kKuserInterruptTime && offset + bytes <= kKuserInterruptTime + 12) {
    base = kKuserInterruptTime;
  } else if (offset >= kKuserSystemTime && offset + bytes <= kKuserSystemTime + 12) {
    base = kKuserSystemTime;
  } else {
    return false;
  }
  // KSYSTEM_TIME { ULONG LowPart; LONG High1Time; LONG High2Time; }: High2Time == High1Time
  // when the value is consistent, which it always is here.
  const int64_t t = base == kKuserSystemTime ? clock::system_time() : clock::interrupt_time();
  const uint32_t low = static_cast<uint32_t>(t);
  const int32_t high = static_cast<int32_t>(t >> 32);
  std::memcpy(page, &low, 4);
  std::memcpy(page + 4, &high, 4);
  std::memcpy(page + 8, &high, 4);
  *out = 0;
  std::memcpy(out, page + (offset - base), static_cast<size_t>(bytes));
  return true;
}

}  // namespace

std::string PrivilegedInstruction::form() const {
  char buf[96];
  switch (kind) {
    case kReadCr: std::snprintf(buf, sizeof buf, "mov r64, cr%d", cr); break;
    case kWriteCr: std::snprintf(buf, sizeof buf, "mov cr%d, r64", cr); break;
    case kKuserLoad:
      std::snprintf(buf, sizeof buf, "movabs %s, [KUSER_SHARED_DATA+0x%llx]",
                    bytes == 8 ? "rax" : bytes == 4 ? "eax" : "al",
                    static_cast<unsigned long long>(address - kKuserSharedData));
      break;
    case kGsAccess: std::snprintf(buf, sizeof buf, "gs: absolute access"); break;
    case kKuserAddress:
      std::snprintf(buf, sizeof buf, "imm64 KUSER_SHARED_DATA+0x%llx (indirect access)",
                    static_cast<unsigned long long>(address - kKuserSharedData));
      break;
  }
  return buf;
}

bool PrivilegedInstruction::emulated() const {
  switch (kind) {
    case kReadCr:
    case kWriteCr: return cr == 8;
    case kKuserLoad: {
      uint64_t ignored = 0;
      return kuser_read(static_cast<uint32_t>(address - kKuserSharedData), bytes, &ignored);
    }
    default: return false;
  }
}

bool decode_privileged(const uint8_t* p, size_t n, PrivilegedInstruction* out) {
  size_t i = 0;
  uint8_t rex = 0;
  if (n > 0 && is_rex(p[0])) {
    rex = p[0];
    i = 1;
  }
  // mov r64, crN (0F 20 /r) and mov crN, r64 (0F 22 /r): always register-direct.
  if (n >= i + 3 && p[i] == 0x0f && (p[i + 1] == 0x20 || p[i + 1] == 0x22) && (p[i + 2] >> 6) == 3) {
    const uint8_t modrm = p[i + 2];
    out->kind = p[i + 1] == 0x20 ? PrivilegedInstruction::kReadCr : PrivilegedInstruction::kWriteCr;
    out->cr = ((rex & 0x4) ? 8 : 0) | ((modrm >> 3) & 7);
    out->gpr = ((rex & 0x1) ? 8 : 0) | (modrm & 7);
    out->length = i + 3;
    return true;
  }
  // movabs al/eax/rax, [moffs64] (A0 / A1) from KUSER_SHARED_DATA.
  if (n >= i + 9 && (p[i] == 0xa0 || p[i] == 0xa1)) {
    const uint64_t a = read_u64(p + i + 1);
    const int bytes = p[i] == 0xa0 ? 1 : (rex & 0x8) ? 8 : 4;
    if (!in_kuser(a, static_cast<size_t>(bytes))) return false;
    out->kind = PrivilegedInstruction::kKuserLoad;
    out->gpr = 0;
    out->bytes = bytes;
    out->address = a;
    out->length = i + 9;
    return true;
  }
  return false;
}

std::vector<PrivilegedSite> scan_privileged(const uint8_t* code, size_t size) {
  std::vector<PrivilegedSite> sites;
  for (size_t at = 0; at < size;) {
    PrivilegedInstruction insn{};
    if (decode_privileged(code + at, size - at, &insn)) {
      sites.push_back({at, insn});
      at += insn.length;
      continue;
    }
    // gs: prefix, optional REX, one opcode byte, ModRM with mod=00 rm=100, SIB 0x25: an absolute
    // disp32 gs-relative access (what __readgsqword and KeGetCurrentThread compile to); or
    // gs: [REX] A0-A3 moffs.
    if (code[at] == 0x65 && at + 4 <= size) {
      size_t j = at + 1;
      if (is_rex(code[j])) ++j;
      const bool moffs = j < size && code[j] >= 0xa0 && code[j] <= 0xa3;
      const bool sib_abs = j + 2 < size && (code[j + 1] & 0xc7) == 0x04 && code[j + 2] == 0x25;
      if (moffs || sib_abs) {
        insn.kind = PrivilegedInstruction::kGsAccess;
        insn.length = j + 1 - at;
        sites.push_back({at, insn});
        at += insn.length;
        continue;
      }
    }
    // Any other 64-bit immediate pointing into KUSER_SHARED_DATA (mov r64, imm64 and friends).
    if (at + 8 <= size && in_kuser(read_u64(code + at), 1)) {
      insn.kind = PrivilegedInstruction::kKuserAddress;
      insn.address = read_u64(code + at);
      insn.length = 8;
      sites.push_back({at, insn});
      at += 8;
      continue;
    }
    ++at;
  }
  return sites;
}

namespace {

struct sigaction g_previous_segv, g_previous_ill;
// Synthetic code regions of the handler's unit tests (a few at a time, lock-free for the handler).
constexpr size_t kSyntheticSlots = 8;
std::atomic<const uint8_t*> g_synthetic_begin[kSyntheticSlots];
std::atomic<size_t> g_synthetic_bytes[kSyntheticSlots];

// The room left in the synthetic region containing `rip`, or 0.
size_t synthetic_room(const uint8_t* rip) {
  for (size_t i = 0; i < kSyntheticSlots; ++i) {
    const uint8_t* b = g_synthetic_begin[i].load();
    const size_t n = g_synthetic_bytes[i].load();
    if (b != nullptr && rip >= b && rip < b + n) return static_cast<size_t>(b + n - rip);
  }
  return 0;
}

// Restores the default action and returns: the faulting instruction runs again and the process
// dies of the original signal (a core dump and the test's failure), after the report.
void die(int sig) {
  signal(sig, SIG_DFL);
}

bool emulate(ucontext_t* uc, const uint8_t* rip, size_t room) {
  greg_t* g = uc->uc_mcontext.gregs;
  PrivilegedInstruction insn{};
  if (!decode_privileged(rip, room, &insn) || !insn.emulated()) return false;
  KThreadState& t = current_thread();
  switch (insn.kind) {
    case PrivilegedInstruction::kReadCr: g[kGregOf[insn.gpr]] = t.irql; break;
    case PrivilegedInstruction::kWriteCr: t.irql = static_cast<uint8_t>(g[kGregOf[insn.gpr]] & 0xf); break;
    case PrivilegedInstruction::kKuserLoad: {
      uint64_t value = 0;
      kuser_read(static_cast<uint32_t>(insn.address - kKuserSharedData), insn.bytes, &value);
      if (insn.bytes == 8) {
        g[REG_RAX] = static_cast<greg_t>(value);
      } else if (insn.bytes == 4) {
        g[REG_RAX] = static_cast<greg_t>(value & 0xffffffffu);  // 32-bit writes zero-extend
      } else {
        g[REG_RAX] = static_cast<greg_t>((static_cast<uint64_t>(g[REG_RAX]) & ~0xffull) | (value & 0xff));
      }
      break;
    }
    default: return false;
  }
  g[REG_RIP] += static_cast<greg_t>(insn.length);
  return true;
}

// A fault inside a __C_specific_handler scope whose filter is EXCEPTION_EXECUTE_HANDLER (1):
// Windows unwinds to the scope's target with the exception code in rax. The fault is in the
// function's own body (no callee frame to unwind), so the frame is already the target's frame.
bool resume_in_scope(ucontext_t* uc, const LoadedImage* image, const uint8_t* rip) {
  std::vector<ScopeRecord> scopes;
  std::string why;
  const uint32_t rva = image->rva_of(rip);
  if (!image->c_scope_table(rva, &scopes, &why)) return false;
  for (const ScopeRecord& s : scopes) {
    if (rva < s.begin_rva || rva >= s.end_rva) continue;
    if (s.handler_rva != 1 || s.target_rva == 0) return false;  // a filter function: not emulated
    greg_t* g = uc->uc_mcontext.gregs;
    g[REG_RAX] = static_cast<greg_t>(static_cast<uint32_t>(kStatusAccessViolation));
    g[REG_RIP] = reinterpret_cast<greg_t>(image->at_rva(s.target_rva));
    return true;
  }
  return false;
}

void on_fault(int sig, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  const auto* rip = reinterpret_cast<const uint8_t*>(uc->uc_mcontext.gregs[REG_RIP]);
  const LoadedImage* image = image_containing(rip);
  const size_t synthetic = synthetic_room(rip);
  if (synthetic != 0 && emulate(uc, rip, synthetic)) return;
  if (image != nullptr && !image->unloaded()) {
    if (emulate(uc, rip, image->size() - image->rva_of(rip))) return;
    if (sig == SIGSEGV && resume_in_scope(uc, image, rip)) return;
    const std::string trapped = image->trap_name(info->si_addr);
    if (!trapped.empty()) {
      verifier::report(verifier::kBugCheck, rip, "read data import " + trapped + ", which no simulation module provides");
      die(sig);
      return;
    }
    char buf[160];
    std::snprintf(buf, sizeof buf, "unhandled %s in the image, fault address %p",
                  sig == SIGSEGV ? "SIGSEGV" : "SIGILL", info->si_addr);
    verifier::report(verifier::kBugCheck, rip, buf);
    die(sig);
    return;
  }
  if (image != nullptr) {
    verifier::report(verifier::kUseAfterUnload, rip, "image code executed after the driver was unloaded");
    die(sig);
    return;
  }
  const LoadedImage* data = image_containing(info->si_addr);
  if (data != nullptr && data->unloaded()) {
    verifier::report(verifier::kUseAfterUnload, info->si_addr, "image memory accessed after the driver was unloaded");
    die(sig);
    return;
  }
  // A call into an unbound-import trap slot (loader unit tests only): the return address is on
  // top of the stack.
  const std::string trapped = trap_name_anywhere(rip);
  if (!trapped.empty()) {
    const auto* sp = reinterpret_cast<void* const*>(uc->uc_mcontext.gregs[REG_RSP]);
    verifier::report(verifier::kBugCheck, *sp, "called " + trapped + ", which no simulation module provides");
    die(sig);
    return;
  }
  // Not ours: behave as if no handler were installed.
  struct sigaction& previous = sig == SIGSEGV ? g_previous_segv : g_previous_ill;
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, context);
    return;
  }
  die(sig);
}

}  // namespace

SyntheticCodeRegion::SyntheticCodeRegion(const uint8_t* begin, size_t bytes) : begin_(begin) {
  for (size_t i = 0; i < kSyntheticSlots; ++i) {
    const uint8_t* expected = nullptr;
    g_synthetic_bytes[i].store(bytes);
    if (g_synthetic_begin[i].compare_exchange_strong(expected, begin)) return;
  }
  std::fprintf(stderr, "too many SyntheticCodeRegions\n");
  std::abort();
}

SyntheticCodeRegion::~SyntheticCodeRegion() {
  for (size_t i = 0; i < kSyntheticSlots; ++i) {
    const uint8_t* expected = begin_;
    if (g_synthetic_begin[i].compare_exchange_strong(expected, nullptr)) return;
  }
}

void install_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &g_previous_segv);
    sigaction(SIGILL, &sa, &g_previous_ill);
  });
  ensure_signal_stack();
}

}  // namespace ksim
