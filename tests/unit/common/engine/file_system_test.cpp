// What the engine's opens ask of the file system, mode by mode.
#include <gtest/gtest.h>

#include "common/engine/file_system.h"

namespace {

using fb::OpenMode;
namespace share = fb::share;

// Review finding: `:backup.tmp` was opened (kReplace, FILE_OVERWRITE_IF) without FILE_SHARE_DELETE.
// An open of a named stream that does not share delete breaks a batch or filter oplock on the
// file ([MS-FSA] 2.1.5.1.2 and 2.1.4.12: such an open could keep the holder from renaming or
// deleting the file), so each backup broke the writer's oplock - or failed, since the engine
// refuses to wait for a break (driver/runtime/kernel_fs.cpp). Every open shares delete.
TEST(FileSystemModes, EveryOpenSharesDeleteSoNoBatchOrFilterOplockBreaks) {
  for (OpenMode mode :
       {OpenMode::kRead, OpenMode::kReplace, OpenMode::kCreateNew, OpenMode::kMove, OpenMode::kDeleteAlone})
    EXPECT_NE(fb::share_access_of(mode) & share::kDelete, 0) << "mode " << static_cast<int>(mode);
}

TEST(FileSystemModes, OurOwnStreamsAreWrittenWithoutReadersOrWriters) {
  // A reader of `backup.tmp` while it is being written would see a partial backup.
  for (OpenMode mode : {OpenMode::kReplace, OpenMode::kCreateNew})
    EXPECT_EQ(fb::share_access_of(mode) & (share::kRead | share::kWrite), 0) << static_cast<int>(mode);
  EXPECT_EQ(fb::share_access_of(OpenMode::kRead), share::kAll);  // the writer may share anything
  EXPECT_EQ(fb::share_access_of(OpenMode::kMove), share::kAll);
}

// Finding (restore_race_test): the rotation's delete of the oldest version, opened sharing
// everything, succeeded against a reader that shared delete and only left the version
// delete-pending; the backup failed and the version vanished at the reader's close. Its open
// must be refused by any reader or writer: it shares neither reading nor writing.
TEST(FileSystemModes, TheOldestVersionIsDeletedOnlyWhenNoOneElseReadsOrWritesIt) {
  EXPECT_EQ(fb::share_access_of(OpenMode::kDeleteAlone), share::kDelete);
}

}  // namespace
