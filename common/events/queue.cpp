// The byte ring behind EventQueue (common/events/queue.h explains the design and the memory order).
//
// Who touches what:
//   tail_, next_sequence_       written by producers under the lock (release / relaxed
//                               stores), read by the consumer without it.
//   head_, consumed_            written by the consumer (release / relaxed), read by producers
//                               under the lock to know the free space.
//   read_, stall_*              the consumer's own.
//   record state word           written busy by the reserving producer under the lock,
//                               published (busy cleared) by a release compare-exchange after
//                               encoding, read by the consumer with an acquire load; the
//                               consumer may instead set kAbandoned on a busy record with its own
//                               compare-exchange (exactly one of the two wins), after which the
//                               producer's last act is a release store clearing busy.
#include "common/events/queue.h"

#include "common/base/atomics.h"

namespace fb {

NtStatus EventRing::init(void* storage, uint32_t capacity_bytes) {
  const bool power_of_two = capacity_bytes != 0 && (capacity_bytes & (capacity_bytes - 1)) == 0;
  if (storage == nullptr || reinterpret_cast<uintptr_t>(storage) % 8 != 0 || !power_of_two ||
      capacity_bytes < kMinCapacity || capacity_bytes > kMaxCapacity)
    return nt::kInvalidParameter;
  storage_ = static_cast<uint8_t*>(storage);
  capacity_ = capacity_bytes;
  mask_ = capacity_bytes - 1;
  return nt::kSuccess;
}

uint32_t* EventRing::state_at(uint64_t position) const {
  return reinterpret_cast<uint32_t*>(storage_ + (position & mask_));
}

uint64_t* EventRing::sequence_at(uint64_t position) const {
  return reinterpret_cast<uint64_t*>(storage_ + (position & mask_) + 8);
}

// ---- producers ------------------------------------------------------------------------------

EventRing::Reservation EventRing::reserve_locked(uint32_t message_bytes) {
  Reservation r;
  r.sequence = next_sequence_;
  atomic::store_relaxed(&next_sequence_, r.sequence + 1);

  const uint32_t need = record_bytes(message_bytes);
  const uint64_t head = atomic::load_acquire(&head_);
  const uint64_t tail = tail_;
  const uint32_t to_end = capacity_ - static_cast<uint32_t>(tail & mask_);
  const uint32_t pad = need > to_end ? to_end : 0;
  if (need > capacity_ || (tail - head) + pad + need > capacity_) {
    atomic::store_relaxed(&dropped_full_, dropped_full_ + 1);
    return r;
  }
  if (pad != 0) atomic::store_relaxed(state_at(tail), kPad | pad);
  const uint64_t record = tail + pad;
  atomic::store_relaxed(state_at(record), kBusy | message_bytes);
  *sequence_at(record) = r.sequence;
  // Publishes the headers written above to the consumer.
  atomic::store_release(&tail_, record + need);

  atomic::store_relaxed(&queued_, queued_ + 1);
  note_high_water_locked(record + need, head);
  r.message = storage_ + (record & mask_) + kRecordHeaderBytes;
  r.message_bytes = message_bytes;
  return r;
}

void EventRing::note_high_water_locked(uint64_t tail, uint64_t head) {
  const uint64_t bytes = tail - head;
  if (bytes > high_water_bytes_) atomic::store_relaxed(&high_water_bytes_, bytes);
  const uint64_t events = queued_ - atomic::load_relaxed(&consumed_);
  if (events > high_water_events_) atomic::store_relaxed(&high_water_events_, events);
}

void EventRing::encode(const Reservation& reservation, const BackupEvent& event) {
  BackupEvent numbered = event;
  numbered.sequence = reservation.sequence;
  // Cannot fail: EventQueue::push validated the event and reserved exactly its size.
  proto::encode_event(numbered, reservation.message, reservation.message_bytes);
}

bool EventRing::publish(const Reservation& reservation) {
  uint32_t* state = reinterpret_cast<uint32_t*>(reservation.message - kRecordHeaderBytes);
  uint32_t expected = kBusy | reservation.message_bytes;
  if (__atomic_compare_exchange_n(state, &expected, reservation.message_bytes, false, __ATOMIC_RELEASE,
                                  __ATOMIC_RELAXED))
    return true;
  // The consumer gave the record up (kAbandoned): clear busy, the last touch of the ring, so the
  // head may pass it.
  atomic::store_release(state, kAbandoned | reservation.message_bytes);
  return false;
}

// ---- consumer -------------------------------------------------------------------------------

void EventRing::reclaim() {
  uint64_t head = head_;
  while (head != read_) {
    const uint32_t state = atomic::load_acquire(state_at(head));
    if (state & kBusy) break;  // abandoned, its producer still writing: its bytes stay reserved
    head += (state & kPad) ? (state & kSizeMask) : record_bytes(state & kEventSizeMask);
  }
  if (head != head_) atomic::store_release(&head_, head);
}

void EventRing::advance_read(uint32_t bytes, bool is_event) {
  read_ += bytes;
  stall_position_ = UINT64_MAX;
  if (is_event) atomic::store_relaxed(&consumed_, consumed_ + 1);
  reclaim();
}

void EventRing::note_wakeup(uint64_t now) {
  last_wakeup_ = now;
  ++wakeups_;
}

bool EventRing::stalled_long_enough() {
  if (stall_position_ != read_) {  // a new busy record: start watching it at this wake-up
    stall_position_ = read_;
    stall_since_ = last_wakeup_;
    stall_wakeups_ = wakeups_;
    return false;
  }
  return wakeups_ - stall_wakeups_ >= kAbandonAfterWakeups && last_wakeup_ - stall_since_ >= kStallTimeout;
}

Popped EventRing::emit_gap(uint64_t first, uint64_t last, void* out, uint32_t capacity) {
  const GapReport gap{last - first + 1, first, last};
  const proto::EncodeResult encoded = proto::encode_gap(gap, out, capacity);
  Popped p;
  p.bytes = encoded.size;
  if (encoded.error != proto::Error::kOk) {
    p.kind = PopKind::kOutputTooSmall;
    return p;
  }
  p.kind = PopKind::kGap;
  p.first_sequence = first;
  p.last_sequence = last;
  pending_ = p;
  return p;
}

Popped EventRing::pop_ready(void* out, uint32_t capacity, bool* idle) {
  if (pending_.kind != PopKind::kNone) complete(false);
  *idle = false;
  waiting_for_producer_ = false;
  reclaim();
  for (;;) {
    if (read_ == atomic::load_acquire(&tail_)) {
      *idle = true;
      return Popped{};
    }
    uint32_t state = atomic::load_acquire(state_at(read_));
    if (state & kPad) {
      advance_read(state & kSizeMask, false);
      continue;
    }
    if (state & kBusy) {
      // Its producer is still encoding, and will wake us when it publishes - unless it is
      // stalled: given up after kAbandonAfterWakeups wake-ups, its sequence joins the next gap.
      if (!stalled_long_enough()) {
        waiting_for_producer_ = true;
        return Popped{};
      }
      if (!__atomic_compare_exchange_n(state_at(read_), &state, state | kAbandoned, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE))
        continue;  // published just now: read it
      atomic::store_relaxed(&undelivered_, undelivered_ + 1);
      advance_read(record_bytes(state & kEventSizeMask), true);
      continue;
    }

    const uint64_t sequence = *sequence_at(read_);
    if (sequence > next_expected_) return emit_gap(next_expected_, sequence - 1, out, capacity);

    const uint32_t message_bytes = state & kEventSizeMask;
    Popped p;
    p.bytes = message_bytes;
    if (capacity < message_bytes) {
      p.kind = PopKind::kOutputTooSmall;
      return p;
    }
    __builtin_memcpy(out, storage_ + (read_ & mask_) + kRecordHeaderBytes, message_bytes);
    advance_read(record_bytes(message_bytes), true);
    p.kind = PopKind::kEvent;
    p.first_sequence = p.last_sequence = sequence;
    pending_ = p;
    return p;
  }
}

bool EventRing::may_have_trailing_gap() const {
  return atomic::load_relaxed(&next_sequence_) != next_expected_;
}

uint64_t EventRing::sequence_end_if_idle_locked() const {
  return tail_ == read_ ? next_sequence_ : 0;
}

Popped EventRing::pop_trailing_gap(uint64_t sequence_end, void* out, uint32_t capacity) {
  if (sequence_end <= next_expected_) return Popped{};
  return emit_gap(next_expected_, sequence_end - 1, out, capacity);
}

void EventRing::complete(bool delivered) {
  if (pending_.kind == PopKind::kNone) return;
  if (delivered)
    next_expected_ = pending_.last_sequence + 1;
  else if (pending_.kind == PopKind::kEvent)
    atomic::store_relaxed(&undelivered_, undelivered_ + 1);
  pending_ = Popped{};
}

uint32_t EventRing::discard_ready() {
  if (pending_.kind != PopKind::kNone) complete(false);
  uint32_t discarded = 0;
  reclaim();
  while (read_ != atomic::load_acquire(&tail_)) {
    const uint32_t state = atomic::load_acquire(state_at(read_));
    if (state & kBusy) break;  // a stalled one is given up by pop_ready's wake-ups only
    const bool is_event = (state & kPad) == 0;
    advance_read(is_event ? record_bytes(state & kEventSizeMask) : state & kSizeMask, is_event);
    if (is_event) ++discarded;
  }
  atomic::store_relaxed(&undelivered_, undelivered_ + discarded);
  return discarded;
}

QueueCounters EventRing::counters() const {
  QueueCounters c;
  c.queued = atomic::load_relaxed(&queued_);
  c.dropped_full = atomic::load_relaxed(&dropped_full_);
  c.undelivered = atomic::load_relaxed(&undelivered_);
  c.high_water_events = atomic::load_relaxed(&high_water_events_);
  c.high_water_bytes = atomic::load_relaxed(&high_water_bytes_);
  c.capacity_bytes = capacity_;
  return c;
}

}  // namespace fb
