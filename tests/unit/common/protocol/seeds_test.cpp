// The fuzzers' committed seed corpora (tests/fuzz/corpus/fuzz_decode_*) are valid encodings
// made by the encoders here. This test fails when they drift from what the encoders produce
// (the format changed). To write them again:
//   FB_WRITE_FUZZ_SEEDS=1 fb_tests --gtest_filter='ProtocolSeeds.*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;
using Bytes = std::vector<uint8_t>;

struct Seed {
  std::string fuzzer;
  std::string file;
  Bytes bytes;
};

template <class Encode>
Bytes encoded(Encode encode) {
  Bytes b(proto::kMaxMessageBytes);
  const proto::EncodeResult r = encode(b.data(), b.size());
  EXPECT_EQ(r.error, proto::Error::kOk);
  b.resize(r.size);
  return b;
}

Bytes event(const std::u16string& path, fb::Outcome outcome, fb::NtStatus status) {
  fb::BackupEvent e;
  e.sequence = 17;
  e.time = 133'456'789'012'345'678;
  e.process_id = 5124;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = outcome;
  e.status = status;
  e.file_size = 48'213;
  e.bytes_copied = outcome == fb::Outcome::kBackedUp ? 48'213 : 0;
  e.duration = 3'100;
  e.slot = outcome == fb::Outcome::kBackedUp ? 1 : 0;
  e.path = fb::Str16(path.data(), static_cast<uint32_t>(path.size()));
  return encoded([&](void* o, size_t n) { return proto::encode_event(e, o, n); });
}

std::vector<Seed> seeds() {
  fb::Statistics s;
  s.tracked_files = 12;
  s.backups = 340;
  s.bytes_copied = 1'234'567;
  s.skips[static_cast<int>(fb::SkipReason::kTooLarge)] = 3;
  s.failures[static_cast<int>(fb::FailureReason::kSharingViolation)] = 2;
  s.events_dropped = 5;
  s.queue_high_water = 40;
  s.queue_high_water_bytes = 9'000;
  s.queue_capacity_bytes = 1 << 20;
  s.rules_loaded = 4;
  const std::string ev = "fuzz_decode_event", rq = "fuzz_decode_request", rp = "fuzz_decode_reply";
  return {
      {ev, "event_backed_up", event(u"\\Device\\HarddiskVolume3\\Users\\a\\Documents\\report.docx",
                                    fb::Outcome::kBackedUp, fb::nt::kSuccess)},
      {ev, "event_failed_cyrillic", event(u"\\Device\\HarddiskVolume3\\\u0414\u043e\u043a\\x.txt",
                                          fb::Outcome::kFailed, fb::nt::kSharingViolation)},
      {ev, "event_empty_path", event(u"", fb::Outcome::kSkipped, fb::nt::kSuccess)},
      {ev, "gap", encoded([](void* o, size_t n) { return proto::encode_gap({3, 18, 20}, o, n); })},
      {rq, "hello_watcher",
       encoded([](void* o, size_t n) { return proto::encode_hello({1, proto::HelloRole::kWatcher}, o, n); })},
      {rq, "hello_probe_v9",
       encoded([](void* o, size_t n) { return proto::encode_hello({9, proto::HelloRole::kVersionProbe}, o, n); })},
      {rq, "get_stats", encoded(proto::encode_get_stats)},
      {rq, "reload_config", encoded(proto::encode_reload_config)},
      {rp, "hello_reply", encoded([](void* o, size_t n) { return proto::encode_hello_reply({}, o, n); })},
      {rp, "stats_reply", encoded([&](void* o, size_t n) { return proto::encode_stats_reply({0, s}, o, n); })},
      {rp, "reload_config_reply",
       encoded([](void* o, size_t n) { return proto::encode_reload_config_reply({0, 4}, o, n); })},
      {rp, "error_reply", encoded([](void* o, size_t n) {
         return proto::encode_error_reply({fb::nt::kInvalidDeviceRequest, 0x33, proto::Error::kUnknownType}, o, n);
       })},
  };
}

std::string corpus_dir(const std::string& fuzzer) {
  return std::string(FB_SOURCE_DIR) + "/tests/fuzz/corpus/" + fuzzer;
}

TEST(ProtocolSeeds, CommittedSeedsAreTheEncodersOutput) {
  const bool write = std::getenv("FB_WRITE_FUZZ_SEEDS") != nullptr;
  for (const Seed& seed : seeds()) {
    const std::string path = corpus_dir(seed.fuzzer) + "/" + seed.file;
    if (write) {
      std::ofstream out(path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(seed.bytes.data()), static_cast<std::streamsize>(seed.bytes.size()));
      ASSERT_TRUE(out.good()) << path;
    }
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in.good()) << path << " missing: run with FB_WRITE_FUZZ_SEEDS=1";
    const Bytes committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, seed.bytes) << path << " differs from the encoder: run with FB_WRITE_FUZZ_SEEDS=1";
  }
}

}  // namespace
