// The notification pipeline's kernel half: the bounded event queue (common/events/queue.h) in
// nonpaged pool, the NotificationSink the engine reports through, and the consumer calls the
// sender thread (driver/runtime/sender_thread.h) drains it with.
//
// Producers (the engine, on the I/O path, any thread, IRQL <= DISPATCH_LEVEL) encode the event
// into a ring record and wake the sender; they never wait for user mode and never allocate.
// When the ring is full the event is counted and its sequence number reported as a gap.
#pragma once

#include "common/engine/services.h"
#include "common/events/queue.h"
#include "driver/nt/flt_kernel.h"
#include "common/protocol/stats.h"

namespace fbk::events {

// Ring size: a power of two, at least EventRing::kCapacityForLongestPath so the longest NT
// path always fits in an empty ring; ~2500 typical events (a 200-byte path each).
constexpr uint32_t kRingBytes = 512 * 1024;

// Allocates the ring (nonpaged). PASSIVE_LEVEL, once, before anything can notify.
NTSTATUS create();
// Frees it. After the last producer (FltUnregisterFilter returned) and the sender stopped.
void destroy();

// The engine's sink is runtime::event_sink() (driver/runtime/engine_seam.h), implemented in driver/runtime/event_pipeline.cpp:
// notify() never blocks; before create() or after destroy() it drops the event.

// ---- the sender thread only (one consumer) --------------------------------------------------
// The next message for the watcher (event or gap) in `out`; see fb::EventQueue::pop.
fb::Popped pop(void* out, uint32_t capacity);
// Whether the message from the last pop reached the watcher.
void complete(bool delivered);
// No watcher: take every ready event out, counted as undelivered (reported later as a gap).
uint32_t discard_ready();
// The sender woke up at `now` (KeQueryInterruptTime): counts towards giving up a stalled record.
void note_wakeup(uint64_t now);
// The last pop stopped at a record its producer has not published: wake again soon.
bool waiting_for_producer();

// Queue statistics for `fbmon stats` (dropped, high-water marks, capacity).
fb::QueueCounters counters();

}  // namespace fbk::events
