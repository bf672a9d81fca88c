#include "monitor/lib/restore_plan.h"

#include <gtest/gtest.h>

#include <stdio.h>

namespace {

using fbmon::PlanError;
using fbmon::StepKind;

fbmon::RestoreRequest with_slots(std::initializer_list<uint32_t> slots, uint32_t version = 1, uint32_t max = 9) {
  fbmon::RestoreRequest r;
  r.version = version;
  r.max_versions = max;
  for (uint32_t s : slots) r.slots[s] = {true, true};
  return r;
}

std::string steps_of(const fbmon::RestorePlan& plan) {
  std::string out;
  for (const fbmon::RestoreStep& s : plan.steps) {
    if (!out.empty()) out += ' ';
    switch (s.kind) {
      case StepKind::kVerify: out += "verify" + std::to_string(s.slot); break;
      case StepKind::kSnapshot: out += "snapshot"; break;
      case StepKind::kWriteTarget: out += "write" + std::to_string(s.slot); break;
      case StepKind::kPromote: out += "promote" + std::to_string(s.slot); break;
    }
  }
  return out;
}

TEST(MonitorRestorePlan, OrdersStepsSoNothingIsLost) {
  struct Case { const char* name; fbmon::RestoreRequest request; const char* steps; };
  const Case cases[] = {
      {"newest of one", with_slots({1}), "verify1 snapshot write1 promote9"},
      {"older version", with_slots({1, 2}, 2), "verify2 snapshot write2 promote9"},
      {"the oldest of a full set is written before the rotation drops it",
       with_slots({1, 2, 3}, 3, 3), "verify3 snapshot write3 promote4"},
      {"MaxVersions 1 with one backup keeps both it and the undo copy", with_slots({1}, 1, 1),
       "verify1 snapshot write1 promote2"},
      {"a restore never drops a backup below a lowered MaxVersions", with_slots({1, 5}, 5, 2),
       "verify5 snapshot write5 promote6"},
      {"all nine in use: the oldest goes", with_slots({1, 2, 3, 4, 5, 6, 7, 8, 9}, 9, 9),
       "verify9 snapshot write9 promote9"},
      {"MaxVersions out of range is clamped", with_slots({1}, 1, 50), "verify1 snapshot write1 promote9"},
      {"MaxVersions 0 is clamped", with_slots({1}, 1, 0), "verify1 snapshot write1 promote2"},
  };
  for (const Case& c : cases) {
    const fbmon::RestorePlan plan = fbmon::plan_restore(c.request);
    ASSERT_TRUE(plan.ok()) << c.name;
    EXPECT_EQ(steps_of(plan), c.steps) << c.name;
  }
}

TEST(MonitorRestorePlan, ToANewFileTouchesNoStream) {
  fbmon::RestoreRequest r = with_slots({1, 2, 3}, 2, 3);
  r.to_other_file = true;
  r.target_exists = false;
  EXPECT_EQ(steps_of(fbmon::plan_restore(r)), "verify2 write2");
}

// An existing OUT keeps its content as its own backup 1, rotated by its own slots (here 2).
TEST(MonitorRestorePlan, ToAnExistingFileKeepsItsContentAsItsBackup) {
  fbmon::RestoreRequest r = with_slots({1, 2, 3}, 2, 3);
  r.to_other_file = true;
  r.target_exists = true;
  r.target_slots[1] = r.target_slots[2] = {true, true};
  const fbmon::RestorePlan plan = fbmon::plan_restore(r);
  EXPECT_EQ(steps_of(plan), "verify2 snapshot write2 promote3");
  EXPECT_EQ(plan.steps.back().existing, 2u);
  EXPECT_EQ(fbmon::describe_step(plan.steps[1], "C:\\a.txt", "C:\\out.txt"),
            "copy the current content of C:\\out.txt to C:\\out.txt:backup.tmp (the undo copy)");
}

TEST(MonitorRestorePlan, TheFileItselfOrAStreamIsNeverATarget) {
  using fbmon::TargetProblem;
  const std::u16string file = u"C:\\d\\a.txt";
  EXPECT_EQ(fbmon::target_problem(file, u"C:\\d\\b.txt"), TargetProblem::kNone);
  EXPECT_EQ(fbmon::target_problem(file, u"c:\\D\\A.TXT"), TargetProblem::kIsTheFile);
  EXPECT_EQ(fbmon::target_problem(file, u"C:\\d\\a.txt:backup"), TargetProblem::kIsAStream);
  EXPECT_EQ(fbmon::target_problem(file, u"C:\\d\\a.txt:backup.2.meta"), TargetProblem::kIsAStream);
  EXPECT_EQ(fbmon::target_problem(file, u"C:\\d\\a.txt::$DATA"), TargetProblem::kIsAStream);
  EXPECT_EQ(fbmon::target_problem(file, u"C:\\d\\other.txt:x"), TargetProblem::kIsAStream);
  EXPECT_EQ(fbmon::target_problem(file, u"\\\\?\\C:\\d\\b.txt"), TargetProblem::kNone);
  EXPECT_EQ(fbmon::target_problem(file, u"\\\\?\\C:\\d\\b.txt:s"), TargetProblem::kIsAStream);
}

TEST(MonitorRestorePlan, RefusesWhatCannotBeRestored) {
  struct Case { const char* name; fbmon::RestoreRequest request; PlanError error; };
  fbmon::RestoreRequest missing_meta = with_slots({1});
  missing_meta.slots[1].meta = false;
  fbmon::RestoreRequest meta_only;
  meta_only.slots[1].meta = true;
  const Case cases[] = {
      {"no backup at all", fbmon::RestoreRequest{}, PlanError::kNoBackup},
      {"orphan metadata: the backup's data is missing", meta_only, PlanError::kMissingData},
      {"version not present", with_slots({1}, 2), PlanError::kNoSuchVersion},
      {"version 0", with_slots({1}, 0), PlanError::kVersionOutOfRange},
      {"version 10", with_slots({1}, 10), PlanError::kVersionOutOfRange},
      {"data without metadata cannot be verified", missing_meta, PlanError::kMissingMetadata},
  };
  for (const Case& c : cases) {
    const fbmon::RestorePlan plan = fbmon::plan_restore(c.request);
    EXPECT_EQ(plan.error, c.error) << c.name;
    EXPECT_TRUE(plan.steps.empty()) << c.name;
  }
}

TEST(MonitorRestorePlan, DryRunDescribesRealStreams) {
  const fbmon::RestorePlan plan = fbmon::plan_restore(with_slots({1, 2}, 2, 2));
  std::string text;
  for (const fbmon::RestoreStep& s : plan.steps) text += fbmon::describe_step(s, "C:\\d\\a.txt", "C:\\d\\a.txt") + "\n";
  EXPECT_EQ(text,
            "verify C:\\d\\a.txt:backup.2 against its metadata\n"
            "copy the current content of C:\\d\\a.txt to C:\\d\\a.txt:backup.tmp (the undo copy)\n"
            "write C:\\d\\a.txt:backup.2 over C:\\d\\a.txt and cut it to that length\n"
            "make C:\\d\\a.txt:backup.tmp backup 1 of C:\\d\\a.txt (undo with `fbmon restore C:\\d\\a.txt`); "
            "its 2 backups move down one slot, none is dropped (MaxVersions 2 applies again at the driver's next "
            "backup of it)\n");
  printf("sample restore --dry-run:\n%s", text.c_str());
  EXPECT_EQ(fbmon::present_versions(with_slots({1, 2, 4})), "1, 2, 4");
  EXPECT_EQ(fbmon::present_versions(fbmon::RestoreRequest{}), "none");
}

}  // namespace
