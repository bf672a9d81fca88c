// A producer frozen inside EventQueue::push (a suspended thread, a long preemption) must not hold
// back the other producers' events. Review finding: the consumer stopped at the frozen
// producer's busy record, and everything behind it waited, then was dropped once the ring filled.
// Each test freezes one producer at a hook point of push (PushHooks: compiled out in the driver)
// while others push, then plays the sender's wake-ups: the others' events arrive in order after
// at most a few wake-ups, the frozen event's sequence is reported in a gap, and when the frozen
// producer goes on nothing is delivered twice and the ring space comes back.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/base/atomics.h"
#include "common/events/queue.h"
#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

// Freezes the thread marked `victim` when it reaches `point`, until released.
struct Freezer {
  static std::mutex mu;
  static std::condition_variable cv;
  static std::thread::id victim;
  static fb::PushPoint point;
  static bool frozen;
  static bool released;
  static void at(fb::PushPoint p) {
    std::unique_lock<std::mutex> g(mu);
    if (std::this_thread::get_id() != victim || p != point) return;
    frozen = true;
    cv.notify_all();
    cv.wait(g, [] { return released; });
  }
  static void arm(std::thread::id who, fb::PushPoint p) {
    std::lock_guard<std::mutex> g(mu);
    victim = who;
    point = p;
    frozen = false;
    released = false;
  }
  static void wait_frozen() {
    std::unique_lock<std::mutex> g(mu);
    cv.wait(g, [] { return frozen; });
  }
  static void release() {
    std::lock_guard<std::mutex> g(mu);
    released = true;
    cv.notify_all();
  }
};
std::mutex Freezer::mu;
std::condition_variable Freezer::cv;
std::thread::id Freezer::victim;
fb::PushPoint Freezer::point = fb::PushPoint::kReserved;
bool Freezer::frozen = false;
bool Freezer::released = false;

using Queue = fb::EventQueue<fb::SpinLock, Freezer>;

fb::BackupEvent event_for(const std::u16string& path) {
  fb::BackupEvent e;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.path = fb::Str16(path.data(), static_cast<uint32_t>(path.size()));
  return e;
}

struct Message {
  fb::PopKind kind;
  uint64_t first;
  uint64_t last;
};

// One wake-up of the sender, 50 ms after the previous one: everything the queue hands over now,
// all delivered.
std::vector<Message> wake_up(Queue& q, std::vector<uint8_t>& buffer) {
  static uint64_t clock = 0;
  clock += 50 * 10000;
  q.note_wakeup(clock);
  std::vector<Message> out;
  for (;;) {
    const fb::Popped p = q.pop(buffer.data(), static_cast<uint32_t>(buffer.size()));
    if (p.kind == fb::PopKind::kNone) return out;
    EXPECT_NE(p.kind, fb::PopKind::kOutputTooSmall);
    out.push_back({p.kind, p.first_sequence, p.last_sequence});
    q.complete(true);
  }
}

class EventQueueStall : public ::testing::TestWithParam<fb::PushPoint> {};

TEST_P(EventQueueStall, AFrozenProducerDoesNotHoldBackTheOthers) {
  constexpr uint32_t kRing = 64 * 1024;
  std::vector<uint64_t> storage(kRing / 8);
  Queue q;
  ASSERT_EQ(q.init(storage.data(), kRing), fb::nt::kSuccess);
  std::vector<uint8_t> buffer(proto::kMaxMessageBytes);

  // The frozen producer: armed before it pushes, frozen at the hook point under test.
  const std::u16string frozen_path = u"\\Device\\HarddiskVolume3\\frozen.txt";
  fb::PushResult frozen_result;
  std::atomic<bool> armed{false};
  std::thread producer([&] {
    while (!armed.load()) std::this_thread::yield();
    frozen_result = q.push(event_for(frozen_path));
  });
  struct Thaw {  // on every exit, a failed assertion included: let the producer finish
    std::thread& t;
    ~Thaw() {
      Freezer::release();
      if (t.joinable()) t.join();
    }
  } thaw{producer};
  Freezer::arm(producer.get_id(), GetParam());
  armed.store(true);
  Freezer::wait_frozen();

  // Other producers go on: their events must reach the watcher within a few wake-ups.
  constexpr int kOthers = 20;
  const std::u16string other_path = u"\\Device\\HarddiskVolume3\\other.txt";
  std::vector<uint64_t> other_sequences;
  std::vector<Message> seen;
  int wake_ups = 0;
  for (int i = 0; i < kOthers; ++i) {
    const fb::PushResult r = q.push(event_for(other_path));
    ASSERT_EQ(r.status, fb::PushStatus::kQueued) << i;
    other_sequences.push_back(r.sequence);
    const std::vector<Message> got = wake_up(q, buffer);  // the push's wake-up
    ++wake_ups;
    seen.insert(seen.end(), got.begin(), got.end());
  }
  std::vector<uint64_t> delivered;
  for (const Message& m : seen)
    if (m.kind == fb::PopKind::kEvent) delivered.push_back(m.first);
  // All but the last few (pushed before the stall was given up on) are through already.
  ASSERT_GE(delivered.size(), static_cast<size_t>(kOthers - 4)) << "the frozen producer held the others back";
  for (size_t i = 0; i < delivered.size(); ++i) EXPECT_EQ(delivered[i], other_sequences[i]);
  if (GetParam() != fb::PushPoint::kBeforeReserve) {
    // Its sequence (taken before the others') is accounted for in a gap report, before them.
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().kind, fb::PopKind::kGap);
    EXPECT_EQ(seen.front().last, other_sequences.front() - 1);
  }

  // The frozen producer goes on: nothing is delivered twice, sequences only grow.
  Freezer::release();
  producer.join();
  // Given up while frozen holding its record: dropped (its sequence is in the gap); frozen before
  // it reserved anything, it simply goes in after the others.
  EXPECT_EQ(frozen_result.status,
            GetParam() == fb::PushPoint::kBeforeReserve ? fb::PushStatus::kQueued : fb::PushStatus::kDropped);
  const std::vector<Message> after = wake_up(q, buffer);
  uint64_t last = delivered.empty() ? 0 : delivered.back();
  for (const Message& m : after) {
    EXPECT_GT(m.first, last);
    last = m.last;
  }
  if (GetParam() != fb::PushPoint::kBeforeReserve) {
    for (const Message& m : after) EXPECT_NE(m.first, frozen_result.sequence) << "delivered after its gap";
  }

  // The ring's space came back: a ring's worth more events all fit.
  for (int i = 0; i < 400; ++i) {
    ASSERT_EQ(q.push(event_for(other_path)).status, fb::PushStatus::kQueued) << i;
    wake_up(q, buffer);
  }
  EXPECT_EQ(q.counters().dropped_full, 0u);
}

INSTANTIATE_TEST_SUITE_P(Points, EventQueueStall,
                         ::testing::Values(fb::PushPoint::kBeforeReserve, fb::PushPoint::kReserved,
                                           fb::PushPoint::kEncoded));

}  // namespace
