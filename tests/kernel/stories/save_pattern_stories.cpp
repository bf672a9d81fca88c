// The save patterns (docs/save-patterns.md S1-S8) of tests/scenario/save_patterns_test.cpp,
// each written once and told at both layers: the engine harness and the shipped image under the
// simulated Filter Manager. Same steps, same assertions (content, every slot and its metadata,
// events as the watcher decodes them).
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
constexpr uint32_t kReadWrite = access::kReadData | access::kWriteData;

using SavePatternStory = StoryTest;

TEST_P(SavePatternStory, S1_InPlaceWriteBacksUpBeforeTheFirstWrite) {
  start();
  volume().put(kDoc, "version 1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "VERSION 2"), nt::kSuccess);
  ASSERT_EQ(world().write(h, 9, "!"), nt::kSuccess);  // later writes of the session: no backup
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "VERSION 2!");
  expect_backup(kDoc, 1, "version 1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({backed_up(Trigger::kWrite, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S2_AppendBacksUpBeforeTheFirstAppend) {
  start();
  volume().put(kDoc, "line 1\n");
  AppFile* h = nullptr;  // `>>`: FILE_APPEND_DATA only
  ASSERT_EQ(world().open(kDoc, access::kAppendData, CreateDisposition::kOpenIf, &h), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "line 2\n"), nt::kSuccess);
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "line 1\nline 2\n");
  expect_backup(kDoc, 1, "line 1\n", Trigger::kAppend);
  expect_events({backed_up(Trigger::kAppend, 7)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S3_TruncateThenWriteBacksUpBeforeTheTruncation) {
  start();
  volume().put(kDoc, "old text that is long");
  seed_backup(kDoc, 1, "older");
  AppFile* h = nullptr;  // VS Code: open r+, truncate, write
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().set_end_of_file(h, 0), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "new"), nt::kSuccess);
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old text that is long", Trigger::kTruncate);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});  // MaxVersions 1: "older" made room
  expect_events({backed_up(Trigger::kTruncate, 21)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S3_AllocationShrinkIsATruncationButGrowthIsNot) {
  start();
  volume().put(kDoc, "0123456789");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().set_allocation(h, 4096), nt::kSuccess);  // preallocation: not a modification
  EXPECT_FALSE(volume().exists(kDoc, slot_stream(1)));
  ASSERT_EQ(world().set_allocation(h, 4), nt::kSuccess);  // shrink under the end of file
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "0123");
  expect_backup(kDoc, 1, "0123456789", Trigger::kTruncate);
  expect_events({backed_up(Trigger::kTruncate, 10)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S4_OverwriteOnOpenKeepsOldContent) {
  start();
  volume().put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  AppFile* h = nullptr;  // CREATE_ALWAYS / fopen("w")
  ASSERT_EQ(world().open(kDoc, access::kWriteData, CreateDisposition::kOverwriteIf, &h, 0), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "version 2"), nt::kSuccess);
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(slots(kDoc), std::vector<uint32_t>{1});
  EXPECT_FALSE(has_temp(kDoc));
  EXPECT_EQ(volume().file_names(), std::vector<Name>{fbmodel::fold(kDoc)});  // no rescue file left
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S4_EveryOverwritingDispositionIsCaptured) {
  start();
  const CreateDisposition dispositions[] = {CreateDisposition::kOverwrite, CreateDisposition::kOverwriteIf,
                                            CreateDisposition::kSupersede};
  std::vector<Expected> expected;
  for (CreateDisposition d : dispositions) {
    SCOPED_TRACE(static_cast<int>(d));
    const Name doc = kDocs + u"file" + char16_t(u'0' + static_cast<int>(d)) + u".txt";
    volume().put(doc, "old");
    AppFile* h = nullptr;
    ASSERT_EQ(world().open(doc, access::kWriteData, d, &h, 0), nt::kSuccess);
    ASSERT_EQ(world().write(h, 0, "new"), nt::kSuccess);
    world().close(h);
    EXPECT_EQ(volume().content(doc), "new");
    expect_backup(doc, 1, "old", Trigger::kOverwriteOnOpen);
    expected.push_back(backed_up(Trigger::kOverwriteOnOpen, 3, doc));
  }
  EXPECT_EQ(volume().file_names().size(), 3u);
  expect_events(expected, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S5_RenameOverGivesTheReplacedContentToTheNewFile) {
  start(versions(2));
  volume().put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  AppFile* tmp = nullptr;  // Word: write a temp file, then rename it over the original
  ASSERT_EQ(world().open(kTemp, kReadWrite | access::kDelete, CreateDisposition::kCreate, &tmp), nt::kSuccess);
  EXPECT_FALSE(world().tracked(tmp));  // a new file: nothing to back up
  ASSERT_EQ(world().write(tmp, 0, "version 2"), nt::kSuccess);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  world().close(tmp);

  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_backup(kDoc, 2, "version 0", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(volume().exists(kTemp));
  expect_events({backed_up(Trigger::kRenameOver, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S7_ReplaceFileKeepsTheBackupsRight) {
  start(versions(2));
  volume().put(kDoc, "version 1");
  seed_backup(kDoc, 1, "version 0");
  volume().put(kDoc, "zone 3", u"Zone.Identifier");
  AppFile* tmp = nullptr;
  ASSERT_EQ(world().open(kTemp, kReadWrite, CreateDisposition::kCreate, &tmp), nt::kSuccess);
  ASSERT_EQ(world().write(tmp, 0, "version 2"), nt::kSuccess);
  world().close(tmp);
  for (const Name& stream : volume().stream_names(kDoc)) {  // through the filter: our streams are ignored
    AppFile* copy = nullptr;
    ASSERT_EQ(world().open(kTemp, access::kWriteData, CreateDisposition::kOverwriteIf, &copy, 0, stream),
              nt::kSuccess);
    EXPECT_FALSE(world().tracked(copy));
    ASSERT_EQ(world().write(copy, 0, volume().content(kDoc, stream)), nt::kSuccess);
    world().close(copy);
  }
  ASSERT_EQ(world().open(kTemp, access::kDelete, CreateDisposition::kOpen, &tmp), nt::kSuccess);
  ASSERT_EQ(world().rename(tmp, kDoc, true), nt::kSuccess);
  world().close(tmp);

  EXPECT_EQ(volume().content(kDoc), "version 2");
  expect_backup(kDoc, 1, "version 1", Trigger::kRenameOver);
  expect_backup(kDoc, 2, "version 0", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(volume().content(kDoc, u"Zone.Identifier"), "zone 3");
  EXPECT_FALSE(volume().exists(kTemp));
  expect_events({backed_up(Trigger::kRenameOver, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S8_WritableSectionBacksUpAtSectionCreation) {
  start();
  volume().put(kDoc, "mapped v1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  world().map_writable(h, fb::page::kReadWrite);
  expect_backup(kDoc, 1, "mapped v1", Trigger::kMappedSection);  // before any page is dirtied
  ASSERT_EQ(world().paging_write(h, 0, "MAPPED"), nt::kSuccess);  // the modified page writer
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "MAPPED v1");
  expect_backup(kDoc, 1, "mapped v1", Trigger::kMappedSection);
  expect_events({backed_up(Trigger::kMappedSection, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, S8_PagingWritesNeverBackUp) {
  start();
  volume().put(kDoc, "mapped v1");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  world().map_writable(h, fb::page::kWriteCopy);  // private copy: never reaches the file
  ASSERT_EQ(world().paging_write(h, 0, "MAPPED"), nt::kSuccess);
  EXPECT_TRUE(slots(kDoc).empty());
  world().map_writable(h, fb::page::kReadWrite);
  ASSERT_EQ(world().paging_write(h, 6, "!!!"), nt::kSuccess);
  world().close(h);

  EXPECT_EQ(volume().content(kDoc), "MAPPED!!!");
  expect_backup(kDoc, 1, "MAPPED v1", Trigger::kMappedSection);
  expect_events({backed_up(Trigger::kMappedSection, 9)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, DiskFullInTheMiddleOfACopyKeepsTheEarlierBackup) {
  start();
  const std::string big(20000, 'a');
  volume().put(kDoc, big);
  seed_backup(kDoc, 1, "earlier");
  volume().fail_writes_after(10000);  // the copy runs out of room; the user's one byte still fits
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().write(h, 0, "X"), nt::kSuccess);  // the user's write proceeds
  world().close(h);
  volume().clear_faults();

  EXPECT_EQ(volume().content(kDoc), "X" + big.substr(1));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_FALSE(has_temp(kDoc));
  expect_events({failed(Trigger::kWrite, nt::kDiskFull, 20000)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, TwoWritersFirstClosesBeforeSecondWrites) {
  start();
  volume().put(kDoc, "original");
  AppFile* first = nullptr;
  AppFile* second = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &first), nt::kSuccess);
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &second), nt::kSuccess);
  world().close(first);
  ASSERT_EQ(world().write(second, 0, "EDITED  "), nt::kSuccess);
  world().close(second);
  EXPECT_EQ(volume().content(kDoc), "EDITED  ");
  expect_backup(kDoc, 1, "original", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 8)}, kDoc);
  world().finish();
}

TEST_P(SavePatternStory, ZeroDataFsctlIsAModification) {
  start();
  volume().put(kDoc, "abcdef");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, kReadWrite, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().zero_data(h, 0, 6), nt::kSuccess);
  world().close(h);
  EXPECT_EQ(volume().content(kDoc), std::string(6, '\0'));
  expect_backup(kDoc, 1, "abcdef", Trigger::kOther);
  expect_events({backed_up(Trigger::kOther, 6)}, kDoc);
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, SavePatternStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
