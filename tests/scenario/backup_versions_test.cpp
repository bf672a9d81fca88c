// Version rotation under failure: a backup interrupted at any byte written, or at any open of
// its sequence (copy, metadata, deletes and renames of the rotation), never leaves fewer good
// backups (data whose metadata verifies) than the file had before, and the newest good backup
// is either the previous newest or the new one.
#include "tests/scenario/scenario_support.h"

namespace fbscenario {
namespace {

namespace nt = fb::nt;

struct Good {
  size_t count = 0;
  std::string newest;  // content of the lowest good slot
};

class BackupVersions : public ScenarioTest {
 protected:
  Good good_backups() {
    Good g;
    for (uint32_t slot = 1; slot <= 9; ++slot) {
      const Name data = slot_stream(slot), meta = slot_stream(slot, fb::BackupPart::kMeta);
      if (!volume->exists(kDoc, data) || !volume->exists(kDoc, meta)) continue;
      const std::string content = volume->content(kDoc, data), record = volume->content(kDoc, meta);
      fb::BackupMetadata m;
      if (fb::decode_backup_metadata(reinterpret_cast<const uint8_t*>(record.data()), record.size(), &m) !=
          fb::MetadataError::kOk)
        continue;
      if (m.original_size != content.size() || m.content_hash != fb::crc32c(content.data(), content.size())) continue;
      if (g.count++ == 0) g.newest = content;
    }
    return g;
  }

  void seed(uint32_t existing) {
    volume->put(kDoc, "current content of the file");
    for (uint32_t slot = 1; slot <= existing; ++slot) seed_backup(kDoc, slot, "version " + std::to_string(10 - slot));
  }

  // Opens the file for writing, arms `fault`, makes the session's first modification (a
  // writable section: it writes nothing itself, so the fault hits only the backup), disarms
  // the fault, then lets the user's write and close proceed.
  template <typename Fault>
  void check_session(uint32_t existing, Fault fault) {
    const Good before = good_backups();
    ASSERT_EQ(before.count, existing);
    fbmodel::AppHandle* h = nullptr;
    ASSERT_EQ(harness->open(kDoc, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &h),
              nt::kSuccess);
    fault();
    harness->map_writable(h);
    volume->clear_faults();
    EXPECT_EQ(harness->write(h, 0, "C"), nt::kSuccess);  // the user's operation proceeds
    harness->close(h);
    const Good after = good_backups();
    EXPECT_GE(after.count, before.count);
    EXPECT_TRUE(after.newest == before.newest || after.newest == "current content of the file") << after.newest;
    ASSERT_EQ(harness->events().size(), 1u);
    const fb::BackupEvent e = harness->events()[0].event;
    if (e.outcome == fb::Outcome::kBackedUp) EXPECT_EQ(after.newest, "current content of the file");
    else EXPECT_EQ(e.outcome, fb::Outcome::kFailed);
  }
};

TEST_F(BackupVersions, DiskFullAtAnyByteNeverLosesABackup) {
  for (uint32_t versions : {1u, 3u}) {
    for (uint32_t existing = 0; existing <= versions; ++existing) {
      for (uint64_t k = 0; k <= 27 + fb::kBackupMetadataSize; ++k) {
        SCOPED_TRACE(::testing::Message() << "versions " << versions << " existing " << existing << " byte " << k);
        start([versions] { fb::EngineConfig c; c.max_versions = versions; return c; }());
        seed(existing);
        check_session(existing, [&] { volume->fail_writes_after(k); });
      }
    }
  }
}

TEST_F(BackupVersions, FailedOpenAtAnyStepNeverLosesABackup) {
  for (uint32_t versions : {1u, 2u, 4u}) {
    for (uint32_t existing = 0; existing <= versions; ++existing) {
      bool hit = true;
      for (int n = 1; hit && n < 200; ++n) {
        SCOPED_TRACE(::testing::Message() << "versions " << versions << " existing " << existing << " open " << n);
        start([versions] { fb::EngineConfig c; c.max_versions = versions; return c; }());
        seed(existing);
        check_session(existing, [&] { volume->fail_nth_open(n); });
        hit = harness->events()[0].event.outcome == fb::Outcome::kFailed;
      }
      EXPECT_FALSE(hit) << "the walk must reach a step count where the backup succeeds";
    }
  }
}

TEST_F(BackupVersions, SlotsShiftOldestOutAtMaxVersions) {
  start([] { fb::EngineConfig c; c.max_versions = 3; return c; }());
  seed(3);
  ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
  expect_backup(kDoc, 1, "current content of the file", fb::Trigger::kWrite);
  expect_backup(kDoc, 2, "version 9", fb::Trigger::kWrite);
  expect_backup(kDoc, 3, "version 8", fb::Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(harness->engine().counters().backups, 1u);
}

}  // namespace
}  // namespace fbscenario
