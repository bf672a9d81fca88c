#include "monitor/lib/status.h"

#include "monitor/lib/json.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

std::string line(const char* label, const std::string& value) {
  std::string l = std::string("  ") + label;
  l.append(l.size() < 24 ? 24 - l.size() : 1, ' ');
  return l + value + "\n";
}

std::string service_text(const StatusReport& s) {
  if (!s.service_known) return "unknown: " + s.service_error;
  if (!s.service_installed) return "not installed (install the package: docs/install.md)";
  return std::string("installed, start ") + start_type_text(s.start_type) + (s.service_running ? ", running" : ", stopped");
}

std::string queue_text(const fb::Statistics& st) {
  return std::to_string(st.events_dropped) + " events dropped; high-water mark " + std::to_string(st.queue_high_water) +
         " events, " + format_size(st.queue_high_water_bytes) + " of " + format_size(st.queue_capacity_bytes);
}

std::string version_text(const fb::proto::DriverStatus& d) {
  return std::to_string(d.driver_major) + "." + std::to_string(d.driver_minor) + "." + std::to_string(d.driver_patch);
}

}  // namespace

std::string start_type_text(uint32_t start_type) {
  switch (start_type) {
    case 0: return "boot";
    case 1: return "system";
    case 2: return "automatic";
    case 3: return "demand (manual)";
    case 4: return "disabled";
  }
  return "unknown (" + std::to_string(start_type) + ")";
}

std::string format_status(const StatusReport& s) {
  std::string out = "FileBackup status\n";
  out += line("service", service_text(s));
  out += line("driver", s.driver_loaded ? "loaded" + (s.driver_known ? ", version " + version_text(s.driver) : "") +
                                              ", protocol " + std::to_string(s.protocol) + " (fbmon speaks " +
                                              std::to_string(s.our_protocol) + ")"
                                        : "not reachable: " + s.port_problem);
  if (s.driver_known)
    out += line("watcher", s.driver.watcher_connected
                               ? "connected (process " + std::to_string(s.driver.watcher_process_id) + ")"
                               : "none connected (events are counted as dropped until `fbmon watch` runs)");
  std::string volumes;
  for (const std::string& v : s.volumes) volumes += (volumes.empty() ? "" : ", ") + v;
  out += line("attached to", s.volumes_known ? (volumes.empty() ? "no volume" : volumes) : "unknown: " + s.volumes_error);
  if (s.stats_known) {
    out += line("rules loaded", std::to_string(s.stats.rules_loaded));
    out += line("backups", std::to_string(s.stats.backups) + " made, " + std::to_string(s.stats.tracked_files) +
                               " files tracked now");
    out += line("event queue", queue_text(s.stats));
  } else {
    out += line("event queue", "unknown (the driver is not reachable)");
  }
  return out;
}

std::string format_status_json(const StatusReport& s) {
  std::string j = "{\"service\":{\"known\":" + std::string(s.service_known ? "true" : "false") +
                  ",\"installed\":" + (s.service_installed ? "true" : "false");
  if (s.service_installed)
    j += ",\"start_type\":" + std::to_string(s.start_type) + ",\"start\":" + json_string(start_type_text(s.start_type)) +
         ",\"running\":" + (s.service_running ? "true" : "false");
  if (!s.service_known) j += ",\"error\":" + json_string(s.service_error);
  j += "},\"driver\":{\"loaded\":" + std::string(s.driver_loaded ? "true" : "false") +
       ",\"fbmon_protocol\":" + std::to_string(s.our_protocol);
  if (s.driver_loaded) j += ",\"protocol\":" + std::to_string(s.protocol);
  if (s.driver_known)
    j += ",\"version\":" + json_string(version_text(s.driver)) + ",\"watcher_connected\":" +
         (s.driver.watcher_connected ? "true" : "false") + ",\"watcher_process_id\":" +
         std::to_string(s.driver.watcher_process_id);
  else j += ",\"error\":" + json_string(s.port_problem);
  j += "},\"volumes\":";
  if (s.volumes_known) {
    j += "[";
    for (size_t i = 0; i < s.volumes.size(); ++i) j += (i ? "," : "") + json_string(s.volumes[i]);
    j += "]";
  } else {
    j += "null,\"volumes_error\":" + json_string(s.volumes_error);
  }
  if (s.stats_known)
    j += ",\"queue\":{\"events_dropped\":" + std::to_string(s.stats.events_dropped) +
         ",\"high_water\":" + std::to_string(s.stats.queue_high_water) +
         ",\"high_water_bytes\":" + std::to_string(s.stats.queue_high_water_bytes) +
         ",\"capacity_bytes\":" + std::to_string(s.stats.queue_capacity_bytes) +
         "},\"rules_loaded\":" + std::to_string(s.stats.rules_loaded);
  return j + "}";
}

}  // namespace fbmon
