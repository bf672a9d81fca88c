#include "monitor/fbcheck/lib/story.h"

#include "common/base/crc32c.h"
#include "common/copy/backup_metadata.h"
#include "common/paths/stream_names.h"
#include "monitor/fbcheck/lib/judgement.h"
#include "monitor/lib/event_format.h"
#include "monitor/lib/text.h"

namespace fbcheck {
namespace {

std::string old_of(const char* id) { return std::string("fbcheck ") + id + " old content\r\n"; }
std::string new_of(const char* id) { return std::string("fbcheck ") + id + " new content, longer than the old\r\n"; }

StoryPlan plan(const char* id, StoryAction action, const char* file_name) {
  StoryPlan p;
  p.info = find_check(id);
  p.action = action;
  p.file_name = file_name;
  p.old_content = old_of(id);
  return p;
}

std::vector<StoryPlan> make_plans() {
  using fb::Outcome;
  using fb::Trigger;
  std::vector<StoryPlan> plans;
  StoryPlan s1 = plan("S1", StoryAction::kInPlace, "fbcheck-s1.txt");
  s1.written = "NEW";
  s1.final_content = s1.written + s1.old_content.substr(s1.written.size());
  s1.backup_trigger = Trigger::kWrite;
  plans.push_back(s1);
  StoryPlan s2 = plan("S2", StoryAction::kAppend, "fbcheck-s2.txt");
  s2.written = "appended\r\n";
  s2.final_content = s2.old_content + s2.written;
  s2.backup_trigger = Trigger::kAppend;
  plans.push_back(s2);
  StoryPlan s3 = plan("S3", StoryAction::kTruncate, "fbcheck-s3.txt");
  s3.written = new_of("S3");
  s3.final_content = s3.written;
  s3.backup_trigger = Trigger::kTruncate;
  plans.push_back(s3);
  StoryPlan s4 = plan("S4", StoryAction::kCreateAlways, "fbcheck-s4.txt");
  s4.written = new_of("S4");
  s4.final_content = s4.written;
  s4.backup_trigger = Trigger::kOverwriteOnOpen;
  plans.push_back(s4);
  StoryPlan s5 = plan("S5", StoryAction::kRenameOver, "fbcheck-s5.txt");
  s5.written = new_of("S5");
  s5.final_content = s5.written;
  s5.backup_trigger = Trigger::kRenameOver;
  plans.push_back(s5);
  StoryPlan s7 = plan("S7", StoryAction::kReplaceFile, "fbcheck-s7.txt");
  s7.written = new_of("S7");
  s7.final_content = s7.written;
  s7.backup_trigger = Trigger::kRenameOver;
  plans.push_back(s7);
  StoryPlan s8 = plan("S8", StoryAction::kMapped, "fbcheck-s8.txt");
  s8.written = "X";
  s8.final_content = s8.written + s8.old_content.substr(s8.written.size());
  s8.backup_trigger = Trigger::kMappedSection;
  plans.push_back(s8);
  StoryPlan del = plan("DEL", StoryAction::kDelete, "fbcheck-del.txt");
  del.written = "NEW";
  del.file_remains = false;
  del.events = {{Outcome::kBackedUp, Trigger::kWrite}, {Outcome::kKeptInVault, Trigger::kDelete}};  // the vault keeps it
  plans.push_back(del);
  for (StoryPlan& p : plans)
    if (p.events.empty()) p.events = {{Outcome::kBackedUp, p.backup_trigger}};
  return plans;
}

std::string describe_expected(const ExpectedEvent& e) {
  return std::string(fbmon::outcome_name(e.outcome)) + "/" + fbmon::trigger_name(e.trigger);
}

std::string list_events(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

void judge_events(const StoryPlan& plan, const StoryObservation& seen, Judgement& j) {
  j.expect(seen.events_dropped == 0, "no dropped events", std::to_string(seen.events_dropped) + " dropped");
  std::vector<std::string> expected, got;
  for (const ExpectedEvent& e : plan.events) expected.push_back(describe_expected(e));
  for (const SeenEvent& e : seen.events) got.push_back(describe_event(e));
  bool same_kinds = seen.events.size() == plan.events.size();
  for (size_t i = 0; same_kinds && i < plan.events.size(); ++i)
    same_kinds = seen.events[i].outcome == plan.events[i].outcome && seen.events[i].trigger == plan.events[i].trigger;
  if (!j.expect(same_kinds, "events " + list_events(expected), list_events(got))) return;
  const uint64_t old_size = plan.old_content.size();
  for (const SeenEvent& e : seen.events) {
    const std::string which = std::string("the ") + fbmon::outcome_name(e.outcome) + " event's ";
    j.expect_equal(which + "writer pid", seen.process_id, e.process_id);
    if (e.outcome != fb::Outcome::kBackedUp) continue;
    j.expect_equal(which + "slot", 1, e.slot);
    j.expect_equal(which + "file size", old_size, e.file_size);
    j.expect_equal(which + "bytes copied", old_size, e.bytes_copied);
  }
}

void judge_backup(const StoryPlan& plan, const StoryObservation& seen, Judgement& j) {
  if (!seen.streams_listed) {
    j.expect(false, "the file's streams listed", seen.streams_error);
  } else {
    std::string ours;
    for (const std::string& s : our_streams(seen.streams)) ours += (ours.empty() ? "" : ", ") + s;
    j.expect_equal("FileBackup's streams", "backup, backup.meta", ours);
  }
  if (!j.expect(seen.backup_read, ":backup readable", "not readable")) return;
  j.expect_equal(":backup", plan.old_content, seen.backup);
  if (!j.expect(seen.meta_read, ":backup.meta readable", "not readable")) return;
  fb::BackupMetadata m;
  const fb::MetadataError error = fb::decode_backup_metadata(seen.meta.data(), seen.meta.size(), &m);
  if (!j.expect(error == fb::MetadataError::kOk, ":backup.meta to decode", fb::metadata_error_name(error))) return;
  j.expect_equal(":backup.meta original size", plan.old_content.size(), m.original_size);
  j.expect_equal(":backup.meta content hash", fb::crc32c(plan.old_content.data(), plan.old_content.size()),
                 m.content_hash);
  j.expect_equal(std::string(":backup.meta trigger"), fbmon::trigger_name(plan.backup_trigger),
                 fbmon::trigger_name(m.trigger));
  j.expect_equal(":backup.meta writer pid", seen.process_id, m.writer_process_id);
  j.expect(m.backup_time > 0, ":backup.meta time set", "0");
}

}  // namespace

const std::vector<StoryPlan>& story_plans() {
  static const std::vector<StoryPlan> plans = make_plans();
  return plans;
}

SeenEvent seen_event(const fb::BackupEvent& event) {
  SeenEvent s;
  s.outcome = event.outcome;
  s.trigger = event.trigger;
  s.skip_reason = event.skip_reason;
  s.status = event.status;
  s.file_size = event.file_size;
  s.bytes_copied = event.bytes_copied;
  s.process_id = event.process_id;
  s.slot = event.slot;
  return s;
}

std::string describe_event(const SeenEvent& e) {
  std::string text = std::string(fbmon::outcome_name(e.outcome)) + "/" + fbmon::trigger_name(e.trigger);
  if (e.outcome == fb::Outcome::kBackedUp)
    text += " slot " + std::to_string(e.slot) + " " + std::to_string(e.bytes_copied) + " bytes";
  if (e.outcome == fb::Outcome::kFailed) text += std::string(" (") + fbmon::status_text(e.status) + ")";
  if (e.outcome == fb::Outcome::kSkipped) text += " (reason " + std::to_string(static_cast<int>(e.skip_reason)) + ")";
  return text;
}

std::vector<std::string> our_streams(const std::vector<std::u16string>& listed) {
  std::vector<std::string> ours;
  for (std::u16string name : listed) {
    if (!name.empty() && name[0] == u':') name.erase(0, 1);
    const size_t type = name.rfind(u':');
    if (type != std::u16string::npos) name.erase(type);
    if (fb::is_our_stream(fbmon::view(name))) ours.push_back(fbmon::to_utf8(name));
  }
  return ours;
}

Result judge_story(const StoryPlan& plan, const StoryObservation& seen) {
  Judgement j;
  if (!seen.failed_step.empty()) {
    j.expect(false, "every step of the story to succeed", seen.failed_step);
    return j.result(*plan.info);
  }
  judge_events(plan, seen, j);
  if (!plan.file_remains) {
    j.expect(!seen.file_exists, "the file gone", "it is still there");
    return j.result(*plan.info);
  }
  if (j.expect(seen.file_exists, "the file present", "it is gone")) j.expect_equal("the file", plan.final_content, seen.content);
  judge_backup(plan, seen, j);
  return j.result(*plan.info);
}

}  // namespace fbcheck
