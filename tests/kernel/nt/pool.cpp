#include "tests/kernel/nt/pool.h"

#include <sys/mman.h>

#include <cstring>
#include <deque>
#include <map>
#include <mutex>

#include "tests/kernel/nt/dispatcher.h"
#include "tests/kernel/nt/entry.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::pool {
namespace {

using nt::ULONG;

// POOL_TYPE values (wdm.h).
constexpr int kNonPagedPool = 0;
constexpr int kPagedPool = 1;
constexpr int kNonPagedPoolNx = 512;
constexpr size_t kPage = 4096;
constexpr size_t kAlign = 16;  // x64 pool blocks are 16-byte aligned
constexpr uint8_t kPoison = 0xA5;  // fresh block contents
constexpr uint8_t kSlack = 0xCD;   // bytes between the block's end and the guard page
constexpr size_t kQuarantine = 2048;

struct Block {
  uint8_t* mapping;
  size_t mapping_bytes;
  uint8_t* user;
  size_t bytes;
  uint32_t tag;
  int pool_type;
  const void* caller;
};

std::mutex g_mutex;
std::map<const void*, Block> g_live;
std::deque<Block> g_freed;  // inaccessible, remembered to name a double free
std::function<bool(size_t, uint32_t)> g_fail;
size_t g_count = 0;

size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

void* allocate(int pool_type, size_t bytes, uint32_t tag, const Entry& entry) {
  if (tag == 0) entry.violation(verifier::kPoolTracking, "pool tag is zero");
  if (pool_type == kNonPagedPool)
    entry.violation(verifier::kDdiCompliance, "executable NonPagedPool requested (use NonPagedPoolNx)");
  if (pool_type != kNonPagedPool && pool_type != kPagedPool && pool_type != kNonPagedPoolNx)
    entry.violation(verifier::kDdiCompliance, "unexpected POOL_TYPE " + std::to_string(pool_type));
  if (bytes == 0) entry.violation(verifier::kSpecialPool, "zero-byte allocation");
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_fail && g_fail(bytes, tag)) return nullptr;
  }
  const size_t body = round_up(bytes == 0 ? 1 : bytes, kAlign);
  const size_t data_pages = round_up(body, kPage);
  const size_t total = data_pages + kPage;
  void* m = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return nullptr;
  auto* mapping = static_cast<uint8_t*>(m);
  mprotect(mapping + data_pages, kPage, PROT_NONE);
  uint8_t* user = mapping + data_pages - body;
  std::memset(mapping, kSlack, data_pages);
  std::memset(user, kPoison, bytes);
  std::lock_guard<std::mutex> lock(g_mutex);
  g_live[user] = Block{mapping, total, user, bytes, tag, pool_type, entry.caller()};
  ++g_count;
  return user;
}

bool slack_intact(const Block& b) {
  for (uint8_t* p = b.mapping; p < b.user; ++p)
    if (*p != kSlack) return false;
  for (uint8_t* p = b.user + b.bytes; p < b.mapping + b.mapping_bytes - kPage; ++p)
    if (*p != kSlack) return false;
  return true;
}

void release(void* block, bool check_tag, uint32_t tag, const Entry& entry) {
  if (block == nullptr) {
    entry.violation(verifier::kSpecialPool, "freeing a NULL pointer");
    return;
  }
  std::unique_lock<std::mutex> lock(g_mutex);
  auto it = g_live.find(block);
  if (it == g_live.end()) {
    for (const Block& f : g_freed)
      if (f.user == block) {
        lock.unlock();
        entry.violation(verifier::kSpecialPool, "double free of a '" + tag_text(f.tag) + "' block of " +
                                                    std::to_string(f.bytes) + " bytes (allocated at " +
                                                    verifier::describe(f.caller) + ")");
        return;
      }
    lock.unlock();
    char buf[64];
    std::snprintf(buf, sizeof buf, "freeing %p, which is not a pool block", block);
    entry.violation(verifier::kSpecialPool, buf);
    return;
  }
  Block b = it->second;
  g_live.erase(it);
  lock.unlock();
  if (check_tag && tag != b.tag)
    entry.violation(verifier::kPoolTracking, "freed with tag '" + tag_text(tag) + "', allocated with '" +
                                                 tag_text(b.tag) + "'");
  if (!slack_intact(b))
    entry.violation(verifier::kSpecialPool, "'" + tag_text(b.tag) + "' block of " + std::to_string(b.bytes) +
                                                " bytes was written outside its bounds");
  ke::forget_range(b.user, b.bytes);
  mprotect(b.mapping, b.mapping_bytes, PROT_NONE);
  lock.lock();
  g_freed.push_back(b);
  if (g_freed.size() > kQuarantine) {
    munmap(g_freed.front().mapping, g_freed.front().mapping_bytes);
    g_freed.pop_front();
  }
}

nt::KIRQL max_irql_for(int pool_type) { return pool_type == kPagedPool ? nt::APC_LEVEL : nt::DISPATCH_LEVEL; }

nt::KIRQL max_irql_to_free(void* block) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_live.find(block);
  return it != g_live.end() ? max_irql_for(it->second.pool_type) : nt::DISPATCH_LEVEL;
}

// --- the exports -------------------------------------------------------------------------------

// ExAllocatePoolWithTag: IRQL <= DISPATCH_LEVEL for nonpaged pool, <= APC_LEVEL for paged.
KSIM_API void* ExAllocatePoolWithTag(int pool_type, size_t bytes, ULONG tag) {
  KSIM_ENTER(max_irql_for(pool_type));
  return allocate(pool_type, bytes, tag, ksim_entry);
}

// ExFreePoolWithTag / ExFreePool: IRQL <= DISPATCH_LEVEL (<= APC_LEVEL for paged pool).
KSIM_API void ExFreePoolWithTag(void* block, ULONG tag) {
  KSIM_ENTER(max_irql_to_free(block));
  release(block, true, tag, ksim_entry);
}

KSIM_API void ExFreePool(void* block) {
  KSIM_ENTER(max_irql_to_free(block));
  release(block, false, 0, ksim_entry);
}

const Export kExports[] = {
    {"ntoskrnl.exe", "ExAllocatePoolWithTag", reinterpret_cast<void*>(&ExAllocatePoolWithTag), false},
    {"ntoskrnl.exe", "ExFreePoolWithTag", reinterpret_cast<void*>(&ExFreePoolWithTag), false},
    {"ntoskrnl.exe", "ExFreePool", reinterpret_cast<void*>(&ExFreePool), false},
};
const ExportTable kTable(kExports);

void reset_hook() { reset(); }
void unload_check() { report_leaks(); }
const ResetRegistrar kReset(reset_hook);
const verifier::UnloadCheckRegistrar kUnload(unload_check);

}  // namespace

std::string tag_text(uint32_t tag) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((tag >> (8 * i)) & 0xff);
    s.push_back(c >= 0x20 && c < 0x7f ? c : '.');
  }
  return s;
}

std::vector<Outstanding> outstanding() {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::vector<Outstanding> out;
  for (const auto& [user, b] : g_live) out.push_back({user, b.bytes, b.tag, tag_text(b.tag), b.caller});
  return out;
}

size_t report_leaks() {
  const std::vector<Outstanding> leaks = outstanding();
  for (const Outstanding& o : leaks)
    verifier::report(verifier::kPoolTracking, o.caller,
                     "pool leak at unload: tag '" + o.tag_text + "', " + std::to_string(o.bytes) + " bytes");
  return leaks.size();
}

void reset() {
  std::lock_guard<std::mutex> lock(g_mutex);
  for (auto& [user, b] : g_live) munmap(b.mapping, b.mapping_bytes);
  g_live.clear();
  for (const Block& b : g_freed) munmap(b.mapping, b.mapping_bytes);
  g_freed.clear();
  g_fail = nullptr;
  g_count = 0;
}

void set_failure(std::function<bool(size_t, uint32_t)> fail) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_fail = std::move(fail);
}

size_t allocation_count() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_count;
}

}  // namespace ksim::pool
