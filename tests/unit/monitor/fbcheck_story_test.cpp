// fbcheck's story expectations and judge (monitor/fbcheck/lib/story.h) and its protection check
// (monitor/fbcheck/lib/protection.h): what a correct run looks like passes, and each way a
// driver could get a story wrong fails with a line that says what.
#include <gtest/gtest.h>

#include <string.h>

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "common/protocol/protocol.h"
#include "monitor/fbcheck/lib/protection.h"
#include "monitor/fbcheck/lib/story.h"
#include "tests/model/filter_harness.h"

namespace fbcheck {
namespace {

constexpr uint64_t kPid = 4242;

const StoryPlan& plan_of(const std::string& id) {
  for (const StoryPlan& p : story_plans())
    if (id == p.info->id) return p;
  throw std::runtime_error("no plan " + id);
}

std::vector<uint8_t> metadata_of(const std::string& content, fb::Trigger trigger, uint64_t pid = kPid) {
  fb::BackupMetadata m;
  m.backup_time = 133000000000000000;
  m.original_size = content.size();
  m.content_hash = fb::crc32c(content.data(), content.size());
  m.writer_process_id = pid;
  m.trigger = trigger;
  std::vector<uint8_t> bytes(fb::kBackupMetadataSize);
  EXPECT_EQ(fb::encode_backup_metadata(m, bytes.data(), bytes.size()), fb::MetadataError::kOk);
  return bytes;
}

SeenEvent event(fb::Outcome outcome, fb::Trigger trigger, uint64_t size) {
  SeenEvent e;
  e.outcome = outcome;
  e.trigger = trigger;
  e.process_id = kPid;
  if (outcome == fb::Outcome::kBackedUp) {
    e.slot = 1;
    e.file_size = size;
    e.bytes_copied = size;
  }
  return e;
}

// What a correct driver leaves for `plan`.
StoryObservation correct(const StoryPlan& plan) {
  StoryObservation s;
  s.process_id = kPid;
  for (const ExpectedEvent& e : plan.events) s.events.push_back(event(e.outcome, e.trigger, plan.old_content.size()));
  s.file_exists = plan.file_remains;
  if (!plan.file_remains) return s;
  s.content = plan.final_content;
  s.streams_listed = true;
  s.streams = {u"::$DATA", u":backup:$DATA", u":backup.meta:$DATA"};
  s.backup_read = s.meta_read = true;
  s.backup = plan.old_content;
  s.meta = metadata_of(plan.old_content, plan.backup_trigger);
  return s;
}

TEST(FbcheckStory, PlansFollowTheStoriesAndEngineTable) {
  ASSERT_EQ(story_plans().size(), stories().size());
  for (size_t i = 0; i < stories().size(); ++i) EXPECT_EQ(story_plans()[i].info, &stories()[i]);
  EXPECT_EQ(plan_of("S1").backup_trigger, fb::Trigger::kWrite);
  EXPECT_EQ(plan_of("S2").backup_trigger, fb::Trigger::kAppend);
  EXPECT_EQ(plan_of("S3").backup_trigger, fb::Trigger::kTruncate);
  EXPECT_EQ(plan_of("S4").backup_trigger, fb::Trigger::kOverwriteOnOpen);
  EXPECT_EQ(plan_of("S5").backup_trigger, fb::Trigger::kRenameOver);
  EXPECT_EQ(plan_of("S7").backup_trigger, fb::Trigger::kRenameOver);
  EXPECT_EQ(plan_of("S8").backup_trigger, fb::Trigger::kMappedSection);
  EXPECT_EQ(plan_of("S2").final_content, plan_of("S2").old_content + "appended\r\n");
  EXPECT_EQ(plan_of("S1").final_content.substr(0, 3), "NEW");
  EXPECT_FALSE(plan_of("DEL").file_remains);
  ASSERT_EQ(plan_of("DEL").events.size(), 2u);
  for (const StoryPlan& p : story_plans()) EXPECT_NE(p.old_content, p.final_content) << p.info->id;
}

// What fbcheck expects of DEL on the VM must be what the engine does, not what fbcheck says:
// the filter harness plays the story (an in-place write, then DeleteFileW) on the NTFS model
// with the driver's defaults, and its events are the plan's. (Found: the plan still expected
// "backup lost" after the vault began keeping deleted files, so DEL failed on every VM.)
TEST(FbcheckStory, DeletePlanIsWhatTheEngineReports) {
  const StoryPlan& del = plan_of("DEL");
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume, fbmodel::HarnessOptions());
  const fbmodel::Name file = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\fbcheck-del.txt";
  volume.put(file, del.old_content);
  ASSERT_EQ(harness.edit(file, 0, del.written), fb::nt::kSuccess);
  ASSERT_EQ(harness.del(file), fb::nt::kSuccess);
  const std::vector<fbmodel::RecordedEvent> events = harness.events();
  ASSERT_EQ(events.size(), del.events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].event.outcome, del.events[i].outcome) << "event " << i;
    EXPECT_EQ(events[i].event.trigger, del.events[i].trigger) << "event " << i;
  }
}

TEST(FbcheckStory, ACorrectDriverPassesEveryStory) {
  for (const StoryPlan& p : story_plans()) {
    const Result r = judge_story(p, correct(p));
    EXPECT_EQ(r.status, Status::kPass) << p.info->id << ": " << r.detail;
  }
}

struct Breakage {
  const char* story;
  const char* what;
  void (*apply)(StoryObservation&);
  const char* detail_starts;
};

const Breakage kBreakages[] = {
    {"S4", "no backup event", [](StoryObservation& s) { s.events.clear(); },
     "expected events [backed-up/overwrite], got []"},
    {"S4", "wrong trigger", [](StoryObservation& s) { s.events[0].trigger = fb::Trigger::kWrite; },
     "expected events [backed-up/overwrite], got [backed-up/write slot 1"},
    {"S1", "an extra event", [](StoryObservation& s) { s.events.push_back(s.events[0]); },
     "expected events [backed-up/write], got [backed-up/write slot 1"},
    {"S1", "another writer", [](StoryObservation& s) { s.events[0].process_id = 7; },
     "expected the backed-up event's writer pid = 4242, got 7"},
    {"S1", "short copy", [](StoryObservation& s) { s.events[0].bytes_copied = 3; },
     "expected the backed-up event's bytes copied = "},
    {"S1", "dropped events", [](StoryObservation& s) { s.events_dropped = 2; }, "expected no dropped events, got 2 dropped"},
    {"S5", "backup holds the new content", [](StoryObservation& s) { s.backup = s.content; }, "expected :backup = 'fbcheck S5 old content"},
    {"S5", "older slot left", [](StoryObservation& s) { s.streams.push_back(u":backup.2:$DATA"); },
     "expected FileBackup's streams = 'backup, backup.meta', got 'backup, backup.meta, backup.2'"},
    {"S3", "temp backup left", [](StoryObservation& s) { s.streams.push_back(u":backup.tmp:$DATA"); },
     "expected FileBackup's streams"},
    {"S2", "no backup stream", [](StoryObservation& s) { s.streams = {u"::$DATA"}; },
     "expected FileBackup's streams = 'backup, backup.meta', got ''"},
    {"S8", "metadata damaged", [](StoryObservation& s) { s.meta[20] ^= 1; }, "expected :backup.meta to decode, got "},
    {"S8", "metadata of another trigger",
     [](StoryObservation& s) { s.meta = metadata_of(s.backup, fb::Trigger::kWrite); },
     "expected :backup.meta trigger = 'mapped"},
    {"S7", "metadata of another writer",
     [](StoryObservation& s) { s.meta = metadata_of(s.backup, fb::Trigger::kRenameOver, 1); },
     "expected :backup.meta writer pid = 4242, got 1"},
    {"S7", "file content wrong", [](StoryObservation& s) { s.content = "x"; }, "expected the file = 'fbcheck S7 new"},
    {"DEL", "file survived", [](StoryObservation& s) { s.file_exists = true; }, "expected the file gone, got it is still there"},
    {"DEL", "no kept-in-vault event", [](StoryObservation& s) { s.events.pop_back(); },
     "expected events [backed-up/write, kept-in-vault/delete], got [backed-up/write slot 1"},
    {"S1", "a step failed", [](StoryObservation& s) { s.failed_step = "WriteFile: error 5 (access denied)"; },
     "expected every step of the story to succeed, got WriteFile: error 5 (access denied)"},
};

TEST(FbcheckStory, EachBreakageFailsWithWhatWentWrong) {
  for (const Breakage& b : kBreakages) {
    const StoryPlan& p = plan_of(b.story);
    StoryObservation s = correct(p);
    b.apply(s);
    const Result r = judge_story(p, s);
    EXPECT_EQ(r.status, Status::kFail) << b.story << " " << b.what;
    EXPECT_EQ(r.detail.rfind(b.detail_starts, 0), 0u) << b.story << " " << b.what << ": " << r.detail;
  }
}

TEST(FbcheckStory, OurStreamsAreRecognisedByTheCommonRule) {
  EXPECT_EQ(our_streams({u"::$DATA", u":backup:$DATA", u":Zone.Identifier:$DATA", u":BACKUP.2.meta:$DATA"}),
            (std::vector<std::string>{"backup", "BACKUP.2.meta"}));
}

TEST(FbcheckStory, DecodedEventsKeepTheirFields) {
  fb::BackupEvent e;
  e.trigger = fb::Trigger::kAppend;
  e.outcome = fb::Outcome::kBackedUp;
  e.file_size = 9;
  e.bytes_copied = 9;
  e.slot = 1;
  e.process_id = 12;
  const SeenEvent s = seen_event(e);
  EXPECT_EQ(describe_event(s), "backed-up/append slot 1 9 bytes");
  EXPECT_EQ(s.process_id, 12u);
}

// --- protection ------------------------------------------------------------------------------

fbmon::DeviceTable devices() {
  fbmon::DeviceTable t;
  t.add(u"\\Device\\HarddiskVolume3", u"C:");
  t.add(u"\\Device\\HarddiskVolume4", u"D:");
  return t;
}

fb::RawValue multi_sz(const std::u16string& text) {  // text with '|' for the NULs
  static std::vector<std::u16string> keep;
  std::u16string data = text;
  for (char16_t& c : data)
    if (c == u'|') c = 0;
  keep.push_back(data);
  fb::RawValue v;
  v.present = true;
  v.type = fb::reg::kMultiSz;
  v.data = keep.back().data();
  v.size = static_cast<uint32_t>(keep.back().size() * 2);
  return v;
}

TEST(FbcheckProtection, DefaultsProtectDocumentsOnly) {
  const fb::RawConfig none;
  const Protection in_docs = protection_of(none, devices(), u"C:\\Users\\me\\Documents\\fbcheck-1\\stories\\a.txt");
  EXPECT_TRUE(in_docs.covered) << in_docs.why;
  EXPECT_EQ(in_docs.why, "a parent folder has a name listed in FolderNames");
  const Protection elsewhere = protection_of(none, devices(), u"C:\\Temp\\fbcheck-1\\stories\\a.txt");
  EXPECT_FALSE(elsewhere.covered);
  EXPECT_EQ(elsewhere.why, "no folder rule covers it");
}

TEST(FbcheckProtection, ProtectedFoldersResolveTheirDriveLetter) {
  fb::RawConfig raw;
  raw[fb::ConfigKey::kProtectedFolders] = multi_sz(u"d:\\Data||");
  EXPECT_TRUE(protection_of(raw, devices(), u"D:\\Data\\x\\a.txt").covered);
  EXPECT_FALSE(protection_of(raw, devices(), u"C:\\Data\\x\\a.txt").covered);
  raw[fb::ConfigKey::kProtectedFolders] = multi_sz(u"Q:\\Data||");  // no such drive: dropped
  EXPECT_FALSE(protection_of(raw, devices(), u"Q:\\Data\\a.txt").covered);
}

TEST(FbcheckProtection, ExtensionsAndEnabledCount) {
  fb::RawConfig raw;
  raw[fb::ConfigKey::kExcludeExtensions] = multi_sz(u"txt||");
  Protection p = protection_of(raw, devices(), u"C:\\Users\\me\\Documents\\a.txt");
  EXPECT_FALSE(p.covered);
  EXPECT_EQ(p.why, "its extension is in ExcludeExtensions");
  fb::RawConfig disabled;
  const uint32_t zero = 0;
  disabled[fb::ConfigKey::kEnabled] = fb::RawValue{true, fb::reg::kDword, &zero, 4};
  p = protection_of(disabled, devices(), u"C:\\Users\\me\\Documents\\a.txt");
  EXPECT_FALSE(p.covered);
  EXPECT_EQ(p.why, "the driver is disabled (Enabled = 0)");
}

}  // namespace
}  // namespace fbcheck
