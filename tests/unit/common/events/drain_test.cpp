// The sender thread's policy (common/events/drain.h) against the real queue and a scripted watcher:
// what the watcher receives, in which order, and what is counted, for each way a send can go.
#include "common/events/drain.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base/atomics.h"
#include "common/protocol/protocol.h"

namespace fb {
namespace {

using Queue = EventQueue<SpinLock>;
constexpr NtStatus kTimeout = 0x00000102;        // STATUS_TIMEOUT: a success code, not delivery
constexpr NtStatus kDisconnected = static_cast<NtStatus>(0xC0000037);

// Records what reached it as "e<seq>" / "g<first>-<last>"; answers sends from a script
// (kSuccess once the script is exhausted).
class ScriptedWatcher : public WatcherPort {
 public:
  bool connected() override { return connected_; }
  NtStatus send(const void* message, uint32_t bytes) override {
    ++sends;
    const NtStatus status = script_.empty() ? nt::kSuccess : script_.front();
    if (!script_.empty()) script_.erase(script_.begin());
    if (status == nt::kSuccess) received.push_back(describe(message, bytes));
    if (stop_after_sends_ != 0 && sends >= stop_after_sends_) stop_ = true;
    return status;
  }
  bool stop_requested() override { return stop_; }

  void set_connected(bool c) { connected_ = c; }
  void script(std::vector<NtStatus> s) { script_ = std::move(s); }
  void stop_after(uint32_t n) { stop_after_sends_ = n; }
  void stop_now() { stop_ = true; }

  std::vector<std::string> received;
  uint32_t sends = 0;

 private:
  static std::string describe(const void* message, uint32_t bytes) {
    proto::Header header;
    if (proto::decode_header(message, bytes, &header) != proto::Error::kOk) return "?";
    if (header.type == proto::MessageType::kEvent) {
      BackupEvent e;
      if (proto::decode_event(message, bytes, &e) != proto::Error::kOk) return "?e";
      return "e" + std::to_string(e.sequence);
    }
    GapReport g;
    if (proto::decode_gap(message, bytes, &g) != proto::Error::kOk) return "?g";
    return "g" + std::to_string(g.first_sequence) + "-" + std::to_string(g.last_sequence);
  }

  bool connected_ = true;
  bool stop_ = false;
  uint32_t stop_after_sends_ = 0;
  std::vector<NtStatus> script_;
};

class EventDrain : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(queue.init(ring.data(), 64 * 1024), nt::kSuccess); }

  void push(int n) {
    for (int i = 0; i < n; ++i) {
      BackupEvent e;
      e.trigger = Trigger::kWrite;
      e.outcome = Outcome::kBackedUp;
      e.path = Str16::lit(u"\\Device\\HarddiskVolume3\\Users\\me\\Documents\\a.txt");
      ASSERT_EQ(queue.push(e).status, PushStatus::kQueued);
    }
  }
  DrainResult drain() { return drain_events(queue, watcher, buffer.data(), static_cast<uint32_t>(buffer.size())); }

  std::vector<uint64_t> ring = std::vector<uint64_t>(64 * 1024 / 8);
  std::vector<uint8_t> buffer = std::vector<uint8_t>(proto::kMaxMessageBytes);
  Queue queue;
  ScriptedWatcher watcher;
};

TEST_F(EventDrain, DeliversEveryReadyEventInOrder) {
  push(3);
  const DrainResult r = drain();
  EXPECT_EQ(watcher.received, (std::vector<std::string>{"e1", "e2", "e3"}));
  EXPECT_EQ(r.delivered, 3u);
  EXPECT_EQ(r.failed, 0u);
  EXPECT_EQ(queue.counters().dropped(), 0u);
}

TEST_F(EventDrain, WithoutAWatcherEventsAreDiscardedAndTheNextWatcherGetsOneGap) {
  push(4);
  watcher.set_connected(false);
  const DrainResult none = drain();
  EXPECT_EQ(none.discarded, 4u);
  EXPECT_EQ(watcher.sends, 0u);
  EXPECT_EQ(queue.counters().undelivered, 4u);

  watcher.set_connected(true);
  push(1);
  drain();
  EXPECT_EQ(watcher.received, (std::vector<std::string>{"g1-4", "e5"}));
}

TEST_F(EventDrain, ATimeoutIsNotADeliveryAndBecomesAGap) {
  push(3);
  watcher.script({nt::kSuccess, kTimeout, nt::kSuccess});
  const DrainResult r = drain();
  EXPECT_EQ(watcher.received, (std::vector<std::string>{"e1", "g2-2", "e3"}));
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.last_failure, kTimeout);
  EXPECT_EQ(queue.counters().undelivered, 1u);
}

TEST_F(EventDrain, AFailedGapStaysPendingUntilTheNextWakeUp) {
  push(3);
  // e1 fails; the gap for it fails too: draining stops with e2, e3 still queued.
  watcher.script({kDisconnected, kDisconnected});
  const DrainResult first = drain();
  EXPECT_TRUE(first.gap_pending);
  EXPECT_EQ(first.failed, 2u);
  EXPECT_TRUE(watcher.received.empty());

  const DrainResult second = drain();  // the next wake-up: the same gap is offered again
  EXPECT_FALSE(second.gap_pending);
  EXPECT_EQ(watcher.received, (std::vector<std::string>{"g1-1", "e2", "e3"}));
}

TEST_F(EventDrain, StopsBeforeTheNextMessageWhenAskedTo) {
  push(5);
  watcher.stop_after(2);
  const DrainResult r = drain();
  EXPECT_EQ(r.delivered, 2u);
  EXPECT_EQ(watcher.received, (std::vector<std::string>{"e1", "e2"}));

  ScriptedWatcher stopped;
  stopped.stop_now();
  EXPECT_EQ(drain_events(queue, stopped, buffer.data(), static_cast<uint32_t>(buffer.size())).delivered, 0u);
  EXPECT_EQ(stopped.sends, 0u);
}

TEST_F(EventDrain, NothingReadyMeansNoSend) {
  const DrainResult r = drain();
  EXPECT_EQ(watcher.sends, 0u);
  EXPECT_EQ(r.delivered + r.failed + r.discarded, 0u);
}

}  // namespace
}  // namespace fb
