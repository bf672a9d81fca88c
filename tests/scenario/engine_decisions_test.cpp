// The engine's decisions that need no I/O, table by table: which callbacks are worth a name
// query (cheap checks), what a name means, which sections and FSCTLs modify, what post-create
// tracks, the rescue file's name and the configuration's sanitising.
#include <gtest/gtest.h>

#include <string>

#include "common/engine/engine.h"
#include "common/engine/rescue.h"
#include "tests/model/filter_harness.h"

namespace fbscenario {
namespace {

using fb::CreateDisposition;
using fb::FileInfoClass;
using fb::Precheck;
namespace access = fb::access;

struct CreateRow {
  const char* what;
  fb::CreateOp op;
  Precheck expected;
};

fb::CreateOp create(uint32_t desired, CreateDisposition d = CreateDisposition::kOpen) {
  fb::CreateOp op;
  op.desired_access = desired;
  op.disposition = d;
  return op;
}

template <typename F>
fb::CreateOp with(fb::CreateOp op, F change) {
  change(op);
  return op;
}

TEST(EngineDecisions, CreatePrecheckDecidesWhetherANameIsNeeded) {
  const CreateRow rows[] = {
      {"read only", create(access::kReadData), Precheck::kIgnore},
      {"write data", create(access::kWriteData), Precheck::kNeedName},
      {"append only", create(access::kAppendData), Precheck::kNeedName},
      {"generic write", create(access::kGenericWrite), Precheck::kNeedName},
      {"generic all", create(access::kGenericAll), Precheck::kNeedName},
      {"maximum allowed", create(access::kMaximumAllowed), Precheck::kNeedName},
      {"delete access only", create(access::kDelete), Precheck::kIgnore},
      {"read + overwrite_if", create(access::kReadData, CreateDisposition::kOverwriteIf), Precheck::kNeedName},
      {"supersede", create(access::kDelete, CreateDisposition::kSupersede), Precheck::kNeedName},
      {"overwrite", create(0, CreateDisposition::kOverwrite), Precheck::kNeedName},
      {"create new", create(access::kWriteData, CreateDisposition::kCreate), Precheck::kIgnore},
      {"open_if writer", create(access::kWriteData, CreateDisposition::kOpenIf), Precheck::kNeedName},
      {"kernel mode", with(create(access::kWriteData), [](fb::CreateOp& o) { o.requestor_mode = fb::RequestorMode::kKernel; }), Precheck::kIgnore},
      // N13: the SMB server opens for remote users from kernel mode with SL_FORCE_ACCESS_CHECK.
      {"share writer (kernel, force access check)", with(create(access::kWriteData), [](fb::CreateOp& o) { o.requestor_mode = fb::RequestorMode::kKernel; o.force_access_check = true; }), Precheck::kNeedName},
      {"share overwrite (kernel, force access check)", with(create(access::kReadData, CreateDisposition::kOverwriteIf), [](fb::CreateOp& o) { o.requestor_mode = fb::RequestorMode::kKernel; o.force_access_check = true; }), Precheck::kNeedName},
      {"share reader (kernel, force access check)", with(create(access::kReadData), [](fb::CreateOp& o) { o.requestor_mode = fb::RequestorMode::kKernel; o.force_access_check = true; }), Precheck::kIgnore},
      {"kernel overwrite without the flag", with(create(access::kWriteData, CreateDisposition::kOverwriteIf), [](fb::CreateOp& o) { o.requestor_mode = fb::RequestorMode::kKernel; }), Precheck::kIgnore},
      {"paging file", with(create(access::kWriteData), [](fb::CreateOp& o) { o.paging_file = true; }), Precheck::kIgnore},
      {"volume open", with(create(access::kWriteData), [](fb::CreateOp& o) { o.volume_open = true; }), Precheck::kIgnore},
      {"prefetcher", with(create(access::kWriteData), [](fb::CreateOp& o) { o.prefetcher_open = true; }), Precheck::kIgnore},
      {"directory", with(create(access::kWriteData), [](fb::CreateOp& o) { o.create_options = fb::create_option::kDirectoryFile; }), Precheck::kIgnore},
      {"delete on close", with(create(access::kDelete), [](fb::CreateOp& o) { o.create_options = fb::create_option::kDeleteOnClose; }), Precheck::kNeedName},
      {"new temp, delete on close", with(create(access::kWriteData, CreateDisposition::kCreate), [](fb::CreateOp& o) { o.create_options = fb::create_option::kDeleteOnClose; }), Precheck::kIgnore},
      {"non-directory", with(create(access::kWriteData), [](fb::CreateOp& o) { o.create_options = fb::create_option::kNonDirectoryFile; }), Precheck::kNeedName},
      {"rename target's directory", with(create(access::kWriteData), [](fb::CreateOp& o) { o.open_target_directory = true; }), Precheck::kIgnore},
      {"fbmon (own client)", with(create(access::kWriteData), [](fb::CreateOp& o) { o.from_own_client = true; }), Precheck::kIgnore},
      {"fbmon overwrite", with(create(access::kWriteData, CreateDisposition::kOverwriteIf), [](fb::CreateOp& o) { o.from_own_client = true; }), Precheck::kIgnore},
      {"by id writer", with(create(access::kWriteData), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId; }), Precheck::kNeedOpenedName},
      {"by id open_if writer", with(create(access::kWriteData, CreateDisposition::kOpenIf), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId; }), Precheck::kNeedOpenedName},
      {"by id reader", with(create(access::kReadData), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId; }), Precheck::kIgnore},
      {"by id delete on close", with(create(access::kDelete), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId | fb::create_option::kDeleteOnClose; }), Precheck::kNeedOpenedName},
      {"by id overwrite_if", with(create(access::kWriteData, CreateDisposition::kOverwriteIf), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId; }), Precheck::kIgnore},
      {"by id supersede", with(create(access::kWriteData, CreateDisposition::kSupersede), [](fb::CreateOp& o) { o.create_options = fb::create_option::kOpenByFileId; }), Precheck::kIgnore},
  };
  for (const CreateRow& row : rows) EXPECT_EQ(fb::Engine::create_precheck(row.op), row.expected) << row.what;
}

TEST(EngineDecisions, AppendOnlyMeansAppendWithoutWrite) {
  EXPECT_TRUE(fb::access_is_append_only(access::kAppendData));
  EXPECT_TRUE(fb::access_is_append_only(access::kAppendData | access::kReadData));
  EXPECT_FALSE(fb::access_is_append_only(access::kAppendData | access::kWriteData));
  EXPECT_FALSE(fb::access_is_append_only(access::kAppendData | access::kGenericWrite));
  EXPECT_FALSE(fb::access_is_append_only(access::kWriteData));
}

TEST(EngineDecisions, AnOverwriteIsCheckedForWhatItsDispositionDestroys) {
  struct Row {
    uint32_t asked;
    CreateDisposition disposition;
    uint32_t checked;
  };
  const Row rows[] = {
      {access::kWriteData, CreateDisposition::kOverwriteIf, access::kWriteData},
      {access::kReadData, CreateDisposition::kOverwrite, access::kReadData | access::kWriteData},
      {access::kGenericWrite, CreateDisposition::kOverwriteIf, access::kGenericWrite | access::kWriteData},
      {access::kWriteData, CreateDisposition::kSupersede, access::kWriteData | access::kDelete},
      {access::kDelete, CreateDisposition::kSupersede, access::kDelete},
      {access::kMaximumAllowed, CreateDisposition::kSupersede, access::kMaximumAllowed | access::kDelete},
  };
  for (const Row& row : rows) {
    fb::CreateOp op;
    op.desired_access = row.asked;
    op.disposition = row.disposition;
    EXPECT_EQ(fb::access_checked_by_overwrite(op), row.checked) << row.asked << " " << static_cast<int>(row.disposition);
  }
  fb::CreateOp op;
  op.create_options = fb::create_option::kOpenForBackupIntent | fb::create_option::kNonDirectoryFile;
  EXPECT_EQ(fb::create_options_checked_by_overwrite(op), fb::create_option::kOpenForBackupIntent);
  op.create_options = fb::create_option::kNonDirectoryFile;
  EXPECT_EQ(fb::create_options_checked_by_overwrite(op), 0u);
}

TEST(EngineDecisions, OnlyAnOpenedNameThatMayHoldAShortNameIsNormalized) {
  struct Row {
    const char16_t* opened;
    bool normalize;
  };
  const Row rows[] = {
      {u"\\Device\\HarddiskVolume3\\Users\\me\\Documents\\a.txt", false},
      {u"\\Device\\HarddiskVolume3\\Users\\me\\DOCUME~1\\a.txt", true},   // short folder
      {u"\\Device\\HarddiskVolume3\\Users\\me\\Documents\\LONGFI~1.TXT", true},  // short file
      {u"\\Device\\HarddiskVolume3\\PROGRA~2\\x\\a.txt", true},
      {u"\\Device\\HarddiskVolume3\\Users\\me\\Documents\\~$report.docx", true},  // long, needlessly
      {u"", false},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
    const std::u16string opened = rows[i].opened;
    const fb::Str16 name(opened.data(), static_cast<uint32_t>(opened.size()));
    EXPECT_EQ(fb::opened_name_needs_normalizing(name), rows[i].normalize) << "row " << i;
  }
}

struct SetInfoRow {
  const char* what;
  FileInfoClass info_class;
  bool tracked;
  bool flag;  // replace_if_exists / delete_file / advance_only, by class
  bool paging;
  Precheck expected;
};

TEST(EngineDecisions, SetInformationPrecheck) {
  const SetInfoRow rows[] = {
      {"eof tracked", FileInfoClass::kEndOfFile, true, false, false, Precheck::kUseState},
      {"eof untracked", FileInfoClass::kEndOfFile, false, false, false, Precheck::kIgnore},
      {"eof advance only", FileInfoClass::kEndOfFile, true, true, false, Precheck::kIgnore},
      {"eof paging", FileInfoClass::kEndOfFile, true, false, true, Precheck::kIgnore},
      {"allocation tracked", FileInfoClass::kAllocation, true, false, false, Precheck::kUseState},
      {"valid data length", FileInfoClass::kValidDataLength, true, false, false, Precheck::kUseState},
      {"rename replace", FileInfoClass::kRename, false, true, false, Precheck::kNeedName},
      {"rename no replace (the vault: S6, S6b)", FileInfoClass::kRename, true, false, false, Precheck::kNeedName},
      {"rename ex replace", FileInfoClass::kRenameEx, false, true, false, Precheck::kNeedName},
      {"rename bypass replace", FileInfoClass::kRenameExBypassAccess, false, true, false, Precheck::kNeedName},
      {"link replace", FileInfoClass::kLink, false, true, false, Precheck::kNeedName},
      {"link ex no replace", FileInfoClass::kLinkEx, false, false, false, Precheck::kIgnore},
      {"delete", FileInfoClass::kDisposition, false, true, false, Precheck::kNeedName},
      {"undelete", FileInfoClass::kDisposition, true, false, false, Precheck::kIgnore},
      {"delete ex", FileInfoClass::kDispositionEx, false, true, false, Precheck::kNeedName},
  };
  for (const SetInfoRow& row : rows) {
    fb::SetInfoOp op;
    op.info_class = row.info_class;
    op.paging_io = row.paging;
    op.advance_only = row.info_class == FileInfoClass::kEndOfFile && row.flag;
    op.replace_if_exists = row.flag;
    op.delete_file = row.flag;
    EXPECT_EQ(fb::Engine::set_information_precheck(op, row.tracked), row.expected) << row.what;
  }
  fb::SetInfoOp kernel_rename;
  kernel_rename.info_class = FileInfoClass::kRename;
  kernel_rename.replace_if_exists = true;
  kernel_rename.requestor_mode = fb::RequestorMode::kKernel;
  // N13: the SMB server's renames and deletes for remote users are kernel-mode requests that
  // carry no flag; a rename over a protected file or its delete is handled whoever asks.
  EXPECT_EQ(fb::Engine::set_information_precheck(kernel_rename, false), Precheck::kNeedName);
  fb::SetInfoOp kernel_delete;
  kernel_delete.info_class = FileInfoClass::kDisposition;
  kernel_delete.delete_file = true;
  kernel_delete.requestor_mode = fb::RequestorMode::kKernel;
  EXPECT_EQ(fb::Engine::set_information_precheck(kernel_delete, false), Precheck::kNeedName);
  fb::SetInfoOp own_truncate;  // fbmon's own end-of-file on a tracked file
  own_truncate.info_class = FileInfoClass::kEndOfFile;
  own_truncate.from_own_client = true;
  EXPECT_EQ(fb::Engine::set_information_precheck(own_truncate, true), Precheck::kIgnore);
  fb::SetInfoOp own_rename = own_truncate;
  own_rename.info_class = FileInfoClass::kRename;
  EXPECT_TRUE(fb::Engine::rename_changes_name(own_rename, true)) << "fbmon's renames of tracked files are still followed";
  EXPECT_TRUE(fb::rename_ex_replaces(0x3));
  EXPECT_FALSE(fb::rename_ex_replaces(0x2));
  EXPECT_TRUE(fb::disposition_ex_deletes(0x13));
  EXPECT_FALSE(fb::disposition_ex_deletes(0x2));
}

TEST(EngineDecisions, OnlyWritableSectionsAndDataFsctlsModify) {
  struct Row {
    fb::SectionSync sync;
    uint32_t protection;
    bool writes;
  };
  const Row rows[] = {
      {fb::SectionSync::kCreateSection, fb::page::kReadWrite, true},
      {fb::SectionSync::kCreateSection, fb::page::kExecuteReadWrite, true},
      {fb::SectionSync::kCreateSection, fb::page::kWriteCopy, false},
      {fb::SectionSync::kCreateSection, fb::page::kExecuteWriteCopy, false},
      {fb::SectionSync::kCreateSection, 0x02 /* PAGE_READONLY */, false},
      {fb::SectionSync::kOther, fb::page::kReadWrite, false},
  };
  for (const Row& row : rows) {
    fb::SectionOp op;
    op.sync_type = row.sync;
    op.page_protection = row.protection;
    EXPECT_EQ(fb::section_can_write(op), row.writes) << row.protection;
  }
  for (uint32_t code : {fb::fsctl::kSetZeroData, fb::fsctl::kOffloadWrite, fb::fsctl::kWriteRawEncrypted,
                        fb::fsctl::kDuplicateExtentsToFile})
    EXPECT_TRUE(fb::fsctl_modifies(code)) << code;
  for (uint32_t code : {0x00090028u /* FSCTL_IS_VOLUME_MOUNTED */, 0x000900A8u /* FSCTL_GET_REPARSE_POINT */, 0u})
    EXPECT_FALSE(fb::fsctl_modifies(code)) << code;
}

TEST(EngineDecisions, ClassifyNameByStreamAndRules) {
  fbmodel::CompiledRules rules;
  struct Row {
    const char16_t* name;
    fb::NameVerdict verdict;
    const char16_t* file_path;
  };
  const Row rows[] = {
      {u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt", fb::NameVerdict::kProtected, u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\DOCUMENTS\\a.txt::$DATA", fb::NameVerdict::kProtected, u"\\Device\\HarddiskVolume2\\Users\\me\\DOCUMENTS\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt:notes", fb::NameVerdict::kNamedStream, u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt:backup", fb::NameVerdict::kOwnStream, u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt:Backup.3.meta:$DATA", fb::NameVerdict::kOwnStream, u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\Downloads\\a.txt", fb::NameVerdict::kNotProtected, u"\\Device\\HarddiskVolume2\\Users\\me\\Downloads\\a.txt"},
      {u"\\Device\\HarddiskVolume2\\Users\\me\\mydocuments\\a.txt", fb::NameVerdict::kNotProtected, u"\\Device\\HarddiskVolume2\\Users\\me\\mydocuments\\a.txt"},
      {u"\\Device\\HarddiskVolume2", fb::NameVerdict::kNotProtected, u"\\Device\\HarddiskVolume2"},
      {u"relative\\name", fb::NameVerdict::kBadName, u""},
  };
  for (const Row& row : rows) {
    const fbmodel::Name name(row.name);
    const fb::NameDecision d = fb::classify_name(fbmodel::view(name), rules.get());
    EXPECT_EQ(d.verdict, row.verdict) << std::string(name.begin(), name.end());
    if (d.verdict != fb::NameVerdict::kBadName) {
      EXPECT_EQ(fbmodel::to_name(d.file_path), fbmodel::Name(row.file_path)) << std::string(name.begin(), name.end());
    }
  }
}

TEST(EngineDecisions, RescueNameIsTheFileNameWithASuffix) {
  const fbmodel::Name file = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\a.txt";
  char16_t out[128];
  uint32_t len = 0;
  ASSERT_EQ(fb::build_rescue_name(fbmodel::view(file), 0x1234abcdu, out, 128, &len), fb::nt::kSuccess);
  EXPECT_EQ(fbmodel::Name(out, len), file + u".~fb1234abcd");

  const fbmodel::Name longest = u"\\Device\\HarddiskVolume2\\" + fbmodel::Name(243, u'x');  // 243 + 12 = 255
  std::vector<char16_t> big(400);
  EXPECT_EQ(fb::build_rescue_name(fbmodel::view(longest), 1, big.data(), 400, &len), fb::nt::kSuccess);
  const fbmodel::Name too_long = longest + u"x";
  EXPECT_EQ(fb::build_rescue_name(fbmodel::view(too_long), 1, big.data(), 400, &len), fb::nt::kNameTooLong);
  EXPECT_EQ(fb::build_rescue_name(fbmodel::view(file), 1, out, 10, &len), fb::nt::kNameTooLong);
}

TEST(EngineDecisions, ConfigurationIsSanitised) {
  for (uint32_t versions : {0u, 10u, 1000u}) {
    fb::EngineConfig c;
    c.max_versions = versions;
    EXPECT_EQ(fb::sanitize_config(c).max_versions, 1u) << versions;
  }
  for (uint32_t versions : {1u, 5u, 9u}) {
    fb::EngineConfig c;
    c.max_versions = versions;
    EXPECT_EQ(fb::sanitize_config(c).max_versions, versions);
  }
  // VaultMaxAgeHours: 1 .. 87600 (ten years; more would overflow FILETIME arithmetic).
  for (uint32_t hours : {0u, 87601u, 0xFFFFFFFFu}) {
    fb::EngineConfig c;
    c.vault_max_age_hours = hours;
    EXPECT_EQ(fb::sanitize_config(c).vault_max_age_hours, 168u) << hours;
  }
  for (uint32_t hours : {1u, 168u, 87600u}) {
    fb::EngineConfig c;
    c.vault_max_age_hours = hours;
    EXPECT_EQ(fb::sanitize_config(c).vault_max_age_hours, hours);
  }
}

TEST(EngineDecisions, PostCreateTracksWritersOfExistingFilesOnly) {
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume);
  struct Row {
    const char* what;
    uint32_t access;
    CreateDisposition disposition;
    fb::CreateResult result;
    fb::PostCreateAction expected;
  };
  const auto result = [](fb::NtStatus s, uint64_t info, bool dir = false, bool draining = false) {
    fb::CreateResult r;
    r.status = s;
    r.information = info;
    r.is_directory = dir;
    r.draining = draining;
    return r;
  };
  const auto reparsed = [](uint64_t info) {  // STATUS_REPARSE: a success code, nothing opened
    fb::CreateResult r;
    r.status = 0x00000104;
    r.information = info;
    r.reparsed = true;
    return r;
  };
  const Row rows[] = {
      {"opened writer", access::kWriteData, CreateDisposition::kOpen, result(0, fb::create_info::kOpened), fb::PostCreateAction::kTrack},
      {"created", access::kWriteData, CreateDisposition::kOpenIf, result(0, fb::create_info::kCreated), fb::PostCreateAction::kNone},
      {"failed", access::kWriteData, CreateDisposition::kOpen, result(fb::nt::kSharingViolation, 0), fb::PostCreateAction::kNone},
      {"directory", access::kWriteData, CreateDisposition::kOpen, result(0, fb::create_info::kOpened, true), fb::PostCreateAction::kNone},
      {"draining", access::kWriteData, CreateDisposition::kOpen, result(0, fb::create_info::kOpened, false, true), fb::PostCreateAction::kNone},
      {"overwritten", 0, CreateDisposition::kOverwrite, result(0, fb::create_info::kOverwritten), fb::PostCreateAction::kTrack},
      {"superseded", access::kDelete, CreateDisposition::kSupersede, result(0, fb::create_info::kSuperseded), fb::PostCreateAction::kTrack},
      {"reparsed open", access::kWriteData, CreateDisposition::kOpen, reparsed(fb::create_info::kOpened), fb::PostCreateAction::kNone},
      {"reparsed supersede, IO_REPARSE", access::kDelete, CreateDisposition::kSupersede, reparsed(0), fb::PostCreateAction::kNone},
  };
  const fbmodel::Name path = u"\\Device\\HarddiskVolume2\\Documents\\x.txt";
  for (const Row& row : rows) {
    fb::CreateTicket ticket;
    EXPECT_EQ(harness.engine().post_create(create(row.access, row.disposition), row.result, fbmodel::view(path), &ticket),
              row.expected)
        << row.what;
  }
}

// What the driver's fast paths may skip: asked at every step of two sessions of one file.
TEST(EngineDecisions, DriverMaySkipOnlyAfterTheSessionsDecision) {
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume);
  const fbmodel::Name path = u"\\Device\\HarddiskVolume2\\Documents\\x.txt";
  volume.put(path, "content");
  fbmodel::AppHandle* first = nullptr;
  fbmodel::AppHandle* second = nullptr;
  ASSERT_EQ(harness.open(path, access::kWriteData, CreateDisposition::kOpen, &first), fb::nt::kSuccess);
  ASSERT_TRUE(first->tracked);
  const auto file = first->ctx;  // the stream context, kept across both sessions
  EXPECT_TRUE(fb::Engine::needs_decision(file->state)) << "new session, undecided";
  ASSERT_EQ(harness.write(first, 0, "C"), fb::nt::kSuccess);
  EXPECT_FALSE(fb::Engine::needs_decision(file->state)) << "decided by the first write";
  ASSERT_EQ(harness.open(path, access::kWriteData, CreateDisposition::kOpen, &second), fb::nt::kSuccess);
  EXPECT_FALSE(fb::Engine::needs_decision(file->state)) << "a second writer joins the decided session";
  harness.close(first);
  EXPECT_FALSE(fb::Engine::needs_decision(file->state)) << "the session lasts while a writer remains";
  harness.close(second);
  ASSERT_EQ(harness.open(path, access::kWriteData, CreateDisposition::kOpen, &first), fb::nt::kSuccess);
  EXPECT_TRUE(fb::Engine::needs_decision(file->state)) << "next session, undecided again";
  harness.close(first);
}

TEST(EngineDecisions, OnlyRenamesOfTrackedFilesChangeTheirName) {
  struct Row {
    FileInfoClass info_class;
    bool tracked;
    bool paging;
    bool expected;
  };
  const Row rows[] = {
      {FileInfoClass::kRename, true, false, true},
      {FileInfoClass::kRenameBypassAccess, true, false, true},
      {FileInfoClass::kRenameEx, true, false, true},
      {FileInfoClass::kRenameExBypassAccess, true, false, true},
      {FileInfoClass::kRename, false, false, false},
      {FileInfoClass::kRename, true, true, false},
      {FileInfoClass::kLink, true, false, false},
      {FileInfoClass::kLinkEx, true, false, false},
      {FileInfoClass::kDisposition, true, false, false},
      {FileInfoClass::kEndOfFile, true, false, false},
  };
  for (const Row& row : rows) {
    fb::SetInfoOp op;
    op.info_class = row.info_class;
    op.paging_io = row.paging;
    EXPECT_EQ(fb::Engine::rename_changes_name(op, row.tracked), row.expected)
        << static_cast<uint32_t>(row.info_class) << " tracked " << row.tracked;
  }
}

TEST(EngineDecisions, PostRenameAdoptsTheNewNameAndItsProtection) {
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume);
  struct Row {
    const char* what;
    fb::NtStatus status;
    const char16_t* new_name;
    fb::RenameAction action;
    const char16_t* file_path;
    bool protected_file;
  };
  const Row rows[] = {
      {"within documents", 0, u"\\Device\\HarddiskVolume2\\Documents\\b.txt", fb::RenameAction::kAdoptName, u"\\Device\\HarddiskVolume2\\Documents\\b.txt", true},
      {"out of documents", 0, u"\\Device\\HarddiskVolume2\\Downloads\\b.txt", fb::RenameAction::kAdoptName, u"\\Device\\HarddiskVolume2\\Downloads\\b.txt", false},
      {"default stream suffix", 0, u"\\Device\\HarddiskVolume2\\Documents\\b.txt::$DATA", fb::RenameAction::kAdoptName, u"\\Device\\HarddiskVolume2\\Documents\\b.txt", true},
      {"failed rename", fb::nt::kAccessDenied, u"\\Device\\HarddiskVolume2\\Downloads\\b.txt", fb::RenameAction::kNone, u"", false},
      {"to a named stream", 0, u"\\Device\\HarddiskVolume2\\Documents\\a.txt:old", fb::RenameAction::kExclude, u"", false},
      {"name query failed", 0, u"", fb::RenameAction::kExclude, u"", false},
  };
  for (const Row& row : rows) {
    const fbmodel::Name name(row.new_name);
    const fb::RenameDecision d = harness.engine().post_rename(row.status, fbmodel::view(name), harness.rules());
    EXPECT_EQ(d.action, row.action) << row.what;
    if (d.action != fb::RenameAction::kAdoptName) continue;
    EXPECT_EQ(fbmodel::to_name(d.file_path), fbmodel::Name(row.file_path)) << row.what;
    EXPECT_EQ(d.protected_file, row.protected_file) << row.what;
  }
}

TEST(EngineDecisions, ApplyRenameSwapsTheNameAndHandsBackTheOldOne) {
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume);
  fbmodel::StdFileLock lock;
  fb::FileState state;
  const fbmodel::Name old_name = u"\\Device\\HarddiskVolume2\\Documents\\a.txt";
  const fbmodel::Name new_name = u"\\Device\\HarddiskVolume2\\Downloads\\a.txt";
  harness.engine().init_file_state(&state, fbmodel::view(old_name), &lock);
  fb::RenameDecision d;
  d.action = fb::RenameAction::kAdoptName;
  d.file_path = fbmodel::view(new_name);
  d.protected_file = false;
  EXPECT_EQ(harness.engine().apply_rename(&state, d, fbmodel::view(new_name)).data, old_name.data());
  EXPECT_EQ(state.name.data, new_name.data());
  EXPECT_TRUE(state.excluded);
  d.action = fb::RenameAction::kNone;  // a failed rename keeps everything; the copy comes back
  EXPECT_EQ(harness.engine().apply_rename(&state, d, fbmodel::view(old_name)).data, old_name.data());
  EXPECT_EQ(state.name.data, new_name.data());
  d.action = fb::RenameAction::kExclude;
  state.excluded = false;
  EXPECT_EQ(harness.engine().apply_rename(&state, d, fb::Str16()).data, nullptr);
  EXPECT_EQ(state.name.data, new_name.data());
  EXPECT_TRUE(state.excluded);
  // The host could not copy the new name of a protected file: the old name stays, unused.
  d.action = fb::RenameAction::kAdoptName;
  d.protected_file = true;
  state.excluded = false;
  EXPECT_EQ(harness.engine().apply_rename(&state, d, fb::Str16()).data, nullptr);
  EXPECT_EQ(state.name.data, new_name.data());
  EXPECT_TRUE(state.excluded);
  harness.engine().release_file_state(&state);
}

TEST(EngineDecisions, OpenedNameTracksWritersByIdOfProtectedFiles) {
  fbmodel::Volume volume;
  fbmodel::FilterHarness harness(volume);
  struct Row {
    const char* what;
    uint32_t access;
    CreateDisposition disposition;
    fb::NtStatus status;
    uint64_t information;
    const char16_t* name;
    fb::PostCreateAction expected;
  };
  const char16_t* protected_name = u"\\Device\\HarddiskVolume2\\Documents\\x.txt";
  const Row rows[] = {
      {"writer", access::kWriteData, CreateDisposition::kOpen, 0, fb::create_info::kOpened, protected_name, fb::PostCreateAction::kTrack},
      {"open_if existing", access::kWriteData, CreateDisposition::kOpenIf, 0, fb::create_info::kOpened, protected_name, fb::PostCreateAction::kTrack},
      {"reader", access::kReadData, CreateDisposition::kOpen, 0, fb::create_info::kOpened, protected_name, fb::PostCreateAction::kNone},
      {"failed", access::kWriteData, CreateDisposition::kOpen, fb::nt::kAccessDenied, 0, protected_name, fb::PostCreateAction::kNone},
      {"reparsed", access::kWriteData, CreateDisposition::kOpen, 0x00000104, fb::create_info::kOpened, protected_name, fb::PostCreateAction::kNone},
      {"overwrite", access::kWriteData, CreateDisposition::kOverwrite, 0, fb::create_info::kOverwritten, protected_name, fb::PostCreateAction::kNone},
      {"not protected", access::kWriteData, CreateDisposition::kOpen, 0, fb::create_info::kOpened, u"\\Device\\HarddiskVolume2\\Downloads\\x.txt", fb::PostCreateAction::kNone},
      {"named stream", access::kWriteData, CreateDisposition::kOpen, 0, fb::create_info::kOpened, u"\\Device\\HarddiskVolume2\\Documents\\x.txt:s", fb::PostCreateAction::kNone},
  };
  for (const Row& row : rows) {
    fb::CreateOp op = create(row.access, row.disposition);
    op.create_options = fb::create_option::kOpenByFileId;
    fb::CreateResult result;
    result.status = row.status;
    result.information = row.information;
    result.reparsed = row.status == 0x00000104;  // as translate::create_result sets it
    const fbmodel::Name name(row.name);
    const fb::OpenedDecision d = harness.engine().post_create_opened(op, result, fbmodel::view(name), harness.rules());
    EXPECT_EQ(d.action, row.expected) << row.what;
    if (d.action == fb::PostCreateAction::kTrack) {
      EXPECT_EQ(fbmodel::to_name(d.file_path), fbmodel::Name(protected_name)) << row.what;
    }
  }
}

}  // namespace
}  // namespace fbscenario
