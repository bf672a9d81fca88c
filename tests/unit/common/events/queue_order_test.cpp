// EventQueue on one thread: sequence numbers, drops and the gap reports that account for
// them, send failures, discards, wrap-around of variable-size records, and limits.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <ostream>
#include <string>
#include <vector>

#include "common/base/atomics.h"
#include "common/events/queue.h"
#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;
using Queue = fb::EventQueue<fb::SpinLock>;

struct alignas(8) Storage {
  explicit Storage(uint32_t bytes) : bytes_(bytes / 8) {}
  void* data() { return bytes_.data(); }
  std::vector<uint64_t> bytes_;
};

fb::BackupEvent event_with_path(const std::u16string& path) {
  fb::BackupEvent e;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.process_id = 77;
  e.path = fb::Str16(path.data(), static_cast<uint32_t>(path.size()));
  return e;
}

// A path that makes a record of exactly `record_bytes` in the ring.
std::u16string path_for_record(uint32_t record_bytes) {
  const uint32_t message = record_bytes - fb::EventRing::kRecordHeaderBytes;
  return std::u16string((message - proto::kEventFixedBytes) / 2, u'x');
}

TEST(EventQueueInit, RefusesBadStorage) {
  Storage s(1 << 16);
  struct Case {
    void* storage;
    uint32_t bytes;
  };
  const Case bad[] = {{nullptr, 4096},
                      {static_cast<uint8_t*>(s.data()) + 4, 4096},  // not 8-aligned
                      {s.data(), 6000},                              // not a power of two
                      {s.data(), 2048},                              // below kMinCapacity
                      {s.data(), 0},
                      {s.data(), 1u << 31}};                         // above kMaxCapacity
  for (const Case& c : bad) {
    Queue q;
    EXPECT_EQ(q.init(c.storage, c.bytes), fb::nt::kInvalidParameter) << c.bytes;
  }
  Queue q;
  EXPECT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  EXPECT_EQ(q.counters().capacity_bytes, 4096u);
}

TEST(EventQueue, DeliversEncodedEventsWithIncreasingSequences) {
  Storage s(4096);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  const std::u16string paths[] = {u"\\Device\\HarddiskVolume3\\a.txt", u"", u"\\b"};
  for (uint64_t i = 0; i < 3; ++i) {
    const fb::PushResult r = q.push(event_with_path(paths[i]));
    EXPECT_EQ(r.status, fb::PushStatus::kQueued);
    EXPECT_EQ(r.sequence, i + 1);
  }
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  for (uint64_t i = 0; i < 3; ++i) {
    const fb::Popped p = q.pop(out.data(), static_cast<uint32_t>(out.size()));
    ASSERT_EQ(p.kind, fb::PopKind::kEvent);
    EXPECT_EQ(p.first_sequence, i + 1);
    fb::BackupEvent e;
    ASSERT_EQ(proto::decode_event(out.data(), p.bytes, &e), proto::Error::kOk);
    EXPECT_EQ(e.sequence, i + 1);
    EXPECT_EQ(e.process_id, 77u);
    EXPECT_EQ(std::u16string(e.path.data, e.path.len), paths[i]);
    q.complete(true);
  }
  EXPECT_EQ(q.pop(out.data(), static_cast<uint32_t>(out.size())).kind, fb::PopKind::kNone);
}

// ---- scenarios: a script of operations and the transcript of what the consumer saw -----------
// Ring of 4096 bytes holding 4 records of 1024 bytes.
//   P<n>  push n events          D  pop and deliver       F  pop, send fails
//   A     pop and deliver until nothing is left           X  discard_ready (no watcher)
//   N     pop and never complete (the next pop counts it as not delivered)
// Transcript: E<seq> event, G<first>-<last> gap, "-" nothing; lower case when the send failed
// or was never completed; X<count> for a discard.
struct Scenario {
  const char* name;
  const char* script;
  const char* transcript;
  uint64_t dropped_full;
  uint64_t undelivered;
};

std::string describe(const fb::Popped& p, bool delivered) {
  switch (p.kind) {
    case fb::PopKind::kNone: return "-";
    case fb::PopKind::kEvent: return (delivered ? "E" : "e") + std::to_string(p.first_sequence);
    case fb::PopKind::kGap:
      return (delivered ? "G" : "g") + std::to_string(p.first_sequence) + "-" + std::to_string(p.last_sequence);
    case fb::PopKind::kOutputTooSmall: return "?";
  }
  return "!";
}

std::string run(const char* script, Queue& q) {
  const std::u16string path = path_for_record(1024);
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  const uint32_t cap = static_cast<uint32_t>(out.size());
  std::string transcript;
  auto say = [&](const std::string& word) { transcript += (transcript.empty() ? "" : " ") + word; };
  for (const char* c = script; *c; ++c) {
    switch (*c) {
      case 'P': {
        const int n = std::atoi(c + 1);
        for (int i = 0; i < n; ++i) q.push(event_with_path(path));
        break;
      }
      case 'D':
      case 'F':
      case 'N': {
        const fb::Popped p = q.pop(out.data(), cap);
        say(describe(p, *c == 'D'));
        if (*c != 'N') q.complete(*c == 'D');
        break;
      }
      case 'A':
        for (fb::Popped p = q.pop(out.data(), cap); p.kind != fb::PopKind::kNone; p = q.pop(out.data(), cap)) {
          say(describe(p, true));
          q.complete(true);
        }
        break;
      case 'X': say("X" + std::to_string(q.discard_ready())); break;
      default: break;  // digits and spaces
    }
  }
  return transcript;
}

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name << ": " << s.script; }

class EventQueueScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(EventQueueScenario, ConsumerSeesEveryEventOrItsGap) {
  const Scenario& s = GetParam();
  Storage storage(4096);
  Queue q;
  ASSERT_EQ(q.init(storage.data(), 4096), fb::nt::kSuccess);
  EXPECT_EQ(run(s.script, q), s.transcript);
  EXPECT_EQ(q.counters().dropped_full, s.dropped_full);
  EXPECT_EQ(q.counters().undelivered, s.undelivered);
}

INSTANTIATE_TEST_SUITE_P(
    Scripts, EventQueueScenario,
    ::testing::Values(
        Scenario{"InOrder", "P3 A", "E1 E2 E3", 0, 0},
        Scenario{"NothingQueued", "D A", "-", 0, 0},
        Scenario{"FullThenDrained", "P6 A", "E1 E2 E3 E4 G5-6", 2, 0},
        Scenario{"GapBeforeTheNextEvent", "P5 D P2 A", "E1 E2 E3 E4 G5-5 E6 G7-7", 2, 0},
        Scenario{"SendFailureBecomesAGap", "P3 D F A", "E1 e2 G2-2 E3", 0, 1},
        Scenario{"FailedGapIsOfferedAgain", "P5 D D D D F D", "E1 E2 E3 E4 g5-5 G5-5", 1, 0},
        Scenario{"FailedGapBeforeAnEvent", "P2 F F D D", "e1 g1-1 G1-1 E2", 0, 1},
        Scenario{"DiscardWithoutWatcher", "P3 X P1 A", "X3 G1-3 E4", 0, 3},
        Scenario{"DiscardThenFullAgain", "P6 X P5 A", "X4 G1-6 E7 E8 E9 E10 G11-11", 3, 4},
        Scenario{"TrailingGapAfterFailure", "P1 F A", "e1 G1-1", 0, 1},
        Scenario{"PopWithoutComplete", "P2 N A", "e1 G1-1 E2", 0, 1}),
    [](const ::testing::TestParamInfo<Scenario>& info) { return std::string(info.param.name); });

TEST(EventQueue, InvalidEventsTakeNoSequence) {
  Storage s(4096);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  fb::BackupEvent bad = event_with_path(u"x");
  bad.outcome = static_cast<fb::Outcome>(0);
  EXPECT_EQ(q.push(bad).status, fb::PushStatus::kInvalid);
  bad = event_with_path(u"x");
  bad.path.len = fb::kMaxPathUnits + 1;
  EXPECT_EQ(q.push(bad).status, fb::PushStatus::kInvalid);
  EXPECT_EQ(q.push(event_with_path(u"ok")).sequence, 1u);
  EXPECT_EQ(q.counters().queued, 1u);
}

TEST(EventQueue, OutputTooSmallTakesNothing) {
  Storage s(4096);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  const std::u16string path = u"\\Device\\HarddiskVolume1\\file";
  q.push(event_with_path(path));
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  const fb::Popped small = q.pop(out.data(), 20);
  EXPECT_EQ(small.kind, fb::PopKind::kOutputTooSmall);
  EXPECT_EQ(small.bytes, proto::event_message_bytes(static_cast<uint32_t>(path.size())));
  const fb::Popped p = q.pop(out.data(), static_cast<uint32_t>(out.size()));
  EXPECT_EQ(p.kind, fb::PopKind::kEvent);
  EXPECT_EQ(p.first_sequence, 1u);
}

TEST(EventQueue, LongestPathFitsAtAnyRingOffset) {
  const uint32_t capacity = fb::EventRing::kCapacityForLongestPath;
  Storage s(capacity);
  Queue q;
  ASSERT_EQ(q.init(s.data(), capacity), fb::nt::kSuccess);
  const std::u16string longest(fb::kMaxPathUnits, u'L');
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  // Move the ring's write position through many offsets, then push the longest event there.
  for (uint32_t filler = 0; filler < 40; ++filler) {
    q.push(event_with_path(std::u16string(filler * 997 % 30000, u'f')));
    ASSERT_EQ(q.pop(out.data(), static_cast<uint32_t>(out.size())).kind, fb::PopKind::kEvent);
    q.complete(true);
    const fb::PushResult r = q.push(event_with_path(longest));
    ASSERT_EQ(r.status, fb::PushStatus::kQueued) << filler;
    const fb::Popped p = q.pop(out.data(), static_cast<uint32_t>(out.size()));
    ASSERT_EQ(p.kind, fb::PopKind::kEvent);
    EXPECT_EQ(p.bytes, proto::kMaxMessageBytes);
    q.complete(true);
  }
  EXPECT_EQ(q.counters().dropped_full, 0u);
}

TEST(EventQueue, RecordLargerThanTheRingIsDroppedAndCounted) {
  Storage s(4096);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  const std::u16string big(3000, u'b');
  EXPECT_EQ(q.push(event_with_path(big)).status, fb::PushStatus::kDropped);
  EXPECT_EQ(q.counters().dropped_full, 1u);
}

TEST(EventQueue, WrapsVariableSizeRecordsIntact) {
  Storage s(8192);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 8192), fb::nt::kSuccess);
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  uint32_t rng = 12345;
  uint64_t pushed = 0, popped = 0;
  for (int round = 0; round < 2000; ++round) {
    rng = rng * 1103515245u + 12345u;
    const int pushes = static_cast<int>(rng >> 28) % 4;
    for (int i = 0; i < pushes; ++i) {
      const uint32_t units = (rng >> 8) % 700;
      std::u16string path(units, static_cast<char16_t>(u'a' + (pushed + 1) % 26));
      EXPECT_EQ(q.push(event_with_path(path)).sequence, pushed + 1) << "queued or dropped, each takes one";
      ++pushed;
      rng = rng * 1103515245u + 12345u;
    }
    for (int i = 0; i < 2; ++i) {
      const fb::Popped p = q.pop(out.data(), static_cast<uint32_t>(out.size()));
      if (p.kind == fb::PopKind::kEvent) {
        fb::BackupEvent e;
        ASSERT_EQ(proto::decode_event(out.data(), p.bytes, &e), proto::Error::kOk);
        ASSERT_EQ(e.sequence, p.first_sequence);
        for (uint32_t k = 0; k < e.path.len; ++k)
          ASSERT_EQ(e.path.data[k], static_cast<char16_t>(u'a' + e.sequence % 26)) << "record " << e.sequence;
        ++popped;
      }
      q.complete(true);
    }
  }
  const fb::QueueCounters c = q.counters();
  EXPECT_EQ(c.queued + c.dropped_full, pushed);
  EXPECT_GT(popped, 1000u);
  EXPECT_GT(c.dropped_full, 0u) << "the script should overflow the ring now and then";
}

TEST(EventQueue, HighWaterMarksTrackTheFullestMoment) {
  Storage s(4096);
  Queue q;
  ASSERT_EQ(q.init(s.data(), 4096), fb::nt::kSuccess);
  const std::u16string path = path_for_record(512);
  for (int i = 0; i < 3; ++i) q.push(event_with_path(path));
  std::vector<uint8_t> out(proto::kMaxMessageBytes);
  for (int i = 0; i < 3; ++i) {
    q.pop(out.data(), static_cast<uint32_t>(out.size()));
    q.complete(true);
  }
  q.push(event_with_path(path));
  EXPECT_EQ(q.counters().high_water_events, 3u);
  EXPECT_EQ(q.counters().high_water_bytes, 3u * 512);
}

}  // namespace
