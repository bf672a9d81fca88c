// The vault (common/engine/vault.h) told at both layers (story.h): a protected file's delete
// gives it a hard link in <volume>\$FileBackupVault (N10), and a file taking the name within
// the history window adopts its content and versions: Excel's save (S6), Word's (S6b), a plain
// delete, a new file at the name, and the vault's bounds read from the registry. At the image
// layer this is the driver glue at work: FltCreateFileEx2 of the vault's folder, FltSetInformation-
// File with FileLinkInformation, FileInternalInformation and NumberOfLinks queries.
#include "tests/kernel/stories/vault_steps.h"

#include "monitor/lib/vault_listing.h"
#include "tests/support/model_monitor_fs.h"

namespace ksim::stories {
namespace {

using fb::CreateDisposition;
using fb::Outcome;
using fb::SkipReason;
using fb::Trigger;
namespace access = fb::access;
namespace nt = fb::nt;

using namespace vault_steps;

using VaultStory = StoryTest;

TEST_P(VaultStory, S6_DeleteOfAProtectedFileIsKeptInTheVault) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  EXPECT_FALSE(volume().exists(kDoc));
  const std::vector<Name> kept = vault_files(volume());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(volume().content(kept[0]), "content");
  expect_backup(kept[0], 1, "earlier", Trigger::kWrite);
  EXPECT_TRUE(volume().exists(kept[0] + u".info")) << "the record naming the original";
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 7, kDoc}}, kDoc);
  world().finish();
}

// N13: a delete over a share. srv2.sys opens the file for the remote user from kernel mode with
// SL_FORCE_ACCESS_CHECK and deletes it either by FileDispositionInformation (from kernel mode)
// or by a create with FILE_DELETE_ON_CLOSE (the SMB2 CREATE option; it is the create that must
// not be taken for the kernel's own, N13). Either way the vault keeps the file as for a local
// delete, and fbmon's own listing (monitor/lib/vault_listing.h) finds it with its path and
// versions in what the filter left on the volume.
class ShareDeleteStory : public StoryTest {
 protected:
  void delete_over_a_share(bool on_close) {
    start(versions(3));
    volume().put(kDoc, "content");
    seed_backup(kDoc, 1, "earlier");
    seed_backup(kDoc, 2, "earliest");
    world().set_requestor(World::Requestor::kShare);
    if (on_close) {
      AppFile* h = nullptr;
      ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &h, fb::share::kAll, Name(),
                             fb::create_option::kDeleteOnClose),
                nt::kSuccess);
      world().close(h);
    } else {
      ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
    }
    world().set_requestor(World::Requestor::kApplication);
    EXPECT_FALSE(volume().exists(kDoc));
    const std::vector<Name> kept = vault_files(volume());
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(volume().content(kept[0]), "content");
    expect_backup(kept[0], 1, "earlier", Trigger::kWrite);
    expect_backup(kept[0], 2, "earliest", Trigger::kWrite);
    expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 7, kDoc}}, kDoc);

    fbmodel::ModelFs host(volume());
    fbtest::ModelMonitorFs fs(volume(), host, fb::IoTarget());
    const fbmon::VaultListing listing =
        fbmon::list_vault(fs, u"C:\\$FileBackupVault", fbtest::ModelMonitorFs::devices(), true);
    ASSERT_TRUE(listing.ok) << fbmon::error_line(listing.error);
    ASSERT_EQ(listing.files.size(), 1u);
    const fbmon::DeletedFile& d = listing.files[0];
    EXPECT_EQ(d.record, fbmon::RecordState::kOk);
    EXPECT_TRUE(fbmon::equal_ascii_nocase(fbmon::view(d.original), fbmon::view(u"C:\\Users\\me\\Documents\\report.docx")))
        << fbmon::to_utf8(d.original);
    EXPECT_EQ(d.versions, 2u);
    EXPECT_EQ(d.info.size, 7u);
    EXPECT_EQ(d.info.process_id, 4242u);  // the stories' requestor (image_world.h kRequestor)
    EXPECT_TRUE(d.restorable());
    EXPECT_EQ(host.open_count(), 0);
    world().finish();
  }
};

TEST_P(ShareDeleteStory, N13_DispositionDeleteOverAShareIsKeptInTheVaultAndListed) { delete_over_a_share(false); }
TEST_P(ShareDeleteStory, N13_DeleteOnCloseOverAShareIsKeptInTheVaultAndListed) { delete_over_a_share(true); }

TEST_P(VaultStory, S6_DeleteOfAFileOverVaultMaxFileSizeIsReportedLost) {
  fb::EngineConfig config;
  config.vault_max_file_size = 3;  // from the registry at the image layer
  start(config);
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({{Trigger::kDelete, Outcome::kBackupLost, SkipReason::kTooLarge, nt::kSuccess, 0, kDoc}}, kDoc);
  world().finish();
}

TEST_P(VaultStory, S6_ExcelSaveGivesThePreviousVersionsToTheNewFile) {
  start(versions(3));
  volume().put(kDoc, "v2");
  seed_backup(kDoc, 1, "v1");
  excel_save(world(), "v3");
  EXPECT_EQ(volume().content(kDoc), "v3");
  expect_backup(kDoc, 1, "v2", Trigger::kDeleteThenRename);
  expect_backup(kDoc, 2, "v1", Trigger::kWrite);
  EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2}));
  EXPECT_FALSE(volume().exists(kExcelTemp));
  EXPECT_TRUE(vault_files(volume()).empty()) << "the vault entry is released once adopted";
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 2, kDoc},
                 backed_up(Trigger::kDeleteThenRename, 2)},
                kDoc);
  world().finish();
}

TEST_P(VaultStory, S6b_WordSaveGivesThePreviousVersionsToTheNewFile) {
  start(versions(3));
  volume().put(kDoc, "v2");
  seed_backup(kDoc, 1, "v1");
  word_save(world(), "v3");
  EXPECT_EQ(volume().content(kDoc), "v3");
  expect_backup(kDoc, 1, "v2", Trigger::kRenameAwayThenRename);
  expect_backup(kDoc, 2, "v1", Trigger::kWrite);
  EXPECT_FALSE(volume().exists(kOldDoc));
  EXPECT_FALSE(volume().exists(kWordTemp));
  EXPECT_TRUE(vault_files(volume()).empty()) << "the adopted original's delete keeps nothing";
  expect_events({backed_up(Trigger::kRenameAwayThenRename, 2)}, kDoc);
  world().finish();
}

TEST_P(VaultStory, S6_NewFileCreatedAtTheNameTakesTheHistory) {
  start();
  volume().put(kDoc, "old");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  ASSERT_EQ(overwrite(kDoc, "new"), nt::kSuccess);  // CREATE_ALWAYS on a free name
  EXPECT_EQ(volume().content(kDoc), "new");
  expect_backup(kDoc, 1, "old", Trigger::kDeleteThenCreate);
  EXPECT_TRUE(vault_files(volume()).empty());
  expect_events({{Trigger::kDelete, Outcome::kKeptInVault, SkipReason::kNone, nt::kSuccess, 3, kDoc},
                 backed_up(Trigger::kDeleteThenCreate, 3)},
                kDoc);
  world().finish();
}

TEST_P(VaultStory, DeleteCancelledBeforeTheLastCloseKeepsNothing) {
  start();
  volume().put(kDoc, "content");
  seed_backup(kDoc, 1, "earlier");
  AppFile* h = nullptr;
  ASSERT_EQ(world().open(kDoc, access::kDelete, CreateDisposition::kOpen, &h), nt::kSuccess);
  ASSERT_EQ(world().delete_on_close(h), nt::kSuccess);
  ASSERT_EQ(world().cancel_delete(h), nt::kSuccess);
  world().close(h);
  EXPECT_TRUE(volume().exists(kDoc));
  expect_backup(kDoc, 1, "earlier", Trigger::kWrite);
  EXPECT_TRUE(vault_files(volume()).empty()) << "a delete that did not happen leaves nothing in the vault";
  expect_events({}, kDoc);
  world().finish();
}

// After a restart: the driver's InstanceSetup lists the vault folder and hands each kept file
// to the engine (Engine::vault_scan), so the bounds cover what the previous boot kept. Two files
// without records (their size and the scan's time stand in): the bound on the total removes the
// older one when a new delete pushes the vault over VaultMaxBytes.
TEST_P(VaultStory, FilesKeptBeforeARestartAreUnderTheBounds) {
  const Name folder = u"\\Device\\HarddiskVolume2\\$FileBackupVault\\";
  const Name first = folder + u"0000000000000043";
  const Name foreign = folder + u"desktop.ini";
  world().before_attach = [&](fbmodel::Volume& v) {
    v.put(first, "nine byte");
    v.put(foreign, "not ours");
  };
  fb::EngineConfig config;
  config.vault_max_bytes = 20;
  start(config);
  EXPECT_TRUE(volume().exists(first)) << "within the bounds: kept";
  volume().put(kDoc, "twelve bytes");
  ASSERT_EQ(del(world(), kDoc), nt::kSuccess);
  EXPECT_FALSE(volume().exists(first)) << "9 + 12 > 20: the oldest kept file goes";
  EXPECT_TRUE(volume().exists(foreign)) << "a name the vault did not make is never removed";
  ASSERT_EQ(vault_files(volume()).size(), 2u);  // the new one and desktop.ini
  const std::vector<RecordedEvent> events = world().events(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event.outcome, Outcome::kKeptInVault);
  EXPECT_EQ(fbmodel::fold(events[0].path), fbmodel::fold(kDoc));
  EXPECT_EQ(events[1].event.outcome, Outcome::kVaultEvicted);
  EXPECT_EQ(events[1].event.file_size, 9u);
  EXPECT_EQ(fbmodel::fold(events[1].path), fbmodel::fold(first));
  world().finish();
}

INSTANTIATE_TEST_SUITE_P(BothLayers, ShareDeleteStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });
INSTANTIATE_TEST_SUITE_P(BothLayers, VaultStory, ::testing::Values(Layer::kEngine, Layer::kImage),
                         [](const ::testing::TestParamInfo<Layer>& info) { return std::string(layer_name(info.param)); });

}  // namespace
}  // namespace ksim::stories
