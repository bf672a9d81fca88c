#include "tests/kernel/nt/dispatcher.h"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <sched.h>

#include "tests/kernel/nt/clock.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::ke {
namespace {

using namespace ksim::nt;

enum class Kind { kNotificationEvent, kSynchronizationEvent, kMutex, kThread };
// EVENT_TYPE (wdm.h): NotificationEvent 0, SynchronizationEvent 1.
constexpr int kNotificationEvent = 0;
constexpr int kSynchronizationEvent = 1;
// DISPATCHER_HEADER.Type values (ntddk KOBJECTS): EventNotificationObject 0,
// EventSynchronizationObject 1, MutantObject 2. SignalState at offset 4.
constexpr uint8_t kMutantObject = 2;

struct Dispatcher {
  Kind kind;
  bool signaled = false;
  uint64_t owner = 0;  // KMUTEX: owning thread id
  int recursion = 0;
  int waiters = 0;
};

std::mutex g_mutex;
std::condition_variable g_changed;
std::map<const void*, Dispatcher> g_objects;

// Mirrors the state into the image's DISPATCHER_HEADER (Type at 0, SignalState at 4), so the
// object's memory reads as it would on Windows.
void write_header(void* object, uint8_t type, int32_t signal_state) {
  auto* p = static_cast<uint8_t*>(object);
  p[0] = type;
  std::memcpy(p + 4, &signal_state, 4);
}

bool satisfiable(const Dispatcher& d, uint64_t me) {
  if (d.kind == Kind::kMutex) return d.owner == 0 || d.owner == me;
  return d.signaled;
}

void satisfy(Dispatcher& d, uint64_t me) {
  if (d.kind == Kind::kSynchronizationEvent) d.signaled = false;
  if (d.kind == Kind::kMutex) {
    d.owner = me;
    ++d.recursion;
    ++current_thread().mutexes_held;
  }
}

// KeInitializeEvent: any IRQL.
KSIM_API void KeInitializeEvent(void* event, int type, BOOLEAN state) {
  KSIM_ENTER(HIGH_LEVEL);
  if (type != kNotificationEvent && type != kSynchronizationEvent)
    ksim_entry.violation(verifier::kDdiCompliance, "unknown EVENT_TYPE " + std::to_string(type));
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(event);
  if (it != g_objects.end() && it->second.waiters > 0)
    ksim_entry.violation(verifier::kDdiCompliance, "re-initializing an event a thread is waiting on");
  Dispatcher d;
  d.kind = type == kSynchronizationEvent ? Kind::kSynchronizationEvent : Kind::kNotificationEvent;
  d.signaled = state != 0;
  g_objects[event] = d;
  std::memset(event, 0, kKeventSize);
  write_header(event, static_cast<uint8_t>(type), state != 0);
}

// KeSetEvent: IRQL <= DISPATCH_LEVEL (Wait == FALSE). Returns the previous state.
KSIM_API LONG KeSetEvent(void* event, LONG, BOOLEAN wait) {
  KSIM_ENTER(DISPATCH_LEVEL);
  if (wait) ksim_entry.violation(verifier::kDdiCompliance, "Wait = TRUE is not simulated");
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(event);
  if (it == g_objects.end() || it->second.kind == Kind::kMutex || it->second.kind == Kind::kThread) {
    ksim_entry.violation(verifier::kDdiCompliance, "not an initialized event");
    return 0;
  }
  const LONG previous = it->second.signaled;
  it->second.signaled = true;
  write_header(event, it->second.kind == Kind::kSynchronizationEvent, 1);
  g_changed.notify_all();
  return previous;
}

// KeInitializeMutex: IRQL PASSIVE_LEVEL.
KSIM_API void KeInitializeMutex(void* mutex, ULONG) {
  KSIM_ENTER(PASSIVE_LEVEL);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(mutex);
  if (it != g_objects.end() && it->second.kind == Kind::kMutex && it->second.owner != 0)
    ksim_entry.violation(verifier::kDdiCompliance, "re-initializing a KMUTEX that is owned");
  Dispatcher d;
  d.kind = Kind::kMutex;
  d.signaled = true;
  g_objects[mutex] = d;
  std::memset(mutex, 0, kKmutexSize);
  write_header(mutex, kMutantObject, 1);
}

// KeReleaseMutex: IRQL <= DISPATCH_LEVEL, by the owning thread only (otherwise Windows raises
// STATUS_MUTANT_NOT_OWNED, a bug check in kernel mode).
KSIM_API LONG KeReleaseMutex(void* mutex, BOOLEAN wait) {
  KSIM_ENTER(DISPATCH_LEVEL);
  if (wait) ksim_entry.violation(verifier::kDdiCompliance, "Wait = TRUE is not simulated");
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(mutex);
  if (it == g_objects.end() || it->second.kind != Kind::kMutex) {
    ksim_entry.violation(verifier::kDdiCompliance, "not an initialized KMUTEX");
    return 0;
  }
  Dispatcher& d = it->second;
  const uint64_t me = current_thread().thread_id;
  if (d.owner != me) {
    ksim_entry.violation(verifier::kDeadlockDetection, "releasing a KMUTEX the thread does not own (STATUS_MUTANT_NOT_OWNED)");
    return 0;
  }
  const LONG previous = d.recursion == 0 ? 1 : 1 - d.recursion;
  --current_thread().mutexes_held;
  if (--d.recursion == 0) {
    d.owner = 0;
    write_header(mutex, kMutantObject, 1);
    g_changed.notify_all();
  }
  return previous;
}

// KeWaitForSingleObject: IRQL <= DISPATCH_LEVEL, and <= APC_LEVEL unless the timeout is zero.
KSIM_API NTSTATUS KeWaitForSingleObject(void* object, int, int8_t, BOOLEAN, LARGE_INTEGER* timeout) {
  const bool polling = timeout != nullptr && timeout->QuadPart == 0;
  KSIM_ENTER(polling ? DISPATCH_LEVEL : APC_LEVEL);
  return wait(object, timeout, ksim_entry);
}

// KeAcquireSpinLockRaiseToDpc: IRQL <= DISPATCH_LEVEL; returns the previous IRQL.
KSIM_API KIRQL KeAcquireSpinLockRaiseToDpc(uint64_t* lock) {
  KSIM_ENTER(DISPATCH_LEVEL);
  KThreadState& t = current_thread();
  if (__atomic_load_n(lock, __ATOMIC_ACQUIRE) == t.thread_id) {
    ksim_entry.violation(verifier::kDeadlockDetection, "acquiring a spin lock the thread already holds");
    return t.irql;
  }
  const KIRQL previous = t.irql;
  t.irql = DISPATCH_LEVEL;
  uint64_t expected = 0;
  while (!__atomic_compare_exchange_n(lock, &expected, t.thread_id, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
    expected = 0;
    sched_yield();
  }
  ++t.spin_locks_held;
  return previous;
}

// KeReleaseSpinLock: IRQL DISPATCH_LEVEL, by the holder.
KSIM_API void KeReleaseSpinLock(uint64_t* lock, KIRQL new_irql) {
  KSIM_ENTER(DISPATCH_LEVEL);
  KThreadState& t = current_thread();
  if (t.irql != DISPATCH_LEVEL)
    ksim_entry.violation(verifier::kIrqlChecking, "called below DISPATCH_LEVEL (not holding a spin lock)");
  if (__atomic_load_n(lock, __ATOMIC_ACQUIRE) != t.thread_id) {
    ksim_entry.violation(verifier::kDeadlockDetection, "releasing a spin lock the thread does not hold");
    return;
  }
  if (new_irql > DISPATCH_LEVEL)
    ksim_entry.violation(verifier::kIrqlChecking, "NewIrql above DISPATCH_LEVEL");
  __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
  --t.spin_locks_held;
  t.irql = new_irql;
}

const Export kExports[] = {
    {"ntoskrnl.exe", "KeInitializeEvent", reinterpret_cast<void*>(&KeInitializeEvent), false},
    {"ntoskrnl.exe", "KeSetEvent", reinterpret_cast<void*>(&KeSetEvent), false},
    {"ntoskrnl.exe", "KeInitializeMutex", reinterpret_cast<void*>(&KeInitializeMutex), false},
    {"ntoskrnl.exe", "KeReleaseMutex", reinterpret_cast<void*>(&KeReleaseMutex), false},
    {"ntoskrnl.exe", "KeWaitForSingleObject", reinterpret_cast<void*>(&KeWaitForSingleObject), false},
    {"ntoskrnl.exe", "KeAcquireSpinLockRaiseToDpc", reinterpret_cast<void*>(&KeAcquireSpinLockRaiseToDpc), false},
    {"ntoskrnl.exe", "KeReleaseSpinLock", reinterpret_cast<void*>(&KeReleaseSpinLock), false},
};
const ExportTable kTable(kExports);

void reset_hook() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_objects.clear();
}
const ResetRegistrar kReset(reset_hook);

}  // namespace

void add_thread_object(const void* object) {
  std::lock_guard<std::mutex> lock(g_mutex);
  Dispatcher d;
  d.kind = Kind::kThread;
  g_objects[object] = d;
}

void signal_thread_object(const void* object) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(object);
  if (it != g_objects.end()) it->second.signaled = true;
  g_changed.notify_all();
}

void forget_range(const void* begin, size_t bytes) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const auto* b = static_cast<const uint8_t*>(begin);
  for (auto it = g_objects.lower_bound(begin); it != g_objects.end() && static_cast<const uint8_t*>(it->first) < b + bytes;) {
    if (it->second.waiters > 0)
      verifier::report(verifier::kSpecialPool, it->first, "pool freed while a thread waits on a dispatcher object in it");
    if (it->second.kind == Kind::kMutex && it->second.owner != 0)
      verifier::report(verifier::kSpecialPool, it->first, "pool freed while a KMUTEX in it is owned");
    it = g_objects.erase(it);
  }
}

NTSTATUS wait(const void* object, const LARGE_INTEGER* timeout, const Entry& entry) {
  std::unique_lock<std::mutex> lock(g_mutex);
  auto it = g_objects.find(object);
  if (it == g_objects.end()) {
    entry.violation(verifier::kDdiCompliance, "waiting on an object that is not an initialized dispatcher object");
    return STATUS_INVALID_PARAMETER;
  }
  const uint64_t me = current_thread().thread_id;
  auto ready = [&] {
    auto i = g_objects.find(object);
    return i == g_objects.end() || satisfiable(i->second, me);
  };
  ++it->second.waiters;
  bool ok = true;
  if (timeout == nullptr) {
    g_changed.wait(lock, ready);
  } else {
    const int64_t t = timeout->QuadPart;
    const int64_t relative = t <= 0 ? -t : std::max<int64_t>(0, t - clock::system_time());
    ok = g_changed.wait_for(lock, std::chrono::nanoseconds(relative * 100), ready);
  }
  it = g_objects.find(object);
  if (it == g_objects.end()) return STATUS_SUCCESS;  // reported by forget_range
  --it->second.waiters;
  if (!ok) return STATUS_TIMEOUT;
  satisfy(it->second, me);
  return STATUS_SUCCESS;
}

}  // namespace ksim::ke
