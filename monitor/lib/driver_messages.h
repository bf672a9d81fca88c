// fbmon's side of the driver protocol (common/protocol/protocol.h): the hello it connects with, how it
// reads what the port delivers and replies, and how it shows the driver's counters.
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "monitor/lib/errors.h"
#include "common/protocol/protocol.h"

namespace fbmon {

// The connection context for FilterConnectCommunicationPort.
std::vector<uint8_t> hello_context(fb::proto::HelloRole role);

struct WatchMessage {
  enum class Kind { kEvent, kGap, kInvalid };
  Kind kind = Kind::kInvalid;
  fb::BackupEvent event;      // kEvent; event.path points into the caller's buffer
  fb::GapReport gap;          // kGap
  fb::proto::Error error = fb::proto::Error::kOk;  // kInvalid: why
};

// `data` is what follows the FILTER_MESSAGE_HEADER, 2-byte aligned.
WatchMessage decode_watch_message(const void* data, size_t size);
// "fbmon: ignoring a message from the driver: <why>" for a kInvalid message.
std::string invalid_message_line(const WatchMessage& message);

struct StatsResult {
  bool ok = false;
  fb::Statistics stats;
  ErrorInfo error;
};
StatsResult read_stats_reply(const void* data, size_t size);

struct ReloadResult {
  bool ok = false;
  uint32_t rules_loaded = 0;
  ErrorInfo error;
};
ReloadResult read_reload_reply(const void* data, size_t size);

// The driver's protocol version from the reply to a version probe's hello; 0 if unreadable.
uint16_t read_probe_reply(const void* data, size_t size);

struct StatusResult {
  bool ok = false;
  fb::proto::DriverStatus driver;
  ErrorInfo error;
};
StatusResult read_status_reply(const void* data, size_t size);

std::string format_stats_text(const fb::Statistics& stats);
std::string format_stats_json(const fb::Statistics& stats);

}  // namespace fbmon
