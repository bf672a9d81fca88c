// How `fbmon watch` shows a backup event and a gap: one text line, or one JSON Lines record.
// The decoded event (common/events/event.h) plus what only user mode knows (local time, process
// name, Win32 path) go in; a finished line comes out.
#pragma once

#include <stdint.h>

#include <string>

#include "common/events/event.h"

namespace fbmon {

struct EventContext {
  int64_t local_time = 0;        // the event's FILETIME converted to local time by the glue
  std::string process_name;      // image name of the writer, empty if it already exited
  std::u16string win32_path;     // nt_to_win32(event.path)
};

const char* trigger_name(fb::Trigger trigger);       // "write", "rename-over", ...; "?" if unknown
const char* outcome_name(fb::Outcome outcome);       // "backed-up", "skipped", "failed", "backup-lost"
// Short name of the NTSTATUS values the engine reports ("disk full"), or nullptr.
const char* status_text(fb::NtStatus status);

// 2026-11-21 14:03:17.512  pid 4312  WINWORD.EXE  write  backed up (slot 1)  1.25 MiB  3.1 ms  C:\...
std::string format_event_text(const fb::BackupEvent& event, const EventContext& context);
// {"seq":..,"time":"2026-11-21T14:03:17.512","pid":..,...,"path":"C:\\..."}
std::string format_event_json(const fb::BackupEvent& event, const EventContext& context);

// "-- 17 events dropped (sequence 120..136) --"
std::string format_gap_text(const fb::GapReport& gap);
std::string format_gap_json(const fb::GapReport& gap);

// `watch --filter TEXT`: case-insensitive substring of the Win32 path or the process name.
bool event_matches(const std::string& filter, const EventContext& context);

// Sequence numbers are consecutive per driver load. The driver reports the gaps it knows of;
// the tracker finds any others (so a lost gap report still shows) and is reset on reconnect.
class SequenceTracker {
 public:
  // Returns the gap before `sequence` that no report covered (dropped == 0 when none).
  fb::GapReport on_event(uint64_t sequence);
  void on_gap(const fb::GapReport& gap);
  void reset() { next_ = 0; }

 private:
  uint64_t next_ = 0;  // 0: nothing seen yet
};

}  // namespace fbmon
