// BM_DecodeEvent: validate and decode one realistic backup event (a 72-unit NT path), as fbmon
// does for every message it receives; reported as events per second. BM_EncodeEvent: the
// driver's side, encoding the same event into a buffer.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;

const std::u16string& realistic_path() {
  static const std::u16string path = u"\\Device\\HarddiskVolume3\\Users\\alice\\Documents\\Quarterly report 2026.docx";
  return path;
}

fb::BackupEvent realistic_event() {
  fb::BackupEvent e;
  e.sequence = 123'456;
  e.time = 133'456'789'012'345'678;
  e.process_id = 5124;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.file_size = 48'213;
  e.bytes_copied = 48'213;
  e.duration = 3'100;
  e.slot = 1;
  e.path = fb::Str16(realistic_path().data(), static_cast<uint32_t>(realistic_path().size()));
  return e;
}

void BM_DecodeEvent(benchmark::State& state) {
  std::vector<uint64_t> storage(proto::kMaxMessageBytes / 8 + 1);  // 8-aligned, as a receive buffer is
  uint8_t* buffer = reinterpret_cast<uint8_t*>(storage.data());
  const proto::EncodeResult encoded = proto::encode_event(realistic_event(), buffer, proto::kMaxMessageBytes);
  if (encoded.error != proto::Error::kOk) return state.SkipWithError("encode failed");
  size_t size = encoded.size;
  for (auto _ : state) {
    benchmark::DoNotOptimize(size);
    fb::BackupEvent event;
    const proto::Error error = proto::decode_event(buffer, size, &event);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(event);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodeEvent);

void BM_EncodeEvent(benchmark::State& state) {
  std::vector<uint64_t> storage(proto::kMaxMessageBytes / 8 + 1);
  const fb::BackupEvent event = realistic_event();
  for (auto _ : state) {
    const proto::EncodeResult r = proto::encode_event(event, storage.data(), proto::kMaxMessageBytes);
    benchmark::DoNotOptimize(r);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_EncodeEvent);

}  // namespace
