#include "tests/kernel/fltmgr/faults.h"

#include <atomic>
#include <mutex>
#include <thread>

namespace ksim::flt::faults {
namespace {

std::atomic<uint64_t> g_calls{0};
std::atomic<uint64_t> g_nth{0};
std::atomic<bool> g_fired{false};
std::atomic<int> g_fired_kind{0};
std::atomic<uint32_t> g_times{1};
std::atomic<uint32_t> g_repeats{0};
std::thread::id g_fired_thread;  // written before g_fired is set, read after it is seen
thread_local const char* t_callback = "";
std::mutex g_where_mu;
std::string g_where;
bool g_noted = false;  // fired_on() already described the first failure

}  // namespace

const char* kind_text(Kind kind) {
  switch (kind) {
    case Kind::kContextAllocation: return "FltAllocateContext";
    case Kind::kNameQuery: return "name query";
    case Kind::kCreateFile: return "FltCreateFileEx2";
    case Kind::kRead: return "FltReadFile";
    case Kind::kWrite: return "FltWriteFile";
    case Kind::kQueryInformation: return "FltQueryInformationFile";
    case Kind::kSetInformation: return "FltSetInformationFile";
    case Kind::kVolumeInformation: return "FltQueryVolumeInformation";
    case Kind::kSend: return "FltSendMessage";
    case Kind::kCount: break;
  }
  return "?";
}

void arm(uint64_t nth, uint32_t times) {
  g_times = times == 0 ? 1 : times;
  {
    std::lock_guard<std::mutex> g(g_where_mu);
    g_where.clear();
    g_noted = false;
  }
  g_calls = 0;
  g_repeats = 0;
  g_fired = false;
  g_nth = nth;
}

void disarm() { arm(0); }

bool should_fail(Kind kind) {
  const uint64_t n = g_calls.fetch_add(1) + 1;
  // A persistent shortage: the next calls of the same kind on the same thread (the retry of the
  // call that failed) fail too; another thread's calls (the sender's FltSendMessage) do not.
  if (g_repeats.load() > 0 && g_fired && kind == static_cast<Kind>(g_fired_kind.load()) &&
      std::this_thread::get_id() == g_fired_thread) {
    --g_repeats;
    return true;
  }
  if (g_nth != 0 && n == g_nth) {
    g_repeats = g_times - 1;
    g_fired_thread = std::this_thread::get_id();
    g_fired = true;
    g_fired_kind = static_cast<int>(kind);
    std::lock_guard<std::mutex> g(g_where_mu);
    g_where = *t_callback != 0 ? t_callback : "outside callbacks";
    return true;
  }
  return false;
}

NTSTATUS failure_status(Kind kind) {
  switch (kind) {
    case Kind::kRead: return static_cast<NTSTATUS>(0xC0000185);   // STATUS_IO_DEVICE_ERROR
    case Kind::kWrite: return static_cast<NTSTATUS>(0xC000007F);  // STATUS_DISK_FULL
    default: return status::kInsufficientResources;
  }
}

uint64_t calls() { return g_calls.load(); }
bool fired() { return g_fired.load(); }
Kind fired_kind() { return static_cast<Kind>(g_fired_kind.load()); }

CallbackNote::CallbackNote(const char* callback) : previous_(t_callback) { t_callback = callback; }
CallbackNote::~CallbackNote() { t_callback = previous_; }
const char* current_callback() { return t_callback; }

void fired_on(const std::string& detail) {
  std::lock_guard<std::mutex> g(g_where_mu);
  if (g_noted) return;
  g_noted = true;
  g_where += ": " + detail;
}

std::string fired_where() {
  std::lock_guard<std::mutex> g(g_where_mu);
  return g_where;
}

}  // namespace ksim::flt::faults
