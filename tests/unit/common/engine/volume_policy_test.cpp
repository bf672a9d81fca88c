// Which volumes the driver attaches to (common/engine/volume_policy.h): every rule, alone and together.
#include "common/engine/volume_policy.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>

namespace fb {
namespace {

// A few of Filter Manager's FLT_FILESYSTEM_TYPE and DEVICE_TYPE values besides the policy's.
constexpr uint32_t kFsRaw = 1, kFsFat = 3, kFsCdfs = 4, kFsLanman = 6, kFsExfat = 22, kFsCsvfs = 27,
                   kFsRefs = 28, kFsUnknown = 0;
constexpr uint32_t kDeviceCdRomFileSystem = 0x03, kDeviceNetworkFileSystem = 0x14;
constexpr uint32_t kAutomatic = 0x1, kManual = 0x2, kNewlyMounted = 0x4;

struct AttachCase {
  const char* name;
  VolumeFacts volume;
  AttachRefusal expected;
};

void PrintTo(const AttachCase& c, std::ostream* os) { *os << c.name; }

class AttachPolicy : public ::testing::TestWithParam<AttachCase> {};

TEST_P(AttachPolicy, DecidesOnFileSystemDeviceAndFlags) {
  const AttachCase& c = GetParam();
  EXPECT_EQ(attach_refusal(c.volume), c.expected);
  EXPECT_EQ(should_attach(c.volume), c.expected == AttachRefusal::kNone);
}

INSTANTIATE_TEST_SUITE_P(
    Volumes, AttachPolicy,
    ::testing::Values(
        AttachCase{"NtfsAtLoad", {kFsTypeNtfs, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNone},
        AttachCase{"NtfsNewlyMounted", {kFsTypeNtfs, kDeviceDiskFileSystem, kAutomatic | kNewlyMounted},
                   AttachRefusal::kNone},
        AttachCase{"NtfsManual", {kFsTypeNtfs, kDeviceDiskFileSystem, kManual}, AttachRefusal::kNone},
        AttachCase{"NtfsNoFlags", {kFsTypeNtfs, kDeviceDiskFileSystem, 0}, AttachRefusal::kNone},
        AttachCase{"NtfsDetached", {kFsTypeNtfs, kDeviceDiskFileSystem, kAutomatic | kSetupFlagDetachedVolume},
                   AttachRefusal::kDetachedVolume},
        AttachCase{"NtfsDetachedManual", {kFsTypeNtfs, kDeviceDiskFileSystem, kManual | kSetupFlagDetachedVolume},
                   AttachRefusal::kDetachedVolume},
        AttachCase{"NtfsOnCdRomDevice", {kFsTypeNtfs, kDeviceCdRomFileSystem, kAutomatic},
                   AttachRefusal::kNotDiskFileSystem},
        AttachCase{"NtfsOnNetworkDevice", {kFsTypeNtfs, kDeviceNetworkFileSystem, kAutomatic},
                   AttachRefusal::kNotDiskFileSystem},
        AttachCase{"Refs", {kFsRefs, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Fat", {kFsFat, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Exfat", {kFsExfat, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Csvfs", {kFsCsvfs, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Raw", {kFsRaw, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Unknown", {kFsUnknown, kDeviceDiskFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"Cdfs", {kFsCdfs, kDeviceCdRomFileSystem, kAutomatic}, AttachRefusal::kNotNtfs},
        AttachCase{"SmbRedirector", {kFsLanman, kDeviceNetworkFileSystem, kManual}, AttachRefusal::kNotNtfs},
        // The first failing rule is the one reported.
        AttachCase{"FatOnCdRomDetached", {kFsFat, kDeviceCdRomFileSystem, kSetupFlagDetachedVolume},
                   AttachRefusal::kNotNtfs},
        AttachCase{"NtfsOnCdRomDetached", {kFsTypeNtfs, kDeviceCdRomFileSystem, kSetupFlagDetachedVolume},
                   AttachRefusal::kNotDiskFileSystem}),
    [](const ::testing::TestParamInfo<AttachCase>& info) { return std::string(info.param.name); });

TEST(AttachPolicyValues, MatchFilterManagers) {
  EXPECT_EQ(kFsTypeNtfs, 2u);
  EXPECT_EQ(kDeviceDiskFileSystem, 0x8u);
  EXPECT_EQ(kSetupFlagDetachedVolume, 0x8u);
}

TEST(AttachRefusalText, EveryRefusalHasItsOwnText) {
  std::set<std::string> seen;
  for (AttachRefusal r : {AttachRefusal::kNone, AttachRefusal::kNotNtfs, AttachRefusal::kNotDiskFileSystem,
                          AttachRefusal::kDetachedVolume}) {
    const std::string text = attach_refusal_text(r);
    EXPECT_NE(text, "unknown");
    EXPECT_TRUE(seen.insert(text).second) << text;
  }
  EXPECT_STREQ(attach_refusal_text(static_cast<AttachRefusal>(200)), "unknown");
}

}  // namespace
}  // namespace fb
