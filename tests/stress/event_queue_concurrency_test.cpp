// EventQueue with N producer threads and one consumer running at the same time, on a ring small
// enough to overflow, with some sends failing: every event is delivered exactly once or lies in
// exactly one gap report, sequences and gaps tile 1..N*M with no hole or overlap, and the
// counters agree with what the consumer saw. Run with the host spin lock and with std::mutex.
#include <gtest/gtest.h>

#include <cstdio>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "common/base/atomics.h"
#include "common/events/queue.h"
#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

struct Shape {
  const char* name;
  int producers;
  int events_each;
  uint32_t ring_bytes;
  int fail_every;  // the consumer's n-th send fails (0: never)
  bool impatient = false;  // the consumer's clock jumps 1 s per idle wake-up: records still busy
                           // are given up as stalled producers (their pushes report a drop)
};

struct Pushed {
  fb::PushStatus status;
  uint64_t sequence;
};

// What the consumer saw, sequence by sequence.
enum class Seen : uint8_t { kNothing, kDelivered, kInGap };

struct Delivered {
  uint64_t sequence;
  int producer;
  int index;
};

std::u16string path_of(int producer, int index) {
  std::u16string p = u"\\Device\\HarddiskVolume3\\p";
  for (char c : std::to_string(producer) + "\\" + std::to_string(index) + "\\")
    p += static_cast<char16_t>(c);
  p.append(static_cast<size_t>((producer * 131 + index * 17) % 300), u'z');  // varied sizes
  return p;
}

// Parses "...\p<producer>\<index>\zzz" back out of a delivered path.
bool parse_path(fb::Str16 path, int* producer, int* index) {
  std::string s;
  for (uint32_t i = 0; i < path.len; ++i) s += static_cast<char>(path.data[i]);
  const size_t at = s.find("\\p");
  if (at == std::string::npos) return false;
  return std::sscanf(s.c_str() + at, "\\p%d\\%d\\", producer, index) == 2;
}

template <class Lock>
void run_shape(const Shape& shape) {
  std::vector<uint64_t> storage(shape.ring_bytes / 8);
  fb::EventQueue<Lock> q;
  ASSERT_EQ(q.init(storage.data(), shape.ring_bytes), fb::nt::kSuccess);
  const uint64_t total = static_cast<uint64_t>(shape.producers) * shape.events_each;

  std::vector<std::vector<Pushed>> pushed(shape.producers, std::vector<Pushed>(shape.events_each));
  std::vector<std::thread> producers;
  for (int p = 0; p < shape.producers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < shape.events_each; ++i) {
        const std::u16string path = path_of(p, i);
        fb::BackupEvent e;
        e.trigger = fb::Trigger::kWrite;
        e.outcome = fb::Outcome::kBackedUp;
        e.process_id = static_cast<uint64_t>(p);
        e.path = fb::Str16(path.data(), static_cast<uint32_t>(path.size()));
        const fb::PushResult r = q.push(e);
        pushed[p][i] = {r.status, r.sequence};
        if (i % 64 == 0) std::this_thread::yield();
      }
    });
  }

  // The consumer, on this thread: pop until every sequence is accounted for.
  std::vector<Seen> seen(total + 1, Seen::kNothing);
  std::vector<Delivered> delivered;
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  uint64_t accounted = 0, last_event = 0, next_expected = 1, sends = 0, failed_events = 0, gap_total = 0;
  for (uint64_t idle_spins = 0; accounted < total;) {
    const fb::Popped p = q.pop(out.data(), static_cast<uint32_t>(out.size()));
    if (p.kind == fb::PopKind::kNone) {
      if (shape.impatient) {
        q.note_wakeup((idle_spins + 1) * 10000000ull);
      }
      ASSERT_LT(++idle_spins, 200'000'000u) << "consumer starved: " << accounted << " of " << total;
      std::this_thread::yield();
      continue;
    }
    ASSERT_NE(p.kind, fb::PopKind::kOutputTooSmall);
    const bool ok = shape.fail_every == 0 || ++sends % static_cast<uint64_t>(shape.fail_every) != 0;
    q.complete(ok);
    if (p.kind == fb::PopKind::kGap) {
      fb::GapReport g;
      ASSERT_EQ(proto::decode_gap(out.data(), p.bytes, &g), proto::Error::kOk);
      ASSERT_EQ(g.first_sequence, next_expected) << "a gap starts where delivery stopped";
      ASSERT_EQ(g.first_sequence, p.first_sequence);
      ASSERT_EQ(g.last_sequence, p.last_sequence);
      if (!ok) continue;  // offered again by a later pop
      for (uint64_t s = g.first_sequence; s <= g.last_sequence; ++s) {
        ASSERT_EQ(seen[s], Seen::kNothing) << s;
        seen[s] = Seen::kInGap;
      }
      accounted += g.dropped;
      gap_total += g.dropped;
      next_expected = g.last_sequence + 1;
      continue;
    }
    fb::BackupEvent e;
    ASSERT_EQ(proto::decode_event(out.data(), p.bytes, &e), proto::Error::kOk);
    ASSERT_EQ(e.sequence, p.first_sequence);
    ASSERT_GT(e.sequence, last_event) << "sequences strictly increase";
    ASSERT_EQ(e.sequence, next_expected) << "no event is handed over past an unreported gap";
    last_event = e.sequence;
    if (!ok) {
      ++failed_events;  // will show up in the next gap
      continue;
    }
    int producer = -1, index = -1;
    ASSERT_TRUE(parse_path(e.path, &producer, &index));
    ASSERT_EQ(e.process_id, static_cast<uint64_t>(producer));
    ASSERT_EQ(seen[e.sequence], Seen::kNothing);
    seen[e.sequence] = Seen::kDelivered;
    delivered.push_back({e.sequence, producer, index});
    ++accounted;
    next_expected = e.sequence + 1;
  }
  for (std::thread& t : producers) t.join();
  ASSERT_EQ(q.pop(out.data(), static_cast<uint32_t>(out.size())).kind, fb::PopKind::kNone);

  // Every push got a distinct sequence in 1..total; queued ones were delivered with the right
  // payload unless their send failed; dropped ones lie in a gap.
  std::vector<int> owner(total + 1, 0);
  uint64_t dropped_at_push = 0;
  for (int p = 0; p < shape.producers; ++p)
    for (int i = 0; i < shape.events_each; ++i) {
      const Pushed& r = pushed[p][i];
      ASSERT_GE(r.sequence, 1u);
      ASSERT_LE(r.sequence, total);
      ASSERT_EQ(owner[r.sequence]++, 0) << "sequence " << r.sequence << " handed out twice";
      if (r.status == fb::PushStatus::kDropped) {
        ++dropped_at_push;
        EXPECT_EQ(seen[r.sequence], Seen::kInGap) << r.sequence;
      } else {
        ASSERT_EQ(r.status, fb::PushStatus::kQueued);
        EXPECT_NE(seen[r.sequence], Seen::kNothing) << r.sequence;
      }
    }
  for (const Delivered& d : delivered) {
    EXPECT_EQ(pushed[d.producer][d.index].sequence, d.sequence) << "payload travelled with its sequence";
    EXPECT_EQ(pushed[d.producer][d.index].status, fb::PushStatus::kQueued);
  }

  const fb::QueueCounters c = q.counters();
  EXPECT_EQ(c.queued + c.dropped_full, total);
  // Records given up as stalled: their pushes said dropped, the ring counts them undelivered.
  ASSERT_GE(dropped_at_push, c.dropped_full);
  const uint64_t abandoned = dropped_at_push - c.dropped_full;
  if (!shape.impatient) {
    EXPECT_EQ(abandoned, 0u) << "no record is given up without the sender's clock";
  }
  EXPECT_EQ(c.undelivered, failed_events + abandoned);
  ::testing::Test::RecordProperty("abandoned", std::to_string(abandoned));
  EXPECT_EQ(gap_total, c.dropped()) << "gap reports account for every drop, exactly";
  EXPECT_EQ(delivered.size() + gap_total, total);
  EXPECT_LE(c.high_water_bytes, shape.ring_bytes);
  ::testing::Test::RecordProperty("dropped_full", std::to_string(c.dropped_full));
}

void PrintTo(const Shape& s, std::ostream* os) { *os << s.name; }

class EventQueueConcurrency : public ::testing::TestWithParam<Shape> {};

TEST_P(EventQueueConcurrency, SpinLockEveryEventDeliveredOnceOrInExactlyOneGap) {
  run_shape<fb::SpinLock>(GetParam());
}

TEST_P(EventQueueConcurrency, MutexEveryEventDeliveredOnceOrInExactlyOneGap) {
  run_shape<std::mutex>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, EventQueueConcurrency,
    ::testing::Values(Shape{"OneProducerRoomy", 1, 20000, 1 << 20, 0},
                      Shape{"FourProducersTightRing", 4, 20000, 8192, 0},
                      Shape{"FourProducersSendsFail", 4, 20000, 16384, 7},
                      Shape{"EightProducersMinimumRing", 8, 5000, fb::EventRing::kMinCapacity, 3},
                      Shape{"FourProducersImpatientConsumer", 4, 20000, 16384, 5, true}),
    [](const ::testing::TestParamInfo<Shape>& info) { return std::string(info.param.name); });

}  // namespace
