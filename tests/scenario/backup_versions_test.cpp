// Version rotation under failure: a backup interrupted at any byte written, or at any open of
// its sequence (copy, metadata, deletes and renames of the rotation), never leaves fewer good
// backups (data whose metadata verifies) than the file had before, and the newest good backup
// is either the previous newest or the new one.
#include "tests/scenario/scenario_support.h"

#include "common/config/config_values.h"

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

// MaxVersions read valid from the registry (trim_versions) lowered below the slots in use: the
// next backup leaves exactly the newest MaxVersions versions, numbered 1.. without gaps.
fb::EngineConfig valid_max(uint32_t versions) {
  fb::EngineConfig c;
  c.max_versions = versions;
  c.trim_versions = true;
  return c;
}

TEST_F(BackupVersions, LoweredMaxVersionsKeepsTheNewestVersionsAtTheNextBackup) {
  for (uint32_t lowered : {1u, 2u}) {
    SCOPED_TRACE(lowered);
    start(valid_max(3));
    seed(3);  // slot 1 "version 9" (newest) .. slot 3 "version 7"
    harness->engine().configure(valid_max(lowered));
    ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
    expect_backup(kDoc, 1, "current content of the file", fb::Trigger::kWrite);
    if (lowered == 2) expect_backup(kDoc, 2, "version 9", fb::Trigger::kWrite);
    std::vector<uint32_t> expected;
    for (uint32_t s = 1; s <= lowered; ++s) expected.push_back(s);
    EXPECT_EQ(slots(kDoc), expected);
    for (uint32_t slot = lowered + 1; slot <= 3; ++slot)
      EXPECT_FALSE(volume->exists(kDoc, slot_stream(slot, fb::BackupPart::kMeta))) << "metadata of slot " << slot;
    EXPECT_FALSE(has_temp(kDoc));
    ASSERT_EQ(harness->events().size(), 1u);
    EXPECT_EQ(harness->events()[0].event.outcome, fb::Outcome::kBackedUp);
  }
}

// A gap left by damage (slot 2 missing) is closed by the next backup when trimming is allowed.
TEST_F(BackupVersions, NextBackupNumbersTheVersionsWithoutGaps) {
  start(valid_max(3));
  volume->put(kDoc, "current content of the file");
  seed_backup(kDoc, 1, "version 9");
  seed_backup(kDoc, 3, "version 7");
  seed_backup(kDoc, 5, "version 5");
  ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  expect_backup(kDoc, 1, "current content of the file", fb::Trigger::kWrite);
  expect_backup(kDoc, 2, "version 9", fb::Trigger::kWrite);
  expect_backup(kDoc, 3, "version 7", fb::Trigger::kWrite);
}

// A reader holding a slot above MaxVersions without sharing delete stops the trimming there;
// the backup itself succeeds, and the next one finishes the trimming.
TEST_F(BackupVersions, TrimmingStopsAtAReaderAndFinishesNextTime) {
  start(valid_max(4));
  seed(4);
  harness->engine().configure(valid_max(1));
  fbmodel::AppHandle* reader = nullptr;
  ASSERT_EQ(harness->open(kDoc, fb::access::kReadData, fb::CreateDisposition::kOpen, &reader, fb::share::kRead,
                          slot_stream(3)),
            nt::kSuccess);
  ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
  expect_backup(kDoc, 1, "current content of the file", fb::Trigger::kWrite);
  EXPECT_TRUE(volume->exists(kDoc, slot_stream(3)));  // held: still there
  ASSERT_EQ(harness->events().size(), 1u);
  EXPECT_EQ(harness->events()[0].event.outcome, fb::Outcome::kBackedUp);
  harness->close(reader);

  ASSERT_EQ(harness->edit(kDoc, 0, "D"), nt::kSuccess);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_backup(kDoc, 1, "Current content of the file", fb::Trigger::kWrite);
}

// The registry path end to end: an invalid MaxVersions (0, REG_SZ, 10) never deletes a version.
// At load it leaves the default in force without trimming; at a reload, the value in force.
TEST_F(BackupVersions, InvalidMaxVersionsFromTheRegistryNeverTrims) {
  const uint32_t zero = 0, ten = 10;
  const char16_t text[] = u"3";
  const fb::RawValue invalid[] = {{true, fb::reg::kDword, &zero, 4},
                                  {true, fb::reg::kDword, &ten, 4},
                                  {true, fb::reg::kSz, text, sizeof text}};
  for (const fb::RawValue& value : invalid) {
    fb::RawConfig raw;
    raw[fb::ConfigKey::kMaxVersions] = value;
    fb::ConfigReports reports;
    // At load: the default, not trimming.
    const fb::EngineConfig at_load = fb::parse_engine_config(raw, fb::EngineConfig(), &reports);
    EXPECT_FALSE(at_load.trim_versions);
    ASSERT_NE(reports.find(fb::ConfigKey::kMaxVersions), nullptr);
    start(at_load);
    seed(3);
    ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
    EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));  // nothing above MaxVersions deleted
    // At a reload: the value in force (3, valid) stays, trimming included.
    const fb::EngineConfig reloaded = fb::parse_engine_config(raw, valid_max(3), &reports);
    EXPECT_EQ(reloaded.max_versions, 3u);
    EXPECT_TRUE(reloaded.trim_versions);
  }
}

}  // namespace
}  // namespace fbscenario
