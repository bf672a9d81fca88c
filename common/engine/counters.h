// Statistics the engine keeps, in the shape of the monitor's statistics reply
// (common/protocol/stats.h): skips by SkipReason, failures by FailureReason. Updated with atomic
// increments from any thread; read as a snapshot that may be a few increments stale.
#pragma once

#include "common/base/fb_base.h"
#include "common/protocol/stats.h"

namespace fb {

struct EngineCounters {
  uint64_t tracked_files = 0;     // FileStates alive (stream contexts holding engine state)
  uint64_t tracked_opens = 0;     // writer handles tracked since start
  uint64_t sessions = 0;          // write sessions started
  uint64_t backups = 0;           // complete backups put in place
  uint64_t bytes_copied = 0;      // bytes of file content backed up
  uint64_t skips[kSkipReasonCount] = {};        // by SkipReason
  uint64_t failures[kFailureReasonCount] = {};  // by failure_reason_of(status)
  uint64_t backups_lost = 0;      // deletes of protected files that had a backup
  uint64_t versions_dropped = 0;  // older versions that could not be carried over (S4, S5)
  uint64_t events = 0;            // events handed to the sink
};

// The live counters: every field is only touched through these functions.
class CounterSet {
 public:
  void add_tracked_file() { add(&values_.tracked_files, 1); }
  void remove_tracked_file() { __atomic_fetch_sub(&values_.tracked_files, 1, __ATOMIC_RELAXED); }
  void add_tracked_open() { add(&values_.tracked_opens, 1); }
  void add_session() { add(&values_.sessions, 1); }
  void add_backup(uint64_t bytes) {
    add(&values_.backups, 1);
    add(&values_.bytes_copied, bytes);
  }
  void add_skip(SkipReason reason);
  void add_failure(NtStatus status);
  void add_backup_lost() { add(&values_.backups_lost, 1); }
  void add_versions_dropped(uint64_t n) { add(&values_.versions_dropped, n); }
  void add_event() { add(&values_.events, 1); }

  EngineCounters snapshot() const;
  // Copies the engine's share of the statistics reply; the queue fills in its own fields.
  void fill(Statistics* out) const;

 private:
  static void add(uint64_t* field, uint64_t n) { __atomic_fetch_add(field, n, __ATOMIC_RELAXED); }
  EngineCounters values_;
};

}  // namespace fb
