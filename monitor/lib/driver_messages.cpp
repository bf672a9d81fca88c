#include "monitor/lib/driver_messages.h"

#include <inttypes.h>
#include <stdio.h>

#include "monitor/lib/json.h"
#include "monitor/lib/text.h"

namespace fbmon {
namespace {

std::string u64(uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, v);
  return buf;
}

// A reply that is not the expected type: the driver refused the request, or sent garbage.
ErrorInfo reply_problem(const void* data, size_t size, fb::proto::Error error) {
  ErrorInfo e;
  e.failure = Failure::kPortFailed;
  fb::proto::ErrorReply refused;
  if (fb::proto::decode_error_reply(data, size, &refused) == fb::proto::Error::kOk) {
    e.failure = Failure::kDriverTooOld;
    e.code = static_cast<uint32_t>(refused.status);
    e.code_kind = CodeKind::kNtStatus;
    e.detail = std::string("request refused: ") + fb::proto::error_text(refused.decode_error);
    return e;
  }
  e.detail = std::string("unreadable reply: ") + fb::proto::error_text(error);
  return e;
}

ErrorInfo status_problem(fb::NtStatus status) {
  ErrorInfo e;
  e.failure = Failure::kPortFailed;
  e.code = static_cast<uint32_t>(status);
  e.code_kind = CodeKind::kNtStatus;
  e.detail = "the driver reported a failure";
  return e;
}

}  // namespace

std::vector<uint8_t> hello_context(fb::proto::HelloRole role) {
  fb::proto::Hello hello;
  hello.role = role;
  std::vector<uint8_t> out(fb::proto::kHelloBytes);
  fb::proto::encode_hello(hello, out.data(), out.size());
  return out;
}

WatchMessage decode_watch_message(const void* data, size_t size) {
  WatchMessage m;
  fb::proto::Header header;
  m.error = fb::proto::decode_header(data, size, &header);
  if (m.error != fb::proto::Error::kOk) return m;
  if (header.type == fb::proto::MessageType::kEvent) {
    m.error = fb::proto::decode_event(data, size, &m.event);
    if (m.error == fb::proto::Error::kOk) m.kind = WatchMessage::Kind::kEvent;
  } else if (header.type == fb::proto::MessageType::kGap) {
    m.error = fb::proto::decode_gap(data, size, &m.gap);
    if (m.error == fb::proto::Error::kOk) m.kind = WatchMessage::Kind::kGap;
  } else {
    m.error = fb::proto::Error::kUnexpectedType;
  }
  return m;
}

std::string invalid_message_line(const WatchMessage& message) {
  return std::string("fbmon: ignoring a message from the driver: ") + fb::proto::error_text(message.error);
}

StatsResult read_stats_reply(const void* data, size_t size) {
  StatsResult r;
  fb::proto::StatsReply reply;
  const fb::proto::Error e = fb::proto::decode_stats_reply(data, size, &reply);
  if (e != fb::proto::Error::kOk) {
    r.error = reply_problem(data, size, e);
  } else if (!fb::nt_success(reply.status)) {
    r.error = status_problem(reply.status);
  } else {
    r.ok = true;
    r.stats = reply.stats;
  }
  return r;
}

StatusResult read_status_reply(const void* data, size_t size) {
  StatusResult r;
  fb::proto::StatusReply reply;
  const fb::proto::Error e = fb::proto::decode_status_reply(data, size, &reply);
  if (e != fb::proto::Error::kOk) {
    r.error = reply_problem(data, size, e);
  } else if (!fb::nt_success(reply.status)) {
    r.error = status_problem(reply.status);
  } else {
    r.ok = true;
    r.driver = reply.driver;
  }
  return r;
}

ReloadResult read_reload_reply(const void* data, size_t size) {
  ReloadResult r;
  fb::proto::ReloadConfigReply reply;
  const fb::proto::Error e = fb::proto::decode_reload_config_reply(data, size, &reply);
  if (e != fb::proto::Error::kOk) {
    r.error = reply_problem(data, size, e);
  } else if (!fb::nt_success(reply.status)) {
    r.error = status_problem(reply.status);
    r.error.detail = "the driver could not load the new configuration (it keeps the previous one)";
  } else {
    r.ok = true;
    r.rules_loaded = reply.rules_loaded;
  }
  return r;
}

uint16_t read_probe_reply(const void* data, size_t size) {
  fb::proto::HelloReply reply;
  if (fb::proto::decode_hello_reply(data, size, &reply) != fb::proto::Error::kOk) return 0;
  return reply.driver_version;
}

std::string format_stats_text(const fb::Statistics& s) {
  char row[128];
  std::string out = "FileBackup driver statistics\n";
  const auto line = [&](const char* name, const std::string& value) {
    snprintf(row, sizeof row, "  %-26s %s\n", name, value.c_str());
    out += row;
  };
  line("tracked files", u64(s.tracked_files));
  line("backups", u64(s.backups));
  line("bytes copied", u64(s.bytes_copied) + " (" + format_size(s.bytes_copied) + ")");
  uint64_t skipped = 0, failed = 0;
  for (uint32_t i = 1; i < fb::kSkipReasonCount; ++i) skipped += s.skips[i];
  for (uint32_t i = 0; i < fb::kFailureReasonCount; ++i) failed += s.failures[i];
  line("skipped", u64(skipped));
  for (uint32_t i = 1; i < fb::kSkipReasonCount; ++i)
    line((std::string("  ") + fb::skip_reason_text(static_cast<fb::SkipReason>(i))).c_str(), u64(s.skips[i]));
  line("failed", u64(failed));
  for (uint32_t i = 0; i < fb::kFailureReasonCount; ++i)
    line((std::string("  ") + fb::failure_reason_text(static_cast<fb::FailureReason>(i))).c_str(), u64(s.failures[i]));
  line("events dropped", u64(s.events_dropped));
  line("queue high-water mark", u64(s.queue_high_water) + " events, " + format_size(s.queue_high_water_bytes) +
                                    " of " + format_size(s.queue_capacity_bytes));
  line("rules loaded", u64(s.rules_loaded));
  return out;
}

// "sharing violation" -> "sharing_violation": JSON keys are stable snake_case.
static std::string snake(const char* words) {
  std::string k = words;
  for (char& c : k)
    if (c == ' ' || c == '-') c = '_';
  return k;
}

std::string format_stats_json(const fb::Statistics& s) {
  std::string j = "{\"tracked_files\":" + u64(s.tracked_files) + ",\"backups\":" + u64(s.backups) +
                  ",\"bytes_copied\":" + u64(s.bytes_copied) + ",\"skips\":{";
  for (uint32_t i = 1; i < fb::kSkipReasonCount; ++i)
    j += (i > 1 ? "," : "") + json_string(snake(fb::skip_reason_text(static_cast<fb::SkipReason>(i)))) + ":" +
         u64(s.skips[i]);
  j += "},\"failures\":{";
  for (uint32_t i = 0; i < fb::kFailureReasonCount; ++i)
    j += (i > 0 ? "," : "") + json_string(snake(fb::failure_reason_text(static_cast<fb::FailureReason>(i)))) +
         ":" + u64(s.failures[i]);
  j += "},\"events_dropped\":" + u64(s.events_dropped) + ",\"queue_high_water\":" + u64(s.queue_high_water) +
       ",\"queue_high_water_bytes\":" + u64(s.queue_high_water_bytes) +
       ",\"queue_capacity_bytes\":" + u64(s.queue_capacity_bytes) + ",\"rules_loaded\":" + u64(s.rules_loaded) + "}";
  return j;
}

}  // namespace fbmon
