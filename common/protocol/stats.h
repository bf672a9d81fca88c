// The driver's counters as `fbmon stats` shows them: the payload of the statistics reply.
// FailureReason groups the NTSTATUS of failed backups into the few causes a user can act on.
// Its values are part of the wire format (index of StatsBody::failures): append, never renumber.
#pragma once

#include "common/events/event.h"
#include "common/base/fb_base.h"

namespace fb {

enum class FailureReason : uint8_t {
  kOther = 0,
  kSharingViolation = 1,       // someone holds the file or its backup stream without sharing
  kDiskFull = 2,               // no room for the backup stream
  kReadError = 3,              // the original could not be read (device / data error)
  kNameTooLong = 4,            // the backup stream name does not fit
  kAccessDenied = 5,
  kInsufficientResources = 6,  // pool or quota exhausted in the driver
};
constexpr uint32_t kFailureReasonCount = 7;  // highest value + 1
constexpr uint32_t kSkipReasonCount = 6;     // SkipReason: highest value + 1

// Which FailureReason a failed backup's status belongs to.
FailureReason failure_reason_of(NtStatus status);

// Short lower-case words for tables and JSON ("sharing violation"); "unknown" out of range.
const char* failure_reason_text(FailureReason reason);
const char* skip_reason_text(SkipReason reason);

struct Statistics {
  uint64_t tracked_files = 0;           // files with a live tracking context
  uint64_t backups = 0;                 // complete backups written
  uint64_t bytes_copied = 0;            // bytes written to backups
  uint64_t skips[8] = {};               // by SkipReason value (index 0, kNone, stays 0)
  uint64_t failures[8] = {};            // by FailureReason value
  uint64_t events_dropped = 0;          // queue full, no watcher, send failed
  uint64_t queue_high_water = 0;        // most events queued at once
  uint64_t queue_high_water_bytes = 0;  // most queue bytes in use at once
  uint64_t queue_capacity_bytes = 0;
  uint32_t rules_loaded = 0;
};

}  // namespace fb
