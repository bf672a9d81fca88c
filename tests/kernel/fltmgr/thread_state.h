// What Filter Manager needs to know about the simulated kernel thread it runs on: its IRQL, its
// top-level IRP, its process and the previous mode of the request it serves.
//
// These belong to the ntoskrnl simulation (tests/kernel/nt/kthread.h: KeGetCurrentIrql is a CR8
// read the loader emulates, IoGetTopLevelIrp, PsGetCurrentProcessId and ExGetPreviousMode are
// its exports); thread_state.cpp forwards there.
#pragma once

#include <cstdint>

namespace ksim::flt::thread {

uint8_t irql();
void set_irql(uint8_t irql);
void* top_level_irp();
void set_top_level_irp(void* irp);
uint64_t process_id();
void set_process_id(uint64_t pid);
int8_t previous_mode();  // 0 KernelMode, 1 UserMode
void set_previous_mode(int8_t mode);

// Sets the thread's state for one scope (an application's request, a callback at raised IRQL)
// and restores what was there.
class Scope {
 public:
  Scope(uint8_t irql, uint64_t pid, int8_t mode, void* top_level = nullptr);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  uint8_t irql_;
  uint64_t pid_;
  int8_t mode_;
  void* top_level_;
};

}  // namespace ksim::flt::thread
