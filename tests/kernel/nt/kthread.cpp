#include "tests/kernel/nt/kthread.h"

#include <signal.h>

#include <atomic>
#include <cstdlib>

namespace ksim {
namespace {

thread_local KThreadState t_state;
thread_local bool t_has_signal_stack = false;
std::atomic<uint64_t> g_next_thread_id{0x100};

constexpr size_t kSignalStackBytes = 64 * 1024;

}  // namespace

KThreadState& current_thread() {
  if (t_state.thread_id == 0) t_state.thread_id = g_next_thread_id.fetch_add(4);
  return t_state;
}

void ensure_signal_stack() {
  if (t_has_signal_stack) return;
  // Never freed: a thread may take a signal until its very last instruction.
  stack_t st{};
  st.ss_sp = std::malloc(kSignalStackBytes);
  st.ss_size = kSignalStackBytes;
  if (st.ss_sp != nullptr && sigaltstack(&st, nullptr) == 0) t_has_signal_stack = true;
}

}  // namespace ksim
