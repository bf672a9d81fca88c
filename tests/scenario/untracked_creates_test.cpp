// Creates the driver could not follow (low resources: the pre-create name query, the completion
// context or the stream context failed) are never silent: the application's create proceeds and a
// FAILED event with the status of what failed says the save was not backed up
// (Engine::create_not_followed, post_create_name_late, attach_writer without state). The image
// layer plays the same failures in tests/kernel/stories/fault_stories.cpp.
#include "tests/scenario/scenario_support.h"

namespace fbscenario {
namespace {

namespace nt = fb::nt;
using fb::CreateDisposition;
using fb::Outcome;
using fb::Trigger;
using fbmodel::view;
namespace access = fb::access;

fb::CreateOp writer_op(CreateDisposition disposition = CreateDisposition::kOpen) {
  fb::CreateOp op;
  op.desired_access = access::kReadData | access::kWriteData;
  op.disposition = disposition;
  op.process_id = 4242;  // the requestor the expectations of scenario_support.h name
  return op;
}

fb::CreateResult opened_existing() {
  fb::CreateResult r;
  r.status = nt::kSuccess;
  r.information = fb::create_info::kOpened;
  return r;
}

using UntrackedCreates = ScenarioTest;

TEST_F(UntrackedCreates, NoCompletionContextForAProtectedWriterIsAFailure) {
  harness->engine().create_not_followed(writer_op(), view(kDoc), harness->rules(), nt::kInsufficientResources);
  harness->engine().create_not_followed(writer_op(CreateDisposition::kOverwriteIf), view(kDoc), harness->rules(),
                                        nt::kInsufficientResources);
  // Not protected, or not a writer: nothing to say.
  harness->engine().create_not_followed(writer_op(), view(kDownloads + u"x.txt"), harness->rules(), nt::kInsufficientResources);
  fb::CreateOp reader = writer_op();
  reader.desired_access = access::kReadData;
  harness->engine().create_not_followed(reader, view(kDoc), harness->rules(), nt::kInsufficientResources);
  expect_events({failed(Trigger::kWrite, nt::kInsufficientResources, 0),
                 failed(Trigger::kOverwriteOnOpen, nt::kInsufficientResources, 0)});
}

TEST_F(UntrackedCreates, NameQueriedAgainAfterTheCreate) {
  fb::Engine& engine = harness->engine();
  const fb::NtStatus no_name = nt::kInsufficientResources;
  // A protected writer is tracked from post-create.
  fb::OpenedDecision d = engine.post_create_name_late(writer_op(), opened_existing(), view(kDoc), no_name, harness->rules());
  EXPECT_EQ(d.action, fb::PostCreateAction::kTrack);
  EXPECT_EQ(Name(d.file_path.data, d.file_path.len), kDoc);
  // Its overwrite: nothing was rescued, FAILED.
  fb::CreateResult overwritten = opened_existing();
  overwritten.information = fb::create_info::kOverwritten;
  d = engine.post_create_name_late(writer_op(CreateDisposition::kOverwriteIf), overwritten, view(kDoc), no_name,
                                   harness->rules());
  EXPECT_EQ(d.action, fb::PostCreateAction::kNone);
  // No name again: an empty path and the name query's status.
  d = engine.post_create_name_late(writer_op(), opened_existing(), fb::Str16(), no_name, harness->rules());
  EXPECT_EQ(d.action, fb::PostCreateAction::kNone);
  // A failed create (e.g. below a missing folder), or an unprotected file: nothing.
  fb::CreateResult failed_create;
  failed_create.status = nt::kObjectPathNotFound;
  engine.post_create_name_late(writer_op(), failed_create, fb::Str16(), no_name, harness->rules());
  engine.post_create_name_late(writer_op(), opened_existing(), view(kDownloads + u"x.txt"), no_name, harness->rules());
  const std::vector<RecordedEvent> events = harness->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kFailed);
  EXPECT_EQ(events[0].event.trigger, Trigger::kOverwriteOnOpen);
  EXPECT_EQ(events[0].event.status, no_name);
  EXPECT_EQ(events[0].path, kDoc);
  EXPECT_EQ(events[1].event.outcome, Outcome::kFailed);
  EXPECT_EQ(events[1].event.status, no_name);
  EXPECT_TRUE(events[1].path.empty());
}

TEST_F(UntrackedCreates, AWriterWithoutAStreamContextIsAFailure) {
  volume->put(kDoc, "old");
  fb::CreateTicket ticket;
  harness->engine().attach_writer(nullptr, nullptr, writer_op(), view(kDoc), &ticket, nt::kInsufficientResources);
  expect_events({failed(Trigger::kWrite, nt::kInsufficientResources, 0)});
}

// S5 whose names could not be queried: the rename proceeds, the replaced file's history cannot
// be handed over, and that is reported (under the destination when it is known).
TEST_F(UntrackedCreates, RenameOverWithoutNamesIsAFailure) {
  volume->put(kDoc, "old");
  fb::SetInfoOp op;
  op.info_class = fb::FileInfoClass::kRename;
  op.replace_if_exists = true;
  op.process_id = 4242;
  op.target = harness->target();  // the callback's instance: the existence check opens on it
  const fb::NtStatus no_name = nt::kInsufficientResources;
  fb::Engine& engine = harness->engine();
  engine.set_information_not_followed(op, view(kDoc), no_name, harness->rules());
  engine.set_information_not_followed(op, fb::Str16(), no_name, harness->rules());
  // Onto nothing (a plain move), onto an unprotected file, without ReplaceIfExists: nothing.
  engine.set_information_not_followed(op, view(kDocs + u"new.docx"), no_name, harness->rules());
  volume->put(kDownloads + u"x.txt", "x");
  engine.set_information_not_followed(op, view(kDownloads + u"x.txt"), no_name, harness->rules());
  op.replace_if_exists = false;
  engine.set_information_not_followed(op, view(kDoc), no_name, harness->rules());
  const std::vector<RecordedEvent> events = harness->events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kFailed);
  EXPECT_EQ(events[0].event.trigger, Trigger::kRenameOver);
  EXPECT_EQ(events[0].event.status, no_name);
  EXPECT_EQ(events[0].path, kDoc);
  // The destination is known: the replaced file is kept in the vault (the next test).
  EXPECT_EQ(events[1].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(events[1].path, kDoc);
  EXPECT_EQ(events[2].event.outcome, Outcome::kFailed);
  EXPECT_TRUE(events[2].path.empty());
}

// S5 without the source's name (its query failed twice): the adoption cannot run, but keeping
// the target needs only the destination's name. The target gets its vault name (the S5 safety
// copy, common/engine/vault.h) before the rename takes the document's: FAILED, then
// kept-in-vault, and the vault holds the replaced content and its versions.
TEST_F(UntrackedCreates, RenameOverWithoutTheSourcesNameKeepsTheTargetInTheVault) {
  volume->put(kDoc, "old");
  seed_backup(kDoc, 1, "older");
  fb::SetInfoOp op;
  op.info_class = fb::FileInfoClass::kRename;
  op.replace_if_exists = true;
  op.process_id = 4242;
  op.target = harness->target();
  harness->engine().set_information_not_followed(op, view(kDoc), nt::kInsufficientResources, harness->rules());
  const std::vector<RecordedEvent> events = harness->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kFailed);
  EXPECT_EQ(events[1].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(events[1].event.trigger, Trigger::kRenameOver);
  EXPECT_EQ(events[1].path, kDoc);
  const std::vector<Name> kept = vault_files();
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(volume->content(kept[0]), "old");
  expect_backup(kept[0], 1, "older", Trigger::kWrite);
  EXPECT_EQ(volume->open_handles(), 0u) << "the target must be closed before the rename (N5)";
}

}  // namespace
}  // namespace fbscenario
