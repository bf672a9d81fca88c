// Concurrency: 16 threads write through 4 handles on one protected file while the handles'
// cleanups race the other threads' writes. Every round is one write session; the engine must
// take exactly one backup per session, holding the content the file had when the session
// started. Built into fb_tests and, with -fsanitize=thread, into fb_stress_tsan (tsan.stress).
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/model/filter_harness.h"

namespace fbmodel {
namespace {

const Name kDoc = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\ledger.db";
constexpr int kThreads = 16;
constexpr int kHandles = 4;
constexpr int kRounds = 24;
constexpr int kWritesPerThread = 12;
constexpr size_t kFileSize = 20000;  // several copy chunks, so writers really wait on the backup

std::string round_content(int round) {
  std::string s(kFileSize, static_cast<char>('a' + round % 26));
  const std::string tag = "round " + std::to_string(round) + " start";
  s.replace(0, tag.size(), tag);
  return s;
}

TEST(EngineStress, SixteenThreadsFourHandlesOneBackupPerSession) {
  Volume volume;
  HarnessOptions options;
  options.config.min_free_space = 0;
  FilterHarness harness(volume, options);
  volume.put(kDoc, round_content(0));

  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    const std::string start_content = volume.content(kDoc);
    AppHandle* handles[kHandles] = {};
    std::atomic<int> users[kHandles];
    for (int i = 0; i < kHandles; ++i) {
      ASSERT_EQ(harness.open(kDoc, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen,
                             &handles[i]),
                fb::nt::kSuccess);
      ASSERT_TRUE(handles[i]->tracked);
      users[i] = kThreads / kHandles;
    }
    std::atomic<int> ready{0};
    std::atomic<int> write_errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const int which = t % kHandles;
        std::mt19937 rng(static_cast<uint32_t>(round * 1000 + t));
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        // The first few threads of a handle write less, so cleanups race the others' writes.
        const int writes = (t / kHandles == 0) ? 1 : kWritesPerThread;
        for (int w = 0; w < writes; ++w) {
          const uint64_t offset = rng() % (kFileSize - 16);
          const std::string data = "w" + std::to_string(round) + "." + std::to_string(t);
          if (harness.write(handles[which], offset, data) != fb::nt::kSuccess) write_errors.fetch_add(1);
        }
        if (users[which].fetch_sub(1) == 1) harness.close(handles[which]);  // the racing cleanup
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(write_errors.load(), 0);

    const std::vector<RecordedEvent> events = harness.events();
    ASSERT_EQ(events.size(), static_cast<size_t>(round + 1)) << "exactly one backup per session";
    EXPECT_EQ(events.back().event.outcome, fb::Outcome::kBackedUp);
    EXPECT_EQ(events.back().event.file_size, kFileSize);
    EXPECT_EQ(volume.content(kDoc, u"backup"), start_content) << "the backup holds the session's start";
    EXPECT_FALSE(volume.exists(kDoc, u"backup.tmp"));
    harness.tear_down_streams();  // N12: contexts outlive the last close until the stream goes
    EXPECT_EQ(harness.live_contexts(), 0u);
  }
  const fb::EngineCounters c = harness.engine().counters();
  EXPECT_EQ(c.sessions, static_cast<uint64_t>(kRounds));
  EXPECT_EQ(c.backups, static_cast<uint64_t>(kRounds));
  EXPECT_EQ(c.tracked_opens, static_cast<uint64_t>(kRounds * kHandles));
  EXPECT_EQ(volume.open_handles(), 0u);
  EXPECT_EQ(harness.fs().open_count(), 0);
}

// Writers that open and close while others write: sessions overlap into one as long as a
// writer stays open, and each session still gets exactly one backup.
TEST(EngineStress, OverlappingOpensKeepOneSessionUntilTheLastWriterCloses) {
  Volume volume;
  HarnessOptions options;
  options.config.min_free_space = 0;
  FilterHarness harness(volume, options);
  volume.put(kDoc, round_content(1));
  AppHandle* anchor = nullptr;  // keeps the session open throughout
  ASSERT_EQ(harness.open(kDoc, fb::access::kWriteData, fb::CreateDisposition::kOpen, &anchor), fb::nt::kSuccess);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 8; ++i) {
        AppHandle* h = nullptr;
        if (harness.open(kDoc, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &h) !=
            fb::nt::kSuccess)
          continue;
        harness.write(h, static_cast<uint64_t>(t * 100 + i), "x");
        harness.close(h);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  harness.close(anchor);
  EXPECT_EQ(harness.events().size(), 1u);
  EXPECT_EQ(volume.content(kDoc, u"backup"), round_content(1));
  EXPECT_EQ(harness.engine().counters().sessions, 1u);
}

}  // namespace
}  // namespace fbmodel
