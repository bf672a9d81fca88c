// The sender thread's policy, portable so it is tested natively: what to do with the event
// queue (common/events/queue.h) each time the thread wakes up.
//
//   - no watcher connected: every ready event is taken out and counted as undelivered; the
//     queue reports those sequence numbers as a gap to the next watcher;
//   - otherwise each message (event, or a gap report before it) is sent; only kSuccess counts
//     as delivered: a timeout (STATUS_TIMEOUT, a *success* code), a disconnect or any failure
//     makes the event undelivered (it joins the next gap report);
//   - a gap report that could not be sent stays pending; draining stops until the next wake-up
//     instead of spinning on a watcher that does not read;
//   - the stop request is checked before every message, so unload waits for one send at most.
//
// The driver implements WatcherPort with FltSendMessage and a 1 s timeout; tests with fakes.
#pragma once

#include "common/events/queue.h"
#include "common/base/fb_base.h"

namespace fb {

class WatcherPort {
 public:
  // A watcher is connected now (it may go away right after; send then fails).
  virtual bool connected() = 0;
  // Hands one message to the watcher; kSuccess when it took it.
  virtual NtStatus send(const void* message, uint32_t bytes) = 0;
  // The driver is stopping: return as soon as possible.
  virtual bool stop_requested() = 0;
  // A monotonic clock in 100 ns units (the driver: KeQueryInterruptTime). The queue gives up a
  // record whose producer stalled mid-push only after wake-ups spanning EventRing::kStallTimeout
  // of it; the default (no clock) never gives one up.
  virtual uint64_t now() { return 0; }

 protected:
  WatcherPort() = default;
  ~WatcherPort() = default;
};

struct DrainResult {
  bool waiting_for_producer = false;  // stopped at a record not published yet: wake again soon
  uint32_t delivered = 0;        // messages (events and gap reports) the watcher took
  uint32_t failed = 0;           // messages whose send failed or timed out
  uint32_t discarded = 0;        // events taken out because no watcher was connected
  bool gap_pending = false;      // stopped because a gap report could not be sent
  NtStatus last_failure = nt::kSuccess;
};

// Drains `queue` (one consumer: call from one thread only) through `port`, using `buffer`
// (give it proto::kMaxMessageBytes). Queue: fb::EventQueue<Lock> or anything with its pop /
// complete / discard_ready.
template <class Queue>
DrainResult drain_events(Queue& queue, WatcherPort& port, void* buffer, uint32_t capacity) {
  DrainResult result;
  queue.note_wakeup(port.now());
  while (!port.stop_requested()) {
    if (!port.connected()) {
      result.discarded += queue.discard_ready();
      return result;
    }
    const Popped message = queue.pop(buffer, capacity);
    if (message.kind == PopKind::kNone || message.kind == PopKind::kOutputTooSmall) {
      result.waiting_for_producer = queue.waiting_for_producer();
      return result;
    }
    const NtStatus status = port.send(buffer, message.bytes);
    const bool delivered = status == nt::kSuccess;
    queue.complete(delivered);
    if (delivered) {
      ++result.delivered;
      continue;
    }
    ++result.failed;
    result.last_failure = status;
    if (message.kind == PopKind::kGap) {
      result.gap_pending = true;
      return result;
    }
  }
  return result;
}

}  // namespace fb
