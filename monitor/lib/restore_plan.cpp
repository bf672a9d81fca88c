#include "lib/restore_plan.h"

namespace fbmon {
namespace {

std::string slot_stream(const std::string& file, uint32_t slot) {
  return slot == 1 ? file + ":backup" : file + ":backup." + std::to_string(slot);
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

  plan.steps.push_back({StepKind::kVerify, r.version, 0});
  if (r.to_other_file) {
    plan.steps.push_back({StepKind::kWriteTarget, r.version, 0});
    return plan;
  }
  const uint32_t max = (r.max_versions < 1) ? 1 : (r.max_versions > kMaxSlots ? kMaxSlots : r.max_versions);
  plan.steps.push_back({StepKind::kSnapshot, 0, 0});
  plan.steps.push_back({StepKind::kWriteTarget, r.version, 0});
  // Slots from `max` up would move past MaxVersions: drop them, newest-numbered first.
  for (uint32_t s = kMaxSlots; s >= max; --s)
    if (r.slots[s].data || r.slots[s].meta) plan.steps.push_back({StepKind::kDelete, s, 0});
  for (uint32_t s = max - 1; s >= 1; --s)
    if (r.slots[s].data || r.slots[s].meta) plan.steps.push_back({StepKind::kRename, s, s + 1});
  plan.steps.push_back({StepKind::kCommitSnapshot, 0, 1});
  return plan;
}

std::string describe_step(const RestoreStep& step, const std::string& file, const std::string& target) {
  switch (step.kind) {
    case StepKind::kVerify:
      return "verify " + slot_stream(file, step.slot) + " against its metadata";
    case StepKind::kSnapshot:
      return "copy the current content of " + file + " to " + file + ":backup.tmp (the undo copy)";
    case StepKind::kWriteTarget:
      return "write " + slot_stream(file, step.slot) + " over " + target + " and cut it to that length";
    case StepKind::kDelete:
      return "delete " + slot_stream(file, step.slot) + " (past MaxVersions)";
    case StepKind::kRename:
      return "rename " + slot_stream(file, step.slot) + " to " + slot_stream(file, step.to_slot);
    case StepKind::kCommitSnapshot:
      return "rename " + file + ":backup.tmp to " + slot_stream(file, 1) + " (undo with `fbmon restore " + file + "`)";
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
