// SavePatterns: each way applications save (docs/save-patterns.md, S1-S8) and each
// data-loss story of the textbook driver, played through the engine on the NTFS model. Every
// test asserts the file's content, its backups (data and metadata) and the events afterwards.
#include "common/engine/rescue.h"
#include "common/engine/vault_record.h"
#include "tests/scenario/scenario_support.h"
#include "tests/support/fake_vault.h"

namespace fbscenario {
namespace {

using fb::CreateDisposition;
using fb::Outcome;
using fb::SkipReason;
using fb::Trigger;
using fbmodel::AppHandle;
namespace access = fb::access;
namespace nt = fb::nt;

constexpr uint32_t kReadWrite = access::kReadData | access::kWriteData;

using SavePatterns = ScenarioTest;

TEST_F(SavePatterns, S1_InPlaceWriteBacksUpBeforeTheFirstWrite) {
  volume->put(kDoc, "version 1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "VERSION 2"), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 9, "!"), nt::kSuccess);  // later writes of the session: no backup
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "VERSION 2!");
  expect_backup(kDoc, 1, "version 1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({backed_up(Trigger::kWrite, 9)});
}

// fbmon's restore saves the current content itself before it writes (docs/usage.md): the
// driver hands the engine the fact that the requestor is connected to its port, and the engine
// leaves that I/O alone.
TEST_F(SavePatterns, OwnClientRestoreIsNotBackedUp) {
  volume->put(kDoc, "version 1");
  harness->set_own_client(true);
  AppHandle* restore = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &restore), nt::kSuccess);
  EXPECT_FALSE(restore->tracked);
  ASSERT_EQ(harness->write(restore, 0, "restored!"), nt::kSuccess);
  harness->close(restore);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{});
  expect_events({});

  harness->set_own_client(false);  // the next editor's session is backed up as usual
  AppHandle* editor = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &editor), nt::kSuccess);
  ASSERT_EQ(harness->write(editor, 0, "VERSION 2"), nt::kSuccess);
  harness->close(editor);
  expect_backup(kDoc, 1, "restored!", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)});
}

TEST_F(SavePatterns, S2_AppendBacksUpBeforeTheFirstAppend) {
  volume->put(kDoc, "line 1\n");
  AppHandle* h = nullptr;  // `>>`: FILE_APPEND_DATA only
  ASSERT_EQ(harness->open(kDoc, access::kAppendData, CreateDisposition::kOpenIf, &h), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "line 2\n"), nt::kSuccess);
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "line 1\nline 2\n");
  expect_backup(kDoc, 1, "line 1\n", Trigger::kAppend);
  expect_events({backed_up(Trigger::kAppend, 7)});
}

TEST_F(SavePatterns, S2_AppendOnlyHandleIsTrackedBesideAReader) {
  // Textbook bug 3: FILE_APPEND_DATA without FILE_WRITE_DATA was not tracked at all.
  volume->put(kDoc, "log start\n");
  AppHandle* reader = nullptr;
  AppHandle* appender = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kReadData, CreateDisposition::kOpen, &reader), nt::kSuccess);
  ASSERT_EQ(harness->open(kDoc, access::kAppendData, CreateDisposition::kOpen, &appender), nt::kSuccess);
  EXPECT_FALSE(reader->tracked);
  EXPECT_TRUE(appender->tracked);
  EXPECT_TRUE(appender->hs.append_only);
  ASSERT_EQ(harness->write(appender, 0, "a\n"), nt::kSuccess);
  ASSERT_EQ(harness->write(appender, 0, "b\n"), nt::kSuccess);
  harness->close(appender);
  harness->close(reader);

  EXPECT_EQ(volume->content(kDoc), "log start\na\nb\n");
  expect_backup(kDoc, 1, "log start\n", Trigger::kAppend);
  expect_events({backed_up(Trigger::kAppend, 10)});
}

TEST_F(SavePatterns, S3_TruncateThenWriteBacksUpBeforeTheTruncation) {
  volume->put(kDoc, "old text that is long");
  seed_backup(kDoc, 1, "older");
  AppHandle* h = nullptr;  // VS Code: open r+, truncate, write
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->set_end_of_file(h, 0), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "new"), nt::kSuccess);
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "new");
  expect_backup(kDoc, 1, "old text that is long", Trigger::kTruncate);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});  // MaxVersions 1: "older" made room
  expect_events({backed_up(Trigger::kTruncate, 21)});
}

TEST_F(SavePatterns, S3_AllocationShrinkIsATruncationButGrowthIsNot) {
  volume->put(kDoc, "0123456789");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->set_allocation(h, 4096), nt::kSuccess);  // preallocation: not a modification
  EXPECT_TRUE(harness->events().empty());
  EXPECT_FALSE(volume->exists(kDoc, slot_stream(1)));
  ASSERT_EQ(harness->set_allocation(h, 4), nt::kSuccess);  // shrink under the end of file
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "0123");
  expect_backup(kDoc, 1, "0123456789", Trigger::kTruncate);
  expect_events({backed_up(Trigger::kTruncate, 10)});
}

TEST_F(SavePatterns, S3_TruncateExistingKeepsEarlierBackups) {
  // Win32 TRUNCATE_EXISTING = open + set end of file 0 (N2): the streams survive, the engine
  // backs up at the set-end-of-file.
  start([] { fb::EngineConfig c; c.max_versions = 2; return c; }());
  volume->put(kDoc, "current");
  seed_backup(kDoc, 1, "previous");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kWriteData, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->set_end_of_file(h, 0), nt::kSuccess);
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "");
  expect_backup(kDoc, 1, "current", Trigger::kTruncate);
  expect_backup(kDoc, 2, "previous", Trigger::kWrite);
  expect_events({backed_up(Trigger::kTruncate, 7)});
}

TEST_F(SavePatterns, S4_OverwriteOnOpenKeepsOldContent) {
  // Textbook bug 1: CREATE_ALWAYS / fopen("w") wiped the file and its :backup before post-create.
  volume->put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  ASSERT_EQ(harness->overwrite(kDoc, "version 2"), nt::kSuccess);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});  // MaxVersions 1
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(volume->file_names(), std::vector<Name>{fbmodel::fold(kDoc)});  // no rescue file left
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9)});
}

TEST_F(SavePatterns, S4_OverwriteCarriesEarlierVersionsOver) {
  start([] { fb::EngineConfig c; c.max_versions = 3; return c; }());
  volume->put(kDoc, "version 3");
  seed_backup(kDoc, 1, "version 2");
  seed_backup(kDoc, 2, "version 1");
  seed_backup(kDoc, 3, "version 0");
  ASSERT_EQ(harness->overwrite(kDoc, "version 4"), nt::kSuccess);

  EXPECT_EQ(volume->content(kDoc), "version 4");
  expect_backup(kDoc, 1, "version 3", Trigger::kOverwriteOnOpen);
  expect_backup(kDoc, 2, "version 2", Trigger::kWrite);
  expect_backup(kDoc, 3, "version 1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(volume->file_names().size(), 1u);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9)});
}

TEST_F(SavePatterns, S4_EveryOverwritingDispositionIsCaptured) {
  for (CreateDisposition d : {CreateDisposition::kOverwrite, CreateDisposition::kOverwriteIf, CreateDisposition::kSupersede}) {
    SCOPED_TRACE(static_cast<int>(d));
    start();
    volume->put(kDoc, "old");
    ASSERT_EQ(harness->overwrite(kDoc, "new", d), nt::kSuccess);
    EXPECT_EQ(volume->content(kDoc), "new");
    expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
    EXPECT_EQ(volume->file_names().size(), 1u);
    expect_events({backed_up(Trigger::kOverwriteOnOpen, 3)});
  }
}

TEST_F(SavePatterns, S4_OverwriteThatCreatesANewFileDoesNothing) {
  ASSERT_EQ(harness->overwrite(kDoc, "fresh"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "fresh");
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_EQ(volume->file_names().size(), 1u);
  expect_events({});
}

TEST_F(SavePatterns, S4_FailedOverwriteDiscardsTheRescueAndReportsNothing) {
  volume->put(kDoc, "content");
  seed_backup(kDoc, 1, "before");
  AppHandle* exclusive = nullptr;  // another program holds the file without sharing
  ASSERT_EQ(harness->open(kDoc, access::kReadData, CreateDisposition::kOpen, &exclusive, 0), nt::kSuccess);
  EXPECT_EQ(harness->overwrite(kDoc, "lost?"), nt::kSharingViolation);
  harness->close(exclusive);

  EXPECT_EQ(volume->content(kDoc), "content");
  expect_backup(kDoc, 1, "before", Trigger::kWrite);
  EXPECT_EQ(volume->file_names().size(), 1u);
  expect_events({});
}

// The rescue copy happens before the create meets its access check. A requestor the file's DACL
// refuses must not get the content copied anywhere, even for a moment: the rescue file next to
// the file would be readable by whoever may read the folder.
TEST_F(SavePatterns, S4_OverwriteTheRequestorMayNotMakeCopiesNothing) {
  struct Case {
    CreateDisposition disposition;
    uint32_t denied;  // what the DACL refuses
  };
  const Case cases[] = {
      {CreateDisposition::kOverwriteIf, access::kWriteData},
      {CreateDisposition::kOverwrite, access::kWriteData},
      {CreateDisposition::kSupersede, access::kWriteData},
      {CreateDisposition::kSupersede, access::kDelete},  // supersede needs DELETE even unasked
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.disposition));
    start();
    volume->put(kDoc, "secret");
    seed_backup(kDoc, 1, "older secret");
    volume->deny_requestor(kDoc, c.denied);
    EXPECT_EQ(harness->overwrite(kDoc, "replaced", c.disposition), nt::kAccessDenied);

    EXPECT_EQ(volume->files_ever_created(), std::vector<Name>{}) << "a rescue file existed for a moment";
    EXPECT_EQ(volume->content(kDoc), "secret");
    expect_backup(kDoc, 1, "older secret", Trigger::kWrite);
    EXPECT_EQ(harness->fs().open_count(), 0);
    expect_events({});
  }
}

// Should the create succeed although the check refused (the two disagree), the overwrite is not
// silent: a failed backup is reported, with the refusal's status.
TEST_F(SavePatterns, S4_OverwriteAfterARefusedCheckIsReportedAsFailed) {
  volume->put(kDoc, "old");
  volume->deny_requestor(kDoc, access::kWriteData);
  fb::CreateOp op;
  op.target = harness->target();
  op.desired_access = access::kWriteData;
  op.disposition = CreateDisposition::kOverwriteIf;
  op.process_id = 4242;
  fb::CreateTicket ticket;
  const fb::PreCreateDecision pre = harness->engine().pre_create(op, fbmodel::view(kDoc), harness->rules(), &ticket);
  ASSERT_EQ(pre.action, fb::PreCreateAction::kWithCallback);
  EXPECT_FALSE(ticket.rescue_active);
  EXPECT_EQ(ticket.failure, nt::kAccessDenied);
  EXPECT_EQ(volume->files_ever_created(), std::vector<Name>{});

  fb::CreateResult result;  // the create overwrote the file after all
  result.information = fb::create_info::kOverwritten;
  ASSERT_EQ(harness->engine().post_create(op, result, fbmodel::view(kDoc), &ticket), fb::PostCreateAction::kTrack);
  harness->engine().attach_writer(nullptr, nullptr, op, fbmodel::view(kDoc), &ticket);
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kAccessDenied, 3)});
}

// FILE_OPEN_FOR_BACKUP_INTENT reaches the check: a requestor whose restore privilege overrides
// the DACL (robocopy /B) is checked as the create will be, and its overwrite is backed up.
TEST_F(SavePatterns, S4_OverwriteWithBackupIntentIsCheckedWithItsPrivilege) {
  volume->put(kDoc, "old");
  volume->deny_requestor(kDoc, access::kWriteData);
  volume->grant_restore_privilege();
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0, Name(),
                          fb::create_option::kOpenForBackupIntent),
            nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "new"), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 3)});
}

// Only the rights the create needs are asked about: a user refused reading may still overwrite
// (write-only access), and the old content is kept as for anyone else.
TEST_F(SavePatterns, S4_OverwriteByAWriteOnlyRequestorIsBackedUp) {
  volume->put(kDoc, "old");
  volume->deny_requestor(kDoc, access::kReadData);
  ASSERT_EQ(harness->overwrite(kDoc, "new"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kOverwriteOnOpen);
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 3)});
}

// An access check that cannot answer (here its open refused by something else, as an oplock
// held by another filter would) leaves the rescue undone: a failure is reported, the save
// proceeds. The check is the third open of the rescue: the file (its size), `:backup` (to
// carry), then the check.
TEST_F(SavePatterns, S4_AccessCheckThatCannotAnswerFailsAndTheSaveProceeds) {
  volume->put(kDoc, "old");
  volume->fail_nth_open(3);
  ASSERT_EQ(harness->overwrite(kDoc, "new"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "new");
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_EQ(volume->files_ever_created(), std::vector<Name>{});
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kSharingViolation, 3)});  // the size was read
}

// The EA and attribute rights a file system also demands of an overwrite (without the restore
// privilege, which pre-create cannot see) are not asked: a requestor refused only those gets a
// rescue, unreadable behind its own DACL, that its failed create discards. Nothing is left,
// nothing reported.
TEST_F(SavePatterns, S4_RequestorRefusedOnlyAttributesLeavesNothing) {
  for (uint32_t denied : {access::kWriteAttributes, access::kWriteEa}) {
    SCOPED_TRACE(denied);
    start();
    volume->put(kDoc, "old");
    seed_backup(kDoc, 1, "older");
    volume->deny_requestor(kDoc, denied);
    EXPECT_EQ(harness->overwrite(kDoc, "new"), nt::kAccessDenied);
    EXPECT_EQ(volume->content(kDoc), "old");
    expect_backup(kDoc, 1, "older", Trigger::kWrite);
    EXPECT_EQ(volume->file_names(), std::vector<Name>{fbmodel::fold(kDoc)});  // the rescue file is gone
    EXPECT_EQ(volume->files_ever_created().size(), 1u);                       // it existed
    expect_events({});
  }
}

// An overwrite whose create is reparsed (a symbolic link, a mount point): STATUS_REPARSE passes
// NT_SUCCESS and Information holds IO_REPARSE (0) or a tag - not create_info::kSuperseded. The
// reissued create decides for itself: the rescue is discarded, nothing restored, nothing tracked.
TEST_F(SavePatterns, S4_ReparsedOverwriteDiscardsTheRescueAndTracksNothing) {
  constexpr fb::NtStatus kReparse = 0x00000104;
  for (uint64_t information : {uint64_t{0}, uint64_t{0xA000000C}}) {
    SCOPED_TRACE(information);
    start();
    volume->put(kDoc, "content");
    seed_backup(kDoc, 1, "before");
    fb::CreateOp op;
    op.target = harness->target();
    op.desired_access = access::kWriteData;
    op.disposition = CreateDisposition::kOverwriteIf;
    op.process_id = 4242;
    fb::CreateTicket ticket;
    const fb::PreCreateDecision pre = harness->engine().pre_create(op, fbmodel::view(kDoc), harness->rules(), &ticket);
    ASSERT_EQ(pre.action, fb::PreCreateAction::kWithCallback);
    ASSERT_TRUE(ticket.rescue_active);

    fb::CreateResult result;
    result.status = kReparse;
    result.information = information;
    result.reparsed = true;
    EXPECT_EQ(harness->engine().post_create(op, result, fbmodel::view(kDoc), &ticket), fb::PostCreateAction::kNone);
    EXPECT_FALSE(ticket.rescue_active);
    EXPECT_EQ(volume->content(kDoc), "content");
    expect_backup(kDoc, 1, "before", Trigger::kWrite);
    EXPECT_EQ(volume->file_names(), std::vector<Name>{fbmodel::fold(kDoc)});  // no rescue file left
    expect_events({});
  }
}

TEST_F(SavePatterns, S4_OverwriteDuringASessionKeepsTheSessionsBackup) {
  volume->put(kDoc, "session start");
  AppHandle* editor = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &editor), nt::kSuccess);
  ASSERT_EQ(harness->write(editor, 0, "SESSION"), nt::kSuccess);  // backup of "session start"
  AppHandle* writer = nullptr;  // same session (the editor shares): N1 must not take :backup
  ASSERT_EQ(harness->open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &writer), nt::kSuccess);
  ASSERT_EQ(harness->write(writer, 0, "replaced"), nt::kSuccess);
  harness->close(writer);
  harness->close(editor);

  EXPECT_EQ(volume->content(kDoc), "replaced");
  expect_backup(kDoc, 1, "session start", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  EXPECT_EQ(volume->file_names().size(), 1u);
  expect_events({backed_up(Trigger::kWrite, 13)});
}

TEST_F(SavePatterns, S4_NameTooLongForTheRescueFailsAndTheSaveProceeds) {
  const Name long_name = kDocs + Name(250, u'n') + u".txt";
  volume->put(long_name, "old");
  ASSERT_EQ(harness->overwrite(long_name, "new"), nt::kSuccess);
  EXPECT_EQ(volume->content(long_name), "new");
  EXPECT_TRUE(slots(long_name).empty());
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kNameTooLong, 3)}, long_name);
}

TEST_F(SavePatterns, S4_DiskFullDuringTheRescueFailsAndTheSaveProceeds) {
  volume->put(kDoc, std::string(20000, 'o'));
  seed_backup(kDoc, 1, "earlier");
  volume->fail_writes_after(10000);
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0), nt::kSuccess);
  volume->clear_faults();
  ASSERT_EQ(harness->write(h, 0, "new"), nt::kSuccess);
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "new");
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);  // carried over even though the content failed
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(volume->file_names().size(), 1u);  // the rescue file is gone
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kDiskFull, 20000)});
}

TEST_F(SavePatterns, S5_DiskFullDuringTheAdoptionFailsAndTheRenameProceeds) {
  volume->put(kDoc, std::string(20000, 'o'));
  seed_backup(kDoc, 1, "earlier");
  volume->put(kTemp, "version 2");
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  volume->fail_writes_after(10000);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);
  volume->clear_faults();
  harness->close(tmp);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});  // the older version still came along
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  // The replaced content the adoption could not copy lives on in the vault: the target was
  // linked there before the adoption (the safety copy, common/engine/vault.h).
  expect_events({failed(Trigger::kRenameOver, nt::kDiskFull, 20000),
                 {Trigger::kRenameOver, Outcome::kKeptInVault, fb::SkipReason::kNone, nt::kSuccess, 20000, Name()}});
  ASSERT_EQ(vault_files().size(), 1u);
  EXPECT_EQ(volume->content(vault_files()[0]), std::string(20000, 'o'));
  expect_backup(vault_files()[0], 1, "earlier", Trigger::kWrite);
}

// The safety copy is released once the adoption carried everything: the vault keeps nothing
// and no event besides the backup's.
TEST_F(SavePatterns, S5_ACompleteAdoptionReleasesTheSafetyCopy) {
  start([] { fb::EngineConfig c; c.max_versions = 2; return c; }());
  volume->put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  volume->put(kTemp, "version 2");
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);
  harness->close(tmp);
  EXPECT_EQ(volume->content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_backup(kDoc, 2, "version 0", Trigger::kWrite);
  expect_events({backed_up(Trigger::kRenameOver, 9)});
  EXPECT_TRUE(vault_files().empty());
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kDeparted), 0u);
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kKept), 0u);
}

TEST_F(SavePatterns, S5_RenameOverGivesTheReplacedContentToTheNewFile) {
  start([] { fb::EngineConfig c; c.max_versions = 2; return c; }());
  volume->put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  // Word: write a temp file, then rename it over the original.
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, kReadWrite | access::kDelete, CreateDisposition::kCreate, &tmp), nt::kSuccess);
  EXPECT_FALSE(tmp->tracked);  // a new file: nothing to back up
  ASSERT_EQ(harness->write(tmp, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);
  harness->close(tmp);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_backup(kDoc, 2, "version 0", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(volume->exists(kTemp));
  expect_events({backed_up(Trigger::kRenameOver, 9)});
}

TEST_F(SavePatterns, S5_RenameOverWithOneVersionKeepsTheReplacedContentOnly) {
  volume->put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  volume->put(kTemp, "version 2");
  seed_backup(kTemp, 1, "stale history of the temp name");
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);
  harness->close(tmp);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  expect_events({backed_up(Trigger::kRenameOver, 9)});
}

TEST_F(SavePatterns, S5_RenameWithoutReplaceOrOntoNothingIsNotABackup) {
  volume->put(kTemp, "draft");
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);  // no file of that name yet
  harness->close(tmp);
  EXPECT_EQ(volume->content(kDoc), "draft");
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({});
}

TEST_F(SavePatterns, S7_ReplaceFileKeepsTheBackupsRight) {
  // Visual Studio's File.Replace: ReplaceFile copies the replaced file's named streams the
  // replacement lacks (N7), then the replacement takes the name with ReplaceIfExists.
  start([] { fb::EngineConfig c; c.max_versions = 2; return c; }());
  volume->put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  volume->put(kDoc, "zone 3", u"Zone.Identifier");
  AppHandle* tmp = nullptr;
  ASSERT_EQ(harness->open(kTemp, kReadWrite, CreateDisposition::kCreate, &tmp), nt::kSuccess);
  ASSERT_EQ(harness->write(tmp, 0, "version 2"), nt::kSuccess);
  harness->close(tmp);
  for (const Name& stream : volume->stream_names(kDoc)) {  // through the filter: our streams are ignored
    AppHandle* copy = nullptr;
    ASSERT_EQ(harness->open(kTemp, access::kWriteData, CreateDisposition::kOverwriteIf, &copy, 0, stream), nt::kSuccess);
    EXPECT_FALSE(copy->tracked);
    ASSERT_EQ(harness->write(copy, 0, volume->content(kDoc, stream)), nt::kSuccess);
    harness->close(copy);
  }
  ASSERT_EQ(harness->open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(harness->rename(tmp, kDoc, true), nt::kSuccess);
  harness->close(tmp);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_backup(kDoc, 2, "version 0", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(volume->content(kDoc, u"Zone.Identifier"), "zone 3");
  EXPECT_FALSE(volume->exists(kTemp));
  expect_events({backed_up(Trigger::kRenameOver, 9)});
}

TEST_F(SavePatterns, S8_WritableSectionBacksUpAtSectionCreation) {
  volume->put(kDoc, "mapped v1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  harness->map_writable(h);
  expect_backup(kDoc, 1, "mapped v1", Trigger::kMappedSection);  // before any page is dirtied
  ASSERT_EQ(harness->paging_write(h, 0, "MAPPED"), nt::kSuccess);  // the modified page writer
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "MAPPED v1");
  expect_backup(kDoc, 1, "mapped v1", Trigger::kMappedSection);
  expect_events({backed_up(Trigger::kMappedSection, 9)});
}

TEST_F(SavePatterns, S8_PagingWritesNeverBackUp) {
  volume->put(kDoc, "mapped v1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  harness->map_writable(h, fb::page::kWriteCopy);  // private copy: never reaches the file
  EXPECT_TRUE(harness->events().empty());
  ASSERT_EQ(harness->paging_write(h, 0, "MAPPED"), nt::kSuccess);  // the modified page writer
  EXPECT_TRUE(harness->events().empty());
  harness->map_writable(h, fb::page::kReadWrite);
  ASSERT_EQ(harness->paging_write(h, 6, "!!!"), nt::kSuccess);
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "MAPPED!!!");
  expect_backup(kDoc, 1, "MAPPED v1", Trigger::kMappedSection);
  expect_events({backed_up(Trigger::kMappedSection, 9)});
}

TEST_F(SavePatterns, ZeroDataFsctlIsAModification) {
  volume->put(kDoc, "abcdef");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->zero_data(h, 0, 3), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(kDoc), std::string("\0\0\0def", 6));
  expect_backup(kDoc, 1, "abcdef", Trigger::kOther);
  expect_events({backed_up(Trigger::kOther, 6)});
}

// The session's first write came where the driver could do no backup (raised IRQL, or inside a
// file system's own request): the session is decided as a skip, so the next write does not back
// up the modified content as if it were the previous version. One event, at the latest when the
// handle is cleaned up; the next session backs up as usual.
TEST_F(SavePatterns, UnobservableFirstWriteIsASkipAndLaterWritesDoNotBackUp) {
  volume->put(kDoc, "version 1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->write_unobserved(h, 0, "MODIFIED"), nt::kSuccess);
  EXPECT_TRUE(fb::Engine::session_decided(h->ctx->state));
  ASSERT_EQ(harness->write(h, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(harness->write_unobserved(h, 0, "version 2"), nt::kSuccess);  // no second event
  harness->close(h);

  EXPECT_EQ(volume->content(kDoc), "version 2");
  EXPECT_TRUE(slots(kDoc).empty()) << "modified content backed up as the previous version";
  expect_events({skipped(Trigger::kWrite, SkipReason::kNotObservable, 0)});

  harness->clear_events();
  ASSERT_EQ(harness->edit(kDoc, 0, "VERSION 3"), nt::kSuccess);  // a new session
  expect_backup(kDoc, 1, "version 2", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)});
}

// Once the session has its backup, an unobservable write changes nothing and reports nothing.
TEST_F(SavePatterns, UnobservableWriteAfterTheBackupReportsNothing) {
  volume->put(kDoc, "version 1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(harness->write_unobserved(h, 0, "version 3"), nt::kSuccess);
  harness->close(h);
  expect_backup(kDoc, 1, "version 1", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9)});
}

TEST_F(SavePatterns, TwoWritersFirstClosesBeforeSecondWrites) {
  // Textbook bug 5: the shared context died with the first handle's cleanup.
  volume->put(kDoc, "original");
  AppHandle* first = nullptr;
  AppHandle* second = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &first), nt::kSuccess);
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &second), nt::kSuccess);
  harness->close(first);
  ASSERT_EQ(harness->write(second, 0, "EDITED  "), nt::kSuccess);
  harness->close(second);
  EXPECT_EQ(volume->content(kDoc), "EDITED  ");
  expect_backup(kDoc, 1, "original", Trigger::kWrite);

  ASSERT_EQ(harness->edit(kDoc, 0, "AGAIN"), nt::kSuccess);  // a new session: a new backup
  EXPECT_EQ(volume->content(kDoc), "AGAIND  ");
  expect_backup(kDoc, 1, "EDITED  ", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 8), backed_up(Trigger::kWrite, 8)});
  EXPECT_EQ(harness->live_contexts(), 1u);  // N12: the stream keeps its context after the last close
  harness->tear_down_streams();
  EXPECT_EQ(harness->live_contexts(), 0u);
}

TEST_F(SavePatterns, NamedStreamWriteOfAProtectedFileMakesNoBackup) {
  volume->put(kDoc, "content");
  for (const Name& stream : {Name(u"notes"), Name(u"backup"), Name(u"BACKUP.2.meta")}) {
    AppHandle* h = nullptr;
    ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpenIf, &h, fb::share::kAll, stream), nt::kSuccess);
    EXPECT_FALSE(h->tracked);
    ASSERT_EQ(harness->write(h, 0, "stream data"), nt::kSuccess);
    harness->close(h);
  }
  EXPECT_EQ(volume->content(kDoc), "content");
  EXPECT_EQ(volume->content(kDoc, u"notes"), "stream data");
  expect_events({});
}

TEST_F(SavePatterns, FileRenamedIntoAProtectedFolderThenEdited) {
  const Name outside = kDownloads + u"report.docx";
  volume->put(outside, "downloaded");
  ASSERT_EQ(harness->edit(outside, 0, "DOWN"), nt::kSuccess);  // not protected there
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(outside, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->rename(h, kDoc, false), nt::kSuccess);
  harness->close(h);
  EXPECT_TRUE(harness->events().empty());

  ASSERT_EQ(harness->edit(kDoc, 0, "EDIT"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "EDITloaded");
  expect_backup(kDoc, 1, "DOWNloaded", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 10)});
}

// Review finding: the stream context kept the name the file was opened under, so after a rename
// the next session backed up whatever file had taken the old name.
// A rename of a tracked file that the driver could not follow (raised IRQL, or inside a file
// system's own request): the state's name now belongs to another file, which must not be backed
// up (nor this file under the wrong name) - until a followed rename gives the state a name again.
TEST_F(SavePatterns, TrackedFileRenamedUnobservedIsNotBackedUpUnderItsOldName) {
  const Name renamed = kDocs + u"renamed.docx";
  const Name final_name = kDocs + u"final.docx";
  volume->put(kDoc, "version 1");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->rename_unobserved(h, renamed, false), nt::kSuccess);
  volume->put(kDoc, "another file");  // a new file takes the old name
  ASSERT_EQ(harness->write(h, 0, "VERSION 2"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty()) << "another file was backed up under the stale name";
  EXPECT_TRUE(slots(renamed).empty());
  expect_events({});

  ASSERT_EQ(harness->rename(h, final_name, false), nt::kSuccess);  // followed: the name is known
  const auto context = harness->hold_context(h);  // the next session finds the same state
  harness->close(h);
  ASSERT_EQ(harness->edit(final_name, 0, "version 3"), nt::kSuccess);
  expect_backup(final_name, 1, "VERSION 2", Trigger::kWrite);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({backed_up(Trigger::kWrite, 9, final_name)});
}

TEST_F(SavePatterns, TrackedFileRenamedWithinDocumentsIsBackedUpUnderItsNewName) {
  const Name renamed = kDocs + u"final.docx";
  volume->put(kDoc, "draft");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "DRAFT"), nt::kSuccess);
  ASSERT_EQ(harness->rename(h, renamed, false), nt::kSuccess);
  const auto cache = harness->hold_context(h);  // the stream context outlives the handle
  harness->close(h);
  volume->put(kDoc, "another file");  // someone else takes the old name
  harness->clear_events();

  ASSERT_EQ(harness->edit(renamed, 0, "FINAL"), nt::kSuccess);  // a new session, same context
  EXPECT_EQ(volume->content(renamed), "FINAL");
  expect_backup(renamed, 1, "DRAFT", Trigger::kWrite);
  EXPECT_TRUE(slots(kDoc).empty());  // the file now at the old name is left alone
  EXPECT_EQ(volume->content(kDoc), "another file");
  expect_events({backed_up(Trigger::kWrite, 5, renamed)});
}

TEST_F(SavePatterns, TrackedFileRenamedOutOfDocumentsIsNoLongerBackedUp) {
  const Name outside = kDownloads + u"report.docx";
  volume->put(kDoc, "draft");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->rename(h, outside, false), nt::kSuccess);  // before the session's first write
  ASSERT_EQ(harness->write(h, 0, "EDIT"), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(outside), "EDITt");
  EXPECT_TRUE(slots(outside).empty());
  EXPECT_FALSE(has_temp(outside));
  EXPECT_TRUE(harness->events().empty());
}

TEST_F(SavePatterns, TrackedFileRenamedBackIntoDocumentsIsBackedUpFromItsNextSession) {
  const Name outside = kDownloads + u"report.docx";
  volume->put(kDoc, "draft");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite | access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(harness->rename(h, outside, false), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "E"), nt::kSuccess);  // outside: this session decides nothing
  ASSERT_EQ(harness->rename(h, kDoc, false), nt::kSuccess);
  ASSERT_EQ(harness->write(h, 1, "D"), nt::kSuccess);  // same session: still nothing
  const auto cache = harness->hold_context(h);
  harness->close(h);
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_TRUE(harness->events().empty());

  ASSERT_EQ(harness->edit(kDoc, 0, "N"), nt::kSuccess);  // the next session is protected again
  EXPECT_EQ(volume->content(kDoc), "NDaft");
  expect_backup(kDoc, 1, "EDaft", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 5)});
}

// FILE_OPEN_BY_FILE_ID: no name in pre-create; the engine asks for the opened file's name in
// post-create and tracks the writer from there.
TEST_F(SavePatterns, OpenByFileIdWriterIsBackedUp) {
  volume->put(kDoc, "by id");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                          fb::create_option::kOpenByFileId),
            nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "BY"), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(kDoc), "BY id");
  expect_backup(kDoc, 1, "by id", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 5)});
}

// An overwrite by id cannot be rescued (the content is gone before its name is known): it is
// not backed up and nothing is reported (docs/engine.md, Known limits).
TEST_F(SavePatterns, OverwriteByFileIdIsNotBackedUp) {
  volume->put(kDoc, "old");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0, Name(),
                          fb::create_option::kOpenByFileId),
            nt::kSuccess);
  ASSERT_EQ(harness->write(h, 0, "new"), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(kDoc), "new");
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_TRUE(harness->events().empty());
}

TEST_F(SavePatterns, EmptyFileHasNothingToBackUp) {
  volume->put(kDoc, "");
  ASSERT_EQ(harness->edit(kDoc, 0, "first words"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "first words");
  EXPECT_TRUE(slots(kDoc).empty());
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({skipped(Trigger::kWrite, SkipReason::kEmptyFile, 0)});
}

TEST_F(SavePatterns, FileOverMaxFileSizeIsSkipped) {
  start([] { fb::EngineConfig c; c.max_file_size = 16; return c; }());
  volume->put(kDoc, "seventeen bytes!!");
  seed_backup(kDoc, 1, "older");
  ASSERT_EQ(harness->edit(kDoc, 0, "S"), nt::kSuccess);
  EXPECT_EQ(volume->content(kDoc), "Seventeen bytes!!");
  expect_backup(kDoc, 1, "older", Trigger::kWrite);  // untouched
  expect_events({skipped(Trigger::kWrite, SkipReason::kTooLarge, 17)});
}

TEST_F(SavePatterns, LowFreeSpaceIsASkip) {
  start([] { fb::EngineConfig c; c.min_free_space = 100; return c; }(), 120);
  volume->put(kDoc, "twenty bytes of text");
  ASSERT_EQ(harness->edit(kDoc, 0, "T"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({skipped(Trigger::kWrite, SkipReason::kLowDiskSpace, 20)});
}

TEST_F(SavePatterns, DisabledEngineReportsASkipPerSession) {
  start([] { fb::EngineConfig c; c.enabled = false; return c; }());
  volume->put(kDoc, "text");
  ASSERT_EQ(harness->edit(kDoc, 0, "T"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  expect_events({skipped(Trigger::kWrite, SkipReason::kDisabled, 0)});
}

TEST_F(SavePatterns, ThreeSessionsWithMaxVersionsTwo) {
  start([] { fb::EngineConfig c; c.max_versions = 2; return c; }());
  volume->put(kDoc, "v1");
  ASSERT_EQ(harness->edit(kDoc, 0, "v2"), nt::kSuccess);
  ASSERT_EQ(harness->edit(kDoc, 0, "v3"), nt::kSuccess);
  ASSERT_EQ(harness->edit(kDoc, 0, "v4"), nt::kSuccess);

  EXPECT_EQ(volume->content(kDoc), "v4");
  expect_backup(kDoc, 1, "v3", Trigger::kWrite);
  expect_backup(kDoc, 2, "v2", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({backed_up(Trigger::kWrite, 2), backed_up(Trigger::kWrite, 2), backed_up(Trigger::kWrite, 2)});
}

TEST_F(SavePatterns, DiskFullInTheMiddleOfACopyKeepsTheEarlierBackup) {
  const std::string big(20000, 'a');
  volume->put(kDoc, big);
  seed_backup(kDoc, 1, "earlier");
  volume->fail_writes_after(10000);  // the first 8 KiB chunk fits, the second does not
  ASSERT_EQ(harness->edit(kDoc, 0, "X"), nt::kSuccess);  // the user's write proceeds

  EXPECT_EQ(volume->content(kDoc), "X" + big.substr(1));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({failed(Trigger::kWrite, nt::kDiskFull, 20000)});

  volume->clear_faults();  // the next session tries again
  ASSERT_EQ(harness->edit(kDoc, 0, "Y"), nt::kSuccess);
  expect_backup(kDoc, 1, "X" + big.substr(1), Trigger::kWrite);
}

TEST_F(SavePatterns, ReadErrorInTheMiddleOfACopyKeepsTheEarlierBackup) {
  const std::string big(20000, 'b');
  volume->put(kDoc, big);
  seed_backup(kDoc, 1, "earlier");
  volume->fail_reads_at(kDoc, u"", 12000);
  ASSERT_EQ(harness->edit(kDoc, 0, "X"), nt::kSuccess);

  EXPECT_EQ(volume->content(kDoc), "X" + big.substr(1));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({failed(Trigger::kWrite, nt::kDeviceDataError, 20000)});
}

TEST_F(SavePatterns, SharingViolationOnTheBackupOpenIsAFailure) {
  volume->put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppHandle* h = nullptr;
  ASSERT_EQ(harness->open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  volume->fail_opens(kDoc, u"", 1);  // e.g. an oplock held by another filter refuses our open
  ASSERT_EQ(harness->write(h, 0, "C"), nt::kSuccess);
  harness->close(h);
  EXPECT_EQ(volume->content(kDoc), "Content");
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  expect_events({failed(Trigger::kWrite, nt::kSharingViolation, 0)});
}

TEST_F(SavePatterns, BackupOpenByARestoreIsNeverLost) {
  // fbmon reading :backup (a restore in progress) while the file gets a new session.
  for (uint16_t reader_share : {fb::share::kRead, static_cast<uint16_t>(fb::share::kRead | fb::share::kDelete)}) {
    SCOPED_TRACE(reader_share);
    start();
    volume->put(kDoc, "current");
    seed_backup(kDoc, 1, "earlier");
    AppHandle* reader = nullptr;
    ASSERT_EQ(harness->open(kDoc, access::kReadData, CreateDisposition::kOpen, &reader, reader_share, u"backup"),
              nt::kSuccess);
    ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);  // the save proceeds
    EXPECT_EQ(volume->content(kDoc), "Current");
    EXPECT_EQ(volume->content(kDoc, slot_stream(0)), "current");  // the new backup waits, complete
    harness->close(reader);
    // Sharing delete or not, the reader refuses the rotation's delete of the version it reads
    // (OpenMode::kDeleteAlone): the backup fails and nothing was deleted. (It used to leave
    // `earlier` delete-pending, gone at the reader's close: a version deleted, not replaced.)
    expect_events({failed(Trigger::kWrite, nt::kSharingViolation, 7)});
    expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
    harness->clear_events();
    ASSERT_EQ(harness->edit(kDoc, 0, "c"), nt::kSuccess);  // the next session succeeds
    expect_backup(kDoc, 1, "Current", Trigger::kWrite);
    EXPECT_FALSE(has_temp(kDoc));
    expect_events({backed_up(Trigger::kWrite, 7)});
  }
}

// S6, plain `del`: the vault keeps what the delete takes (common/engine/vault.h): a hard link
// holds the content and every stream (N10), the delete removes the document's name only.
TEST_F(SavePatterns, S6_DeleteOfAProtectedFileIsKeptInTheVault) {
  volume->put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  volume->put(kTemp, "no backup here");
  for (const Name& path : {kDoc, kTemp}) {
    AppHandle* h = nullptr;
    ASSERT_EQ(harness->open(path, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
    ASSERT_EQ(harness->delete_on_close(h), nt::kSuccess);
    harness->close(h);
  }
  EXPECT_FALSE(volume->exists(kDoc));
  EXPECT_FALSE(volume->exists(kTemp));
  const std::vector<Name> kept = vault_files();
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(volume->content(kept[0]), "content");
  expect_backup(kept[0], 1, "earlier", Trigger::kWrite);
  EXPECT_EQ(volume->content(kept[1]), "no backup here");
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kKept), 2u);
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 7, kDoc},
                 {Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 14, kTemp}});
}

// The rest of S6 and S6b (Excel's and Word's saves, their variants, the history window, the
// vault's bounds) is told at both layers: tests/kernel/stories/vault_stories.cpp and
// vault_variant_stories.cpp.

// A record as the engine writes it (common/engine/vault_record.h), for a file kept before a restart.
std::string vault_record(int64_t time, uint64_t size, const Name& original) {
  const std::vector<uint8_t> bytes = fbtest::fake_vault_record(original, time, 7, size);  // the engine's encoder
  return std::string(bytes.begin(), bytes.end());
}

// After a restart the driver's instance setup calls Engine::vault_scan: every vault file goes
// back under the bounds with its record's time and size; the bounds run at once.
TEST_F(SavePatterns, S6_VaultScanAfterARestartPutsEveryKeptFileUnderTheBounds) {
  const Name volume_name = u"\\Device\\HarddiskVolume2";
  const Name folder = volume_name + u"\\$FileBackupVault\\";
  constexpr int64_t kDay = 24 * 36000000000ll;
  const Name old_one = folder + u"0000000000000042";      // 8 days: over VaultMaxAgeHours (7 days)
  const Name recent = folder + u"00000000000000A1";       // 1 day, upper-case hex
  const Name no_record = folder + u"00000000000000b2";    // record lost: kept from the scan on
  const Name bad_record = folder + u"00000000000000c3";   // a record that does not decode
  const Name foreign = folder + u"notes.txt";             // not ours: left alone
  const Name orphan_record = folder + u"00000000000000d4.info";
  volume->put(old_one, "from before the crash");
  volume->put(old_one + u".info", vault_record(fbmodel::StepClock::kStart - 8 * kDay, 21, kDoc));
  volume->put(recent, "yesterday");
  volume->put(recent + u".info", vault_record(fbmodel::StepClock::kStart - kDay, 9, kDoc));
  volume->put(no_record, "no record");
  volume->put(bad_record, "bad record");
  volume->put(bad_record + u".info", "FBV1 but not a record");
  volume->put(foreign, "someone else's");
  volume->put(orphan_record, vault_record(fbmodel::StepClock::kStart, 1, kDoc));
  EXPECT_EQ(harness->engine().vault_scan(harness->target(), fbmodel::view(volume_name)), 4u);
  EXPECT_FALSE(volume->exists(old_one)) << "over the age bound: removed at the scan";
  EXPECT_FALSE(volume->exists(old_one + u".info"));
  EXPECT_TRUE(volume->exists(recent));
  EXPECT_TRUE(volume->exists(no_record));
  EXPECT_TRUE(volume->exists(bad_record));
  EXPECT_TRUE(volume->exists(foreign));
  EXPECT_TRUE(volume->exists(orphan_record));
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kKept), 3u);
  EXPECT_EQ(harness->engine().vault_kept_bytes(), 9u + 9 + 10) << "the record's size, else the file's";
  std::vector<RecordedEvent> events = harness->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kVaultEvicted);
  EXPECT_EQ(events[0].path, old_one);
  // A second scan (another instance on the same volume) finds the same entries: nothing doubles.
  EXPECT_EQ(harness->engine().vault_scan(harness->target(), fbmodel::view(volume_name)), 3u);
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kKept), 3u);
  // Six more days: "recent" is 7 days + 1 unit old; the two without a valid record count from the scan.
  harness->advance_clock(6 * kDay + 1);
  harness->engine().vault_enforce_bounds(harness->target(), fb::Str16(u"\\Device\\HarddiskVolume2", 23));
  EXPECT_FALSE(volume->exists(recent));
  EXPECT_TRUE(volume->exists(no_record));
  harness->advance_clock(kDay);
  harness->engine().vault_enforce_bounds(harness->target(), fb::Str16(u"\\Device\\HarddiskVolume2", 23));
  EXPECT_FALSE(volume->exists(no_record));
  EXPECT_FALSE(volume->exists(bad_record));
  EXPECT_TRUE(volume->exists(foreign)) << "never ours to remove";
  EXPECT_EQ(harness->engine().vault_count(fb::VaultEntryState::kKept), 0u);
}

TEST_F(SavePatterns, S6_VaultScanOfAVolumeWithoutAVaultFindsNothing) {
  EXPECT_EQ(harness->engine().vault_scan(harness->target(), fbmodel::view(Name(u"\\Device\\HarddiskVolume2"))), 0u);
  fb::EngineConfig off;
  off.vault_max_bytes = 0;
  start(off);
  volume->put(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0000000000000001", "kept");
  EXPECT_EQ(harness->engine().vault_scan(harness->target(), fbmodel::view(Name(u"\\Device\\HarddiskVolume2"))), 1u)
      << "the ledger still knows the file with the vault off (VaultMaxBytes 0): the bound removes it";
  EXPECT_FALSE(volume->exists(u"\\Device\\HarddiskVolume2\\$FileBackupVault\\0000000000000001"));
}

TEST_F(SavePatterns, UnprotectedFolderIsLeftAlone) {
  const Name outside = kDownloads + u"x.txt";
  volume->put(outside, "text");
  ASSERT_EQ(harness->edit(outside, 0, "T"), nt::kSuccess);
  ASSERT_EQ(harness->overwrite(outside, "new"), nt::kSuccess);
  EXPECT_TRUE(volume->stream_names(outside).empty());
  expect_events({});
}

TEST_F(SavePatterns, CountersFollowTheEvents) {
  start([] { fb::EngineConfig c; c.max_file_size = 4; return c; }());
  volume->put(kDoc, "abc");
  volume->put(kTemp, "too large");
  ASSERT_EQ(harness->edit(kDoc, 0, "A"), nt::kSuccess);
  ASSERT_EQ(harness->edit(kTemp, 0, "T"), nt::kSuccess);
  const fb::EngineCounters c = harness->engine().counters();
  EXPECT_EQ(c.backups, 1u);
  EXPECT_EQ(c.bytes_copied, 3u);
  EXPECT_EQ(c.skips[static_cast<int>(SkipReason::kTooLarge)], 1u);
  EXPECT_EQ(c.sessions, 2u);
  EXPECT_EQ(c.events, 2u);
  EXPECT_EQ(c.tracked_files, 2u);  // N12: both streams keep their contexts after the last close
  harness->tear_down_streams();
  EXPECT_EQ(harness->engine().counters().tracked_files, 0u);  // both contexts released

  volume->fail_reads_at(kDoc, u"", 0);
  ASSERT_EQ(harness->edit(kDoc, 0, "a"), nt::kSuccess);
  fb::Statistics stats;
  harness->engine().fill_statistics(&stats);
  EXPECT_EQ(stats.backups, 1u);
  EXPECT_EQ(stats.bytes_copied, 3u);
  EXPECT_EQ(stats.skips[static_cast<int>(SkipReason::kTooLarge)], 1u);
  EXPECT_EQ(stats.failures[static_cast<int>(fb::FailureReason::kReadError)], 1u);
  EXPECT_EQ(harness->engine().counters().events, 3u);
}

}  // namespace
}  // namespace fbscenario
