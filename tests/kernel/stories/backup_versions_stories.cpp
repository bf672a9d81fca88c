// Version rotation (tests/scenario/backup_versions_test.cpp) told at both layers (story.h):
// slots shift at MaxVersions, a lowered MaxVersions trims at the next backup, gaps close, a
// reader stops the trimming, and a backup interrupted at any byte written or at any open of its
// sequence never leaves fewer good backups (data whose metadata verifies) than before. At the
// image layer MaxVersions comes from the simulated registry, a change of it is `fbmon config
// set` + reload over the port, and the faults hit the image's own kernel I/O.
#include <string>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "tests/kernel/stories/story.h"

namespace ksim::stories {
namespace {

namespace nt = fb::nt;
using fb::Trigger;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
const Name kDoc = kDocs + u"report.docx";
const std::string kCurrent = "current content of the file";

// MaxVersions read valid from the registry: versions above it may be trimmed.
fb::EngineConfig valid_max(uint32_t versions) {
  fb::EngineConfig c;
  c.max_versions = versions;
  c.trim_versions = true;
  return c;
}

class BackupVersionStory : public StoryTest {
 protected:
  struct Good {
    size_t count = 0;
    std::string newest;  // content of the lowest good slot
  };

  Good good_backups(const Name& path) {
    Good g;
    for (uint32_t slot = 1; slot <= 9; ++slot) {
      const Name data = slot_stream(slot), meta = slot_stream(slot, true);
      if (!volume().exists(path, data) || !volume().exists(path, meta)) continue;
      const std::string content = volume().content(path, data), record = volume().content(path, meta);
      fb::BackupMetadata m;
      if (fb::decode_backup_metadata(reinterpret_cast<const uint8_t*>(record.data()), record.size(), &m) !=
          fb::MetadataError::kOk)
        continue;
      if (m.original_size != content.size() || m.content_hash != fb::crc32c(content.data(), content.size())) continue;
      if (g.count++ == 0) g.newest = content;
    }
    return g;
  }

  void seed(const Name& path, uint32_t existing) {
    volume().put(path, kCurrent);
    for (uint32_t slot = 1; slot <= existing; ++slot) seed_backup(path, slot, "version " + std::to_string(10 - slot));
  }

  // Opens `path` for writing, arms `fault`, makes the session's first modification (a writable
  // section: it writes nothing itself, so the fault hits only the backup), clears the faults,
  // then lets the user's write and close proceed. Returns the session's outcome.
  template <typename Fault>
  fb::Outcome check_session(const Name& path, uint32_t existing, Fault fault) {
    const Good before = good_backups(path);
    EXPECT_EQ(before.count, existing);
    world().clear_events();
    AppFile* h = nullptr;
    EXPECT_EQ(world().open(path, fb::access::kReadData | fb::access::kWriteData, fb::CreateDisposition::kOpen, &h),
              nt::kSuccess);
    if (h == nullptr) return fb::Outcome::kFailed;
    fault();
    world().map_writable(h, fb::page::kReadWrite);
    volume().clear_faults();
    EXPECT_EQ(world().write(h, 0, "C"), nt::kSuccess) << "the user's operation proceeds";
    world().close(h);
    const Good after = good_backups(path);
    EXPECT_GE(after.count, before.count) << "a backup was lost";
    EXPECT_TRUE(after.newest == before.newest || after.newest == kCurrent) << after.newest;
    const std::vector<RecordedEvent> events = world().events(1);
    EXPECT_EQ(events.size(), 1u);
    if (events.empty()) return fb::Outcome::kFailed;
    const fb::Outcome outcome = events[0].event.outcome;
    if (outcome == fb::Outcome::kBackedUp) EXPECT_EQ(after.newest, kCurrent);
    else EXPECT_EQ(outcome, fb::Outcome::kFailed);
    return outcome;
  }
};

// One file per case: the image starts once per story.
Name case_file(uint32_t versions, uint32_t existing, uint64_t step) {
  const std::string digits = std::to_string(step);
  return kDocs + u"v" + char16_t(u'0' + versions) + u"e" + char16_t(u'0' + existing) + u"s" +
         Name(digits.begin(), digits.end()) + u".txt";
}

TEST_P(BackupVersionStory, SlotsShiftOldestOutAtMaxVersions) {
  start(valid_max(3));
  seed(kDoc, 3);
  ASSERT_EQ(edit(kDoc, 0, "C"), nt::kSuccess);
  expect_backup(kDoc, 1, kCurrent, Trigger::kWrite);
  expect_backup(kDoc, 2, "version 9", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 8", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({backed_up(Trigger::kWrite, kCurrent.size())}, kDoc);
  world().finish();
}

// MaxVersions lowered below the slots in use (`fbmon config set MaxVersions`, reload): the next
// backup leaves exactly the newest MaxVersions versions, numbered 1.. without gaps.
TEST_P(BackupVersionStory, LoweredMaxVersionsKeepsTheNewestVersionsAtTheNextBackup) {
  start(valid_max(3));
  int i = 0;
  for (uint32_t lowered : {2u, 1u}) {
    SCOPED_TRACE(lowered);
    const Name doc = kDocs + u"lowered" + char16_t(u'0' + i++) + u".txt";
    world().reconfigure(valid_max(3));
    seed(doc, 3);  // slot 1 "version 9" (newest) .. slot 3 "version 7"
    world().reconfigure(valid_max(lowered));
    world().clear_events();
    ASSERT_EQ(edit(doc, 0, "C"), nt::kSuccess);
    expect_backup(doc, 1, kCurrent, Trigger::kWrite);
    if (lowered == 2) expect_backup(doc, 2, "version 9", Trigger::kWrite);
    std::vector<uint32_t> expected;
    for (uint32_t s = 1; s <= lowered; ++s) expected.push_back(s);
    EXPECT_EQ(slots(doc), expected);
    for (uint32_t slot = lowered + 1; slot <= 3; ++slot)
      EXPECT_FALSE(volume().exists(doc, slot_stream(slot, true))) << "metadata of slot " << slot;
    EXPECT_FALSE(has_temp(doc));
    expect_events({backed_up(Trigger::kWrite, kCurrent.size())}, doc);
  }
  world().finish();
}

// A gap left by damage (slot 2 missing) is closed by the next backup when trimming is allowed.
TEST_P(BackupVersionStory, NextBackupNumbersTheVersionsWithoutGaps) {
  start(valid_max(3));
  volume().put(kDoc, kCurrent);
  seed_backup(kDoc, 1, "version 9");
  seed_backup(kDoc, 3, "version 7");
  seed_backup(kDoc, 5, "version 5");
  ASSERT_EQ(edit(kDoc, 0, "C"), nt::kSuccess);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  expect_backup(kDoc, 1, kCurrent, Trigger::kWrite);
  expect_backup(kDoc, 2, "version 9", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 7", Trigger::kWrite);
  world().finish();
}

// A reader holding a slot above MaxVersions without sharing delete stops the trimming there;
// the backup itself succeeds, and the next one finishes the trimming.
TEST_P(BackupVersionStory, TrimmingStopsAtAReaderAndFinishesNextTime) {
  start(valid_max(4));
  seed(kDoc, 4);
  world().reconfigure(valid_max(1));
  AppFile* reader = nullptr;
  ASSERT_EQ(world().open(kDoc, fb::access::kReadData, fb::CreateDisposition::kOpen, &reader, fb::share::kRead,
                         slot_stream(3)),
            nt::kSuccess);
  ASSERT_EQ(edit(kDoc, 0, "C"), nt::kSuccess);
  expect_backup(kDoc, 1, kCurrent, Trigger::kWrite);
  EXPECT_TRUE(volume().exists(kDoc, slot_stream(3))) << "held: still there";
  expect_events({backed_up(Trigger::kWrite, kCurrent.size())}, kDoc);
  world().close(reader);

  world().clear_events();
  ASSERT_EQ(edit(kDoc, 0, "D"), nt::kSuccess);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_backup(kDoc, 1, "Current content of the file", Trigger::kWrite);
  world().finish();
}

// Disk full at every byte of the backup's writes (data and metadata), for MaxVersions 1 and 3
// and every number of existing versions: never fewer good backups than before.
TEST_P(BackupVersionStory, DiskFullAtAnyByteNeverLosesABackup) {
  start(valid_max(1));
  for (uint32_t versions : {1u, 3u}) {
    world().reconfigure(valid_max(versions));
    for (uint32_t existing = 0; existing <= versions; ++existing) {
      for (uint64_t k = 0; k <= kCurrent.size() + fb::kBackupMetadataSize; ++k) {
        SCOPED_TRACE(::testing::Message() << "versions " << versions << " existing " << existing << " byte " << k);
        const Name doc = case_file(versions, existing, k);
        seed(doc, existing);
        check_session(doc, existing, [&] { volume().fail_writes_after(k); });
        if (HasFailure()) return;
      }
    }
  }
  world().finish();
}

// The n-th open of the backup's sequence fails (copy, metadata, the rotation's deletes and
// renames), for every n until the backup succeeds: never fewer good backups than before.
TEST_P(BackupVersionStory, FailedOpenAtAnyStepNeverLosesABackup) {
  start(valid_max(1));
  for (uint32_t versions : {1u, 2u, 4u}) {
    world().reconfigure(valid_max(versions));
    for (uint32_t existing = 0; existing <= versions; ++existing) {
      bool failed = true;
      int n = 1;
      for (; failed && n < 200; ++n) {
        SCOPED_TRACE(::testing::Message() << "versions " << versions << " existing " << existing << " open " << n);
        const Name doc = case_file(versions, existing, static_cast<uint64_t>(n));
        seed(doc, existing);
        failed = check_session(doc, existing, [&] { volume().fail_nth_open(n); }) == fb::Outcome::kFailed;
        if (HasFailure()) return;
      }
      EXPECT_FALSE(failed) << "the walk must reach a step count where the backup succeeds";
    }
  }
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, BackupVersionStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
