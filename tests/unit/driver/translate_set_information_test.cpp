// IRP_MJ_SET_INFORMATION through the translation layer: S3 truncate (end of file, allocation,
// valid data length), S5 rename over, S6 delete, S7 ReplaceFile (rename and link with
// replace), each as the engine receives it and as its cheap checks answer.
#include <gtest/gtest.h>

#include <ostream>

#include "common/engine/filter.h"
#include "tests/support/translate_fake_data.h"

namespace {

using fb::FileInfoClass;
using fb::Precheck;
using translate_test::FakeOperation;

bool translate_set(FakeOperation& op, fb::SetInfoOp* out, uint64_t pid = 9) {
  return fbk::translate::set_information_op(op.data(), pid, out);
}

// --- S3 ---------------------------------------------------------------------------------------

TEST(TranslateSetInformation, S3TruncateToZeroOnATrackedStreamUsesState) {
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(FileInfoClass::kEndOfFile, translate_test::size_info(0));
  fb::SetInfoOp set;
  ASSERT_TRUE(translate_set(op, &set));
  EXPECT_EQ(set.info_class, FileInfoClass::kEndOfFile);
  EXPECT_EQ(set.end_of_file, 0u);
  EXPECT_EQ(set.process_id, 9u);
  EXPECT_FALSE(set.paging_io);
  EXPECT_FALSE(set.advance_only);
  EXPECT_EQ(fb::set_information_precheck(set, true), Precheck::kUseState);
  EXPECT_EQ(fb::set_information_precheck(set, false), Precheck::kIgnore);
}

TEST(TranslateSetInformation, S3CacheManagerEndOfFileIsIgnored) {
  FakeOperation lazy_writer(IRP_MJ_SET_INFORMATION);
  lazy_writer.set_information(FileInfoClass::kEndOfFile, translate_test::size_info(100));
  lazy_writer.iopb().IrpFlags = IRP_PAGING_IO;
  FakeOperation advance(IRP_MJ_SET_INFORMATION);
  advance.set_information(FileInfoClass::kEndOfFile, translate_test::size_info(100));
  advance.params().SetFileInformation.AdvanceOnly = TRUE;

  fb::SetInfoOp set;
  ASSERT_TRUE(translate_set(lazy_writer, &set));
  EXPECT_TRUE(set.paging_io);
  EXPECT_EQ(fb::set_information_precheck(set, true), Precheck::kIgnore);
  ASSERT_TRUE(translate_set(advance, &set));
  EXPECT_TRUE(set.advance_only);
  EXPECT_EQ(fb::set_information_precheck(set, true), Precheck::kIgnore);
}

TEST(TranslateSetInformation, S3AllocationAndValidDataLengthCarryTheirSize) {
  FakeOperation allocation(IRP_MJ_SET_INFORMATION);
  allocation.set_information(FileInfoClass::kAllocation, translate_test::size_info(8192));
  FakeOperation vdl(IRP_MJ_SET_INFORMATION);
  vdl.set_information(FileInfoClass::kValidDataLength, translate_test::size_info(1ll << 40));

  fb::SetInfoOp set;
  ASSERT_TRUE(translate_set(allocation, &set));
  EXPECT_EQ(set.allocation_size, 8192u);
  EXPECT_EQ(fb::set_information_precheck(set, true), Precheck::kUseState);
  ASSERT_TRUE(translate_set(vdl, &set));
  EXPECT_EQ(set.end_of_file, 1ull << 40);
  EXPECT_EQ(fb::set_information_precheck(set, true), Precheck::kUseState);
}

// --- S5 / S7: rename and link with replace ------------------------------------------------------

struct ReplaceCase {
  const char* story;
  FileInfoClass info_class;
  std::vector<unsigned char> (*buffer)();
  BOOLEAN stack_replace_if_exists;  // what the I/O manager copied into the stack location
  bool replace;
};

void PrintTo(const ReplaceCase& c, std::ostream* os) { *os << c.story; }

class TranslateReplace : public ::testing::TestWithParam<ReplaceCase> {};

TEST_P(TranslateReplace, ReplaceIfExistsIsReadFromTheRightField) {
  const ReplaceCase& c = GetParam();
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(c.info_class, c.buffer());
  op.params().SetFileInformation.ReplaceIfExists = c.stack_replace_if_exists;
  fb::SetInfoOp set;
  ASSERT_TRUE(translate_set(op, &set)) << c.story;
  EXPECT_EQ(set.info_class, c.info_class) << c.story;
  EXPECT_EQ(set.replace_if_exists, c.replace) << c.story;
  // A rename needs the name with or without replace (the vault: S6, S6b); a link only with it.
  const bool link = c.info_class == fb::FileInfoClass::kLink || c.info_class == fb::FileInfoClass::kLinkEx;
  EXPECT_EQ(fb::set_information_precheck(set, false), c.replace || !link ? Precheck::kNeedName : Precheck::kIgnore)
      << c.story;
}

constexpr char16_t kTarget[] = u"\\??\\C:\\Users\\me\\Documents\\report.docx";

INSTANTIATE_TEST_SUITE_P(
    Classes, TranslateReplace,
    ::testing::Values(
        ReplaceCase{"S5 Word: rename temp over the original", FileInfoClass::kRename,
                    [] { return translate_test::rename_info(true, kTarget); }, TRUE, true},
        ReplaceCase{"rename without replace", FileInfoClass::kRename,
                    [] { return translate_test::rename_info(false, kTarget); }, FALSE, false},
        ReplaceCase{"stack location says replace", FileInfoClass::kRename,
                    [] { return translate_test::rename_info(false, kTarget); }, TRUE, true},
        ReplaceCase{"S7 ReplaceFile: rename ex with REPLACE_IF_EXISTS", FileInfoClass::kRenameEx,
                    [] { return translate_test::rename_ex_info(0x1 | 0x2, kTarget); }, FALSE, true},
        ReplaceCase{"rename ex, POSIX semantics only", FileInfoClass::kRenameEx,
                    [] { return translate_test::rename_ex_info(0x2, kTarget); }, FALSE, false},
        ReplaceCase{"rename ex bypassing access checks", FileInfoClass::kRenameExBypassAccess,
                    [] { return translate_test::rename_ex_info(0x1, kTarget); }, FALSE, true},
        ReplaceCase{"hard link over a protected file", FileInfoClass::kLink,
                    [] { return translate_test::rename_info(true, kTarget); }, TRUE, true},
        ReplaceCase{"link ex with replace", FileInfoClass::kLinkEx,
                    [] { return translate_test::rename_ex_info(0x1, kTarget); }, FALSE, true}));

// Every rename of a tracked file, replacing or not, is synchronized so that its post-operation
// can give the engine the new name; links, other files and other classes need no post.
TEST(TranslateSetInformation, RenameOfATrackedFileIsSynchronizedForItsNewName) {
  struct Row {
    const char* story;
    FileInfoClass info_class;
    bool ex;
    bool tracked;
    FLT_PREOP_CALLBACK_STATUS expected;
  };
  const Row rows[] = {
      {"MoveFile within a folder", FileInfoClass::kRename, false, true, FLT_PREOP_SYNCHRONIZE},
      {"rename ex, POSIX semantics", FileInfoClass::kRenameEx, true, true, FLT_PREOP_SYNCHRONIZE},
      {"rename ex bypassing access checks", FileInfoClass::kRenameExBypassAccess, true, true, FLT_PREOP_SYNCHRONIZE},
      {"untracked file", FileInfoClass::kRename, false, false, FLT_PREOP_SUCCESS_NO_CALLBACK},
      {"hard link", FileInfoClass::kLink, false, true, FLT_PREOP_SUCCESS_NO_CALLBACK},
  };
  for (const Row& row : rows) {
    FakeOperation op(IRP_MJ_SET_INFORMATION);
    op.set_information(row.info_class, row.ex ? translate_test::rename_ex_info(0x2, kTarget)
                                              : translate_test::rename_info(false, kTarget));
    fb::SetInfoOp set;
    ASSERT_TRUE(translate_set(op, &set)) << row.story;
    EXPECT_EQ(fbk::translate::pre_set_information_status(fb::rename_changes_name(set, row.tracked)), row.expected)
        << row.story;
  }
}

TEST(TranslateSetInformation, S5DestinationNameIsTheCallersName) {
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(FileInfoClass::kRename, translate_test::rename_info(true, kTarget));
  fbk::translate::DestinationName destination;
  ASSERT_TRUE(fbk::translate::destination_name(op.data(), &destination));
  EXPECT_EQ(destination.root_directory, nullptr);
  ASSERT_EQ(destination.name_bytes, (sizeof(kTarget) / sizeof(char16_t) - 1) * 2);
  EXPECT_EQ(memcmp(destination.name, kTarget, destination.name_bytes), 0);
}

TEST(TranslateSetInformation, DestinationNameLongerThanTheBufferIsRefused) {
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(FileInfoClass::kRename, translate_test::rename_info(true, kTarget));
  op.truncate_length(20 + 10);  // the header plus five of the name's units
  fbk::translate::DestinationName destination;
  EXPECT_FALSE(fbk::translate::destination_name(op.data(), &destination));
}

TEST(TranslateSetInformation, OddOrEmptyDestinationNameIsRefused) {
  FakeOperation odd(IRP_MJ_SET_INFORMATION);
  std::vector<unsigned char> buffer = translate_test::rename_info(true, kTarget);
  buffer[16] = 3;  // FileNameLength 3 bytes
  buffer[17] = buffer[18] = buffer[19] = 0;
  odd.set_information(FileInfoClass::kRename, buffer);
  FakeOperation empty(IRP_MJ_SET_INFORMATION);
  empty.set_information(FileInfoClass::kRename, translate_test::rename_info(true, u""));
  fbk::translate::DestinationName destination;
  EXPECT_FALSE(fbk::translate::destination_name(odd.data(), &destination));
  EXPECT_FALSE(fbk::translate::destination_name(empty.data(), &destination));
}

// --- S6: delete --------------------------------------------------------------------------------

struct DeleteCase {
  const char* story;
  FileInfoClass info_class;
  std::vector<unsigned char> buffer;
  KPROCESSOR_MODE mode;
  bool delete_file;
  Precheck precheck;
};

void PrintTo(const DeleteCase& c, std::ostream* os) { *os << c.story; }

class TranslateDelete : public ::testing::TestWithParam<DeleteCase> {};

TEST_P(TranslateDelete, DispositionBecomesDeleteFile) {
  const DeleteCase& c = GetParam();
  FakeOperation op(IRP_MJ_SET_INFORMATION, c.mode);
  op.set_information(c.info_class, c.buffer);
  fb::SetInfoOp set;
  ASSERT_TRUE(translate_set(op, &set)) << c.story;
  EXPECT_EQ(set.delete_file, c.delete_file) << c.story;
  EXPECT_EQ(fb::set_information_precheck(set, false), c.precheck) << c.story;
}

INSTANTIATE_TEST_SUITE_P(
    Dispositions, TranslateDelete,
    ::testing::Values(
        DeleteCase{"S6 Excel deletes the original", FileInfoClass::kDisposition, translate_test::disposition_info(true),
                   UserMode, true, Precheck::kNeedName},
        DeleteCase{"undelete", FileInfoClass::kDisposition, translate_test::disposition_info(false), UserMode, false,
                   Precheck::kIgnore},
        DeleteCase{"POSIX delete (ex)", FileInfoClass::kDispositionEx, translate_test::disposition_ex_info(0x1 | 0x2),
                   UserMode, true, Precheck::kNeedName},
        DeleteCase{"ex without DELETE", FileInfoClass::kDispositionEx, translate_test::disposition_ex_info(0x8),
                   UserMode, false, Precheck::kIgnore},
        // N13: the SMB server deletes for remote users from kernel mode, with no flag: watched too.
        DeleteCase{"kernel-mode delete (a share's)", FileInfoClass::kDisposition, translate_test::disposition_info(true),
                   KernelMode, true, Precheck::kNeedName}));

// --- what the engine has no descriptor for, and short buffers -----------------------------------

TEST(TranslateSetInformation, OtherClassesAreNotTranslated) {
  FakeOperation basic(IRP_MJ_SET_INFORMATION);  // FileBasicInformation (4): timestamps
  basic.set_information(static_cast<FileInfoClass>(4), std::vector<unsigned char>(40, 0));
  FakeOperation position(IRP_MJ_SET_INFORMATION);  // FilePositionInformation (14)
  position.set_information(static_cast<FileInfoClass>(14), translate_test::size_info(0));
  fb::SetInfoOp set;
  EXPECT_FALSE(translate_set(basic, &set));
  EXPECT_FALSE(translate_set(position, &set));
}

struct ShortCase {
  FileInfoClass info_class;
  size_t bytes;
};

class TranslateShortBuffer : public ::testing::TestWithParam<ShortCase> {};

TEST_P(TranslateShortBuffer, BufferShorterThanTheClassIsNotTranslated) {
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(GetParam().info_class, std::vector<unsigned char>(GetParam().bytes, 0xFF));
  fb::SetInfoOp set;
  set.end_of_file = 12345;
  EXPECT_FALSE(translate_set(op, &set));
  EXPECT_EQ(set.end_of_file, 12345u) << "a refused translation leaves the output alone";
}

INSTANTIATE_TEST_SUITE_P(Classes, TranslateShortBuffer,
                         ::testing::Values(ShortCase{FileInfoClass::kEndOfFile, 7},
                                           ShortCase{FileInfoClass::kAllocation, 0},
                                           ShortCase{FileInfoClass::kValidDataLength, 4},
                                           ShortCase{FileInfoClass::kRenameEx, 3},
                                           ShortCase{FileInfoClass::kDisposition, 0},
                                           ShortCase{FileInfoClass::kDispositionEx, 2}));

TEST(TranslateSetInformation, NullInfoBufferIsNotTranslated) {
  FakeOperation op(IRP_MJ_SET_INFORMATION);
  op.set_information(FileInfoClass::kEndOfFile, {});
  op.params().SetFileInformation.Length = 8;  // claims a buffer it does not have
  fb::SetInfoOp set;
  EXPECT_FALSE(translate_set(op, &set));
}

}  // namespace
