// The event queue from the producer's side (the driver's I/O path), realistic 72-unit paths:
//   BM_QueuePush                 one producer, no consumer thread; when the 1 MiB ring fills,
//                                it is emptied with the clock stopped. Target: median < 100 ns.
//   BM_QueuePushConsumerLive     one producer while a consumer thread pops and "sends" (copies
//                                out) everything it can. A tight push loop outruns any consumer,
//                                so the ring stays mostly full here too; the counters show how
//                                many events were delivered and how many dropped.
//   BM_QueuePushConsumerStalled  the consumer never pops (watcher hung): after the ring fills,
//                                every push is a counted drop. Target: no slower than with a
//                                live consumer (ratio <= 1.1), and memory bounded: queue_bytes
//                                is the whole footprint, whatever the number of pushes.
#include <benchmark/benchmark.h>

#include <string>
#include <thread>
#include <vector>

#include "common/base/atomics.h"
#include "tests/bench/ratios.h"
#include "common/events/queue.h"
#include "common/protocol/protocol.h"

namespace {

namespace proto = fb::proto;
using Queue = fb::EventQueue<fb::SpinLock>;

constexpr uint32_t kRingBytes = 1u << 20;
constexpr int kRepetitions = 5;

FB_BENCH_TARGET("queue push, uncontended (median, ns)", "BM_QueuePush", nullptr, fbbench::Compare::kAtMost,
                100.0);
FB_BENCH_TARGET("queue push with a stalled consumer vs a live one", "BM_QueuePushConsumerStalled",
                "BM_QueuePushConsumerLive", fbbench::Compare::kAtMost, 1.1);

const std::u16string& realistic_path() {
  static const std::u16string path = u"\\Device\\HarddiskVolume3\\Users\\alice\\Documents\\Quarterly report 2026.docx";
  return path;
}

fb::BackupEvent realistic_event() {
  fb::BackupEvent e;
  e.time = 133'456'789'012'345'678;
  e.process_id = 5124;
  e.trigger = fb::Trigger::kWrite;
  e.outcome = fb::Outcome::kBackedUp;
  e.file_size = e.bytes_copied = 48'213;
  e.duration = 3'100;
  e.slot = 1;
  e.path = fb::Str16(realistic_path().data(), static_cast<uint32_t>(realistic_path().size()));
  return e;
}

struct Ring {
  std::vector<uint64_t> storage = std::vector<uint64_t>(kRingBytes / 8);
  Queue queue;
  Ring() { queue.init(storage.data(), kRingBytes); }
};

void report(benchmark::State& state, const Queue& q) {
  const fb::QueueCounters c = q.counters();
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["queue_bytes"] = static_cast<double>(c.capacity_bytes);
  state.counters["dropped"] = static_cast<double>(c.dropped_full);
  state.counters["high_water_bytes"] = static_cast<double>(c.high_water_bytes);
}

void BM_QueuePush(benchmark::State& state) {
  Ring ring;
  const fb::BackupEvent event = realistic_event();
  for (auto _ : state) {
    const fb::PushResult r = ring.queue.push(event);
    if (r.status != fb::PushStatus::kQueued) {
      state.PauseTiming();
      ring.queue.discard_ready();
      state.ResumeTiming();
    }
  }
  report(state, ring.queue);
}
BENCHMARK(BM_QueuePush)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_QueuePushConsumerLive(benchmark::State& state) {
  Ring ring;
  const fb::BackupEvent event = realistic_event();
  uint32_t stop = 0;
  uint64_t delivered = 0;
  std::thread consumer([&] {
    std::vector<uint8_t> out(proto::kMaxMessageBytes);
    while (!fb::atomic::load_acquire(&stop)) {
      const fb::Popped p = ring.queue.pop(out.data(), static_cast<uint32_t>(out.size()));
      if (p.kind == fb::PopKind::kNone) {
        fb::atomic::cpu_relax();
        continue;
      }
      ring.queue.complete(true);
      if (p.kind == fb::PopKind::kEvent) ++delivered;
    }
  });
  for (auto _ : state) benchmark::DoNotOptimize(ring.queue.push(event));
  fb::atomic::store_release(&stop, 1u);
  consumer.join();
  report(state, ring.queue);
  state.counters["delivered"] = static_cast<double>(delivered);
}
BENCHMARK(BM_QueuePushConsumerLive)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

void BM_QueuePushConsumerStalled(benchmark::State& state) {
  Ring ring;
  const fb::BackupEvent event = realistic_event();
  for (auto _ : state) benchmark::DoNotOptimize(ring.queue.push(event));
  report(state, ring.queue);
}
BENCHMARK(BM_QueuePushConsumerStalled)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);

}  // namespace
