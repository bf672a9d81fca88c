// `fbmon status`: the driver at a glance, from what the glue could learn (service control
// manager, Filter Manager's instance list, the port). Pure formatting, tested natively; each
// fact carries whether it is known, so a machine without the driver still gets every answer
// that does not need it.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/protocol/protocol.h"
#include "common/protocol/stats.h"

namespace fbmon {

struct StatusReport {
  // Service control manager (HKLM\SYSTEM\CurrentControlSet\Services\FileBackup).
  bool service_known = false;      // false: the query itself failed (service_error says why)
  bool service_installed = false;
  uint32_t start_type = 0;         // SERVICE_*_START: 0 boot, 1 system, 2 automatic, 3 demand, 4 disabled
  bool service_running = false;
  std::string service_error;       // "OpenSCManager failed, error 0x00000005"
  // The port.
  bool driver_loaded = false;
  std::string port_problem;        // why not: the one-line error without "fbmon: "
  uint32_t protocol = 0;           // the driver's protocol version (hello reply)
  uint32_t our_protocol = 0;
  bool driver_known = false;       // the status reply (build version, watcher) arrived
  fb::proto::DriverStatus driver;
  // Filter Manager's instances of FileBackup (FilterInstanceFindFirst/Next).
  bool volumes_known = false;
  std::vector<std::string> volumes;  // `C:` or `\Device\HarddiskVolume3`
  std::string volumes_error;
  // From the statistics reply (queue state), when loaded.
  bool stats_known = false;
  fb::Statistics stats;
};

// "boot", "system", "automatic", "demand (manual)", "disabled"; "unknown (N)" otherwise.
std::string start_type_text(uint32_t start_type);

std::string format_status(const StatusReport& status);
std::string format_status_json(const StatusReport& status);

}  // namespace fbmon
