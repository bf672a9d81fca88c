// Paths near NT's limit. An NT name travels in a UNICODE_STRING, whose Length is a USHORT count
// of bytes: 65,535 bytes, so 32,767 UTF-16 units at most ("UNICODE_STRING structure (ntdef.h)",
// https://learn.microsoft.com/windows/win32/api/ntdef/ns-ntdef-_unicode_string; "Naming Files,
// Paths, and Namespaces": "approximately 32,767 characters"). Every name the engine opens is the
// file's path plus a stream suffix (`:backup.tmp.meta`, 16 units) or, for S4, the rescue file's
// (`.~fb` + 8 hex digits, 12 units, and its own streams). Whatever fits must be backed up; what
// does not fails with STATUS_NAME_TOO_LONG and the save proceeds.
#include <gtest/gtest.h>

#include "tests/scenario/scenario_support.h"

namespace fbscenario {
namespace {

using fb::CreateDisposition;
using fb::Outcome;
using fb::SkipReason;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;

constexpr uint32_t kBackupSuffix = 16;  // `:backup.tmp.meta`
constexpr uint32_t kRescueSuffix = 12;  // `.~fb` + 8 hex digits

// A protected path of exactly `units` units: Documents, then 200-unit folders, then a file.
Name path_of(uint32_t units) {
  Name path = kDocs;
  while (units - path.size() > 220) path += Name(200, u'd') + u"\\";
  path += Name(units - path.size() - 4, u'f') + u".txt";
  EXPECT_EQ(path.size(), units);
  return path;
}

class LongPaths : public ScenarioTest {
 protected:
  void SetUp() override {
    volume = std::make_unique<fbmodel::Volume>();
    fbmodel::HarnessOptions options;
    options.buffer_size = 64 * 1024;  // the driver's copy buffers (driver/runtime/kernel_services.h)
    harness = std::make_unique<fbmodel::FilterHarness>(*volume, options);
  }
};

// Review finding: the rescue name shared the 64 KiB copy buffer with the copy's minimum, so an
// overwrite of a path above about 30,700 units failed with INSUFFICIENT_RESOURCES and its backup
// was lost, although every name it needs fits.
TEST_F(LongPaths, OverwriteOfAPathWhoseRescueNamesFitIsBackedUp) {
  const Name doc = path_of(fb::kMaxPathUnits - kRescueSuffix - kBackupSuffix);
  volume->put(doc, "version 1");
  ASSERT_EQ(harness->overwrite(doc, "version 2"), nt::kSuccess);
  EXPECT_EQ(volume->content(doc), "version 2");
  expect_backup(doc, 1, "version 1", Trigger::kOverwriteOnOpen);
  EXPECT_EQ(volume->file_names().size(), 1u);  // no rescue file left
  expect_events({backed_up(Trigger::kOverwriteOnOpen, 9, doc)});
}

TEST_F(LongPaths, InPlaceEditOfAPathWhoseBackupNamesFitIsBackedUp) {
  const Name doc = path_of(fb::kMaxPathUnits - kBackupSuffix);
  volume->put(doc, "version 1");
  ASSERT_EQ(harness->edit(doc, 0, "VERSION 2"), nt::kSuccess);
  expect_backup(doc, 1, "version 1", Trigger::kWrite);
  expect_events({backed_up(Trigger::kWrite, 9, doc)});
}

TEST_F(LongPaths, BackupNamesThatCannotFitFailWithNameTooLong) {
  const Name doc = path_of(fb::kMaxPathUnits - kBackupSuffix + 1);  // `:backup.tmp.meta` does not fit
  volume->put(doc, "version 1");
  ASSERT_EQ(harness->edit(doc, 0, "VERSION 2"), nt::kSuccess);
  EXPECT_EQ(volume->content(doc), "VERSION 2");
  EXPECT_TRUE(slots(doc).empty());
  expect_events({failed(Trigger::kWrite, nt::kNameTooLong, 9, doc)});
}

TEST_F(LongPaths, RescueNamesThatCannotFitFailWithNameTooLong) {
  const Name doc = path_of(fb::kMaxPathUnits - kRescueSuffix - kBackupSuffix + 1);
  volume->put(doc, "version 1");
  ASSERT_EQ(harness->overwrite(doc, "version 2"), nt::kSuccess);
  EXPECT_EQ(volume->content(doc), "version 2");
  EXPECT_EQ(volume->file_names().size(), 1u);
  expect_events({failed(Trigger::kOverwriteOnOpen, nt::kNameTooLong, 9, doc)});
}

}  // namespace
}  // namespace fbscenario
