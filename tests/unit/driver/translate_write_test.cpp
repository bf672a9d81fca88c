// IRP_MJ_WRITE through the translation layer (S1 in-place, S2 append, S8's paging writes) and
// the status the pre-write callback returns.
#include <gtest/gtest.h>

#include "tests/support/translate_fake_data.h"

namespace {

using translate_test::FakeOperation;

TEST(TranslateWrite, S1InPlaceWriteCarriesOffsetLengthAndProcess) {
  FakeOperation op(IRP_MJ_WRITE);
  op.write(4096, 512);
  const fb::WriteOp write = fbk::translate::write_op(op.data(), 77);
  EXPECT_EQ(write.offset, 4096u);
  EXPECT_EQ(write.length, 512u);
  EXPECT_EQ(write.process_id, 77u);
  EXPECT_FALSE(write.paging_io);
}

// S2: appends arrive with the FILE_WRITE_TO_END_OF_FILE offset (LowPart 0xFFFFFFFF, HighPart -1).
TEST(TranslateWrite, S2AppendOffsetIsPassedThroughUnchanged) {
  FakeOperation op(IRP_MJ_WRITE);
  op.write(-1, 10);
  EXPECT_EQ(fbk::translate::write_op(op.data(), 0).offset, UINT64_MAX);
}

// S8: the modified page writer's writes are paging I/O; the engine must see them as such.
struct PagingCase {
  ULONG irp_flags;
  bool paging;
};

class TranslateWritePaging : public ::testing::TestWithParam<PagingCase> {};

TEST_P(TranslateWritePaging, PagingFlagsBecomePagingIo) {
  FakeOperation op(IRP_MJ_WRITE);
  op.write(0, 4096, GetParam().irp_flags);
  EXPECT_EQ(fbk::translate::write_op(op.data(), 0).paging_io, GetParam().paging);
}

INSTANTIATE_TEST_SUITE_P(IrpFlags, TranslateWritePaging,
                         ::testing::Values(PagingCase{0, false}, PagingCase{IRP_NOCACHE, false},
                                           PagingCase{IRP_PAGING_IO, true},
                                           PagingCase{IRP_PAGING_IO | IRP_NOCACHE, true},
                                           PagingCase{IRP_SYNCHRONOUS_PAGING_IO, true}));

TEST(TranslateWrite, FastIoIsRecognized) {
  FakeOperation irp(IRP_MJ_WRITE);
  FakeOperation fast(IRP_MJ_WRITE);
  fast.as_fast_io();
  EXPECT_FALSE(fbk::translate::is_fast_io(irp.data()));
  EXPECT_TRUE(fbk::translate::is_fast_io(fast.data()));
}

// A pending decision cannot be made on the fast I/O path: the write comes back as an IRP.
TEST(TranslateWrite, PreWriteStatus) {
  EXPECT_EQ(fbk::translate::pre_write_status(true, true), FLT_PREOP_DISALLOW_FASTIO);
  EXPECT_EQ(fbk::translate::pre_write_status(true, false), FLT_PREOP_SUCCESS_NO_CALLBACK);
  EXPECT_EQ(fbk::translate::pre_write_status(false, true), FLT_PREOP_SUCCESS_NO_CALLBACK);
  EXPECT_EQ(fbk::translate::pre_write_status(false, false), FLT_PREOP_SUCCESS_NO_CALLBACK);
}

}  // namespace
