#include "tests/kernel/verifier/verifier.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "tests/kernel/loader/pe_loader.h"
#include "tests/kernel/loader/symbols.h"
#include "tests/kernel/nt/kthread.h"

namespace ksim::verifier {
namespace {

std::mutex g_mutex;
std::vector<Violation> g_violations;
const LoadedImage* g_image = nullptr;
const Symbols* g_symbols = nullptr;
size_t g_deepest = 0;

// Per thread: the stack pointer at the outermost measured callback's entry, and the lowest
// image stack pointer seen by an export since.
thread_local uintptr_t t_callback_sp = 0;
thread_local uintptr_t t_lowest_sp = 0;

}  // namespace

std::string Violation::text() const { return "[" + check + "] " + detail + " (at " + where + ")"; }

void set_image(const LoadedImage* image, const Symbols* symbols) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_image = image;
  g_symbols = symbols;
}

std::string describe(const void* address) {
  char buf[64];
  const LoadedImage* image = image_containing(address);
  if (image == nullptr) {
    std::snprintf(buf, sizeof buf, "host %p", address);
    return buf;
  }
  const uint32_t rva = image->rva_of(address);
  std::snprintf(buf, sizeof buf, "+0x%x", rva);
  std::string out = image->name() + buf;
  if (image == g_image && g_symbols != nullptr) {
    const std::string name = g_symbols->describe(rva);
    if (!name.empty()) out += " " + name;
  }
  return out;
}

void report(const char* check, const void* address, const std::string& detail) {
  Violation v{check, describe(address), detail};
  std::fprintf(stderr, "VERIFIER VIOLATION %s\n", v.text().c_str());
  std::lock_guard<std::mutex> lock(g_mutex);
  g_violations.push_back(std::move(v));
}

void fatal(const char* check, const void* address, const std::string& detail) {
  const Violation v{check, describe(address), detail};
  std::fprintf(stderr, "VERIFIER FATAL %s\n", v.text().c_str());
  std::fflush(stderr);
  std::abort();
}

std::vector<Violation> violations() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_violations;
}

std::vector<Violation> take_violations() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::vector<Violation> out;
  out.swap(g_violations);
  return out;
}

namespace {
std::vector<UnloadCheck>& unload_checks() {
  static std::vector<UnloadCheck> all;
  return all;
}
}  // namespace

void add_unload_check(UnloadCheck check) { unload_checks().push_back(check); }

void run_unload_checks() {
  for (UnloadCheck check : unload_checks()) check();
}

size_t deepest_stack_use() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_deepest;
}

void note_image_stack(const void* image_sp) {
  const auto sp = reinterpret_cast<uintptr_t>(image_sp);
  if (t_callback_sp != 0 && sp < t_lowest_sp) t_lowest_sp = sp;
}

CallbackScope::CallbackScope(const char* what, const void* callback)
    : what_(what), callback_(callback) {
  KThreadState& t = current_thread();
  ensure_signal_stack();
  irql_ = t.irql;
  spin_locks_ = t.spin_locks_held;
  mutexes_ = t.mutexes_held;
  // Only the outermost scope on a thread measures (a nested callback runs on the same stack).
  measuring_ = t_callback_sp == 0;
  if (measuring_) {
    t_callback_sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    t_lowest_sp = t_callback_sp;
  }
  ++t.callback_depth;
}

CallbackScope::~CallbackScope() {
  KThreadState& t = current_thread();
  --t.callback_depth;
  char buf[160];
  if (t.irql != irql_) {
    std::snprintf(buf, sizeof buf, "%s returned at IRQL %u, called at IRQL %u", what_, t.irql, irql_);
    report(kIrqlUnchanged, callback_, buf);
  }
  if (t.spin_locks_held != spin_locks_) {
    std::snprintf(buf, sizeof buf, "%s returned holding %d spin lock(s) it acquired", what_,
                  t.spin_locks_held - spin_locks_);
    report(kDeadlockDetection, callback_, buf);
  }
  if (t.mutexes_held != mutexes_) {
    std::snprintf(buf, sizeof buf, "%s returned owning %d KMUTEX acquisition(s) it made", what_,
                  t.mutexes_held - mutexes_);
    report(kDeadlockDetection, callback_, buf);
  }
  if (measuring_) {
    const size_t used = t_callback_sp - t_lowest_sp;
    t_callback_sp = 0;
    {
      std::lock_guard<std::mutex> lock(g_mutex);
      if (used > g_deepest) g_deepest = used;
    }
    if (used > kStackBudgetBytes) {
      std::snprintf(buf, sizeof buf, "%s used %zu bytes of stack (budget %zu)", what_, used, kStackBudgetBytes);
      report(kStackBudget, callback_, buf);
    }
  }
}

}  // namespace ksim::verifier
