// More stories of tests/scenario/save_patterns_test.cpp, told at both layers (story.h): the rest
// of S2-S8, renames of tracked files, opens by id, own-client restores, unobservable writes,
// deletes (S6) and each way a backup can fail. A story whose harness version restarts the
// engine between cases uses one file per case here (the image starts once per story).
#include "common/engine/rescue.h"
#include "tests/kernel/stories/story.h"

namespace ksim::stories {
namespace {

using fb::CreateDisposition;
using fb::Outcome;
using fb::SkipReason;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
const Name kDoc = kDocs + u"report.docx";
const Name kTemp = kDocs + u"~WRL0001.tmp";
const Name kDownloads = u"\\Device\\HarddiskVolume2\\Users\\me\\Downloads\\";
constexpr uint32_t kReadWrite = access::kReadData | access::kWriteData;

Name numbered(const Name& stem, int i) { return kDocs + stem + char16_t(u'0' + i) + u".txt"; }

using MoreSavePatternStory = StoryTest;

TEST_P(MoreSavePatternStory, OwnClientRestoreIsNotBackedUp) {
  start();
  volume().put(kDoc, "version 1");
  world().set_own_client(true);
  AppFile* restore = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &restore), nt::kSuccess);
  EXPECT_FALSE(world().tracked(restore));
  ASSERT_EQ(world().write(restore, 0, "restored!"), nt::kSuccess);
  world().close(restore);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{});
  world().set_own_client(false);
  ASSERT_EQ(edit(kDoc, 0, "VERSION 2"), nt::kSuccess);
  expect_backup(kDoc, 1, "restored!", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S2_AppendOnlyHandleIsTrackedBesideAReader) {
  start();
  volume().put(kDoc, "log start\n");
  AppFile* reader = nullptr;
  AppFile* appender = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  ASSERT_EQ(world().open(kDoc, access::kAppendData, CreateDisposition::kOpen, &appender), nt::kSuccess);
  EXPECT_FALSE(world().tracked(reader));
  EXPECT_TRUE(world().tracked(appender));
  ASSERT_EQ(world().write(appender, 0, "a\n"), nt::kSuccess);
  ASSERT_EQ(world().write(appender, 0, "b\n"), nt::kSuccess);
  world().close(appender);
  world().close(reader);
  EXPECT_EQ(volume().content(kDoc), "log start\na\nb\n");
  expect_backup(kDoc, 1, "log start\n", Trigger::kAppend);
  expect_events({backed_up(Trigger::kAppend, 10)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S3_TruncateExistingKeepsEarlierBackups) {
  start(versions(2));
  volume().put(kDoc, "current");
  seed_backup(kDoc, 1, "previous");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().set_end_of_file(h, 0), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "");
  expect_backup(kDoc, 1, "current", Trigger::kTruncate);
  expect_backup(kDoc, 2, "previous", Trigger::kWrite);
  expect_events({backed_up(Trigger::kTruncate, 7)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_OverwriteCarriesEarlierVersionsOver) {
  start(versions(3));
  volume().put(kDoc, "version 3");
  seed_backup(kDoc, 1, "version 2");
  seed_backup(kDoc, 2, "version 1");
  seed_backup(kDoc, 3, "version 0");
  ASSERT_EQ(overwrite(kDoc, "version 4"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "version 4");
  expect_backup(kDoc, 1, "version 3", Trigger::kOverwriteOnOpen);
  expect_backup(kDoc, 2, "version 2", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_OverwriteThatCreatesANewFileDoesNothing) {
  start();
  ASSERT_EQ(overwrite(kDoc, "fresh"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "fresh");
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_FailedOverwriteDiscardsTheRescueAndReportsNothing) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "before");
  AppFile* exclusive = nullptr;  // another program holds the file without sharing
  ASSERT_EQ(world().open(kDoc, access::kReadData, CreateDisposition::kOpen, &exclusive, 0), nt::kSuccess);
  EXPECT_EQ(overwrite(kDoc, "lost?"), nt::kSharingViolation);
  world().close(exclusive);
  EXPECT_EQ(volume().content(kDoc), "content");
  expect_backup(kDoc, 1, "before", Trigger::kWrite);
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({}, kDoc);
  world().finish();
}

// The rescue copy happens before the create meets its access check: a requestor the DACL refuses
// must not get the content copied anywhere, even for a moment. One file per case.
TEST_P(MoreSavePatternStory, S4_OverwriteTheRequestorMayNotMakeCopiesNothing) {
  start();
  struct Case {
    CreateDisposition disposition;
    uint32_t denied;
  };
  const Case cases[] = {{CreateDisposition::kOverwriteIf, access::kWriteData},
                        {CreateDisposition::kOverwrite, access::kWriteData},
                        {CreateDisposition::kSupersede, access::kWriteData},
                        {CreateDisposition::kSupersede, access::kDelete}};
  int i = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(i);
    const Name doc = numbered(u"secret", i++);
    volume().put(doc, "secret");
    seed_backup(doc, 1, "older secret");
    volume().deny_requestor(doc, c.denied);
    EXPECT_EQ(overwrite(doc, "replaced", c.disposition), nt::kAccessDenied);
    EXPECT_EQ(volume().content(doc), "secret");
    expect_backup(doc, 1, "older secret", Trigger::kWrite);
  }
  EXPECT_EQ(volume().files_ever_created(), std::vector<Name>{}) << "a rescue file existed for a moment";
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_OverwriteWithBackupIntentIsCheckedWithItsPrivilege) {
  start();
  volume().put(kDoc, "old");
  volume().deny_requestor(kDoc, access::kWriteData);
  volume().grant_restore_privilege();
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0, Name(),
                         fb::create_option::kOpenForBackupIntent),
            nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "new"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 3)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_OverwriteByAWriteOnlyRequestorIsBackedUp) {
  start();
  volume().put(kDoc, "old");
  volume().deny_requestor(kDoc, access::kReadData);
  ASSERT_EQ(overwrite(kDoc, "new"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 3)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_RequestorRefusedOnlyAttributesLeavesNothing) {
  start();
  int i = 0;
  for (uint32_t denied : {access::kWriteAttributes, access::kWriteEa}) {
    SCOPED_TRACE(denied);
    const Name doc = numbered(u"attributes", i++);
    volume().put(doc, "old");
    seed_backup(doc, 1, "older");
    volume().deny_requestor(doc, denied);
    EXPECT_EQ(overwrite(doc, "new"), nt::kAccessDenied);
    EXPECT_EQ(volume().content(doc), "old");
    expect_backup(doc, 1, "older", Trigger::kWrite);
  }
  EXPECT_EQ(volume().file_names().size(), 2u);  // every rescue file is gone
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_OverwriteDuringASessionKeepsTheSessionsBackup) {
  start();
  volume().put(kDoc, "session start");
  AppFile* editor = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &editor), nt::kSuccess);
  ASSERT_EQ(world().write(editor, 0, "SESSION"), nt::kSuccess);
  AppFile* writer = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &writer), nt::kSuccess);
  ASSERT_EQ(world().write(writer, 0, "replaced"), nt::kSuccess);
  world().close(writer);
  world().close(editor);
  EXPECT_EQ(volume().content(kDoc), "replaced");
  expect_backup(kDoc, 1, "session start", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({backed_up(Trigger::kWrite, 13)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_NameTooLongForTheRescueFailsAndTheSaveProceeds) {
  start();
  const Name long_name = kDocs + Name(250, u'n') + u".txt";
  volume().put(long_name, "old");
  ASSERT_EQ(overwrite(long_name, "new"), nt::kSuccess);
  EXPECT_EQ(volume().content(long_name), "new");
  EXPECT_TRUE(slots(long_name).empty());
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kNameTooLong, 3)}, long_name);
  world().finish();
}

TEST_P(MoreSavePatternStory, S4_DiskFullDuringTheRescueFailsAndTheSaveProceeds) {
  start();
  volume().put(kDoc, std::string(20000, 'o'));
  seed_backup(kDoc, 1, "earlier");
  volume().fail_writes_after(10000);
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0), nt::kSuccess);
  volume().clear_faults();
  ASSERT_EQ(world().write(h, 0, "new"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kDiskFull, 20000)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S5_DiskFullDuringTheAdoptionFailsAndTheRenameProceeds) {
  start();
  volume().put(kDoc, std::string(20000, 'o'));
  seed_backup(kDoc, 1, "earlier");
  volume().put(kTemp, "version 2");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  volume().fail_writes_after(10000);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  volume().clear_faults();
  world().close(tmp);
  EXPECT_EQ(volume().content(kDoc), "version 2");
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  // What the adoption could not copy stays with the replaced file under its vault name (the
  // S5 safety copy, common/engine/vault.h): FAILED, then kept-in-vault.
  expect_events({failed(Trigger::kRenameOver, nt::kDiskFull, 20000),
                 {Trigger::kRenameOver, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 20000, kDoc}},
                kDoc);
  const Name vault = fbmodel::fold(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\");
  std::vector<Name> kept;
  for (const Name& n : volume().file_names())
    if (n.compare(0, vault.size(), vault) == 0 && n.find(u".INFO") == Name::npos) kept.push_back(n);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(volume().content(kept[0]), std::string(20000, 'o'));
  expect_backup(kept[0], 1, "earlier", Trigger::kWrite);
  world().finish();
}

TEST_P(MoreSavePatternStory, S5_RenameOverWithOneVersionKeepsTheReplacedContentOnly) {
  start();
  volume().put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  volume().put(kTemp, "version 2");
  seed_backup(kTemp, 1, "stale history of the temp name");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  world().close(tmp);
  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_events({backed_up(Trigger::kRenameOver, 9)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S5_RenameWithoutReplaceOrOntoNothingIsNotABackup) {
  start();
  volume().put(kTemp, "draft");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  world().close(tmp);
  EXPECT_EQ(volume().content(kDoc), "draft");
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, UnobservableFirstWriteIsASkipAndLaterWritesDoNotBackUp) {
  start();
  volume().put(kDoc, "version 1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().write_unobserved(h, 0, "MODIFIED"), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(world().write_unobserved(h, 0, "version 2"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "version 2");
  EXPECT_TRUE(slots(kDoc).empty()) << "modified content backed up as the previous version";
  expect_events({skipped(Trigger::kWrite, SkipReason::kNotObservable, 0)}, kDoc);
  world().clear_events();
  ASSERT_EQ(edit(kDoc, 0, "VERSION 3"), nt::kSuccess);
  expect_backup(kDoc, 1, "version 2", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, UnobservableWriteAfterTheBackupReportsNothing) {
  start();
  volume().put(kDoc, "version 1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(world().write_unobserved(h, 0, "version 3"), nt::kSuccess);
  world().close(h);
  expect_backup(kDoc, 1, "version 1", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, NamedStreamWriteOfAProtectedFileMakesNoBackup) {
  start();
  volume().put(kDoc, "content");
  for (const Name& stream : {Name(u"notes"), Name(u"backup"), Name(u"BACKUP.2.meta")}) {
    AppFile* h = nullptr;
    ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpenIf, &h, fb::share::kAll, stream), nt::kSuccess);
    EXPECT_FALSE(world().tracked(h));
    ASSERT_EQ(world().write(h, 0, "stream data"), nt::kSuccess);
    world().close(h);
  }
  EXPECT_EQ(volume().content(kDoc), "content");
  EXPECT_EQ(volume().content(kDoc, u"notes"), "stream data");
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, FileRenamedIntoAProtectedFolderThenEdited) {
  start();
  const Name outside = kDownloads + u"report.docx";
  volume().put(outside, "downloaded");
  ASSERT_EQ(edit(outside, 0, "DOWN"), nt::kSuccess);
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(outside, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().rename(h, kDoc, false), nt::kSuccess);
  world().close(h);
  ASSERT_EQ(edit(kDoc, 0, "EDIT"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "EDITloaded");
  expect_backup(kDoc, 1, "DOWNloaded", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 10)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, TrackedFileRenamedUnobservedIsNotBackedUpUnderItsOldName) {
  start();
  const Name renamed = kDocs + u"renamed.docx";
  const Name final_name = kDocs + u"final.docx";
  volume().put(kDoc, "version 1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().rename_unobserved(h, renamed, false), nt::kSuccess);
  volume().put(kDoc, "another file");
  ASSERT_EQ(world().write(h, 0, "VERSION 2"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty()) << "another file was backed up under the stale name";
  EXPECT_TRUE(slots(renamed).empty());
  ASSERT_EQ(world().rename(h, final_name, false), nt::kSuccess);
  world().hold_context(h);
  world().close(h);
  ASSERT_EQ(edit(final_name, 0, "version 3"), nt::kSuccess);
  expect_backup(final_name, 1, "VERSION 2", Trigger::kWrite);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({backed_up(Trigger::kWrite, 9, final_name)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, TrackedFileRenamedWithinDocumentsIsBackedUpUnderItsNewName) {
  start();
  const Name renamed = kDocs + u"final.docx";
  volume().put(kDoc, "draft");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "DRAFT"), nt::kSuccess);
  ASSERT_EQ(world().rename(h, renamed, false), nt::kSuccess);
  world().hold_context(h);
  world().close(h);
  volume().put(kDoc, "another file");
  world().clear_events();
  ASSERT_EQ(edit(renamed, 0, "FINAL"), nt::kSuccess);
  EXPECT_EQ(volume().content(renamed), "FINAL");
  expect_backup(renamed, 1, "DRAFT", Trigger::kWrite);
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_EQ(volume().content(kDoc), "another file");
  expect_events({backed_up(Trigger::kWrite, 5, renamed)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, TrackedFileRenamedOutOfDocumentsIsNoLongerBackedUp) {
  start();
  const Name outside = kDownloads + u"report.docx";
  volume().put(kDoc, "draft");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().rename(h, outside, false), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "EDIT"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(outside), "EDITt");
  EXPECT_TRUE(slots(outside).empty());
  EXPECT_FALSE(has_temp(outside));
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, TrackedFileRenamedBackIntoDocumentsIsBackedUpFromItsNextSession) {
  start();
  const Name outside = kDownloads + u"report.docx";
  volume().put(kDoc, "draft");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().rename(h, outside, false), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "E"), nt::kSuccess);
  ASSERT_EQ(world().rename(h, kDoc, false), nt::kSuccess);
  ASSERT_EQ(world().write(h, 1, "D"), nt::kSuccess);
  world().hold_context(h);
  world().close(h);
  EXPECT_TRUE(slots(kDoc).empty());
  ASSERT_EQ(edit(kDoc, 0, "N"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "NDaft");
  expect_backup(kDoc, 1, "EDaft", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 5)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, OpenByFileIdWriterIsBackedUp) {
  start();
  volume().put(kDoc, "by id");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                         fb::create_option::kOpenByFileId),
            nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "BY"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "BY id");
  expect_backup(kDoc, 1, "by id", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 5)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, OverwriteByFileIdIsNotBackedUp) {
  start();
  volume().put(kDoc, "old");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0, Name(),
                         fb::create_option::kOpenByFileId),
            nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "new"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "new");
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, EmptyFileHasNothingToBackUp) {
  start();
  volume().put(kDoc, "");
  ASSERT_EQ(edit(kDoc, 0, "first words"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({skipped(Trigger::kWrite, SkipReason::kEmptyFile, 0)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, FileOverMaxFileSizeIsSkipped) {
  fb::EngineConfig c;
  c.max_file_size = 16;
  start(c);
  volume().put(kDoc, "seventeen bytes!!");
  seed_backup(kDoc, 1, "older");
  ASSERT_EQ(edit(kDoc, 0, "S"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "Seventeen bytes!!");
  expect_backup(kDoc, 1, "older", Trigger::kWrite);
  expect_events({skipped(Trigger::kWrite, SkipReason::kTooLarge, 17)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, LowFreeSpaceIsASkip) {
  fb::EngineConfig c;
  c.min_free_space = 100;
  start(c, 120);
  volume().put(kDoc, "twenty bytes of text");
  ASSERT_EQ(edit(kDoc, 0, "T"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({skipped(Trigger::kWrite, SkipReason::kLowDiskSpace, 20)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, DisabledEngineReportsASkipPerSession) {
  fb::EngineConfig c;
  c.enabled = false;
  start(c);
  volume().put(kDoc, "text");
  ASSERT_EQ(edit(kDoc, 0, "T"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({skipped(Trigger::kWrite, SkipReason::kDisabled, 0)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, ThreeSessionsWithMaxVersionsTwo) {
  start(versions(2));
  volume().put(kDoc, "v1");
  ASSERT_EQ(edit(kDoc, 0, "v2"), nt::kSuccess);
  ASSERT_EQ(edit(kDoc, 0, "v3"), nt::kSuccess);
  ASSERT_EQ(edit(kDoc, 0, "v4"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "v4");
  expect_backup(kDoc, 1, "v3", Trigger::kWrite);
  expect_backup(kDoc, 2, "v2", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({backed_up(Trigger::kWrite, 2), backed_up(Trigger::kWrite, 2), backed_up(Trigger::kWrite, 2)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, ReadErrorInTheMiddleOfACopyKeepsTheEarlierBackup) {
  start();
  const std::string big(20000, 'b');
  volume().put(kDoc, big);
  seed_backup(kDoc, 1, "earlier");
  volume().fail_reads_at(kDoc, u"", 12000);
  ASSERT_EQ(edit(kDoc, 0, "X"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "X" + big.substr(1));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({failed(Trigger::kWrite, nt::kDeviceDataError, 20000)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, SharingViolationOnTheBackupOpenIsAFailure) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  volume().fail_opens(kDoc, u"", 1);
  ASSERT_EQ(world().write(h, 0, "C"), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), "Content");
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  expect_events({failed(Trigger::kWrite, nt::kSharingViolation, 0)}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, BackupOpenByARestoreIsNeverLost) {
  start();
  int i = 0;
  for (uint16_t reader_share : {fb::share::kRead, static_cast<uint16_t>(fb::share::kRead | fb::share::kDelete)}) {
    SCOPED_TRACE(reader_share);
    const Name doc = numbered(u"restored", i++);
    volume().put(doc, "current");
    seed_backup(doc, 1, "earlier");
    AppFile* reader = nullptr;
    ASSERT_EQ(world().open(doc, access::kReadData, CreateDisposition::kOpen, &reader, reader_share, u"backup"),
              nt::kSuccess);
    ASSERT_EQ(edit(doc, 0, "C"), nt::kSuccess);
    EXPECT_EQ(volume().content(doc), "Current");
    EXPECT_EQ(volume().content(doc, slot_stream(0)), "current");
    world().close(reader);
    // Sharing delete or not, the reader refuses the rotation's delete (OpenMode::kDeleteAlone):
    // the backup fails and nothing was deleted.
    expect_events({failed(Trigger::kWrite, nt::kSharingViolation, 7)}, doc);
    expect_backup(doc, 1, "earlier", Trigger::kWrite);
    world().clear_events();
    ASSERT_EQ(edit(doc, 0, "c"), nt::kSuccess);
    expect_backup(doc, 1, "Current", Trigger::kWrite);
    EXPECT_FALSE(has_temp(doc));
    expect_events({backed_up(Trigger::kWrite, 7)}, doc);
    world().clear_events();
  }
  world().finish();
}

// With the vault (common/engine/vault.h) a protected file's delete keeps it: tests/kernel/stories/
// vault_stories.cpp. These two are the vault turned off (VaultMaxBytes 0).
TEST_P(MoreSavePatternStory, S6_DeleteOfAProtectedFileReportsTheBackupLost) {
  fb::EngineConfig config;
  config.vault_max_bytes = 0;
  start(config);
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  volume().put(kTemp, "no backup here");
  for (const Name& path : {kDoc, kTemp}) {
    AppFile* h = nullptr;
    ASSERT_EQ(world().open(path, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
    ASSERT_EQ(world().delete_on_close(h), nt::kSuccess);
    world().close(h);
  }
  EXPECT_FALSE(volume().exists(kDoc));
  EXPECT_TRUE(volume().file_names().empty());
  expect_events({{Trigger::kDelete, Outcome::kBackupLost, SkipReason::kDisabled, nt::kSuccess, 0, kDoc}}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, S6_DeleteOnCloseOfAProtectedFileReportsTheBackupLost) {
  fb::EngineConfig config;
  config.vault_max_bytes = 0;
  start(config);
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                         fb::create_option::kDeleteOnClose),
            nt::kSuccess);
  EXPECT_TRUE(world().tracked(h)) << "the delete is watched on the stream context until it happens";
  world().close(h);
  EXPECT_FALSE(volume().exists(kDoc));
  expect_events({{Trigger::kDelete, Outcome::kBackupLost, SkipReason::kDisabled, nt::kSuccess, 0, kDoc}}, kDoc);
  world().finish();
}

TEST_P(MoreSavePatternStory, UnprotectedFolderIsLeftAlone) {
  start();
  const Name outside = kDownloads + u"x.txt";
  volume().put(outside, "text");
  ASSERT_EQ(edit(outside, 0, "T"), nt::kSuccess);
  ASSERT_EQ(overwrite(outside, "new"), nt::kSuccess);
  EXPECT_TRUE(volume().stream_names(outside).empty());
  expect_events({}, kDoc);
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, MoreSavePatternStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

// The stories the harness once told only by calling the engine directly (SavePatterns.S4_Reparsed...,
// S4_OverwriteAfterARefusedCheck..., S4_ARescueFileLeftByACrash..., CountersFollowTheEvents).

// An overwrite that meets a reparse point (N4): STATUS_REPARSE opens nothing, so the rescue made
// in pre-create is discarded, nothing is tracked, the file and its backups stay as they were and
// nothing is reported (the reissued create on the substituted name is a save of its own).
TEST_P(MoreSavePatternStory, S4_ReparsedOverwriteLeavesTheFileAndItsBackups) {
  start();
  int i = 0;
  // IO_REPARSE_TAG_SYMLINK, IO_REPARSE_TAG_MOUNT_POINT (ntifs.h)
  for (uint32_t tag : {0xA000000Cu, 0xA0000003u}) {
    SCOPED_TRACE(tag);
    const Name doc = numbered(u"link", i++);
    volume().put(doc, "content");
    seed_backup(doc, 1, "before");
    world().reparse_next_create(tag);
    EXPECT_EQ(overwrite(doc, "new"), nt::kReparse);
    EXPECT_EQ(volume().content(doc), "content");
    expect_backup(doc, 1, "before", Trigger::kWrite);
    EXPECT_EQ(slots(doc), std::vector<uint32_t>{1});
  }
  EXPECT_EQ(volume().file_names().size(), 2u) << "a rescue file was left behind";
  expect_events({}, kDoc);
  world().finish();
}

// The filter's access check for the requestor refused, yet the create overwrote the file (the
// DACL changed between the two, or a privilege the check cannot see): not silent, a FAILED event
// with the refusal's status; the save itself goes through.
TEST_P(MoreSavePatternStory, S4_OverwriteAfterARefusedCheckIsReportedAsFailed) {
  start();
  volume().put(kDoc, "old");
  volume().deny_requestor_for_checks(kDoc, access::kWriteData, 1);
  ASSERT_EQ(overwrite(kDoc, "new"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "new");
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{});
  EXPECT_EQ(volume().files_ever_created(), std::vector<Name>{}) << "a rescue was made for a refused requestor";
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kAccessDenied, 3)}, kDoc);
  world().finish();
}

// A rescue file left by a crash under the name the next rescue would take is not ours to
// delete, and does not stop the rescue: it takes another name. The rescue ids are sequential,
// so a first overwrite shows the next one's name.
TEST_P(MoreSavePatternStory, S4_ARescueFileLeftByACrashDoesNotBlockTheNextRescue) {
  start();
  const Name first = numbered(u"first", 0);
  volume().put(first, "first");
  ASSERT_EQ(overwrite(first, "FIRST"), nt::kSuccess);
  const std::vector<Name> created = volume().files_ever_created();
  ASSERT_EQ(created.size(), 1u) << "the first overwrite's rescue";
  const Name& rescue = created[0];
  ASSERT_GT(rescue.size(), 8u);
  uint32_t first_id = 0;  // the name ends in the id's 8 hex digits (common/engine/rescue.h)
  for (char16_t c : rescue.substr(rescue.size() - 8))
    first_id = first_id << 4 | static_cast<uint32_t>(c <= u'9' ? c - u'0' : c - u'a' + 10);
  char16_t units[512];
  uint32_t len = 0;
  ASSERT_EQ(fb::build_rescue_name(fbmodel::view(kDoc), first_id + 1, units, 512, &len), nt::kSuccess);
  const Name leftover(units, len);
  volume().put(leftover, "crash leftover");

  volume().put(kDoc, "old");
  ASSERT_EQ(overwrite(kDoc, "new"), nt::kSuccess);
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(volume().content(leftover), "crash leftover");
  EXPECT_EQ(volume().file_names().size(), 3u) << "first, the document and the leftover: no rescue file of ours";
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 5, first), backed_up(Trigger::kOverwriteOnOpen, 3)}, kDoc);
  world().finish();
}

// The statistics `fbmon stats` shows follow the events: backups, bytes, skips by reason,
// failures by reason, and the tracked files, which stay while the cache keeps the streams (N12)
// and go when it lets go of them.
TEST_P(MoreSavePatternStory, CountersFollowTheEvents) {
  fb::EngineConfig config;
  config.max_file_size = 4;
  start(config);
  volume().put(kDoc, "abc");
  volume().put(kTemp, "too large");
  world().cache_streams();
  ASSERT_EQ(edit(kDoc, 0, "A"), nt::kSuccess);
  ASSERT_EQ(edit(kTemp, 0, "T"), nt::kSuccess);
  fb::Statistics stats;
  ASSERT_TRUE(world().statistics(&stats));
  EXPECT_EQ(stats.backups, 1u);
  EXPECT_EQ(stats.bytes_copied, 3u);
  EXPECT_EQ(stats.skips[static_cast<int>(SkipReason::kTooLarge)], 1u);
  EXPECT_EQ(stats.tracked_files, 2u) << "N12: both streams keep their contexts after the last close";
  world().purge_streams();
  ASSERT_TRUE(world().statistics(&stats));
  EXPECT_EQ(stats.tracked_files, 0u) << "both contexts released with their streams";

  volume().fail_reads_at(kDoc, u"", 0);
  ASSERT_EQ(edit(kDoc, 0, "a"), nt::kSuccess);
  ASSERT_TRUE(world().statistics(&stats));
  EXPECT_EQ(stats.backups, 1u);
  EXPECT_EQ(stats.bytes_copied, 3u);
  EXPECT_EQ(stats.skips[static_cast<int>(SkipReason::kTooLarge)], 1u);
  EXPECT_EQ(stats.failures[static_cast<int>(fb::FailureReason::kReadError)], 1u);
  expect_events({backed_up(Trigger::kWrite, 3), skipped(Trigger::kWrite, SkipReason::kTooLarge, 9, kTemp),
                 failed(Trigger::kWrite, nt::kDeviceDataError, 3)},
                kDoc);
  world().finish();
}

// fbmon writes the stream an editor holds open: the stream's context sees a write whose
// requestor is our own client. It must neither back up nor end the editor's session.
TEST_P(MoreSavePatternStory, OwnClientWriteToATrackedStreamDecidesNothing) {
  start();
  volume().put(kDoc, "version 1");
  AppFile* editor = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &editor), nt::kSuccess);
  world().set_own_client(true);
  ASSERT_EQ(world().write(editor, 0, "restored!"), nt::kSuccess);
  world().set_own_client(false);
  ASSERT_EQ(world().write(editor, 0, "VERSION 2"), nt::kSuccess);
  world().close(editor);
  expect_backup(kDoc, 1, "restored!", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

// A temp file open for writing is renamed over the document, then written through the same
// handle: one backup per session, the adoption included, so with MaxVersions 1 the document's
// previous version stays (review finding: the write backed up the renamed file again).
TEST_P(MoreSavePatternStory, S5_WritesAfterARenameOverThroughTheSameHandleKeepTheReplacedContent) {
  start();
  volume().put(kDoc, "old document");
  volume().put(kTemp, "new content");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, kReadWrite | access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_TRUE(world().tracked(tmp));
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  ASSERT_EQ(world().write(tmp, 0, "NEW"), nt::kSuccess);
  ASSERT_EQ(world().set_end_of_file(tmp, 11), nt::kSuccess);
  world().close(tmp);

  EXPECT_EQ(volume().content(kDoc), "NEW content");
  expect_backup(kDoc, 1, "old document", Trigger::kRenameOver);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_events({backed_up(Trigger::kRenameOver, 12)}, kDoc);

  world().clear_events();
  ASSERT_EQ(edit(kDoc, 0, "next"), nt::kSuccess);  // the next session backs up again
  expect_backup(kDoc, 1, "NEW content", Trigger::kWrite);
  world().finish();
}

TEST_P(MoreSavePatternStory, S5_TempWrittenThenRenamedOverKeepsTheReplacedContent) {
  start();
  volume().put(kDoc, "old document");
  volume().put(kTemp, "stale temp");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, kReadWrite | access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(world().write(tmp, 0, "new content"), nt::kSuccess);  // the session backs up the temp
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);      // its history is replaced
  ASSERT_EQ(world().write(tmp, 0, "NEW"), nt::kSuccess);
  world().close(tmp);

  EXPECT_EQ(volume().content(kDoc), "NEW content");
  expect_backup(kDoc, 1, "old document", Trigger::kRenameOver);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_events({backed_up(Trigger::kWrite, 10, kTemp), backed_up(Trigger::kRenameOver, 12)}, kDoc);
  world().finish();
}

}  // namespace
}  // namespace ksim::stories
