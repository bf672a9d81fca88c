// The bounded queue between the driver's I/O path (producers, any thread, IRQL <= DISPATCH)
// and its sender thread (one consumer). Producers never wait for the consumer and never
// allocate: the storage is a caller-provided, preallocated byte ring (nonpaged in the kernel).
//
// What it stores: each event is encoded ONCE, by its producer, into the wire message the
// watcher will receive (common/protocol/protocol.h), inside a variable-size record of the ring. A path can be
// 32767 units, so fixed-size slots would waste 64 KiB per event; a byte ring holds only what
// each event needs. The consumer copies the message out and frees its record at once, so a
// slow FltSendMessage never holds ring space.
//
// Sequence numbers: every push gets the next sequence number, whether the event is queued or
// dropped. Records therefore sit in the ring in sequence order, and the consumer reports every
// sequence number it cannot hand over (dropped at push, discarded without a watcher, send
// failed) as a gap report {dropped, first, last} placed before the next event it delivers, or
// as soon as the ring is idle. The watcher thus sees strictly increasing sequences and an exact
// account of every missing one.
//
// Why a short spin lock rather than lock-free: a producer must take ring space AND the next
// sequence number as one step, so that ring order equals sequence order; with variable-size
// records and wrap-around that is a two-word update. The lock covers only that reservation
// (tens of instructions, no copying); the producer encodes into its reserved record after
// releasing the lock and then publishes it with a release store of the record's header, like
// Linux's BPF ring buffer. The consumer never takes the lock on its fast path: it reads the
// producers' tail and each record header with acquire loads. The Lock type is a template
// parameter: the driver passes a KSPIN_LOCK wrapper (raises IRQL, so a holder is never
// preempted), the host fb::SpinLock or std::mutex. Lock needs lock() and unlock().
//
// A stalled producer. A producer can stop between its reservation and its publish for as long
// as its thread does not run (preempted, or suspended: the driver pushes inside a critical
// region, KeEnterCriticalRegion, so a suspend APC cannot stop it there, but preemption can). Its
// record stays busy, and the consumer, which reads records in ring order, would stop there.
// So the consumer gives a busy record up once it has found it busy at kAbandonAfterWakeups
// consecutive wake-ups spanning at least kStallTimeout (the sender tells the queue each wake-up
// and its time, note_wakeup, and wakes on a short timer while a record is busy; a record that
// is busy only because its producer is being preempted under load is not given up): it marks
// the record abandoned with a compare-exchange on its state (the producer's publish is the
// competing compare-exchange: exactly one wins), counts its sequence as undelivered - the next
// gap report accounts for it, so sequences stay increasing - and reads on. The producer, when
// it runs again, finds its record abandoned and only clears the busy bit, its last touch of the
// ring. Until then the record's bytes stay reserved (the head cannot pass it), so a stall that
// outlasts a ring's worth of events makes later pushes drop (reported as gaps too). The consumer
// reads ahead of the head (read_): everything between head_ and read_ is consumed except
// abandoned records still busy.
//
// Ring layout: records of 16-byte header {u32 state: size | kBusy | kPad | kAbandoned, u32 0, u64 sequence}
// then the message, rounded to 8 bytes. A record never wraps: if it does not fit before the end
// of the ring, a pad record fills the rest and the record starts at offset 0. A record of up to
// half the capacity therefore always fits in an empty ring (kCapacityForLongestPath holds the
// longest event); a larger one is dropped like any event that finds the ring full.
#pragma once

#include "common/events/event.h"
#include "common/base/fb_base.h"
#include "common/protocol/protocol.h"

namespace fb {

enum class PushStatus : uint8_t {
  kQueued = 1,   // in the ring under `sequence`
  kDropped = 2,  // ring full: counted, and `sequence` will be reported in a gap
  kInvalid = 3,  // the event fails proto::validate_event: programming error, no sequence used
};

struct PushResult {
  PushStatus status = PushStatus::kInvalid;
  uint64_t sequence = 0;
};

enum class PopKind : uint8_t {
  kNone = 0,            // nothing to send now
  kEvent = 1,           // `out` holds an event message (first == last == its sequence)
  kGap = 2,             // `out` holds a gap report for first..last
  kOutputTooSmall = 3,  // the next message needs `bytes`; nothing was taken
};

struct Popped {
  PopKind kind = PopKind::kNone;
  uint32_t bytes = 0;  // message size in `out`
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

struct QueueCounters {
  uint64_t queued = 0;             // events accepted into the ring
  uint64_t dropped_full = 0;       // events refused because the ring was full
  uint64_t undelivered = 0;        // events taken out but not delivered (no watcher, send failed)
  uint64_t high_water_events = 0;  // most events in the ring at once
  uint64_t high_water_bytes = 0;   // most ring bytes in use at once
  uint64_t capacity_bytes = 0;
  uint64_t dropped() const { return dropped_full + undelivered; }
};

// The lock-independent ring. Methods named *_locked must be called with the producers' lock
// held; EventQueue below does that. Consumer methods must all be called from one thread.
class EventRing {
 public:
  static constexpr uint32_t kRecordHeaderBytes = 16;
  static constexpr uint32_t kMinCapacity = 4096;
  static constexpr uint32_t kMaxCapacity = 1u << 30;
  static constexpr uint32_t kCapacityForLongestPath = 256 * 1024;
  // A record busy at this many consecutive consumer wake-ups, over at least kStallTimeout
  // (100 ns units: 100 ms), is given up as stalled (see above).
  static constexpr uint32_t kAbandonAfterWakeups = 3;
  static constexpr uint64_t kStallTimeout = 100 * 10000;

  static constexpr uint32_t record_bytes(uint32_t message_bytes) {
    return kRecordHeaderBytes + ((message_bytes + 7u) & ~7u);
  }

  // `storage`: 8-byte aligned, `capacity_bytes` a power of two in [kMinCapacity, kMaxCapacity].
  // kInvalidParameter otherwise. Call before any other method, with no concurrent user.
  NtStatus init(void* storage, uint32_t capacity_bytes);

  // ---- producers
  struct Reservation {
    uint8_t* message = nullptr;  // null: dropped (ring full)
    uint32_t message_bytes = 0;
    uint64_t sequence = 0;
  };
  Reservation reserve_locked(uint32_t message_bytes);
  // Encodes `event` (already validated) under the reserved sequence into the reserved record.
  void encode(const Reservation& reservation, const BackupEvent& event);
  // Publishes the encoded record to the consumer; false when the consumer gave it up as stalled
  // (its sequence is then reported in a gap).
  bool publish(const Reservation& reservation);

  // ---- consumer
  // The next event, or a gap before it, copied to `out`. *idle is set when the ring is empty
  // (no record reserved or published): the caller may then look for a trailing gap. Each call
  // that finds the next record still busy counts as one wake-up towards giving it up.
  Popped pop_ready(void* out, uint32_t capacity, bool* idle);
  // Whether the last pop stopped at a record its producer has not published yet: the sender
  // should wake again soon even if nobody signals it (the producer may be stalled).
  bool waiting_for_producer() const { return waiting_for_producer_; }
  // The sender woke up at `now` (any monotonic 100 ns clock): counts towards giving up a busy
  // record. Without calls, no record is ever given up.
  void note_wakeup(uint64_t now);
  // Cheap pre-check, no lock: whether sequences were handed out that were not delivered.
  bool may_have_trailing_gap() const;
  // With the lock held: the next sequence to be handed out if the ring is still empty, else 0.
  uint64_t sequence_end_if_idle_locked() const;
  // The gap next_expected..sequence_end-1 if there is one.
  Popped pop_trailing_gap(uint64_t sequence_end, void* out, uint32_t capacity);
  // The outcome of sending the last popped message. Not delivered: an event's sequence joins
  // the next gap report; a gap report stays pending and is offered again by the next pop
  // (so after a failed gap send, wait for the next wake-up before popping again).
  void complete(bool delivered);
  // Takes out every published event without copying it, counting it as undelivered (for when
  // no watcher is connected). Returns how many.
  uint32_t discard_ready();

  QueueCounters counters() const;

 private:
  static constexpr uint32_t kBusy = 1u << 31;
  static constexpr uint32_t kPad = 1u << 30;
  static constexpr uint32_t kSizeMask = kPad - 1;         // a pad's size
  static constexpr uint32_t kAbandoned = 1u << 29;        // an event record the consumer gave up
  static constexpr uint32_t kEventSizeMask = kAbandoned - 1;  // an event record's message size

  uint32_t* state_at(uint64_t position) const;
  uint64_t* sequence_at(uint64_t position) const;
  // Frees every consumed record from head_ up to read_, stopping at an abandoned record whose
  // producer still writes into it (consumer).
  void reclaim();
  // The record at read_ was read: counts it and moves on.
  void advance_read(uint32_t bytes, bool is_event);
  // A busy record at read_: true when it has been busy for kAbandonAfterWakeups wake-ups over
  // kStallTimeout.
  bool stalled_long_enough();
  Popped emit_gap(uint64_t first, uint64_t last, void* out, uint32_t capacity);
  void note_high_water_locked(uint64_t tail, uint64_t head);

  // Set by init, then read-only.
  uint8_t* storage_ = nullptr;
  uint32_t capacity_ = 0;
  uint32_t mask_ = 0;

  // Producers (under the lock). tail_ and next_sequence_ are also read by the consumer.
  uint8_t producer_line_[64] = {};
  uint64_t tail_ = 0;           // end of the last reserved record (monotonic byte position)
  uint64_t next_sequence_ = 1;  // handed to the next push
  uint64_t queued_ = 0;
  uint64_t dropped_full_ = 0;
  uint64_t high_water_events_ = 0;
  uint64_t high_water_bytes_ = 0;

  // Consumer. head_ and consumed_ are also read by producers.
  uint8_t consumer_line_[64] = {};
  uint64_t head_ = 0;           // start of the oldest record not yet freed
  uint64_t read_ = 0;           // start of the next record to read (>= head_; consumer only)
  uint64_t stall_position_ = UINT64_MAX;  // the busy record at read_ being watched
  uint64_t stall_since_ = 0;               // wake-up time it was first seen busy
  uint32_t stall_wakeups_ = 0;             // wake-ups it has been seen busy at
  uint64_t last_wakeup_ = 0;
  uint32_t wakeups_ = 0;                   // note_wakeup calls so far
  bool waiting_for_producer_ = false;
  uint64_t consumed_ = 0;       // records of events freed
  uint64_t next_expected_ = 1;  // first sequence not yet delivered or covered by a delivered gap
  uint64_t undelivered_ = 0;
  Popped pending_;              // last popped message awaiting complete()
};

// Where a producer can be in push(), for tests that freeze one there (PushHooks below). The
// reservation itself, under the lock, has no hook: in the driver it runs at DISPATCH_LEVEL under
// a spin lock, where a thread is neither preempted nor suspended.
enum class PushPoint : uint8_t {
  kBeforeReserve = 0,  // validated, nothing taken yet
  kReserved = 1,       // holds a reserved record (busy in the ring) and its sequence
  kEncoded = 2,        // the message is written, the record not yet published
};

// The driver's hooks: none (compiled out). Tests pass a type whose static at() may block.
struct NoPushHooks {
  static void at(PushPoint) {}
};

template <class Lock, class PushHooks = NoPushHooks>
class EventQueue {
 public:
  NtStatus init(void* storage, uint32_t capacity_bytes) { return ring_.init(storage, capacity_bytes); }

  // Producers: any thread; never waits except for the reservation spin lock.
  PushResult push(const BackupEvent& event) {
    if (proto::validate_event(event) != proto::Error::kOk) return {PushStatus::kInvalid, 0};
    const uint32_t bytes = proto::event_message_bytes(event.path.len);
    PushHooks::at(PushPoint::kBeforeReserve);
    lock_.lock();
    const EventRing::Reservation reservation = ring_.reserve_locked(bytes);
    lock_.unlock();
    if (reservation.message == nullptr) return {PushStatus::kDropped, reservation.sequence};
    PushHooks::at(PushPoint::kReserved);
    ring_.encode(reservation, event);
    PushHooks::at(PushPoint::kEncoded);
    // Given up as stalled: the sequence is (or will be) reported in a gap, like a drop.
    if (!ring_.publish(reservation)) return {PushStatus::kDropped, reservation.sequence};
    return {PushStatus::kQueued, reservation.sequence};
  }

  // Consumer: the next message for the watcher (see EventRing::pop_ready / complete). Give
  // `out` proto::kMaxMessageBytes to never see kOutputTooSmall. A pop without complete() for
  // the previous message counts that one as not delivered.
  Popped pop(void* out, uint32_t capacity) {
    bool idle = false;
    const Popped ready = ring_.pop_ready(out, capacity, &idle);
    if (!idle || !ring_.may_have_trailing_gap()) return ready;
    lock_.lock();
    const uint64_t sequence_end = ring_.sequence_end_if_idle_locked();
    lock_.unlock();
    // 0: a producer reserved a record since the ring looked empty; take that instead.
    if (sequence_end == 0) return ring_.pop_ready(out, capacity, &idle);
    return ring_.pop_trailing_gap(sequence_end, out, capacity);
  }
  void complete(bool delivered) { ring_.complete(delivered); }
  uint32_t discard_ready() { return ring_.discard_ready(); }
  bool waiting_for_producer() const { return ring_.waiting_for_producer(); }
  void note_wakeup(uint64_t now) { ring_.note_wakeup(now); }

  QueueCounters counters() const { return ring_.counters(); }
  Lock& lock() { return lock_; }  // e.g. for KeInitializeSpinLock

 private:
  Lock lock_{};
  EventRing ring_;
};

}  // namespace fb
