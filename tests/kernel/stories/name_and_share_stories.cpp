// Stories of tests/scenario/save_patterns_test.cpp about whose name a backup is made under and
// whose opens count, told at both layers (story.h).
//   N12: a stream context outlives its handles, so the next open finds it under whatever name
//        that open used: after a folder rename, or a rename through a handle the filter does not
//        track, the next session must back up the file under its new name and leave the file
//        that took the old name alone.
//   N13: the SMB server opens files for remote users from kernel mode with SL_FORCE_ACCESS_CHECK:
//        those saves are protected like local ones (and the remote user's access is checked),
//        while a kernel component's own creates stay ignored.
#include "tests/kernel/stories/story.h"

namespace ksim::stories {
namespace {

using fb::CreateDisposition;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
const Name kDoc = kDocs + u"report.docx";
const Name kTemp = kDocs + u"~WRL0001.tmp";
const Name kNotes = kDocs + u"notes\\todo.txt";
const Name kMoved = kDocs + u"old notes\\todo.txt";

using NameAndShareStory = StoryTest;

TEST_P(NameAndShareStory, N12_FolderRenamedBetweenSessionsBacksUpTheFileUnderItsNewPath) {
  start();
  world().cache_streams();
  volume().put(kNotes, "version 1");
  ASSERT_EQ(edit(kNotes, 0, "VERSION 2"), nt::kSuccess);  // the context is made under `notes`
  ASSERT_EQ(volume().rename_directory(kDocs + u"notes", kDocs + u"old notes"), nt::kSuccess);
  volume().put(kNotes, "another todo");  // a new todo.txt where the old one was, with its own backup
  seed_backup(kNotes, 1, "another todo's backup");
  world().clear_events();

  ASSERT_EQ(edit(kMoved, 0, "version 3"), nt::kSuccess);  // same stream, same context
  EXPECT_EQ(volume().content(kMoved), "version 3");
  expect_backup(kMoved, 1, "VERSION 2", Trigger::kWrite);
  EXPECT_EQ(volume().content(kNotes), "another todo");
  expect_backup(kNotes, 1, "another todo's backup", Trigger::kWrite);  // untouched
  EXPECT_EQ(slots(kNotes), std::vector<uint32_t>{1});
  expect_events({backed_up(Trigger::kWrite, 9, kMoved)}, kMoved);
  world().finish();
}

TEST_P(NameAndShareStory, N12_FolderRenamedThenOverwrittenRestoresTheRescueUnderTheNewPath) {
  start();
  world().cache_streams();
  volume().put(kNotes, "version 1");
  ASSERT_EQ(edit(kNotes, 0, "VERSION 2"), nt::kSuccess);
  ASSERT_EQ(volume().rename_directory(kDocs + u"notes", kDocs + u"old notes"), nt::kSuccess);
  world().clear_events();

  ASSERT_EQ(overwrite(kMoved, "version 3"), nt::kSuccess);  // S4 on the same context
  EXPECT_EQ(volume().content(kMoved), "version 3");
  expect_backup(kMoved, 1, "VERSION 2", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(volume().file_names(), std::vector<Name>{fbmodel::fold(kMoved)}) << "a rescue file was left behind";
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9, kMoved)}, kMoved);
  world().finish();
}

// A rename through a handle that cannot write (Explorer's rename: DELETE access only) is not a
// tracked open, so nothing follows it; the next tracked open must find the new name.
TEST_P(NameAndShareStory, N12_FileRenamedThroughAnUntrackedHandleIsBackedUpUnderItsNewName) {
  start();
  world().cache_streams();
  const Name renamed = kDocs + u"final.docx";
  volume().put(kDoc, "draft");
  ASSERT_EQ(edit(kDoc, 0, "DRAFT"), nt::kSuccess);
  AppFile* mover = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &mover), nt::kSuccess);
  ASSERT_FALSE(world().tracked(mover));
  ASSERT_EQ(world().rename(mover, renamed, false), nt::kSuccess);
  world().close(mover);
  volume().put(kDoc, "someone else");
  world().clear_events();

  ASSERT_EQ(edit(renamed, 0, "FINAL"), nt::kSuccess);
  expect_backup(renamed, 1, "DRAFT", Trigger::kWrite);
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_EQ(volume().content(kDoc), "someone else");
  expect_events({backed_up(Trigger::kWrite, 5, renamed)}, renamed);
  world().finish();
}

TEST_P(NameAndShareStory, N13_InPlaceEditOverAShareIsBackedUp) {
  start();
  world().set_requestor(World::Requestor::kShare);
  volume().put(kDoc, "old");
  ASSERT_EQ(edit(kDoc, 0, "NEW"), nt::kSuccess);
  expect_backup(kDoc, 1, "old", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 3)}, kDoc);
  world().finish();
}

TEST_P(NameAndShareStory, N13_OverwriteOverAShareKeepsOldContent) {
  start();
  world().set_requestor(World::Requestor::kShare);
  volume().put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  ASSERT_EQ(overwrite(kDoc, "version 2"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(volume().file_names(), std::vector<Name>{fbmodel::fold(kDoc)});
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9)}, kDoc);
  world().finish();
}

TEST_P(NameAndShareStory, N13_RenameOverThroughAShareKeepsTheReplacedContent) {
  start();
  world().set_requestor(World::Requestor::kShare);
  volume().put(kDoc, "version 1");
  volume().put(kTemp, "version 2");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  world().close(tmp);
  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_events({backed_up(Trigger::kRenameOver, 9)}, kDoc);
  world().finish();
}

TEST_P(NameAndShareStory, N13_ShareOverwriteTheRemoteUserMayNotMakeCopiesNothing) {
  start();
  world().set_requestor(World::Requestor::kShare);
  volume().put(kDoc, "secret");
  seed_backup(kDoc, 1, "earlier");
  volume().deny_requestor(kDoc, access::kWriteData);  // the remote user's access check refuses it
  EXPECT_EQ(overwrite(kDoc, "new"), nt::kAccessDenied);
  EXPECT_EQ(volume().content(kDoc), "secret");
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_EQ(volume().files_ever_created(), std::vector<Name>{}) << "no rescue file was made";
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(NameAndShareStory, N13_KernelComponentsOwnCreatesStayIgnored) {
  start();
  world().set_requestor(World::Requestor::kKernel);
  volume().put(kDoc, "old");
  ASSERT_EQ(edit(kDoc, 0, "NEW"), nt::kSuccess);
  ASSERT_EQ(overwrite(kDoc, "newer"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({}, kDoc);
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, NameAndShareStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
