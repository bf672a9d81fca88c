#include "tests/kernel/fltmgr/thread_state.h"

namespace ksim::flt::thread {
namespace {

struct State {
  uint8_t irql = 0;
  void* top_level = nullptr;
  uint64_t pid = 4;  // the System process, as for a system thread
  int8_t mode = 0;
};
thread_local State t_state;

}  // namespace

uint8_t irql() { return t_state.irql; }
void set_irql(uint8_t irql) { t_state.irql = irql; }
void* top_level_irp() { return t_state.top_level; }
void set_top_level_irp(void* irp) { t_state.top_level = irp; }
uint64_t process_id() { return t_state.pid; }
void set_process_id(uint64_t pid) { t_state.pid = pid; }
int8_t previous_mode() { return t_state.mode; }
void set_previous_mode(int8_t mode) { t_state.mode = mode; }

Scope::Scope(uint8_t irql, uint64_t pid, int8_t mode, void* top_level)
    : irql_(t_state.irql), pid_(t_state.pid), mode_(t_state.mode), top_level_(t_state.top_level) {
  t_state.irql = irql;
  t_state.pid = pid;
  t_state.mode = mode;
  t_state.top_level = top_level;
}

Scope::~Scope() {
  t_state.irql = irql_;
  t_state.pid = pid_;
  t_state.mode = mode_;
  t_state.top_level = top_level_;
}

}  // namespace ksim::flt::thread
