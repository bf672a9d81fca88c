// Forwards to the ntoskrnl simulation's per-thread state (tests/kernel/nt/kthread.h), which the
// image reads through its emulated CR8 reads and IoGetTopLevelIrp, PsGetCurrentProcessId and
// ExGetPreviousMode: Filter Manager and the image always agree on the thread they run on.
#include "tests/kernel/fltmgr/thread_state.h"

#include "tests/kernel/nt/kthread.h"

namespace ksim::flt::thread {

uint8_t irql() { return current_thread().irql; }
void set_irql(uint8_t irql) { current_thread().irql = irql; }
void* top_level_irp() { return current_thread().top_level_irp; }
void set_top_level_irp(void* irp) { current_thread().top_level_irp = irp; }
uint64_t process_id() { return current_thread().process_id; }
void set_process_id(uint64_t pid) { current_thread().process_id = pid; }
int8_t previous_mode() { return current_thread().previous_mode; }
void set_previous_mode(int8_t mode) { current_thread().previous_mode = mode; }

Scope::Scope(uint8_t irql, uint64_t pid, int8_t mode, void* top_level) {
  KThreadState& t = current_thread();
  irql_ = t.irql;
  pid_ = t.process_id;
  mode_ = t.previous_mode;
  top_level_ = t.top_level_irp;
  t.irql = irql;
  t.process_id = pid;
  t.previous_mode = mode;
  t.top_level_irp = top_level;
}

Scope::~Scope() {
  KThreadState& t = current_thread();
  t.irql = irql_;
  t.process_id = pid_;
  t.previous_mode = mode_;
  t.top_level_irp = top_level_;
}

}  // namespace ksim::flt::thread
