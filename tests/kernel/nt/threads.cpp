#include "tests/kernel/nt/threads.h"

#include <pthread.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csetjmp>
#include <cstdio>
#include <mutex>
#include <thread>

#include "tests/kernel/nt/dispatcher.h"
#include "tests/kernel/nt/objects.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::threads {
namespace {

using namespace ksim::nt;
using StartRoutine = void(KSIM_API*)(void*);

class ThreadObject final : public ob::Object {
 public:
  ThreadObject() : ob::Object(&ob::g_thread_type) {}
  uint64_t id = 0;
  NTSTATUS exit_status = 0;
};

struct ClientId {
  HANDLE UniqueProcess;
  HANDLE UniqueThread;
};

struct Start {
  std::shared_ptr<ThreadObject> self;
  StartRoutine routine;
  void* context;
  const void* creator;
};

std::mutex g_mutex;
std::condition_variable g_finished;
size_t g_running = 0;

// Runs the start routine; false when it ended with PsTerminateSystemThread (longjmp to here).
__attribute__((noinline)) bool run_start_routine(StartRoutine routine, void* context, jmp_buf* terminate) {
  if (setjmp(*terminate) != 0) return false;
  routine(context);
  return true;
}

void* trampoline(void* arg) {
  std::unique_ptr<Start> start(static_cast<Start*>(arg));
  ensure_signal_stack();
  KThreadState& t = current_thread();
  t.system_thread = true;
  t.thread_object = start->self.get();
  t.process_id = 4;  // the System process
  start->self->id = t.thread_id;
  jmp_buf terminate;
  t.terminate = &terminate;
  if (run_start_routine(start->routine, start->context, &terminate)) {
    // Windows requires a system thread to end with PsTerminateSystemThread.
    verifier::report(verifier::kDdiCompliance, reinterpret_cast<const void*>(start->routine),
                     "system thread start routine returned without calling PsTerminateSystemThread");
  }
  // Here after PsTerminateSystemThread (longjmp) or a return.
  if (t.irql != PASSIVE_LEVEL)
    verifier::report(verifier::kIrqlChecking, reinterpret_cast<const void*>(start->routine),
                     "system thread terminated at IRQL " + std::to_string(t.irql));
  if (t.spin_locks_held != 0 || t.mutexes_held != 0)
    verifier::report(verifier::kDeadlockDetection, reinterpret_cast<const void*>(start->routine),
                     "system thread terminated holding a lock (THREAD_TERMINATE_HELD_MUTEX)");
  t.terminate = nullptr;
  ke::signal_thread_object(start->self.get());
  start.reset();
  std::lock_guard<std::mutex> lock(g_mutex);
  --g_running;
  g_finished.notify_all();
  return nullptr;
}

// PsCreateSystemThread: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS PsCreateSystemThread(HANDLE* handle, ACCESS_MASK, OBJECT_ATTRIBUTES* attributes, HANDLE process,
                                       ClientId* client_id, StartRoutine routine, void* context) {
  KSIM_ENTER(PASSIVE_LEVEL);
  if (handle == nullptr || routine == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "ThreadHandle or StartRoutine is NULL");
    return STATUS_INVALID_PARAMETER;
  }
  // A driver's thread handle must be a kernel handle, or the current user process could use it.
  if (attributes == nullptr || !(attributes->Attributes & OBJ_KERNEL_HANDLE))
    ksim_entry.violation(verifier::kHandleChecking, "thread handle created without OBJ_KERNEL_HANDLE");
  if (process != nullptr)
    ksim_entry.violation(verifier::kDdiCompliance, "ProcessHandle must be NULL for a driver-created system thread");
  auto self = std::make_shared<ThreadObject>();
  ke::add_thread_object(self.get());
  *handle = ob::create_handle(self, ksim_entry.caller());
  auto* start = new Start{self, routine, context, ksim_entry.caller()};
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    ++g_running;
  }
  pthread_t thread;
  if (pthread_create(&thread, nullptr, trampoline, start) != 0) {
    delete start;
    std::lock_guard<std::mutex> lock(g_mutex);
    --g_running;
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  pthread_detach(thread);
  if (client_id != nullptr) {
    client_id->UniqueProcess = reinterpret_cast<HANDLE>(4);
    client_id->UniqueThread = nullptr;  // assigned when the thread starts; not used by the driver
  }
  return STATUS_SUCCESS;
}

// PsTerminateSystemThread: IRQL PASSIVE_LEVEL, from a system thread only. Never returns.
KSIM_API NTSTATUS PsTerminateSystemThread(NTSTATUS status) {
  KSIM_ENTER(PASSIVE_LEVEL);
  KThreadState& t = current_thread();
  if (!t.system_thread || t.terminate == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "called from a thread that is not a system thread");
    return STATUS_INVALID_PARAMETER;
  }
  static_cast<ThreadObject*>(t.thread_object)->exit_status = status;
  // Back to the trampoline without unwinding the image's frames (nothing in them needs it:
  // Windows does not unwind them either).
  std::longjmp(*t.terminate, 1);
}

// ZwWaitForSingleObject: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS ZwWaitForSingleObject(HANDLE handle, BOOLEAN, LARGE_INTEGER* timeout) {
  KSIM_ENTER(PASSIVE_LEVEL);
  std::shared_ptr<ob::Object> object = ob::object_of_handle(handle);
  if (object == nullptr) {
    ksim_entry.violation(verifier::kHandleChecking, "waiting on an invalid handle");
    return STATUS_INVALID_HANDLE;
  }
  return ke::wait(object.get(), timeout, ksim_entry);
}

// PsGetCurrentProcessId / PsGetCurrentThreadId: any IRQL.
KSIM_API HANDLE PsGetCurrentProcessId() {
  KSIM_ENTER(HIGH_LEVEL);
  return reinterpret_cast<HANDLE>(current_thread().process_id);
}

KSIM_API HANDLE PsGetCurrentThreadId() {
  KSIM_ENTER(HIGH_LEVEL);
  return reinterpret_cast<HANDLE>(current_thread().thread_id);
}

const Export kExports[] = {
    {"ntoskrnl.exe", "PsCreateSystemThread", reinterpret_cast<void*>(&PsCreateSystemThread), false},
    {"ntoskrnl.exe", "PsTerminateSystemThread", reinterpret_cast<void*>(&PsTerminateSystemThread), false},
    {"ntoskrnl.exe", "ZwWaitForSingleObject", reinterpret_cast<void*>(&ZwWaitForSingleObject), false},
    {"ntoskrnl.exe", "PsGetCurrentProcessId", reinterpret_cast<void*>(&PsGetCurrentProcessId), false},
    {"ntoskrnl.exe", "PsGetCurrentThreadId", reinterpret_cast<void*>(&PsGetCurrentThreadId), false},
};
const ExportTable kTable(kExports);

void unload_check() {
  if (running() != 0 && !join_all(2000))
    verifier::report(verifier::kUseAfterUnload, nullptr,
                     std::to_string(running()) + " system thread(s) still running after the driver unloaded");
}
const verifier::UnloadCheckRegistrar kUnload(unload_check);

// Between tests: a thread the image left running would execute unmapped code; stop here.
void reset_hook() {
  if (!join_all(5000)) verifier::fatal(verifier::kUseAfterUnload, nullptr, "a system thread outlived its test");
}
const ResetRegistrar kReset(reset_hook);

}  // namespace

size_t running() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_running;
}

bool join_all(int milliseconds) {
  std::unique_lock<std::mutex> lock(g_mutex);
  return g_finished.wait_for(lock, std::chrono::milliseconds(milliseconds), [] { return g_running == 0; });
}

}  // namespace ksim::threads
