// The engine's host services in the kernel (common/engine/services.h): what time it is and where the
// copy buffers come from. The NotificationSink is the event queue's (driver/runtime/engine_seam.h).
#pragma once

#include "common/engine/services.h"
#include "driver/nt/flt_kernel.h"

namespace fbk {

// FILETIME now. KeQuerySystemTimePrecise (Windows 8+) when the running kernel exports it,
// found once with MmGetSystemRoutineAddress so the driver still loads where it is missing;
// else KeQuerySystemTime (the ~15.6 ms tick). now(): any IRQL.
class KernelClock final : public fb::Clock {
 public:
  // PASSIVE_LEVEL (MmGetSystemRoutineAddress).
  void initialize();
  int64_t now() override;

 private:
  using PreciseFn = VOID(NTAPI*)(PLARGE_INTEGER);
  PreciseFn precise_ = nullptr;
};

// Copy buffers of kBufferBytes from NonPagedPoolNx, tagged pool::kBuffer. A backup holds one
// for its duration (an S4 rescue two: the copy, and the rescue file's name, up to 65,534 bytes),
// so at most two per file being backed up exist at a time; acquire()
// returns nullptr when pool is short and the engine reports kInsufficientResources.
// IRQL <= DISPATCH_LEVEL.
class KernelBufferPool final : public fb::BufferPool {
 public:
  static constexpr uint32_t kBufferBytes = 64 * 1024;

  void* acquire(uint32_t* size) override;
  void release(void* buffer) override;
};

}  // namespace fbk
