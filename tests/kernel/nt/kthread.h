// The simulated kernel's view of the calling host thread: its IRQL, the locks it holds, whether
// it is a system thread, and the requestor context a test sets before calling into the image.
// Every host thread that runs image code has one (thread_local, zero-cost to reach from the
// privileged-instruction handler).
#pragma once

#include <csetjmp>
#include <cstdint>

namespace ksim {

struct KThreadState {
  uint8_t irql = 0;               // what `mov reg, cr8` reads
  int spin_locks_held = 0;        // KSPIN_LOCKs acquired and not released
  int mutexes_held = 0;           // KMUTEX ownerships (recursive acquisitions count)
  bool system_thread = false;     // created by PsCreateSystemThread
  void* thread_object = nullptr;  // its ksim thread object (system threads)
  jmp_buf* terminate = nullptr;   // where PsTerminateSystemThread returns to (system threads)
  uint64_t thread_id = 0;         // PsGetCurrentThreadId (multiples of 4, like Windows)
  uint64_t process_id = 4;        // PsGetCurrentProcessId: 4 = System; a test sets the requestor's
  int8_t previous_mode = 0;       // ExGetPreviousMode: KernelMode (0) or UserMode (1)
  void* top_level_irp = nullptr;  // IoGetTopLevelIrp
  int callback_depth = 0;         // nesting of verifier::CallbackScope on this thread
};

KThreadState& current_thread();

// Gives the calling thread an alternate signal stack (once), so the privileged-instruction
// handler never runs on, and never disturbs the measurement of, the thread's own stack.
void ensure_signal_stack();

}  // namespace ksim
