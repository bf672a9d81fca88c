#include "monitor/lib/restore_plan.h"

#include "common/engine/streams.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

std::string slot_stream(const std::string& file, uint32_t slot) {
  return file + ":" + to_utf8(fb::SlotStream(slot, fb::BackupPart::kData).name());
}

// A restore never costs a backup: the rotation keeps every existing slot (plus the undo
// copy) unless all nine are in use, even when MaxVersions is lower. The driver applies
// MaxVersions again at the next backup it makes.
uint32_t versions_to_keep(const RestoreRequest& r) {
  uint32_t keep = r.max_versions < 1 ? 1 : (r.max_versions > kMaxSlots ? kMaxSlots : r.max_versions);
  for (uint32_t s = 1; s <= kMaxSlots; ++s)
    if ((r.slots[s].data || r.slots[s].meta) && s + 1 > keep) keep = s + 1 > kMaxSlots ? kMaxSlots : s + 1;
  return keep;
}

}  // namespace

RestorePlan plan_restore(const RestoreRequest& r) {
  RestorePlan plan;
  if (r.version < 1 || r.version > kMaxSlots) {
    plan.error = PlanError::kVersionOutOfRange;
    return plan;
  }
  bool any = false;
  for (uint32_t s = 1; s <= kMaxSlots; ++s) any = any || r.slots[s].data;
  if (!any) {
    plan.error = PlanError::kNoBackup;
    return plan;
  }
  if (!r.slots[r.version].data) {
    plan.error = PlanError::kNoSuchVersion;
    return plan;
  }
  if (!r.slots[r.version].meta) {
    plan.error = PlanError::kMissingMetadata;
    return plan;
  }

  plan.steps.push_back({StepKind::kVerify, r.version});
  if (r.to_other_file) {
    plan.steps.push_back({StepKind::kWriteTarget, r.version});
    return plan;
  }
  plan.steps.push_back({StepKind::kSnapshot, 0});
  plan.steps.push_back({StepKind::kWriteTarget, r.version});
  plan.steps.push_back({StepKind::kPromote, versions_to_keep(r)});
  return plan;
}

std::string describe_step(const RestoreStep& step, const std::string& file, const std::string& target) {
  switch (step.kind) {
    case StepKind::kVerify:
      return "verify " + slot_stream(file, step.slot) + " against its metadata";
    case StepKind::kSnapshot:
      return "copy the current content of " + file + " to " + slot_stream(file, 0) + " (the undo copy)";
    case StepKind::kWriteTarget:
      return "write " + slot_stream(file, step.slot) + " over " + target + " and cut it to that length";
    case StepKind::kPromote:
      return "make " + slot_stream(file, 0) + " the newest backup (" + slot_stream(file, 1) +
             "), moving older ones down one slot and keeping at most " + std::to_string(step.slot) +
             " (undo with `fbmon restore " + file + "`)";
  }
  return "?";
}

std::string present_versions(const RestoreRequest& r) {
  std::string out;
  for (uint32_t s = 1; s <= kMaxSlots; ++s)
    if (r.slots[s].data) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out.empty() ? "none" : out;
}

}  // namespace fbmon
