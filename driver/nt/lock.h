// The engine's per-file lock (common/engine/lock.h) as a KMUTEX.
//
// Backup I/O runs while the lock is held, and Flt file I/O needs PASSIVE_LEVEL: a FAST_MUTEX
// would raise to APC_LEVEL and a spin lock to DISPATCH_LEVEL, so neither fits. A KMUTEX keeps
// the holder at PASSIVE_LEVEL (with normal kernel APCs disabled, so the holder cannot be
// suspended), may be re-acquired by its owner, and must live in nonpaged memory: the one in
// each stream context does (driver/callbacks/contexts.cpp allocates them from NonPagedPoolNx).
//
// acquire(): IRQL <= APC_LEVEL. release(): by the owning thread only.
#pragma once

#include "common/engine/lock.h"
#include "driver/nt/flt_kernel.h"

namespace fbk {

class KernelFileLock final : public fb::FileLock {
 public:
  // Two-phase: the lock lives inside a context that Filter Manager allocates.
  void initialize() { KeInitializeMutex(&mutex_, 0); }

  void acquire() override {
    // Executive wait, kernel mode, not alertable, no timeout: cannot fail for a KMUTEX.
    KeWaitForSingleObject(&mutex_, Executive, KernelMode, FALSE, nullptr);
  }
  void release() override { KeReleaseMutex(&mutex_, FALSE); }

 private:
  KMUTEX mutex_;
};

}  // namespace fbk
