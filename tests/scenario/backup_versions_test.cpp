// MaxVersions from the registry, end to end through the configuration parser. The rotation
// itself (slots shifting, trimming, a backup interrupted at any byte or open never losing a
// good one) is told at both layers in tests/kernel/stories/backup_versions_stories.cpp.
#include "tests/scenario/scenario_support.h"

#include "common/config/config_values.h"

namespace fbscenario {
namespace {

namespace nt = fb::nt;

class BackupVersions : public ScenarioTest {
 protected:
  void seed(uint32_t existing) {
    volume->put(kDoc, "current content of the file");
    for (uint32_t slot = 1; slot <= existing; ++slot) seed_backup(kDoc, slot, "version " + std::to_string(10 - slot));
  }
};

// MaxVersions read valid from the registry (trim_versions) lowered below the slots in use: the
// next backup leaves exactly the newest MaxVersions versions, numbered 1.. without gaps.
fb::EngineConfig valid_max(uint32_t versions) {
  fb::EngineConfig c;
  c.max_versions = versions;
  c.trim_versions = true;
  return c;
}

// The registry path end to end: an invalid MaxVersions (0, REG_SZ, 10) never deletes a version.
// At load it leaves the default in force without trimming; at a reload, the value in force.
TEST_F(BackupVersions, InvalidMaxVersionsFromTheRegistryNeverTrims) {
  const uint32_t zero = 0, ten = 10;
  const char16_t text[] = u"3";
  const fb::RawValue invalid[] = {{true, fb::reg::kDword, &zero, 4},
                                  {true, fb::reg::kDword, &ten, 4},
                                  {true, fb::reg::kSz, text, sizeof text}};
  for (const fb::RawValue& value : invalid) {
    fb::RawConfig raw;
    raw[fb::ConfigKey::kMaxVersions] = value;
    fb::ConfigReports reports;
    // At load: the default, not trimming.
    const fb::EngineConfig at_load = fb::parse_engine_config(raw, fb::EngineConfig(), &reports);
    EXPECT_FALSE(at_load.trim_versions);
    ASSERT_NE(reports.find(fb::ConfigKey::kMaxVersions), nullptr);
    start(at_load);
    seed(3);
    ASSERT_EQ(harness->edit(kDoc, 0, "C"), nt::kSuccess);
    EXPECT_EQ(slots(kDoc), (std::vector<uint32_t>{1, 2, 3}));  // nothing above MaxVersions deleted
    // At a reload: the value in force (3, valid) stays, trimming included.
    const fb::EngineConfig reloaded = fb::parse_engine_config(raw, valid_max(3), &reports);
    EXPECT_EQ(reloaded.max_versions, 3u);
    EXPECT_TRUE(reloaded.trim_versions);
  }
}

}  // namespace
}  // namespace fbscenario
