#include "monitor/lib/driver_messages.h"

#include <gtest/gtest.h>

#include <stdio.h>

#include <vector>

namespace {

// Messages are built with the protocol's own encoders: the monitor must read what the driver writes.
std::vector<uint8_t> encoded_event(const std::u16string& path) {
  fb::BackupEvent e;
  e.sequence = 7;
  e.process_id = 4312;
  e.trigger = fb::Trigger::kTruncate;
  e.outcome = fb::Outcome::kBackedUp;
  e.file_size = 10;
  e.bytes_copied = 10;
  e.slot = 1;
  e.path = fb::Str16(path.data(), static_cast<uint32_t>(path.size()));
  std::vector<uint8_t> out(fb::proto::event_message_bytes(e.path.len));
  EXPECT_EQ(fb::proto::encode_event(e, out.data(), out.size()).error, fb::proto::Error::kOk);
  return out;
}

TEST(MonitorDriverMessages, DecodesEventsAndGaps) {
  const std::u16string path = u"\\Device\\HarddiskVolume3\\a.txt";
  const std::vector<uint8_t> bytes = encoded_event(path);
  fbmon::WatchMessage m = fbmon::decode_watch_message(bytes.data(), bytes.size());
  ASSERT_EQ(m.kind, fbmon::WatchMessage::Kind::kEvent);
  EXPECT_EQ(m.event.sequence, 7u);
  EXPECT_EQ(m.event.trigger, fb::Trigger::kTruncate);
  EXPECT_EQ(std::u16string(m.event.path.data, m.event.path.len), path);

  fb::GapReport g;
  g.dropped = 3;
  g.first_sequence = 8;
  g.last_sequence = 10;
  std::vector<uint8_t> gap(fb::proto::kGapBytes);
  ASSERT_EQ(fb::proto::encode_gap(g, gap.data(), gap.size()).error, fb::proto::Error::kOk);
  m = fbmon::decode_watch_message(gap.data(), gap.size());
  ASSERT_EQ(m.kind, fbmon::WatchMessage::Kind::kGap);
  EXPECT_EQ(m.gap.dropped, 3u);
}

TEST(MonitorDriverMessages, RefusesDamagedOrUnexpectedMessages) {
  std::vector<uint8_t> bytes = encoded_event(u"\\x");
  struct Case { const char* name; std::vector<uint8_t> data; };
  std::vector<uint8_t> truncated(bytes.begin(), bytes.end() - 1);
  std::vector<uint8_t> bad_magic = bytes;
  bad_magic[0] ^= 0xFF;
  std::vector<uint8_t> stats_request(fb::proto::kGetStatsBytes);
  fb::proto::encode_get_stats(stats_request.data(), stats_request.size());
  const Case cases[] = {{"empty", {}}, {"truncated", truncated}, {"bad magic", bad_magic},
                        {"a request is not a watcher message", stats_request}};
  for (const Case& c : cases) {
    const fbmon::WatchMessage m = fbmon::decode_watch_message(c.data.data(), c.data.size());
    EXPECT_EQ(m.kind, fbmon::WatchMessage::Kind::kInvalid) << c.name;
    EXPECT_NE(m.error, fb::proto::Error::kOk) << c.name;
    EXPECT_EQ(fbmon::invalid_message_line(m).find("fbmon: ignoring a message from the driver: "), 0u);
  }
}

TEST(MonitorDriverMessages, HelloIsAValidConnectionContext) {
  const std::vector<uint8_t> hello = fbmon::hello_context(fb::proto::HelloRole::kWatcher);
  fb::proto::Hello decoded;
  EXPECT_EQ(fb::proto::connect_status(hello.data(), hello.size(), &decoded), fb::nt::kSuccess);
  EXPECT_EQ(decoded.role, fb::proto::HelloRole::kWatcher);
  EXPECT_EQ(decoded.version, fb::proto::kProtocolVersion);
}

fb::Statistics sample_stats() {
  fb::Statistics s;
  s.tracked_files = 12;
  s.backups = 340;
  s.bytes_copied = 1342177280;
  s.skips[static_cast<int>(fb::SkipReason::kEmptyFile)] = 3;
  s.skips[static_cast<int>(fb::SkipReason::kTooLarge)] = 1;
  s.failures[static_cast<int>(fb::FailureReason::kSharingViolation)] = 2;
  s.events_dropped = 5;
  s.queue_high_water = 17;
  s.queue_high_water_bytes = 12288;
  s.queue_capacity_bytes = 1048576;
  s.rules_loaded = 3;
  return s;
}

TEST(MonitorDriverMessages, StatsReplyIsReadAndFormatted) {
  fb::proto::StatsReply reply;
  reply.stats = sample_stats();
  std::vector<uint8_t> bytes(fb::proto::kStatsReplyBytes);
  ASSERT_EQ(fb::proto::encode_stats_reply(reply, bytes.data(), bytes.size()).error, fb::proto::Error::kOk);
  const fbmon::StatsResult r = fbmon::read_stats_reply(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok);
  const std::string text = fbmon::format_stats_text(r.stats);
  EXPECT_EQ(text,
            "FileBackup driver statistics\n"
            "  tracked files              12\n"
            "  backups                    340\n"
            "  bytes copied               1342177280 (1.25 GiB)\n"
            "  skipped                    4\n"
            "    empty file               3\n"
            "    too large                1\n"
            "    low disk space           0\n"
            "    disabled                 0\n"
            "    not observable           0\n"
            "  failed                     2\n"
            "    other                    0\n"
            "    sharing violation        2\n"
            "    disk full                0\n"
            "    read error               0\n"
            "    name too long            0\n"
            "    access denied            0\n"
            "    insufficient resources   0\n"
            "  events dropped             5\n"
            "  queue high-water mark      17 events, 12.0 KiB of 1.00 MiB\n"
            "  rules loaded               3\n");
  printf("sample stats:\n%s", text.c_str());
  const std::string json = fbmon::format_stats_json(r.stats);
  EXPECT_EQ(json.find("{\"tracked_files\":12,\"backups\":340,\"bytes_copied\":1342177280,\"skips\":{\"empty_file\":3,"), 0u);
  EXPECT_NE(json.find("\"failures\":{\"other\":0,\"sharing_violation\":2,"), std::string::npos);
  EXPECT_EQ(json.find(' '), std::string::npos) << "snake_case keys, no spaces";
  printf("sample stats --json: %s\n", json.c_str());
}

TEST(MonitorDriverMessages, RefusedOrFailedRepliesBecomeErrors) {
  fb::proto::ErrorReply refused;
  refused.request_type = static_cast<uint16_t>(fb::proto::MessageType::kGetStats);
  refused.decode_error = fb::proto::Error::kUnknownType;
  std::vector<uint8_t> bytes(fb::proto::kErrorReplyBytes);
  ASSERT_EQ(fb::proto::encode_error_reply(refused, bytes.data(), bytes.size()).error, fb::proto::Error::kOk);
  fbmon::StatsResult r = fbmon::read_stats_reply(bytes.data(), bytes.size());
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kDriverTooOld);

  fb::proto::ReloadConfigReply failed;
  failed.status = fb::nt::kInsufficientResources;
  std::vector<uint8_t> reload(fb::proto::kReloadConfigReplyBytes);
  ASSERT_EQ(fb::proto::encode_reload_config_reply(failed, reload.data(), reload.size()).error, fb::proto::Error::kOk);
  const fbmon::ReloadResult rr = fbmon::read_reload_reply(reload.data(), reload.size());
  EXPECT_FALSE(rr.ok);
  EXPECT_EQ(rr.error.code, 0xC000009Au);

  r = fbmon::read_stats_reply(bytes.data(), 3);
  EXPECT_EQ(r.error.failure, fbmon::Failure::kPortFailed);

  fb::proto::HelloReply hello;
  hello.driver_version = 4;
  std::vector<uint8_t> probe(fb::proto::kHelloReplyBytes);
  ASSERT_EQ(fb::proto::encode_hello_reply(hello, probe.data(), probe.size()).error, fb::proto::Error::kOk);
  EXPECT_EQ(fbmon::read_probe_reply(probe.data(), probe.size()), 4u);
  EXPECT_EQ(fbmon::read_probe_reply(probe.data(), 4), 0u);
}

}  // namespace
