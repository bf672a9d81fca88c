#include "driver/runtime/event_pipeline.h"

#include "driver/runtime/engine_seam.h"
#include "driver/nt/pool.h"
#include "driver/runtime/sender_thread.h"
#include "driver/nt/trace.h"

namespace fbk::events {
namespace {

// fb::EventQueue's Lock: a KSPIN_LOCK, so the few instructions of a reservation run at
// DISPATCH_LEVEL and a holder is never preempted while others spin. The previous IRQL is
// stored in the lock: only the holder writes it, after acquiring, and reads it to release.
class KernelSpinLock {
 public:
  void lock() {
    KIRQL previous;
    KeAcquireSpinLock(&lock_, &previous);
    previous_irql_ = previous;
  }
  void unlock() { KeReleaseSpinLock(&lock_, previous_irql_); }

 private:
  KSPIN_LOCK lock_ = 0;  // 0 is the initialized state (what KeInitializeSpinLock writes)
  KIRQL previous_irql_ = PASSIVE_LEVEL;
};

using Queue = fb::EventQueue<KernelSpinLock>;

struct Pipeline {
  Queue* queue;  // object and ring both nonpaged; null outside create()..destroy()
  void* ring;
};
Pipeline g_pipeline;  // zero-initialized image data

// Encodes into the queue and wakes the sender. The engine calls it with the file's lock held.
class QueueSink final : public fb::NotificationSink {
 public:
  void notify(const fb::BackupEvent& event) override {
    Queue* queue = g_pipeline.queue;
    if (queue == nullptr) return;
    // A critical region keeps a suspend (a kernel APC) from stopping this thread between its
    // reservation and its publish, where its record would hold back the sender
    // (common/events/queue.h, "A stalled producer"). Above APC_LEVEL no APC can run anyway.
    const bool region = KeGetCurrentIrql() <= APC_LEVEL;
    if (region) KeEnterCriticalRegion();
    const fb::PushResult result = queue->push(event);
    if (region) KeLeaveCriticalRegion();
    if (result.status == fb::PushStatus::kQueued) {
      sender::wake();
    } else if (result.status == fb::PushStatus::kDropped) {
      // Counted by the queue; the watcher learns it from the gap. Trace at verbose level only:
      // a full queue under load would otherwise flood the debugger.
      FB_TRACE("event %llu dropped: queue full", static_cast<unsigned long long>(result.sequence));
      sender::wake();
    } else {
      FB_TRACE_ERROR("invalid event refused by the queue (path of %lu units)",
                     static_cast<ULONG>(event.path.len));
    }
  }
};

QueueSink g_sink;  // no data, constant-initialized: no global constructor

}  // namespace

NTSTATUS create() {
  void* ring = pool::allocate(kRingBytes, pool::kQueue);
  if (ring == nullptr) return STATUS_INSUFFICIENT_RESOURCES;
  Queue* queue = new (pool::kQueue) Queue;
  if (queue == nullptr) {
    pool::free(ring, pool::kQueue);
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  const fb::NtStatus status = queue->init(ring, kRingBytes);
  if (!fb::nt_success(status)) {  // a constant above is wrong: fail loudly at load
    FB_TRACE_ERROR("event queue init failed: 0x%08lx", static_cast<ULONG>(status));
    delete queue;
    pool::free(ring, pool::kQueue);
    return status;
  }
  g_pipeline.ring = ring;
  InterlockedExchangePointer(reinterpret_cast<PVOID volatile*>(&g_pipeline.queue), queue);
  FB_TRACE_INFO("event queue: %lu bytes", static_cast<ULONG>(kRingBytes));
  return STATUS_SUCCESS;
}

void destroy() {
  Queue* queue = static_cast<Queue*>(
      InterlockedExchangePointer(reinterpret_cast<PVOID volatile*>(&g_pipeline.queue), nullptr));
  if (queue == nullptr) return;
  const fb::QueueCounters c = queue->counters();
  FB_TRACE_INFO("event queue: %llu queued, %llu dropped (full), %llu undelivered",
                static_cast<unsigned long long>(c.queued), static_cast<unsigned long long>(c.dropped_full),
                static_cast<unsigned long long>(c.undelivered));
  delete queue;
  pool::free(g_pipeline.ring, pool::kQueue);
  g_pipeline.ring = nullptr;
}

fb::Popped pop(void* out, uint32_t capacity) {
  Queue* queue = g_pipeline.queue;
  return queue != nullptr ? queue->pop(out, capacity) : fb::Popped{};
}

void complete(bool delivered) {
  if (Queue* queue = g_pipeline.queue) queue->complete(delivered);
}

uint32_t discard_ready() {
  Queue* queue = g_pipeline.queue;
  return queue != nullptr ? queue->discard_ready() : 0;
}

void note_wakeup(uint64_t now) {
  if (Queue* queue = g_pipeline.queue) queue->note_wakeup(now);
}

bool waiting_for_producer() {
  Queue* queue = g_pipeline.queue;
  return queue != nullptr && queue->waiting_for_producer();
}

fb::QueueCounters counters() {
  Queue* queue = g_pipeline.queue;
  return queue != nullptr ? queue->counters() : fb::QueueCounters{};
}

}  // namespace fbk::events

namespace fbk::runtime {

fb::NotificationSink& event_sink() { return events::g_sink; }

}  // namespace fbk::runtime
