// The save patterns one layer above the engine's SavePatterns: each operation starts as the
// FLT_CALLBACK_DATA Filter Manager would pass, goes through the driver's translation functions
// and the engine in the order driver/callbacks/*.cpp call them, then reaches the NTFS model.
// What the translation gets wrong (a shifted disposition, a lost paging flag, a misread
// InfoBuffer) shows up here as a missing or wrong backup, not only as a wrong field.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/model/filter_harness.h"
#include "tests/support/translate_fake_data.h"

namespace {

using fb::CreateDisposition;
using fbmodel::Name;
using fbmodel::view;
using translate_test::FakeOperation;

const Name kDoc = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\report.docx";
constexpr uint64_t kPid = 1234;

// What driver/callbacks/*.cpp do, with the model in place of the file system below.
class TranslatedFilter {
 public:
  struct Open {
    fbmodel::ModelHandle model = 0;
    std::unique_ptr<fbmodel::FileCtx> stream;  // the stream context, when tracked
    fb::HandleState handle;                    // the stream handle context
    FLT_PREOP_CALLBACK_STATUS pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
    fb::NtStatus status = fb::nt::kSuccess;
  };

  explicit TranslatedFilter(fbmodel::Volume& volume)
      : volume_(volume), fs_(volume), buffers_(8192), engine_(services(), fb::EngineConfig()) {}

  // driver/callbacks/create.cpp: pre-create, the create below us, post-create.
  void open(FakeOperation& create, const Name& path, Open* out) {
    fbk::translate::CreateFacts facts;
    facts.process_id = kPid;
    const fb::CreateOp op = fbk::translate::create_op(create.data(), facts);
    fb::CreateTicket ticket;
    fb::PreCreateDecision decision;
    out->pre_status = FLT_PREOP_SUCCESS_NO_CALLBACK;
    if (fb::Engine::create_precheck(op) != fb::Precheck::kIgnore) {
      decision = engine_.pre_create(op, view(path), rules_.get(), &ticket);
      out->pre_status = fbk::translate::pre_create_status(decision.action);
    }
    uint64_t information = 0;
    out->status = volume_.create(path, Name(), op.desired_access, op.share_access, op.disposition,
                                 op.create_options, false, &out->model, &information);
    create.completed(out->status, information);
    if (out->pre_status != FLT_PREOP_SUCCESS_WITH_CALLBACK) return;
    const fb::CreateResult result = fbk::translate::create_result(create.data(), false, 0);
    if (engine_.post_create(op, result, decision.file_path, &ticket) != fb::PostCreateAction::kTrack) return;
    out->stream = std::make_unique<fbmodel::FileCtx>();
    out->stream->name = std::make_unique<Name>(fbmodel::to_name(decision.file_path));
    engine_.init_file_state(&out->stream->state, view(*out->stream->name), &out->stream->lock);
    engine_.attach_writer(&out->stream->state, &out->handle, op, view(*out->stream->name), &ticket);
  }

  // driver/callbacks/write.cpp (paging writes never reach the callback: SKIP_PAGING_IO).
  FLT_PREOP_CALLBACK_STATUS write(Open& open, FakeOperation& write, const std::string& data) {
    FLT_PREOP_CALLBACK_STATUS status = FLT_PREOP_SUCCESS_NO_CALLBACK;
    const fb::WriteOp op = fbk::translate::write_op(write.data(), kPid);
    if (!op.paging_io && open.stream && fb::Engine::needs_decision(open.stream->state)) {
      const bool fast_io = fbk::translate::is_fast_io(write.data());
      status = fbk::translate::pre_write_status(fast_io, true);
      if (status == FLT_PREOP_DISALLOW_FASTIO) return status;  // reissued as an IRP by the caller
      engine_.pre_write(op, &open.stream->state, &open.handle);
    }
    uint32_t written = 0;
    if (op.paging_io)
      volume_.paging_write(open.model, op.offset, data);
    else
      volume_.write(open.model, op.offset, data.data(), static_cast<uint32_t>(data.size()), &written);
    return status;
  }

  // driver/callbacks/set_information.cpp, for end of file (S3).
  void set_end_of_file(Open& open, FakeOperation& set) {
    fb::SetInfoOp op;
    ASSERT_TRUE(fbk::translate::set_information_op(set.data(), kPid, &op));
    fb::FileState* state = open.stream ? &open.stream->state : nullptr;
    if (fb::Engine::set_information_precheck(op, state != nullptr) != fb::Precheck::kIgnore)
      engine_.pre_set_information(op, state, &open.handle, state ? state->name : fb::Str16(), fb::Str16(),
                                  rules_.get());
    volume_.set_end_of_file(open.model, op.end_of_file);
  }

  // driver/callbacks/section.cpp (S8): the mapping, then the modified page writer's paging write.
  void map_and_dirty(Open& open, FakeOperation& section, const std::string& data) {
    const fb::SectionOp op = fbk::translate::section_op(section.data(), kPid);
    if (fb::section_can_write(op) && open.stream)
      engine_.pre_acquire_for_section(op, &open.stream->state, &open.handle);
    FakeOperation paging(IRP_MJ_WRITE, KernelMode);
    paging.write(0, static_cast<ULONG>(data.size()), IRP_PAGING_IO | IRP_NOCACHE);
    write(open, paging, data);
  }

  // driver/callbacks/cleanup.cpp, then the close; one open per stream here, so the stream context
  // goes with it (driver/callbacks/contexts.cpp's cleanup_stream).
  void close(Open& open) {
    if (open.stream) engine_.post_cleanup(&open.stream->state, &open.handle);
    volume_.close(open.model);
    if (open.stream) engine_.release_file_state(&open.stream->state);
  }

  std::vector<fbmodel::RecordedEvent> events() const { return sink_.events(); }

 private:
  fb::EngineServices services() {
    fb::EngineServices s;
    s.fs = &fs_;
    s.sink = &sink_;
    s.clock = &clock_;
    s.buffers = &buffers_;
    return s;
  }

  fbmodel::Volume& volume_;
  fbmodel::ModelFs fs_;
  fbmodel::RecordingSink sink_;
  fbmodel::StepClock clock_;
  fbmodel::HeapBuffers buffers_;
  fbmodel::CompiledRules rules_;
  fb::Engine engine_;
};

class TranslateStory : public ::testing::Test {
 protected:
  void expect_backup(const std::string& content, fb::Trigger trigger) {
    EXPECT_EQ(volume.content(kDoc, u"backup"), content);
    const auto events = filter.events();
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].event.outcome, fb::Outcome::kBackedUp);
    EXPECT_EQ(events[0].event.trigger, trigger);
    EXPECT_EQ(events[0].event.process_id, kPid);
    EXPECT_EQ(events[0].path, kDoc);
  }

  fbmodel::Volume volume;
  TranslatedFilter filter{volume};
};

TEST_F(TranslateStory, S1InPlaceEditIsBackedUpBeforeTheFirstWrite) {
  volume.put(kDoc, "version 1");
  FakeOperation create(IRP_MJ_CREATE);
  create.create(translate_test::kFileGenericRead | translate_test::kFileGenericWrite, CreateDisposition::kOpen,
                translate_test::kFileNonDirectoryFile);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  ASSERT_EQ(open.status, fb::nt::kSuccess);
  EXPECT_EQ(open.pre_status, FLT_PREOP_SUCCESS_WITH_CALLBACK);
  ASSERT_TRUE(open.stream) << "the open must be tracked";

  FakeOperation fast(IRP_MJ_WRITE);
  fast.write(0, 9).as_fast_io();
  EXPECT_EQ(filter.write(open, fast, "VERSION 2"), FLT_PREOP_DISALLOW_FASTIO);
  EXPECT_EQ(volume.content(kDoc), "version 1") << "a fast-I/O write waiting for a decision does not go down";
  FakeOperation irp(IRP_MJ_WRITE);
  irp.write(0, 9);
  EXPECT_EQ(filter.write(open, irp, "VERSION 2"), FLT_PREOP_SUCCESS_NO_CALLBACK);
  filter.close(open);

  EXPECT_EQ(volume.content(kDoc), "VERSION 2");
  expect_backup("version 1", fb::Trigger::kWrite);
}

TEST_F(TranslateStory, S2AppendThroughAnAppendOnlyHandle) {
  volume.put(kDoc, "line 1\n");
  FakeOperation create(IRP_MJ_CREATE);
  create.create(translate_test::kAppendOnly, CreateDisposition::kOpenIf);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  ASSERT_TRUE(open.stream);
  FakeOperation append(IRP_MJ_WRITE);
  append.write(7, 7);
  filter.write(open, append, "line 2\n");
  filter.close(open);
  EXPECT_EQ(volume.content(kDoc), "line 1\nline 2\n");
  expect_backup("line 1\n", fb::Trigger::kAppend);
}

TEST_F(TranslateStory, S3TruncateIsBackedUpBeforeTheTruncation) {
  volume.put(kDoc, "long old content");
  FakeOperation create(IRP_MJ_CREATE);
  create.create(translate_test::kFileGenericWrite, CreateDisposition::kOpen);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  ASSERT_TRUE(open.stream);
  FakeOperation truncate(IRP_MJ_SET_INFORMATION);
  truncate.set_information(fb::FileInfoClass::kEndOfFile, translate_test::size_info(0));
  filter.set_end_of_file(open, truncate);
  FakeOperation write(IRP_MJ_WRITE);
  write.write(0, 3);
  filter.write(open, write, "new");
  filter.close(open);
  EXPECT_EQ(volume.content(kDoc), "new");
  expect_backup("long old content", fb::Trigger::kTruncate);
}

TEST_F(TranslateStory, S4OverwriteOnOpenKeepsTheOldContent) {
  volume.put(kDoc, "version 1");
  FakeOperation create(IRP_MJ_CREATE);  // CREATE_ALWAYS: FILE_OVERWRITE_IF
  create.create(translate_test::kFileGenericWrite, CreateDisposition::kOverwriteIf, translate_test::kFileNonDirectoryFile);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  ASSERT_EQ(open.status, fb::nt::kSuccess);
  EXPECT_EQ(open.pre_status, FLT_PREOP_SUCCESS_WITH_CALLBACK);
  EXPECT_EQ(create.data().IoStatus.Information, fb::create_info::kOverwritten);
  FakeOperation write(IRP_MJ_WRITE);
  write.write(0, 9);
  filter.write(open, write, "version 2");
  filter.close(open);
  EXPECT_EQ(volume.content(kDoc), "version 2");
  expect_backup("version 1", fb::Trigger::kOverwriteOnOpen);
}

TEST_F(TranslateStory, S4KernelModeOverwriteIsLeftAlone) {
  volume.put(kDoc, "version 1");
  FakeOperation create(IRP_MJ_CREATE, KernelMode);
  create.create(translate_test::kFileGenericWrite, CreateDisposition::kOverwriteIf);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  EXPECT_EQ(open.pre_status, FLT_PREOP_SUCCESS_NO_CALLBACK);
  EXPECT_FALSE(open.stream);
  filter.close(open);
  EXPECT_FALSE(volume.exists(kDoc, u"backup"));
  EXPECT_TRUE(filter.events().empty());
}

TEST_F(TranslateStory, S8WritableMappingIsBackedUpBeforeThePagingWrite) {
  volume.put(kDoc, "mapped v1");
  FakeOperation create(IRP_MJ_CREATE);
  create.create(translate_test::kFileGenericRead | translate_test::kFileGenericWrite, CreateDisposition::kOpen);
  TranslatedFilter::Open open;
  filter.open(create, kDoc, &open);
  ASSERT_TRUE(open.stream);
  FakeOperation section(IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION);
  section.section(SyncTypeCreateSection, fb::page::kReadWrite);
  filter.map_and_dirty(open, section, "MAPPED V2");
  filter.close(open);
  EXPECT_EQ(volume.content(kDoc), "MAPPED V2");
  expect_backup("mapped v1", fb::Trigger::kMappedSection);
}

}  // namespace
