// IRP_MJ_CREATE through the translation layer: the descriptor the engine receives for each save
// pattern's open (S1 in-place, S2 append, S4 overwrite on open), what the engine's cheap checks
// answer to it, and the callback status the driver returns.
#include <gtest/gtest.h>

#include <ostream>

#include "common/engine/filter.h"
#include "tests/support/translate_fake_data.h"

namespace {

using fb::CreateDisposition;
using fb::Precheck;
using translate_test::FakeOperation;

fb::CreateOp translate_open(FakeOperation& op, const fbk::translate::CreateFacts& facts = {}) {
  return fbk::translate::create_op(op.data(), facts);
}

TEST(TranslateCreate, S1InPlaceOpenCopiesEveryField) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kFileGenericWrite | translate_test::kFileGenericRead, CreateDisposition::kOpen,
            translate_test::kFileNonDirectoryFile | translate_test::kFileSynchronousIoNonalert,
            fb::share::kRead | fb::share::kWrite);
  fbk::translate::CreateFacts facts;
  facts.process_id = 4242;
  const fb::CreateOp create = translate_open(op, facts);
  EXPECT_EQ(create.requestor_mode, fb::RequestorMode::kUser);
  EXPECT_EQ(create.desired_access, translate_test::kFileGenericWrite | translate_test::kFileGenericRead);
  EXPECT_EQ(create.disposition, CreateDisposition::kOpen);
  EXPECT_EQ(create.create_options, translate_test::kFileNonDirectoryFile | translate_test::kFileSynchronousIoNonalert);
  EXPECT_EQ(create.share_access, fb::share::kRead | fb::share::kWrite);
  EXPECT_EQ(create.process_id, 4242u);
  EXPECT_FALSE(create.paging_file);
  EXPECT_FALSE(create.volume_open);
  EXPECT_FALSE(create.prefetcher_open);
  EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedName);
}

TEST(TranslateCreate, S2AppendOnlyOpenIsAppendOnlyForTheEngine) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kAppendOnly, CreateDisposition::kOpenIf);
  const fb::CreateOp create = translate_open(op);
  EXPECT_EQ(create.disposition, CreateDisposition::kOpenIf);
  EXPECT_TRUE(fb::access_is_append_only(create.desired_access));
  EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedName);
}

// S6 variant: DeleteFile() through FILE_DELETE_ON_CLOSE on an open with only DELETE access.
TEST(TranslateCreate, S6DeleteOnCloseOpenReachesTheEngine) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(fb::access::kDelete | translate_test::kSynchronize, CreateDisposition::kOpen,
            translate_test::kFileNonDirectoryFile | fb::create_option::kDeleteOnClose);
  const fb::CreateOp create = translate_open(op);
  EXPECT_NE(create.create_options & fb::create_option::kDeleteOnClose, 0u);
  EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedName);
}

// S4: every overwriting disposition reaches the engine with its disposition intact, even
// without write access in the mask (the overwrite itself modifies the file).
TEST(TranslateCreate, S4OverwritingDispositionsSurviveTheHighByte) {
  const CreateDisposition dispositions[] = {CreateDisposition::kSupersede, CreateDisposition::kOverwrite,
                                            CreateDisposition::kOverwriteIf};
  for (CreateDisposition disposition : dispositions) {
    FakeOperation op(IRP_MJ_CREATE);
    op.create(translate_test::kReadAttributes | translate_test::kSynchronize, disposition,
              translate_test::kFileNonDirectoryFile);
    const fb::CreateOp create = translate_open(op);
    EXPECT_EQ(create.disposition, disposition);
    EXPECT_EQ(create.create_options, translate_test::kFileNonDirectoryFile) << "options must not carry the disposition";
    EXPECT_TRUE(fb::disposition_overwrites(create.disposition));
    EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedName) << static_cast<int>(disposition);
  }
}

// The cheap checks run on translated fields only: each case flips one field of an S1 open
// and must make the engine ignore it before any name query.
struct IgnoredOpen {
  const char* why;
  KPROCESSOR_MODE mode;
  uint32_t access;
  CreateDisposition disposition;
  ULONG options;
  UCHAR operation_flags;
  fbk::translate::CreateFacts facts;
};

void PrintTo(const IgnoredOpen& c, std::ostream* os) { *os << c.why; }

class TranslateCreateIgnored : public ::testing::TestWithParam<IgnoredOpen> {};

TEST_P(TranslateCreateIgnored, CheapChecksIgnoreIt) {
  const IgnoredOpen& c = GetParam();
  FakeOperation op(IRP_MJ_CREATE, c.mode);
  op.create(c.access, c.disposition, c.options).operation_flags(c.operation_flags);
  const fb::CreateOp create = translate_open(op, c.facts);
  EXPECT_EQ(fb::create_precheck(create), Precheck::kIgnore) << c.why;
}

fbk::translate::CreateFacts facts_with(bool volume_open, bool prefetcher_open) {
  fbk::translate::CreateFacts facts;
  facts.volume_open = volume_open;
  facts.prefetcher_open = prefetcher_open;
  return facts;
}

INSTANTIATE_TEST_SUITE_P(
    Opens, TranslateCreateIgnored,
    ::testing::Values(
        IgnoredOpen{"kernel-mode requestor", KernelMode, translate_test::kFileGenericWrite, CreateDisposition::kOpen, 0,
                    0, {}},
        IgnoredOpen{"read-only open", UserMode, translate_test::kFileGenericRead, CreateDisposition::kOpen, 0, 0, {}},
        IgnoredOpen{"new file (FILE_CREATE)", UserMode, translate_test::kFileGenericWrite, CreateDisposition::kCreate,
                    0, 0, {}},
        IgnoredOpen{"directory", UserMode, translate_test::kFileGenericWrite, CreateDisposition::kOpen,
                    fb::create_option::kDirectoryFile, 0, {}},
        IgnoredOpen{"paging file (SL_OPEN_PAGING_FILE)", UserMode, translate_test::kFileGenericWrite,
                    CreateDisposition::kOverwriteIf, 0, SL_OPEN_PAGING_FILE, {}},
        IgnoredOpen{"volume open", UserMode, translate_test::kFileGenericWrite, CreateDisposition::kOpen, 0, 0,
                    facts_with(true, false)},
        IgnoredOpen{"prefetcher open", UserMode, translate_test::kFileGenericWrite, CreateDisposition::kOpen, 0, 0,
                    facts_with(false, true)},
        IgnoredOpen{"rename target's parent (SL_OPEN_TARGET_DIRECTORY)", UserMode, translate_test::kFileGenericWrite,
                    CreateDisposition::kOpen, 0, SL_OPEN_TARGET_DIRECTORY, {}},
        IgnoredOpen{"overwrite by file id", UserMode, translate_test::kFileGenericWrite,
                    CreateDisposition::kOverwriteIf, fb::create_option::kOpenByFileId, 0, {}}));

TEST(TranslateCreate, TargetDirectoryFlagReachesTheEngine) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kFileGenericWrite, CreateDisposition::kOpen).operation_flags(SL_OPEN_TARGET_DIRECTORY);
  const fb::CreateOp create = translate_open(op);
  EXPECT_TRUE(create.open_target_directory);
  EXPECT_FALSE(create.paging_file);
  op.operation_flags(SL_OPEN_PAGING_FILE);
  EXPECT_FALSE(translate_open(op).open_target_directory);
}

// Review finding: backup I/O went to the first instance found by the volume's name, not to the
// instance of the callback that triggered it. Every descriptor carries Iopb->TargetInstance.
TEST(TranslateTarget, EveryDescriptorCarriesTheCallbacksInstance) {
  int instance_storage = 0;
  const auto instance = reinterpret_cast<PFLT_INSTANCE>(&instance_storage);
  FakeOperation create(IRP_MJ_CREATE);
  create.create(translate_test::kFileGenericWrite, CreateDisposition::kOpen).target_instance(instance);
  EXPECT_EQ(translate_open(create).target.value, static_cast<void*>(instance));
  FakeOperation write(IRP_MJ_WRITE);
  write.target_instance(instance);
  EXPECT_EQ(fbk::translate::write_op(write.data(), 1).target.value, static_cast<void*>(instance));
  FakeOperation set(IRP_MJ_SET_INFORMATION);
  set.set_information(fb::FileInfoClass::kEndOfFile, std::vector<unsigned char>(8, 0)).target_instance(instance);
  fb::SetInfoOp set_op;
  ASSERT_TRUE(fbk::translate::set_information_op(set.data(), 1, &set_op));
  EXPECT_EQ(set_op.target.value, static_cast<void*>(instance));
  FakeOperation section(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION);
  section.section(SyncTypeCreateSection, 0x04).target_instance(instance);
  EXPECT_EQ(fbk::translate::section_op(section.data(), 1).target.value, static_cast<void*>(instance));
  FakeOperation fsctl(IRP_MJ_FILE_SYSTEM_CONTROL);
  fsctl.fsctl(IRP_MN_USER_FS_REQUEST, fb::fsctl::kSetZeroData).target_instance(instance);
  fb::FsctlOp fsctl_op;
  ASSERT_TRUE(fbk::translate::fsctl_op(fsctl.data(), 1, &fsctl_op));
  EXPECT_EQ(fsctl_op.target.value, static_cast<void*>(instance));
}

// N13: the SMB server's creates for remote users are kernel-mode with SL_FORCE_ACCESS_CHECK
// (wdm.h, 0x01): the flag reaches the engine, which treats them like a user's; without it a
// kernel-mode create stays ignored.
TEST(TranslateCreate, ForceAccessCheckFlagMakesAKernelCreateAUsersOne) {
  FakeOperation share(IRP_MJ_CREATE, KernelMode);
  share.create(translate_test::kFileGenericWrite, CreateDisposition::kOverwriteIf).operation_flags(0x01);
  const fb::CreateOp create = translate_open(share);
  EXPECT_EQ(create.requestor_mode, fb::RequestorMode::kKernel);
  EXPECT_TRUE(create.force_access_check);
  EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedName);

  FakeOperation kernel(IRP_MJ_CREATE, KernelMode);
  kernel.create(translate_test::kFileGenericWrite, CreateDisposition::kOverwriteIf).operation_flags(SL_OPEN_TARGET_DIRECTORY);
  EXPECT_FALSE(translate_open(kernel).force_access_check);
  kernel.operation_flags(0);
  EXPECT_EQ(fb::create_precheck(translate_open(kernel)), Precheck::kIgnore);
}

// An open by file id has no name before the create: the engine asks for it after.
TEST(TranslateCreate, OpenByFileIdWriterWantsTheOpenedName) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kFileGenericWrite, CreateDisposition::kOpen,
            translate_test::kFileNonDirectoryFile | fb::create_option::kOpenByFileId);
  const fb::CreateOp create = translate_open(op);
  EXPECT_NE(create.create_options & fb::create_option::kOpenByFileId, 0u);
  EXPECT_EQ(fb::create_precheck(create), Precheck::kNeedOpenedName);
}

TEST(TranslateCreate, MissingSecurityContextMeansNoAccess) {
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kFileGenericWrite, CreateDisposition::kOpen);
  op.params().Create.SecurityContext = nullptr;
  EXPECT_EQ(translate_open(op).desired_access, 0u);
}

TEST(TranslateCreate, PreCreateStatusFollowsTheEngine) {
  EXPECT_EQ(fbk::translate::pre_create_status(fb::PreCreateAction::kWithCallback), FLT_PREOP_SUCCESS_WITH_CALLBACK);
  EXPECT_EQ(fbk::translate::pre_create_status(fb::PreCreateAction::kNoCallback), FLT_PREOP_SUCCESS_NO_CALLBACK);
}

// Post-create: IoStatus as the file system completed it (N4), and the draining flag.
struct PostCreateCase {
  const char* story;
  NTSTATUS status;
  ULONG_PTR information;
  bool is_directory;
  FLT_POST_OPERATION_FLAGS flags;
};

void PrintTo(const PostCreateCase& c, std::ostream* os) { *os << c.story; }

class TranslatePostCreate : public ::testing::TestWithParam<PostCreateCase> {};

TEST_P(TranslatePostCreate, ResultCarriesStatusInformationAndDraining) {
  const PostCreateCase& c = GetParam();
  FakeOperation op(IRP_MJ_CREATE);
  op.create(translate_test::kFileGenericWrite, CreateDisposition::kOverwriteIf).completed(c.status, c.information);
  const fb::CreateResult result = fbk::translate::create_result(op.data(), c.is_directory, c.flags);
  EXPECT_EQ(result.status, c.status) << c.story;
  EXPECT_EQ(result.information, c.information) << c.story;
  EXPECT_EQ(result.is_directory, c.is_directory) << c.story;
  EXPECT_EQ(result.draining, (c.flags & FLTFL_POST_OPERATION_DRAINING) != 0) << c.story;
  EXPECT_EQ(result.reparsed, c.status == STATUS_REPARSE) << c.story;
}

INSTANTIATE_TEST_SUITE_P(
    Results, TranslatePostCreate,
    ::testing::Values(PostCreateCase{"S1 opened", 0, fb::create_info::kOpened, false, 0},
                      PostCreateCase{"S4 overwritten", 0, fb::create_info::kOverwritten, false, 0},
                      PostCreateCase{"S4 superseded", 0, fb::create_info::kSuperseded, false, 0},
                      PostCreateCase{"S4 created instead", 0, fb::create_info::kCreated, false, 0},
                      PostCreateCase{"sharing violation", static_cast<NTSTATUS>(0xC0000043), 0, false, 0},
                      PostCreateCase{"directory", 0, fb::create_info::kOpened, true, 0},
                      // IO_REPARSE (0) in Information reads like kSuperseded: only the flag tells
                      PostCreateCase{"reparsed, IO_REPARSE", STATUS_REPARSE, 0, false, 0},
                      PostCreateCase{"reparsed, symlink tag", STATUS_REPARSE, 0xA000000C, false, 0},
                      PostCreateCase{"instance draining", 0, fb::create_info::kOverwritten, false,
                                     FLTFL_POST_OPERATION_DRAINING}));

}  // namespace
