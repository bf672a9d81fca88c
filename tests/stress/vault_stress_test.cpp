// Concurrency: a delete races a write session on a protected file (common/engine/vault.h). Four
// threads write through one handle (the session backs the file up once, under the file's lock)
// while a fifth opens the file for delete, marks it (FileDispositionInformation) and closes; the
// writers' handle closes last, and its cleanup is where the delete happens and the vault settles
// it (vault lock after the file's lock). Every round: exactly one backup decision, exactly one
// kept-in-vault event, the name gone, the vault's file holding the last content with the
// session's backup, no handle or context left. Built into fb_tests and, with -fsanitize=thread,
// into fb_stress_tsan (tsan.stress).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/model/filter_harness.h"

namespace fbmodel {
namespace {

const Name kDoc = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\budget.xlsx";
const Name kVaultPrefix = fold(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\");
constexpr int kWriters = 4;
constexpr int kRounds = 16;
constexpr int kWritesPerThread = 10;
constexpr size_t kFileSize = 20000;  // several copy chunks: the delete arrives while the copy runs

std::string round_content(int round) {
  std::string s(kFileSize, static_cast<char>('a' + round % 26));
  const std::string tag = "round " + std::to_string(round);
  s.replace(0, tag.size(), tag);
  return s;
}

std::vector<Name> vault_files(const Volume& volume) {
  std::vector<Name> out;
  for (const Name& n : volume.file_names())
    if (n.compare(0, kVaultPrefix.size(), kVaultPrefix) == 0 && n.find(u".INFO") == Name::npos) out.push_back(n);
  return out;
}

TEST(VaultStress, DeleteRacingAWriteSessionKeepsTheFileAndItsBackupOnce) {
  Volume volume;
  HarnessOptions options;
  options.config.min_free_space = 0;
  FilterHarness harness(volume, options);
  size_t events_before = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE(round);
    const std::string start_content = round_content(round);
    volume.put(kDoc, start_content);
    const std::vector<Name> kept_before = vault_files(volume);
    AppHandle* writer = nullptr;
    ASSERT_EQ(harness.open(kDoc, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &writer),
              fb::nt::kSuccess);
    ASSERT_TRUE(writer->tracked);
    std::atomic<int> ready{0};
    std::atomic<int> write_errors{0};
    std::atomic<fb::NtStatus> delete_status{fb::nt::kSuccess};
    std::vector<std::thread> threads;
    for (int t = 0; t < kWriters; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(static_cast<uint32_t>(round * 100 + t));
        ready.fetch_add(1);
        while (ready.load() < kWriters + 1) std::this_thread::yield();
        for (int w = 0; w < kWritesPerThread; ++w) {
          const uint64_t offset = 16 + rng() % (kFileSize - 32);
          if (harness.write(writer, offset, "w" + std::to_string(t)) != fb::nt::kSuccess) write_errors.fetch_add(1);
        }
      });
    }
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < kWriters + 1) std::this_thread::yield();
      // Later in some rounds, earlier in others: before, during or after the session's copy.
      for (int spin = 0; spin < (round % 4) * 200; ++spin) std::this_thread::yield();
      delete_status = harness.del(kDoc);
    });
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(write_errors.load(), 0);
    EXPECT_EQ(delete_status.load(), fb::nt::kSuccess);
    EXPECT_TRUE(volume.exists(kDoc)) << "the writer's handle keeps the delete pending";
    const std::string last_content = volume.content(kDoc);
    harness.close(writer);  // the last close: the delete happens here
    EXPECT_FALSE(volume.exists(kDoc));

    const std::vector<RecordedEvent> events = harness.events();
    ASSERT_EQ(events.size(), events_before + 2) << "one backup decision and one kept-in-vault event";
    int backed_up = 0, kept = 0;
    std::string seen;
    for (size_t i = events_before; i < events.size(); ++i) {
      seen += " outcome " + std::to_string(static_cast<int>(events[i].event.outcome)) + " trigger " +
              std::to_string(static_cast<int>(events[i].event.trigger)) + " skip " +
              std::to_string(static_cast<int>(events[i].event.skip_reason)) + " status " +
              std::to_string(events[i].event.status);
      if (events[i].event.outcome == fb::Outcome::kBackedUp) ++backed_up;
      if (events[i].event.outcome == fb::Outcome::kKeptInVault) ++kept;
    }
    EXPECT_EQ(backed_up, 1) << seen;
    EXPECT_EQ(kept, 1) << seen;
    events_before = events.size();

    const std::vector<Name> kept_now = vault_files(volume);
    ASSERT_EQ(kept_now.size(), kept_before.size() + 1) << "one new vault file";
    Name added;
    for (const Name& n : kept_now)
      if (std::find(kept_before.begin(), kept_before.end(), n) == kept_before.end()) added = n;
    EXPECT_TRUE(volume.content(added) == last_content) << "the vault's name reaches the file as it was deleted";
    EXPECT_TRUE(volume.content(added, u"backup") == start_content) << "with the session's backup (N10)";
    EXPECT_FALSE(volume.exists(added, u"backup.tmp"));
    harness.tear_down_streams();
    EXPECT_EQ(harness.live_contexts(), 0u);
  }
  EXPECT_EQ(harness.engine().vault_count(fb::VaultEntryState::kKept), static_cast<uint32_t>(kRounds));
  EXPECT_EQ(harness.engine().vault_count(fb::VaultEntryState::kPending), 0u);
  EXPECT_EQ(volume.open_handles(), 0u);
  EXPECT_EQ(harness.fs().open_count(), 0);
}

}  // namespace
}  // namespace fbmodel
