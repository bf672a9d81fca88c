#include "common/paths/stream_names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/events/event.h"

namespace {

using fb::BackupPart;
using fb::StreamOwner;

fb::Str16 S(const std::u16string& s) { return fb::Str16(s.data(), static_cast<uint32_t>(s.size())); }

struct ClassifyCase {
  std::u16string name;
  StreamOwner owner;
  uint32_t slot;
  BackupPart part;
};

const ClassifyCase kClassifyCases[] = {
    {u"backup", StreamOwner::kBackup, 1, BackupPart::kData},
    {u"BACKUP", StreamOwner::kBackup, 1, BackupPart::kData},
    {u"backup.meta", StreamOwner::kBackup, 1, BackupPart::kMeta},
    {u"Backup.Meta", StreamOwner::kBackup, 1, BackupPart::kMeta},
    {u"backup.2", StreamOwner::kBackup, 2, BackupPart::kData},
    {u"backup.9", StreamOwner::kBackup, 9, BackupPart::kData},
    {u"backup.5.meta", StreamOwner::kBackup, 5, BackupPart::kMeta},
    {u"backup.tmp", StreamOwner::kBackup, fb::kTempBackupSlot, BackupPart::kData},
    {u"backup.TMP.META", StreamOwner::kBackup, fb::kTempBackupSlot, BackupPart::kMeta},
    {u"backup.1", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.0", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.10", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.meta.meta", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.2.met", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backupX", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"backup.tmp2", StreamOwner::kOtherOurs, 0, BackupPart::kData},
    {u"", StreamOwner::kNotOurs, 0, BackupPart::kData},
    {u"backu", StreamOwner::kNotOurs, 0, BackupPart::kData},
    {u"xbackup", StreamOwner::kNotOurs, 0, BackupPart::kData},
    {u"Zone.Identifier", StreamOwner::kNotOurs, 0, BackupPart::kData},
    {u"$DATA", StreamOwner::kNotOurs, 0, BackupPart::kData},
    {u"\uFF42ackup", StreamOwner::kNotOurs, 0, BackupPart::kData},  // fullwidth b: a different name to NTFS
};

TEST(ClassifyStream, RecognisesOurNamesAndNothingElse) {
  for (const ClassifyCase& c : kClassifyCases) {
    const fb::StreamClass got = fb::classify_stream(S(c.name));
    EXPECT_EQ(got.owner, c.owner) << std::string(c.name.begin(), c.name.end());
    if (c.owner == StreamOwner::kBackup) {
      EXPECT_EQ(got.slot, c.slot) << std::string(c.name.begin(), c.name.end());
      EXPECT_EQ(got.part, c.part) << std::string(c.name.begin(), c.name.end());
    }
    EXPECT_EQ(fb::is_our_stream(S(c.name)), c.owner != StreamOwner::kNotOurs);
  }
}

struct SuffixCase {
  uint32_t slot;
  BackupPart part;
  std::u16string suffix;
};

const SuffixCase kSuffixCases[] = {
    {1, BackupPart::kData, u":backup"},
    {1, BackupPart::kMeta, u":backup.meta"},
    {2, BackupPart::kData, u":backup.2"},
    {9, BackupPart::kMeta, u":backup.9.meta"},
    {fb::kTempBackupSlot, BackupPart::kData, u":backup.tmp"},
    {fb::kTempBackupSlot, BackupPart::kMeta, u":backup.tmp.meta"},
};

TEST(BuildBackupSuffix, WritesEveryName) {
  for (const SuffixCase& c : kSuffixCases) {
    char16_t out[fb::kMaxBackupSuffixUnits];
    uint32_t len = 99;
    ASSERT_EQ(fb::build_backup_suffix(c.slot, c.part, out, fb::kMaxBackupSuffixUnits, &len), fb::nt::kSuccess);
    EXPECT_EQ(std::u16string(out, len), c.suffix);
  }
}

TEST(BuildBackupSuffix, RoundTripsThroughClassify) {
  for (const SuffixCase& c : kSuffixCases) {
    const fb::StreamClass got = fb::classify_stream(S(c.suffix.substr(1)));
    EXPECT_EQ(got.owner, StreamOwner::kBackup);
    EXPECT_EQ(got.slot, c.slot);
    EXPECT_EQ(got.part, c.part);
  }
}

TEST(BuildBackupSuffix, ExactCapacityFitsAndOneLessIsTooLongWithoutWriting) {
  for (const SuffixCase& c : kSuffixCases) {
    const uint32_t need = static_cast<uint32_t>(c.suffix.size());
    std::vector<char16_t> out(need + 1, u'#');
    uint32_t len = 0;
    EXPECT_EQ(fb::build_backup_suffix(c.slot, c.part, out.data(), need, &len), fb::nt::kSuccess);
    EXPECT_EQ(out[need], u'#');  // nothing past the capacity, no terminator
    std::fill(out.begin(), out.end(), u'#');
    EXPECT_EQ(fb::build_backup_suffix(c.slot, c.part, out.data(), need - 1, &len), fb::nt::kNameTooLong);
    EXPECT_EQ(len, 0u);
    EXPECT_EQ(out[0], u'#');
  }
}

TEST(BuildBackupSuffix, RejectsSlotsOutsideTheLayout) {
  char16_t out[fb::kMaxBackupSuffixUnits];
  uint32_t len = 0;
  EXPECT_EQ(fb::build_backup_suffix(10, BackupPart::kData, out, fb::kMaxBackupSuffixUnits, &len),
            fb::nt::kInvalidParameter);
  EXPECT_EQ(fb::build_backup_suffix(1, BackupPart::kData, nullptr, 5, &len), fb::nt::kInvalidParameter);
}

TEST(BuildBackupStreamPath, AppendsTheSuffixToTheFile) {
  const std::u16string file = u"\\Device\\HarddiskVolume3\\Users\\a\\Documents\\report.docx";
  for (const SuffixCase& c : kSuffixCases) {
    std::vector<char16_t> out(file.size() + fb::kMaxBackupSuffixUnits);
    uint32_t len = 0;
    ASSERT_EQ(fb::build_backup_stream_path(S(file), c.slot, c.part, out.data(), static_cast<uint32_t>(out.size()), &len),
              fb::nt::kSuccess);
    EXPECT_EQ(std::u16string(out.data(), len), file + c.suffix);
  }
}

TEST(BuildBackupStreamPath, TooSmallBufferIsNameTooLong) {
  const std::u16string file = u"\\Device\\HarddiskVolume3\\x";
  std::vector<char16_t> out(file.size() + 6, u'#');  // ":backup" needs 7 more
  uint32_t len = 0;
  EXPECT_EQ(fb::build_backup_stream_path(S(file), 1, BackupPart::kData, out.data(), static_cast<uint32_t>(out.size()), &len),
            fb::nt::kNameTooLong);
  EXPECT_EQ(out[0], u'#');
}

TEST(BuildBackupStreamPath, NeverExceedsTheLongestNtPath) {
  const std::u16string file(fb::kMaxPathUnits - 7, u'f');  // + ":backup" == 32767: fits
  std::vector<char16_t> out(fb::kMaxPathUnits + 100);
  uint32_t len = 0;
  EXPECT_EQ(fb::build_backup_stream_path(S(file), 1, BackupPart::kData, out.data(), static_cast<uint32_t>(out.size()), &len),
            fb::nt::kSuccess);
  EXPECT_EQ(len, fb::kMaxPathUnits);
  EXPECT_EQ(fb::build_backup_stream_path(S(file), 2, BackupPart::kData, out.data(), static_cast<uint32_t>(out.size()), &len),
            fb::nt::kNameTooLong);
}

}  // namespace
