// fbmon status and usage output: every fact with its source's answer, unknown ones with the
// reason; JSON with stable snake_case keys and no spaces.
#include "monitor/lib/status.h"

#include <gtest/gtest.h>

#include <stdio.h>

#include "monitor/lib/backup_inspect.h"

namespace {

TEST(MonitorStatus, WithoutTheDriverItSaysWhatItKnows) {
  fbmon::StatusReport s;
  s.service_known = true;
  s.service_installed = true;
  s.start_type = 3;
  s.our_protocol = 1;
  s.port_problem = "driver not loaded: port \\FileBackupPort (HRESULT 0x80070002) not found; load it with `fltmc load FileBackup`";
  s.volumes_known = true;
  const std::string text = fbmon::format_status(s);
  EXPECT_EQ(text,
            "FileBackup status\n"
            "  service               installed, start demand (manual), stopped\n"
            "  driver                not reachable: driver not loaded: port \\FileBackupPort (HRESULT 0x80070002) not "
            "found; load it with `fltmc load FileBackup`\n"
            "  attached to           no volume\n"
            "  event queue           unknown (the driver is not reachable)\n");
  const std::string json = fbmon::format_status_json(s);
  EXPECT_EQ(json.find("{\"service\":{\"known\":true,\"installed\":true,\"start_type\":3,\"start\":\"demand (manual)\","
                      "\"running\":false},\"driver\":{\"loaded\":false,\"fbmon_protocol\":1,\"error\":"),
            0u)
      << json;
  printf("sample status (no driver):\n%s%s\n", text.c_str(), json.c_str());
}

TEST(MonitorStatus, WithTheDriverItShowsVolumesAndTheQueue) {
  fbmon::StatusReport s;
  s.service_known = s.service_installed = s.service_running = true;
  s.start_type = 3;
  s.driver_loaded = true;
  s.protocol = s.our_protocol = 2;
  s.driver_known = true;
  s.driver.driver_major = 1;
  s.driver.driver_minor = 0;
  s.driver.driver_patch = 3;
  s.driver.watcher_connected = true;
  s.driver.watcher_process_id = 4312;
  s.volumes_known = true;
  s.volumes = {"C: (\\Device\\HarddiskVolume3)", "D: (\\Device\\HarddiskVolume5)"};
  s.stats_known = true;
  s.stats.rules_loaded = 3;
  s.stats.backups = 340;
  s.stats.tracked_files = 12;
  s.stats.events_dropped = 5;
  s.stats.queue_high_water = 17;
  s.stats.queue_high_water_bytes = 12288;
  s.stats.queue_capacity_bytes = 1048576;
  const std::string text = fbmon::format_status(s);
  EXPECT_NE(text.find("  driver                loaded, version 1.0.3, protocol 2 (fbmon speaks 2)\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  watcher               connected (process 4312)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  attached to           C: (\\Device\\HarddiskVolume3), D: (\\Device\\HarddiskVolume5)\n"),
            std::string::npos);
  EXPECT_NE(text.find("  event queue           5 events dropped; high-water mark 17 events, 12.0 KiB of 1.00 MiB\n"),
            std::string::npos);
  const std::string json = fbmon::format_status_json(s);
  EXPECT_NE(json.find("\"volumes\":[\"C: (\\\\Device\\\\HarddiskVolume3)\",\"D: (\\\\Device\\\\HarddiskVolume5)\"]"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"queue\":{\"events_dropped\":5,\"high_water\":17,\"high_water_bytes\":12288,"
                      "\"capacity_bytes\":1048576},\"rules_loaded\":3}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"driver\":{\"loaded\":true,\"fbmon_protocol\":2,\"protocol\":2,\"version\":\"1.0.3\","
                      "\"watcher_connected\":true,\"watcher_process_id\":4312}"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("\": "), std::string::npos);
  printf("sample status (driver loaded):\n%s%s\n", text.c_str(), json.c_str());
}

TEST(MonitorUsage, LargestFirstWithTheTotal) {
  std::vector<fbmon::FileUsage> files = {{"C:\\d\\small.txt", 1, 100, 0}, {"C:\\d\\big.txt", 3, 5000, 0},
                                         {"C:\\d\\mid.txt", 2, 1000, 0}};
  const std::string text = fbmon::format_usage("C:\\d", files);
  EXPECT_EQ(text,
            "  backups  size        file\n"
            "        3  4.88 KiB    C:\\d\\big.txt\n"
            "        2  1000 B      C:\\d\\mid.txt\n"
            "        1  100 B       C:\\d\\small.txt\n"
            "3 files under C:\\d hold 6 backups in 5.96 KiB (6100 bytes)\n");
  EXPECT_EQ(fbmon::format_usage("C:\\d", {}), "no file under C:\\d has a backup\n");
  const std::string json = fbmon::format_usage_json("C:\\d", files);
  EXPECT_EQ(json,
            "{\"file\":\"C:\\\\d\\\\big.txt\",\"backups\":3,\"bytes\":5000}\n"
            "{\"file\":\"C:\\\\d\\\\mid.txt\",\"backups\":2,\"bytes\":1000}\n"
            "{\"file\":\"C:\\\\d\\\\small.txt\",\"backups\":1,\"bytes\":100}\n"
            "{\"total\":{\"folder\":\"C:\\\\d\",\"files\":3,\"backups\":6,\"bytes\":6100}}\n");
  printf("sample usage:\n%s%s", text.c_str(), json.c_str());
}

}  // namespace
