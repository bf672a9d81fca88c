#include "driver/runtime/sender_thread.h"

#include "common/events/drain.h"
#include "driver/runtime/event_pipeline.h"
#include "driver/nt/pool.h"
#include "driver/runtime/port.h"
#include "common/protocol/protocol.h"
#include "driver/nt/trace.h"

namespace fbk::sender {
namespace {

struct SenderState {
  KEVENT wake;             // SynchronizationEvent: one waiter, auto-reset
  volatile LONG stopping;  // set once by stop()
  PKTHREAD thread;         // referenced thread object, null when not running
  void* buffer;            // one message (proto::kMaxMessageBytes), nonpaged
  bool initialized;        // `wake` is a valid event
};
SenderState g_sender;  // zero-initialized image data

bool stopping() { return InterlockedCompareExchange(&g_sender.stopping, 0, 0) != 0; }

// The queue as common/events/drain.h drives it.
struct PipelineQueue {
  fb::Popped pop(void* out, uint32_t capacity) { return events::pop(out, capacity); }
  void complete(bool delivered) { events::complete(delivered); }
  uint32_t discard_ready() { return events::discard_ready(); }
};

// The watcher behind \FileBackupPort: FltSendMessage without a reply, 1 s at most.
class FltWatcherPort final : public fb::WatcherPort {
 public:
  bool connected() override { return port::has_watcher(); }
  fb::NtStatus send(const void* message, uint32_t bytes) override {
    LARGE_INTEGER timeout;
    timeout.QuadPart = -kSendTimeout100ns;  // relative
    return port::send(const_cast<void*>(message), bytes, nullptr, nullptr, &timeout);
  }
  bool stop_requested() override { return stopping(); }
};

// Sends everything ready (policy and its tests: common/events/drain.h).
void drain() {
  PipelineQueue queue;
  FltWatcherPort watcher;
  const fb::DrainResult result =
      fb::drain_events(queue, watcher, g_sender.buffer, fb::proto::kMaxMessageBytes);
  if (result.discarded != 0)
    FB_TRACE("%lu events discarded: no watcher connected", static_cast<ULONG>(result.discarded));
  if (result.failed != 0)
    FB_TRACE("%lu messages not delivered (last status 0x%08lx)%s", static_cast<ULONG>(result.failed),
             static_cast<ULONG>(result.last_failure), result.gap_pending ? ", gap report pending" : "");
}

VOID NTAPI thread_main(PVOID) {
  FB_TRACE("sender thread running");
  for (;;) {
    KeWaitForSingleObject(&g_sender.wake, Executive, KernelMode, FALSE, nullptr);
    if (stopping()) break;
    drain();
  }
  FB_TRACE("sender thread exiting");
  PsTerminateSystemThread(STATUS_SUCCESS);
}

}  // namespace

NTSTATUS start() {
  KeInitializeEvent(&g_sender.wake, SynchronizationEvent, FALSE);
  g_sender.initialized = true;
  InterlockedExchange(&g_sender.stopping, 0);
  g_sender.buffer = pool::allocate(fb::proto::kMaxMessageBytes, pool::kQueue);
  if (g_sender.buffer == nullptr) return STATUS_INSUFFICIENT_RESOURCES;

  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, nullptr, OBJ_KERNEL_HANDLE, nullptr, nullptr);
  HANDLE handle = nullptr;
  NTSTATUS status =
      PsCreateSystemThread(&handle, THREAD_ALL_ACCESS, &attributes, nullptr, nullptr, thread_main, nullptr);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("PsCreateSystemThread failed: 0x%08lx", static_cast<ULONG>(status));
    pool::free(g_sender.buffer, pool::kQueue);
    g_sender.buffer = nullptr;
    return status;
  }
  // Keep the thread object, not the handle: stop() waits on the object.
  PVOID thread = nullptr;
  status = ObReferenceObjectByHandle(handle, SYNCHRONIZE, FbkThreadObjectType(), KernelMode, &thread, nullptr);
  if (!NT_SUCCESS(status)) {
    // Not expected for a handle just created; undo through the handle instead.
    FB_TRACE_ERROR("ObReferenceObjectByHandle(sender) failed: 0x%08lx", static_cast<ULONG>(status));
    InterlockedExchange(&g_sender.stopping, 1);
    KeSetEvent(&g_sender.wake, IO_NO_INCREMENT, FALSE);
    ZwWaitForSingleObject(handle, FALSE, nullptr);
    ZwClose(handle);
    pool::free(g_sender.buffer, pool::kQueue);
    g_sender.buffer = nullptr;
    return status;
  }
  ZwClose(handle);
  g_sender.thread = static_cast<PKTHREAD>(thread);
  return STATUS_SUCCESS;
}

void stop() {
  if (g_sender.thread != nullptr) {
    InterlockedExchange(&g_sender.stopping, 1);
    KeSetEvent(&g_sender.wake, IO_NO_INCREMENT, FALSE);
    KeWaitForSingleObject(g_sender.thread, Executive, KernelMode, FALSE, nullptr);
    ObDereferenceObject(g_sender.thread);
    g_sender.thread = nullptr;
    FB_TRACE("sender thread stopped");
  }
  pool::free(g_sender.buffer, pool::kQueue);
  g_sender.buffer = nullptr;
}

void wake() {
  if (g_sender.initialized) KeSetEvent(&g_sender.wake, IO_NO_INCREMENT, FALSE);
}

}  // namespace fbk::sender
