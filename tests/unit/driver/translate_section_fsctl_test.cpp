// IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION (S8 memory-mapped edit), IRP_MJ_FILE_SYSTEM_CONTROL
// (data-changing FSCTLs) and IRP_MJ_CLEANUP through the translation layer.
#include <gtest/gtest.h>

#include <ostream>

#include "common/engine/filter.h"
#include "tests/support/translate_fake_data.h"

namespace {

using translate_test::FakeOperation;

constexpr ULONG kPageReadOnly = 0x02;

struct SectionCase {
  const char* story;
  FS_FILTER_SECTION_SYNC_TYPE sync_type;
  ULONG protection;
  bool can_write;
};

void PrintTo(const SectionCase& c, std::ostream* os) { *os << c.story; }

class TranslateSection : public ::testing::TestWithParam<SectionCase> {};

TEST_P(TranslateSection, SyncTypeAndProtectionReachTheEngine) {
  const SectionCase& c = GetParam();
  FakeOperation op(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION);
  op.section(c.sync_type, c.protection);
  const fb::SectionOp section = fbk::translate::section_op(op.data(), 31);
  EXPECT_EQ(static_cast<uint32_t>(section.sync_type), static_cast<uint32_t>(c.sync_type)) << c.story;
  EXPECT_EQ(section.page_protection, c.protection) << c.story;
  EXPECT_EQ(section.process_id, 31u) << c.story;
  EXPECT_EQ(fb::section_can_write(section), c.can_write) << c.story;
}

INSTANTIATE_TEST_SUITE_P(
    Sections, TranslateSection,
    ::testing::Values(SectionCase{"S8 writable mapping", SyncTypeCreateSection, fb::page::kReadWrite, true},
                      SectionCase{"S8 executable writable mapping", SyncTypeCreateSection,
                                  fb::page::kExecuteReadWrite, true},
                      SectionCase{"read-only mapping", SyncTypeCreateSection, kPageReadOnly, false},
                      SectionCase{"copy-on-write mapping", SyncTypeCreateSection, fb::page::kWriteCopy, false},
                      SectionCase{"not a section creation", SyncTypeOther, fb::page::kReadWrite, false}));

struct FsctlCase {
  const char* story;
  UCHAR minor;
  ULONG code;
  bool translated;
  bool modifies;
};

void PrintTo(const FsctlCase& c, std::ostream* os) { *os << c.story; }

class TranslateFsctl : public ::testing::TestWithParam<FsctlCase> {};

TEST_P(TranslateFsctl, ControlCodeOnlyForUserAndKernelRequests) {
  const FsctlCase& c = GetParam();
  FakeOperation op(IRP_MJ_FILE_SYSTEM_CONTROL);
  op.fsctl(c.minor, c.code);
  fb::FsctlOp fsctl;
  ASSERT_EQ(fbk::translate::fsctl_op(op.data(), 5, &fsctl), c.translated) << c.story;
  if (!c.translated) return;
  EXPECT_EQ(fsctl.control_code, c.code) << c.story;
  EXPECT_EQ(fsctl.process_id, 5u) << c.story;
  EXPECT_EQ(fb::fsctl_modifies(fsctl.control_code), c.modifies) << c.story;
}

constexpr UCHAR kMountVolume = 0x01;
constexpr UCHAR kVerifyVolume = 0x02;
constexpr ULONG kFsctlGetRetrievalPointers = 0x00090073;

INSTANTIATE_TEST_SUITE_P(
    Codes, TranslateFsctl,
    ::testing::Values(FsctlCase{"zero data", IRP_MN_USER_FS_REQUEST, fb::fsctl::kSetZeroData, true, true},
                      FsctlCase{"offload write", IRP_MN_USER_FS_REQUEST, fb::fsctl::kOffloadWrite, true, true},
                      FsctlCase{"block clone", IRP_MN_KERNEL_CALL, fb::fsctl::kDuplicateExtentsToFile, true, true},
                      FsctlCase{"raw encrypted write", IRP_MN_USER_FS_REQUEST, fb::fsctl::kWriteRawEncrypted, true,
                                true},
                      FsctlCase{"read-only query", IRP_MN_USER_FS_REQUEST, kFsctlGetRetrievalPointers, true, false},
                      FsctlCase{"mount", kMountVolume, fb::fsctl::kSetZeroData, false, false},
                      FsctlCase{"verify", kVerifyVolume, 0, false, false}));

TEST(TranslateCleanup, OnlyTrackedHandlesAreSynchronized) {
  EXPECT_EQ(fbk::translate::pre_cleanup_status(true), FLT_PREOP_SYNCHRONIZE);
  EXPECT_EQ(fbk::translate::pre_cleanup_status(false), FLT_PREOP_SUCCESS_NO_CALLBACK);
}

}  // namespace
