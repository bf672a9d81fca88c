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
uint32_t clamp_max(uint32_t max_versions) {
  return max_versions < 1 ? 1 : (max_versions > kMaxSlots ? kMaxSlots : max_versions);
}

uint32_t versions_to_keep(const SlotPresence* slots, uint32_t max_versions) {
  uint32_t keep = clamp_max(max_versions);
  for (uint32_t s = 1; s <= kMaxSlots; ++s)
    if ((slots[s].data || slots[s].meta) && s + 1 > keep) keep = s + 1 > kMaxSlots ? kMaxSlots : s + 1;
  return keep;
}

uint32_t backups_present(const SlotPresence* slots) {
  uint32_t n = 0;
  for (uint32_t s = 1; s <= kMaxSlots; ++s) n += slots[s].data ? 1 : 0;
  return n;
}

bool has_stream_part(const std::u16string& path) {
  size_t start = 0;
  if (path.compare(0, 4, u"\\\\?\\") == 0 || path.compare(0, 4, u"\\??\\") == 0) start = 4;
  // A drive letter's colon is at start + 1; any other colon names a stream.
  for (size_t i = start; i < path.size(); ++i)
    if (path[i] == u':' && i != start + 1) return true;
  return false;
}

}  // namespace

RestorePlan plan_restore(const RestoreRequest& r) {
  RestorePlan plan;
  if (r.version < 1 || r.version > kMaxSlots) {
    plan.error = PlanError::kVersionOutOfRange;
    return plan;
  }
  bool any = false;
  for (uint32_t s = 1; s <= kMaxSlots; ++s) any = any || r.slots[s].data || r.slots[s].meta;
  if (!any) {
    plan.error = PlanError::kNoBackup;
    return plan;
  }
  if (!r.slots[r.version].data) {
    plan.error = r.slots[r.version].meta ? PlanError::kMissingData : PlanError::kNoSuchVersion;
    return plan;
  }
  if (!r.slots[r.version].meta) {
    plan.error = PlanError::kMissingMetadata;
    return plan;
  }

  plan.steps.push_back({StepKind::kVerify, r.version});
  if (r.to_other_file && !r.target_exists) {
    plan.steps.push_back({StepKind::kWriteTarget, r.version});
    return plan;
  }
  const SlotPresence* target = r.to_other_file ? r.target_slots : r.slots;
  plan.steps.push_back({StepKind::kSnapshot, 0});
  plan.steps.push_back({StepKind::kWriteTarget, r.version});
  plan.steps.push_back({StepKind::kPromote, versions_to_keep(target, r.max_versions), backups_present(target),
                        clamp_max(r.max_versions)});
  return plan;
}

std::string describe_step(const RestoreStep& step, const std::string& file, const std::string& target) {
  switch (step.kind) {
    case StepKind::kVerify:
      return "verify " + slot_stream(file, step.slot) + " against its metadata";
    case StepKind::kSnapshot:
      return "copy the current content of " + target + " to " + slot_stream(target, 0) + " (the undo copy)";
    case StepKind::kWriteTarget:
      return "write " + slot_stream(file, step.slot) + " over " + target + " and cut it to that length";
    case StepKind::kPromote: {
      std::string moved;
      if (step.existing == 0) moved = "; it had no backup before";
      else if (step.existing >= kMaxSlots) moved = "; backup 9, the oldest, is dropped to make room (nine is the most a file keeps)";
      else
        moved = "; its " + std::to_string(step.existing) + (step.existing == 1 ? " backup moves" : " backups move") +
                " down one slot, none is dropped (MaxVersions " + std::to_string(step.max_versions) +
                " applies again at the driver's next backup of it)";
      return "make " + slot_stream(target, 0) + " backup 1 of " + target + " (undo with `fbmon restore " + target +
             "`)" + moved;
    }
  }
  return "?";
}

TargetProblem target_problem(const std::u16string& file, const std::u16string& out) {
  if (has_stream_part(out)) return TargetProblem::kIsAStream;
  if (out.size() == file.size()) {
    bool same = true;
    for (size_t i = 0; i < out.size() && same; ++i) {
      char16_t a = out[i], b = file[i];
      if (a >= u'a' && a <= u'z') a = static_cast<char16_t>(a - 32);
      if (b >= u'a' && b <= u'z') b = static_cast<char16_t>(b - 32);
      same = a == b || ((a == u'/' || a == u'\\') && (b == u'/' || b == u'\\'));
    }
    if (same) return TargetProblem::kIsTheFile;
  }
  return TargetProblem::kNone;
}

std::string present_versions(const RestoreRequest& r) {
  std::string out;
  for (uint32_t s = 1; s <= kMaxSlots; ++s)
    if (r.slots[s].data) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out.empty() ? "none" : out;
}

}  // namespace fbmon
