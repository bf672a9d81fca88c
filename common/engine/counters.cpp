#include "common/engine/counters.h"

namespace fb {
namespace {
uint64_t load(const uint64_t* field) { return __atomic_load_n(field, __ATOMIC_RELAXED); }
}  // namespace

void CounterSet::add_skip(SkipReason reason) {
  const uint32_t index = static_cast<uint32_t>(reason);
  add(&values_.skips[index < kSkipReasonCount ? index : 0], 1);
}

void CounterSet::add_failure(NtStatus status) {
  const uint32_t index = static_cast<uint32_t>(failure_reason_of(status));
  add(&values_.failures[index < kFailureReasonCount ? index : 0], 1);
}

EngineCounters CounterSet::snapshot() const {
  EngineCounters out;
  out.tracked_files = load(&values_.tracked_files);
  out.tracked_opens = load(&values_.tracked_opens);
  out.sessions = load(&values_.sessions);
  out.backups = load(&values_.backups);
  out.bytes_copied = load(&values_.bytes_copied);
  for (uint32_t i = 0; i < kSkipReasonCount; ++i) out.skips[i] = load(&values_.skips[i]);
  for (uint32_t i = 0; i < kFailureReasonCount; ++i) out.failures[i] = load(&values_.failures[i]);
  out.backups_lost = load(&values_.backups_lost);
  out.versions_dropped = load(&values_.versions_dropped);
  out.events = load(&values_.events);
  return out;
}

void CounterSet::fill(Statistics* out) const {
  const EngineCounters c = snapshot();
  out->tracked_files = c.tracked_files;
  out->backups = c.backups;
  out->bytes_copied = c.bytes_copied;
  for (uint32_t i = 0; i < kSkipReasonCount && i < 8; ++i) out->skips[i] = c.skips[i];
  for (uint32_t i = 0; i < kFailureReasonCount && i < 8; ++i) out->failures[i] = c.failures[i];
}

}  // namespace fb
