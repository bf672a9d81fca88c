// Shared fixture of the scenario tests: a volume, the filter harness, the paths of a protected
// and an unprotected folder, and assertions on backups (data + metadata) and events.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/copy/backup_metadata.h"
#include "common/base/crc32c.h"
#include "tests/model/filter_harness.h"
#include "common/paths/stream_names.h"

namespace fbscenario {

using fbmodel::Name;
using fbmodel::RecordedEvent;

inline const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
inline const Name kDoc = kDocs + u"report.docx";
inline const Name kTemp = kDocs + u"~WRL0001.tmp";
inline const Name kDownloads = u"\\Device\\HarddiskVolume2\\Users\\me\\Downloads\\";

inline Name slot_stream(uint32_t slot, fb::BackupPart part = fb::BackupPart::kData) {
  char16_t units[fb::kMaxBackupSuffixUnits];
  uint32_t len = 0;
  fb::build_backup_suffix(slot, part, units, fb::kMaxBackupSuffixUnits, &len);
  return Name(units + 1, units + len);  // without the colon
}

// What an event must say; path empty = the file under test.
struct Expected {
  fb::Trigger trigger;
  fb::Outcome outcome;
  fb::SkipReason skip = fb::SkipReason::kNone;
  fb::NtStatus status = fb::nt::kSuccess;
  uint64_t file_size = 0;
  Name path;
};

inline Expected backed_up(fb::Trigger t, uint64_t size, Name path = Name()) {
  return {t, fb::Outcome::kBackedUp, fb::SkipReason::kNone, fb::nt::kSuccess, size, std::move(path)};
}
inline Expected skipped(fb::Trigger t, fb::SkipReason reason, uint64_t size, Name path = Name()) {
  return {t, fb::Outcome::kSkipped, reason, fb::nt::kSuccess, size, std::move(path)};
}
inline Expected failed(fb::Trigger t, fb::NtStatus status, uint64_t size, Name path = Name()) {
  return {t, fb::Outcome::kFailed, fb::SkipReason::kNone, status, size, std::move(path)};
}

class ScenarioTest : public ::testing::Test {
 protected:
  void start(fb::EngineConfig config = fb::EngineConfig(), uint64_t capacity = 1ull << 30) {
    volume = std::make_unique<fbmodel::Volume>(capacity);
    fbmodel::HarnessOptions options;
    options.config = config;
    harness = std::make_unique<fbmodel::FilterHarness>(*volume, options);
  }
  void SetUp() override { start(); }
  void TearDown() override {
    if (!harness) return;
    EXPECT_EQ(harness->engine_handle_leaks(), 0) << "the engine returned with handles open (N5/N6)";
    EXPECT_EQ(harness->buffers().outstanding(), 0);
    EXPECT_EQ(harness->fs().opens_on_other_targets(), 0) << "backup I/O must use the callback's instance";
  }

  // The events, compared field by field (path defaults to kDoc).
  void expect_events(const std::vector<Expected>& expected, const Name& default_path = kDoc) {
    const std::vector<RecordedEvent> events = harness->events();
    ASSERT_EQ(events.size(), expected.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const fb::BackupEvent& e = events[i].event;
      const Expected& x = expected[i];
      SCOPED_TRACE(i);
      EXPECT_EQ(e.trigger, x.trigger);
      EXPECT_EQ(e.outcome, x.outcome);
      EXPECT_EQ(e.skip_reason, x.skip);
      EXPECT_EQ(e.status, x.status);
      EXPECT_EQ(e.file_size, x.file_size);
      EXPECT_EQ(e.bytes_copied, x.outcome == fb::Outcome::kBackedUp ? x.file_size : 0u);
      EXPECT_EQ(e.slot, x.outcome == fb::Outcome::kBackedUp || x.outcome == fb::Outcome::kBackupLost ? 1u : 0u);
      EXPECT_EQ(e.process_id, 4242u);
      EXPECT_GT(e.time, 0);
      EXPECT_EQ(events[i].path, x.path.empty() ? default_path : x.path);
    }
  }

  // Slot `slot` of `path` holds `content` and a metadata record that verifies against it.
  void expect_backup(const Name& path, uint32_t slot, const std::string& content, fb::Trigger trigger) {
    SCOPED_TRACE(slot);
    EXPECT_EQ(volume->content(path, slot_stream(slot)), content);
    const std::string record = volume->content(path, slot_stream(slot, fb::BackupPart::kMeta));
    fb::BackupMetadata meta;
    ASSERT_EQ(fb::decode_backup_metadata(reinterpret_cast<const uint8_t*>(record.data()), record.size(), &meta),
              fb::MetadataError::kOk);
    EXPECT_EQ(meta.original_size, content.size());
    EXPECT_EQ(meta.content_hash, fb::crc32c(content.data(), content.size()));
    EXPECT_EQ(meta.trigger, trigger);
    EXPECT_EQ(meta.writer_process_id, 4242u);
  }

  // The slots 1..9 of `path` that exist, and no temporary backup.
  std::vector<uint32_t> slots(const Name& path) {
    std::vector<uint32_t> out;
    for (uint32_t s = 1; s <= 9; ++s)
      if (volume->exists(path, slot_stream(s))) out.push_back(s);
    return out;
  }
  bool has_temp(const Name& path) { return volume->exists(path, slot_stream(0)); }
  // The vault's files on the test volume (folded paths), records excluded, oldest id first.
  std::vector<Name> vault_files() {
    const Name prefix = fbmodel::fold(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\");
    std::vector<Name> out;
    for (const Name& n : volume->file_names())
      if (n.compare(0, prefix.size(), prefix) == 0 && n.find(u".INFO") == Name::npos) out.push_back(n);
    return out;
  }

  // A previous session's backup, put in place as the engine would have left it.
  void seed_backup(const Name& path, uint32_t slot, const std::string& content, fb::Trigger trigger = fb::Trigger::kWrite) {
    volume->put(path, content, slot_stream(slot));
    fb::BackupMetadata meta;
    meta.backup_time = 132000000000000000;
    meta.original_size = content.size();
    meta.content_hash = fb::crc32c(content.data(), content.size());
    meta.writer_process_id = 4242;
    meta.trigger = trigger;
    uint8_t record[fb::kBackupMetadataSize];
    fb::encode_backup_metadata(meta, record, sizeof record);
    volume->put(path, std::string(reinterpret_cast<char*>(record), sizeof record), slot_stream(slot, fb::BackupPart::kMeta));
  }

  std::unique_ptr<fbmodel::Volume> volume;
  std::unique_ptr<fbmodel::FilterHarness> harness;
};

}  // namespace fbscenario
