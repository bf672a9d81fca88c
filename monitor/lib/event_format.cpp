#include "monitor/lib/event_format.h"

#include <inttypes.h>
#include <stdio.h>

#include "monitor/lib/civil_time.h"
#include "common/protocol/stats.h"  // fb::skip_reason_text
#include "monitor/lib/json.h"
#include "monitor/lib/text.h"

namespace fbmon {

const char* trigger_name(fb::Trigger trigger) {
  switch (trigger) {
    case fb::Trigger::kWrite: return "write";
    case fb::Trigger::kAppend: return "append";
    case fb::Trigger::kTruncate: return "truncate";
    case fb::Trigger::kOverwriteOnOpen: return "overwrite";
    case fb::Trigger::kRenameOver: return "rename-over";
    case fb::Trigger::kMappedSection: return "mapped";
    case fb::Trigger::kDelete: return "delete";
    case fb::Trigger::kOther: return "other";
    case fb::Trigger::kDeleteThenRename: return "delete-then-rename";
    case fb::Trigger::kRenameAwayThenRename: return "rename-away-then-rename";
    case fb::Trigger::kDeleteThenCreate: return "delete-then-create";
  }
  return "?";
}

const char* outcome_name(fb::Outcome outcome) {
  switch (outcome) {
    case fb::Outcome::kBackedUp: return "backed-up";
    case fb::Outcome::kSkipped: return "skipped";
    case fb::Outcome::kFailed: return "failed";
    case fb::Outcome::kBackupLost: return "backup-lost";
    case fb::Outcome::kKeptInVault: return "kept-in-vault";
    case fb::Outcome::kVaultEvicted: return "vault-evicted";
  }
  return "?";
}

const char* status_text(fb::NtStatus status) {
  struct Name { fb::NtStatus status; const char* text; };
  static const Name kNames[] = {
      {fb::nt::kDiskFull, "disk full"},
      {fb::nt::kAccessDenied, "access denied"},
      {fb::nt::kSharingViolation, "sharing violation"},
      {fb::nt::kInsufficientResources, "insufficient resources"},
      {fb::nt::kFileTooLarge, "file too large"},
      {fb::nt::kDeletePending, "delete pending"},
      {fb::nt::kObjectNameNotFound, "not found"},
      {fb::nt::kObjectPathNotFound, "path not found"},
      {fb::nt::kDeviceDataError, "device data error"},
      {fb::nt::kDataError, "data error"},
      {fb::nt::kFileCorruptError, "file corrupt"},
      {fb::nt::kNotSupported, "not supported"},
      {fb::nt::kNameTooLong, "name too long"},
      {fb::nt::kUnsuccessful, "unsuccessful"},
  };
  for (const Name& n : kNames)
    if (n.status == status) return n.text;
  return nullptr;
}

namespace {

std::string outcome_text(const fb::BackupEvent& e) {
  char buf[96];
  switch (e.outcome) {
    case fb::Outcome::kBackedUp:
      snprintf(buf, sizeof buf, "backed up (slot %u)", static_cast<unsigned>(e.slot));
      return buf;
    case fb::Outcome::kSkipped:
      return std::string("skipped (") + fb::skip_reason_text(e.skip_reason) + ")";
    case fb::Outcome::kFailed: {
      const char* name = status_text(e.status);
      std::string text = "FAILED " + format_hex32(static_cast<uint32_t>(e.status));
      return name ? text + " (" + name + ")" : text;
    }
    case fb::Outcome::kBackupLost:
      if (e.skip_reason != fb::SkipReason::kNone)
        return std::string("backup lost (file deleted; not kept: ") + fb::skip_reason_text(e.skip_reason) + ")";
      return "backup lost (file deleted)";
    case fb::Outcome::kKeptInVault:
      return "deleted, kept in the vault (fbmon deleted)";
    case fb::Outcome::kVaultEvicted:
      return "removed from the vault (its bounds)";
  }
  return "outcome?";
}

std::string pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string u64(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, v);
  return buf;
}

}  // namespace

std::string format_event_text(const fb::BackupEvent& e, const EventContext& c) {
  std::string line = format_civil(civil_from_filetime(c.local_time));
  line += "  pid " + pad(u64(e.process_id), 6);
  line += " " + pad(c.process_name.empty() ? "?" : c.process_name, 16);
  line += " " + pad(trigger_name(e.trigger), 11);
  line += " " + pad(outcome_text(e), 29);
  line += " " + pad(format_size(e.file_size), 10);
  line += " " + pad(format_duration(e.duration), 8);
  line += " " + to_utf8(c.win32_path);
  return line;
}

std::string format_event_json(const fb::BackupEvent& e, const EventContext& c) {
  std::string j = "{\"seq\":" + u64(e.sequence);
  j += ",\"time\":" + json_string(format_civil_iso(civil_from_filetime(c.local_time)));
  j += ",\"filetime_utc\":" + std::to_string(e.time);
  j += ",\"pid\":" + u64(e.process_id);
  j += ",\"process\":" + json_string(c.process_name);
  j += ",\"trigger\":" + json_string(std::string(trigger_name(e.trigger)));
  j += ",\"outcome\":" + json_string(std::string(outcome_name(e.outcome)));
  if (e.outcome == fb::Outcome::kSkipped)
    j += ",\"skip_reason\":" + json_string(std::string(fb::skip_reason_text(e.skip_reason)));
  if (e.outcome == fb::Outcome::kFailed)
    j += ",\"status\":" + json_string(format_hex32(static_cast<uint32_t>(e.status)));
  j += ",\"file_size\":" + u64(e.file_size);
  j += ",\"bytes_copied\":" + u64(e.bytes_copied);
  j += ",\"duration_us\":" + u64(e.duration / 10);
  j += ",\"slot\":" + u64(e.slot);
  j += ",\"path\":" + json_string(view(c.win32_path));
  j += ",\"nt_path\":" + json_string(e.path);
  j += "}";
  return j;
}

std::string format_gap_text(const fb::GapReport& g) {
  return "-- " + u64(g.dropped) + (g.dropped == 1 ? " event" : " events") + " dropped (sequence " +
         u64(g.first_sequence) + ".." + u64(g.last_sequence) + ") --";
}

std::string format_gap_json(const fb::GapReport& g) {
  return "{\"gap\":{\"dropped\":" + u64(g.dropped) + ",\"first_sequence\":" + u64(g.first_sequence) +
         ",\"last_sequence\":" + u64(g.last_sequence) + "}}";
}

bool event_matches(const std::string& filter, const EventContext& c) {
  return contains_ascii_nocase(to_utf8(c.win32_path), filter) || contains_ascii_nocase(c.process_name, filter);
}

fb::GapReport SequenceTracker::on_event(uint64_t sequence) {
  fb::GapReport unreported;
  if (next_ != 0 && sequence > next_) {
    unreported.first_sequence = next_;
    unreported.last_sequence = sequence - 1;
    unreported.dropped = sequence - next_;
  }
  // A sequence below the expected one means the driver was reloaded and started over.
  next_ = sequence + 1;
  return unreported;
}

void SequenceTracker::on_gap(const fb::GapReport& gap) {
  if (gap.dropped != 0 && gap.last_sequence + 1 > next_) next_ = gap.last_sequence + 1;
}

}  // namespace fbmon
