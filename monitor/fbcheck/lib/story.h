// The save stories fbcheck plays with the driver loaded: what each one writes, and what it must
// leave behind (the file, `:backup` and its metadata record, no other slot, the events the
// watcher receives), as docs/engine.md's table "What each save pattern leaves behind" states
// for a file that had no backup before. judge_story() compares that with what the glue saw.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/events/event.h"
#include "monitor/fbcheck/lib/catalogue.h"
#include "monitor/fbcheck/lib/report.h"

namespace fbcheck {

enum class StoryAction {
  kInPlace,       // S1: OPEN_EXISTING, GENERIC_WRITE, write `written` at offset 0
  kAppend,        // S2: FILE_APPEND_DATA only, write `written`
  kTruncate,      // S3: SetEndOfFile at 0, then write `written`
  kCreateAlways,  // S4: CREATE_ALWAYS, write `written`
  kRenameOver,    // S5: `written` into a new temp file, MoveFileExW(temp, file, REPLACE_EXISTING)
  kReplaceFile,   // S7: `written` into a new temp file, ReplaceFileW(file, temp)
  kMapped,        // S8: writable view of the file, `written` copied to offset 0
  kDelete,        // DEL: an in-place write of `written` (makes a backup), then DeleteFileW
};

struct ExpectedEvent {
  fb::Outcome outcome;
  fb::Trigger trigger;
};

struct StoryPlan {
  const CheckInfo* info = nullptr;
  StoryAction action = StoryAction::kInPlace;
  const char* file_name = "";    // ASCII, in the stories folder: `fbcheck-s1.txt`
  std::string old_content;       // written with CREATE_NEW first (no event: a new file)
  std::string written;           // what the action writes
  bool file_remains = true;
  std::string final_content;     // the file after the story
  fb::Trigger backup_trigger = fb::Trigger::kWrite;  // :backup's metadata (when the file remains)
  std::vector<ExpectedEvent> events;                 // for the file's path, in order
};

// S1, S2, S3, S4, S5, S7, S8, DEL: the order of stories().
const std::vector<StoryPlan>& story_plans();

// One event as the watcher decoded it (common/protocol), its path already matched to the file.
struct SeenEvent {
  fb::Outcome outcome = fb::Outcome::kFailed;
  fb::Trigger trigger = fb::Trigger::kOther;
  fb::SkipReason skip_reason = fb::SkipReason::kNone;
  fb::NtStatus status = 0;
  uint64_t file_size = 0;
  uint64_t bytes_copied = 0;
  uint64_t process_id = 0;
  uint32_t slot = 0;
};
SeenEvent seen_event(const fb::BackupEvent& event);
// "backed-up/write slot 1 25 bytes", "failed/overwrite (STATUS_SHARING_VIOLATION)".
std::string describe_event(const SeenEvent& event);

struct StoryObservation {
  std::string failed_step;  // a Win32 step of the story that failed: "MoveFileExW: error 5 (access denied)"
  bool file_exists = false;
  std::string content;
  bool streams_listed = false;
  std::string streams_error;
  std::vector<std::u16string> streams;  // FindFirstStreamW's names: `::$DATA`, `:backup:$DATA`
  bool backup_read = false;
  std::string backup;                   // `file:backup`
  bool meta_read = false;
  std::vector<uint8_t> meta;            // `file:backup.meta`
  std::vector<SeenEvent> events;        // for the file's path, in arrival order
  uint64_t events_dropped = 0;          // from gap messages while the story ran
  uint64_t process_id = 0;              // fbcheck's own: the writer every event and record must name
};

// FileBackup's streams among FindFirstStreamW's names, bare and in listing order:
// `:backup.meta:$DATA` -> `backup.meta`.
std::vector<std::string> our_streams(const std::vector<std::u16string>& listed);

Result judge_story(const StoryPlan& plan, const StoryObservation& seen);

}  // namespace fbcheck
