// Paths near NT's limit (tests/scenario/long_paths_test.cpp) told at both layers (story.h). An
// NT name travels in a UNICODE_STRING whose Length is a USHORT count of bytes: 32,767 UTF-16
// units at most ("UNICODE_STRING structure (ntdef.h)"). Every name the engine opens is the
// file's path plus a stream suffix (`:backup.tmp.meta`, 16 units) or, for S4, the rescue file's
// (`.~fb` + 8 hex digits, 12 units, and its own streams). Whatever fits is backed up; what does
// not fails with STATUS_NAME_TOO_LONG and the save proceeds. At the image layer the names pass
// through Filter Manager's name queries, FltCreateFileEx2 and the event's trip over the port.
#include "tests/kernel/stories/story.h"

namespace ksim::stories {
namespace {

using fb::Trigger;
namespace nt = fb::nt;

const Name kDocs = u"\\Device\\HarddiskVolume2\\Users\\me\\Documents\\";
constexpr uint32_t kBackupSuffix = 16;  // `:backup.tmp.meta`
constexpr uint32_t kRescueSuffix = 12;  // `.~fb` + 8 hex digits

// A protected path of exactly `units` units: Documents, then 200-unit folders, then a file.
Name path_of(uint32_t units, char16_t letter) {
  Name path = kDocs;
  while (units - path.size() > 220) path += Name(200, u'd') + u"\\";
  path += Name(units - path.size() - 4, letter) + u".txt";
  EXPECT_EQ(path.size(), units);
  return path;
}

using LongPathStory = StoryTest;

TEST_P(LongPathStory, OverwriteOfAPathWhoseRescueNamesFitIsBackedUp) {
  start();
  const Name doc = path_of(fb::kMaxPathUnits - kRescueSuffix - kBackupSuffix, u'f');
  volume().put(doc, "version 1");
  ASSERT_EQ(overwrite(doc, "version 2"), nt::kSuccess);
  EXPECT_EQ(volume().content(doc), "version 2");
  expect_backup(doc, 1, "version 1", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(volume().file_names().size(), 1u) << "a rescue file was left behind";
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9, doc)}, doc);
  world().finish();
}

TEST_P(LongPathStory, InPlaceEditOfAPathWhoseBackupNamesFitIsBackedUp) {
  start();
  const Name doc = path_of(fb::kMaxPathUnits - kBackupSuffix, u'f');
  volume().put(doc, "version 1");
  ASSERT_EQ(edit(doc, 0, "VERSION 2"), nt::kSuccess);
  expect_backup(doc, 1, "version 1", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9, doc)}, doc);
  world().finish();
}

TEST_P(LongPathStory, BackupNamesThatCannotFitFailWithNameTooLong) {
  start();
  const Name doc = path_of(fb::kMaxPathUnits - kBackupSuffix + 1, u'f');  // `:backup.tmp.meta` does not fit
  volume().put(doc, "version 1");
  ASSERT_EQ(edit(doc, 0, "VERSION 2"), nt::kSuccess);
  EXPECT_EQ(volume().content(doc), "VERSION 2");
  EXPECT_TRUE(slots(doc).empty());
  expect_events({failed(Trigger::kWrite, nt::kNameTooLong, 9, doc)}, doc);
  world().finish();
}

TEST_P(LongPathStory, RescueNamesThatCannotFitFailWithNameTooLong) {
  start();
  const Name doc = path_of(fb::kMaxPathUnits - kRescueSuffix - kBackupSuffix + 1, u'f');
  volume().put(doc, "version 1");
  ASSERT_EQ(overwrite(doc, "version 2"), nt::kSuccess);
  EXPECT_EQ(volume().content(doc), "version 2");
  EXPECT_EQ(volume().file_names().size(), 1u);
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kNameTooLong, 9, doc)}, doc);
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, LongPathStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
