#include "tests/bench/driver_cost/instruction_counter.h"

#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>

#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/loader/pe_loader.h"

namespace ksim::cost {
namespace {

constexpr uint64_t kTrapFlag = 0x100;
constexpr int kMaxSaved = 256;  // image -> simulation -> image ... nesting on one thread

uintptr_t g_begin = 0, g_end = 0;  // the image's mapping
uintptr_t g_window_entry = 0;
uintptr_t g_trampoline = 0;        // one int3
bool g_window_counted = true;
uint32_t* g_profile = nullptr;     // per RVA
struct sigaction g_previous_segv, g_previous_ill;

// The measuring thread's state. Only that thread arms stepping, so only it takes traps.
struct StepState {
  bool measuring = false;
  bool stepping = false;
  uintptr_t next = 0;        // the instruction about to execute at the last trap
  uintptr_t window_rsp = 0;  // RSP at the window function's entry (its return address slot)
  Count count;
  uintptr_t saved[kMaxSaved];
  int depth = 0;
  const char* error = nullptr;
};
thread_local StepState t;

bool in_image(uintptr_t a) { return a >= g_begin && a < g_end; }

// Whether the instruction at `a` is a near or far return (after legacy and REX prefixes).
bool is_return(uintptr_t a) {
  const auto* p = reinterpret_cast<const uint8_t*>(a);
  for (int i = 0; i < 15; ++i, ++p) {
    const uint8_t b = *p;
    if (b == 0x66 || b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x3E || b == 0x26 || b == 0x36 ||
        b == 0x64 || b == 0x65 || (b >= 0x40 && b <= 0x4F))
      continue;
    return b == 0xC3 || b == 0xC2 || b == 0xCB || b == 0xCA;
  }
  return false;
}

void fail(const char* why) {
  if (t.error == nullptr) t.error = why;
}

// Stops stepping until the routine being entered returns to `*slot` (a return address in the
// image), which the trampoline then restores.
void step_over(uintptr_t* slot) {
  if (t.depth == kMaxSaved) {
    fail("too deep");
    return;
  }
  t.saved[t.depth++] = *slot;
  *slot = g_trampoline;
}

// One instruction at t.next executed (or was emulated): count it.
void account(uintptr_t executed, uintptr_t rsp_now) {
  if (in_image(executed)) {
    ++t.count.instructions;
    if (g_profile != nullptr) ++g_profile[executed - g_begin];
    if (t.window_rsp != 0) ++t.count.in_window;
  }
  if (t.window_rsp != 0 && rsp_now > t.window_rsp) t.window_rsp = 0;  // the window function returned
}

void on_trap(int, siginfo_t*, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  greg_t& rip = uc->uc_mcontext.gregs[REG_RIP];
  greg_t& efl = uc->uc_mcontext.gregs[REG_EFL];
  const auto rsp = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]);
  auto r = static_cast<uintptr_t>(rip);
  if (!t.measuring) return;
  if (r == g_trampoline + 1) {  // a simulation routine the image called returned: resume stepping
    if (t.depth == 0) {
      fail("trampoline reached with no saved return address");
      return;
    }
    r = t.saved[--t.depth];
    rip = static_cast<greg_t>(r);
    efl |= kTrapFlag;
    t.stepping = true;
    t.next = r;
    return;
  }
  if (!t.stepping) return;
  ++t.count.traps;
  const uintptr_t executed = t.next;
  account(executed, rsp);
  if (in_image(r)) {
    if (t.window_rsp == 0 && r == g_window_entry) {
      if (!g_window_counted && in_image(*reinterpret_cast<uintptr_t*>(rsp))) {  // skipped: run it unstepped
        step_over(reinterpret_cast<uintptr_t*>(rsp));
        efl &= ~static_cast<greg_t>(kTrapFlag);
        t.stepping = false;
      } else {
        t.window_rsp = rsp;
      }
    }
  } else if (in_image(executed)) {  // the image left for the simulation
    if (!is_return(executed)) {
      auto* slot = reinterpret_cast<uintptr_t*>(rsp);
      if (in_image(*slot)) step_over(slot);  // a call (or a thunk's jmp) whose return comes back into the image
    }
    efl &= ~static_cast<greg_t>(kTrapFlag);
    t.stepping = false;
  }
  t.next = r;
}

// The host kernel's fault handler emulates privileged instructions (and resumes the guarded
// copy's scope): such an instruction faults instead of trapping; count it here.
void on_fault(int sig, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  const auto before = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  struct sigaction& previous = sig == SIGSEGV ? g_previous_segv : g_previous_ill;
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != nullptr) {
    previous.sa_sigaction(sig, info, context);
  } else {
    signal(sig, SIG_DFL);
    return;  // re-executes and dies with the default action
  }
  const auto after = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (t.measuring && t.stepping && before == t.next && after != before) {
    account(before, static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RSP]));
    t.next = after;
  }
}

__attribute__((noinline)) void arm() {
  if (!t.measuring) return;
  if (t.stepping) {
    fail("a callback entered while stepping");
    return;
  }
  t.stepping = true;
  t.next = 0;  // simulation code until the image is entered
  asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq" ::: "memory", "cc");
}

__attribute__((noinline)) void check_disarmed() {
  if (!t.measuring) return;
  if (t.stepping) {
    asm volatile("pushfq\n\tandq $-257, (%%rsp)\n\tpopfq" ::: "memory", "cc");
    t.stepping = false;
    fail("a callback returned with stepping on");
  }
}

// --- the wrappers around the image's callbacks ------------------------------------------------

flt::PreOperationFn g_pre[256];
flt::PostOperationFn g_post[256];
std::map<USHORT, flt::ContextCleanup> g_cleanup;

KSIM_API FLT_PREOP_CALLBACK_STATUS pre_wrapper(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, PVOID* ctx) {
  const flt::PreOperationFn original = g_pre[data->Iopb->MajorFunction];
  arm();
  const FLT_PREOP_CALLBACK_STATUS s = original(data, objects, ctx);
  check_disarmed();
  return s;
}

KSIM_API FLT_POSTOP_CALLBACK_STATUS post_wrapper(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, PVOID ctx,
                                                 ULONG flags) {
  const flt::PostOperationFn original = g_post[data->Iopb->MajorFunction];
  arm();
  const FLT_POSTOP_CALLBACK_STATUS s = original(data, objects, ctx, flags);
  check_disarmed();
  return s;
}

KSIM_API void cleanup_wrapper(PVOID context, USHORT type) {
  const flt::ContextCleanup original = g_cleanup[type];
  arm();
  original(context, type);
  check_disarmed();
}

}  // namespace

bool install(const LoadedImage& image, uint32_t window_rva, std::string* error) {
  g_begin = reinterpret_cast<uintptr_t>(image.base());
  g_end = g_begin + image.size();
  g_window_entry = window_rva == 0 ? 0 : reinterpret_cast<uintptr_t>(image.at_rva(window_rva));
  if (g_trampoline == 0) {
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) {
      *error = "mmap of the trampoline failed";
      return false;
    }
    std::memset(page, 0xCC, 4096);
    mprotect(page, 4096, PROT_READ | PROT_EXEC);
    g_trampoline = reinterpret_cast<uintptr_t>(page);

    struct sigaction sa {};
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTRAP, &sa, nullptr);
    // Chained in front of the host kernel's handler (install_fault_handler must have run).
    struct sigaction current {};
    sigaction(SIGSEGV, nullptr, &current);
    if (!(current.sa_flags & SA_SIGINFO)) {
      *error = "the host kernel's fault handler is not installed";
      return false;
    }
    struct sigaction fault = current;
    fault.sa_sigaction = on_fault;
    sigaction(SIGSEGV, &fault, &g_previous_segv);
    sigaction(SIGILL, &fault, &g_previous_ill);
  }

  flt::Filter* filter = flt::FilterManager::get().filter();
  if (filter == nullptr) {
    *error = "no filter registered (DriverEntry has not run)";
    return false;
  }
  for (int major = 0; major < 256; ++major) {
    flt::OperationEntry& e = filter->operations[major];
    if (e.pre != nullptr && e.pre != pre_wrapper) {
      g_pre[major] = e.pre;
      e.pre = pre_wrapper;
    }
    if (e.post != nullptr && e.post != post_wrapper) {
      g_post[major] = e.post;
      e.post = post_wrapper;
    }
  }
  g_cleanup.clear();
  for (flt::FltContextRegistration& c : filter->contexts) {
    if (c.ContextCleanupCallback == nullptr || c.ContextCleanupCallback == cleanup_wrapper) continue;
    auto [it, added] = g_cleanup.emplace(c.ContextType, c.ContextCleanupCallback);
    if (!added && it->second != c.ContextCleanupCallback) {
      *error = "two cleanup callbacks for one context type";
      return false;
    }
    c.ContextCleanupCallback = cleanup_wrapper;
  }
  return true;
}

void set_window_counted(bool counted) { g_window_counted = counted; }

void enable_profile() {
  if (g_profile == nullptr) g_profile = new uint32_t[g_end - g_begin]();
}
void reset_profile() {
  if (g_profile != nullptr) std::memset(g_profile, 0, (g_end - g_begin) * sizeof(uint32_t));
}
uint32_t* profile() { return g_profile; }

void begin() {
  t.measuring = true;
  t.stepping = false;
  t.count = Count();
  t.window_rsp = 0;
  t.depth = 0;
  t.error = nullptr;
}

Count read() { return t.count; }

std::string errors() {
  std::string e = t.error == nullptr ? "" : t.error;
  if (t.depth != 0) e += (e.empty() ? "" : "; ") + std::string("return addresses still swapped");
  return e;
}

}  // namespace ksim::cost
