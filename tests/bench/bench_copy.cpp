// The copy engine against the simplest possible copy: the same 256 MiB file, page cache warm,
// copied to a new output file (as a backup goes to a new stream) by
//   BM_CopyEngine:    copy_stream through PosixFileSource/PosixFileSink (pread, pwrite,
//                     ftruncate), 1 MiB buffer, CRC-32C of every byte, end of file set;
//   BM_ReadWriteLoop: read()/write() with a 1 MiB buffer, no hash.
// Target: ours at least 0.9x the loop's throughput (loop time / ours >= 0.9).
// BM_Crc32c* measure the hash alone (GB/s), hardware and portable, so a regression in the
// copy can be told apart from one in the hash.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/bench/ratios.h"
#include "common/copy/copy_engine.h"
#include "common/base/crc32c.h"
#include "tests/support/posix_file_io.h"

namespace {

constexpr uint64_t kFileSize = 256ull << 20;
constexpr uint32_t kBufferSize = 1u << 20;

FB_BENCH_TARGET("copy engine throughput vs plain read/write loop (loop time / ours)", "BM_ReadWriteLoop",
                "BM_CopyEngine", fbbench::Compare::kAtLeast, 0.9);

std::string temp_dir() {
  const char* dir = std::getenv("TMPDIR");
  return dir && *dir ? dir : "/tmp";
}

// The two files, made once per run and removed at exit (the input is 256 MiB of /tmp).
struct BenchFiles {
  std::string input = temp_dir() + "/fb_bench_copy_in." + std::to_string(getpid());
  std::string output = temp_dir() + "/fb_bench_copy_out." + std::to_string(getpid());
  int input_fd = -1;
  bool ready = false;

  BenchFiles() {
    input_fd = open(input.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    ready = input_fd >= 0 && fill_input() && warm_up();
  }
  ~BenchFiles() {
    if (input_fd >= 0) close(input_fd);
    unlink(input.c_str());
    unlink(output.c_str());
  }

  // 256 MiB of pseudo-random bytes (no run of zeros a file system could skip).
  bool fill_input() const {
    std::vector<uint8_t> chunk(kBufferSize);
    uint32_t state = 12345;
    for (uint64_t done = 0; done < kFileSize; done += chunk.size()) {
      for (uint8_t& b : chunk) b = static_cast<uint8_t>((state = state * 1103515245u + 12345u) >> 24);
      if (write(input_fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) return false;
    }
    // Flushed now, so that its writeback does not land in the middle of a measurement.
    return fsync(input_fd) == 0;
  }

  // One untimed copy, which also reads the whole input (page cache warm). The first copy after
  // creating the input runs several times slower (file system and page allocator warming up),
  // which would otherwise land on whichever benchmark runs first.
  bool warm_up() const {
    unlink(output.c_str());
    const int out = open(output.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (out < 0) return false;
    std::vector<uint8_t> chunk(kBufferSize);
    bool ok = true;
    for (uint64_t done = 0; ok && done < kFileSize; done += chunk.size())
      ok = pread(input_fd, chunk.data(), chunk.size(), static_cast<off_t>(done)) == static_cast<ssize_t>(chunk.size()) &&
           write(out, chunk.data(), chunk.size()) == static_cast<ssize_t>(chunk.size());
    close(out);
    return ok;
  }

  // A new, empty output file. The previous one is unlinked with the clock stopped rather than
  // truncated on open: ext4 flushes a file rewritten after O_TRUNC when it is closed
  // (auto_da_alloc), which would put 256 MiB of disk writes behind every measurement.
  int new_output(benchmark::State& state) const {
    state.PauseTiming();
    unlink(output.c_str());
    state.ResumeTiming();
    return open(output.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  }
};

BenchFiles& files() {
  static BenchFiles instance;
  return instance;
}

void report_throughput(benchmark::State& state, std::chrono::steady_clock::time_point start) {
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double bytes = static_cast<double>(state.iterations()) * static_cast<double>(kFileSize);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["real_bytes_per_second"] = benchmark::Counter(seconds > 0 ? bytes / seconds : 0);
}

void BM_CopyEngine(benchmark::State& state) {
  BenchFiles& f = files();
  if (!f.ready) return state.SkipWithError("cannot create the input file");
  std::vector<uint8_t> buffer(kBufferSize);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const int out = f.new_output(state);
    if (out < 0) return state.SkipWithError("cannot create the output file");
    fbtest::PosixFileSource source(f.input_fd);
    fbtest::PosixFileSink sink(out);
    const fb::CopyResult result = fb::copy_stream(source, sink, kFileSize, buffer.data(), kBufferSize);
    close(out);
    if (!result.ok() || result.bytes_copied != kFileSize) return state.SkipWithError("copy failed");
    benchmark::DoNotOptimize(result.hash);
  }
  report_throughput(state, start);
}

// The baseline: what anyone would write first. Returns the bytes copied, or -1 on error.
int64_t plain_copy(int in, int out, std::vector<uint8_t>& buffer) {
  int64_t copied = 0;
  for (ssize_t n; (n = read(in, buffer.data(), buffer.size())) != 0; copied += n) {
    if (n < 0) return -1;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(out, buffer.data() + done, static_cast<size_t>(n - done));
      if (w <= 0) return -1;
      done += w;
    }
  }
  return copied;
}

void BM_ReadWriteLoop(benchmark::State& state) {
  BenchFiles& f = files();
  if (!f.ready) return state.SkipWithError("cannot create the input file");
  std::vector<uint8_t> buffer(kBufferSize);
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    const int out = f.new_output(state);
    if (out < 0) return state.SkipWithError("cannot create the output file");
    lseek(f.input_fd, 0, SEEK_SET);
    const int64_t copied = plain_copy(f.input_fd, out, buffer);
    close(out);
    if (copied != static_cast<int64_t>(kFileSize)) return state.SkipWithError("copy failed");
  }
  report_throughput(state, start);
}

void BM_Crc32c(benchmark::State& state, uint32_t (*extend)(uint32_t, const void*, size_t)) {
  std::vector<uint8_t> data(kBufferSize, 0x5A);
  for (auto _ : state) benchmark::DoNotOptimize(extend(0, data.data(), data.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}

// The names are fixed so that results compare across versions. ./build.sh bench runs every
// benchmark with repetitions and random interleaving and judges the target on the medians of
// real time. SetBytesProcessed's bytes_per_second is per CPU second without UseRealTime, so
// real_bytes_per_second is the throughput a user would see.
BENCHMARK(BM_CopyEngine)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadWriteLoop)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Crc32c, hardware, &fb::crc32c_extend_hardware)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Crc32c, portable, &fb::crc32c_extend_portable)->Unit(benchmark::kMicrosecond);

}  // namespace
