// Push locks through Filter Manager's wrappers (FltInitializePushLock, FltAcquirePushLock*,
// FltReleasePushLock, FltDeletePushLock): reader/writer locks usable at IRQL <= APC_LEVEL. The
// EX_PUSH_LOCK word in the image only names the lock; its state lives here, keyed by address.
// A zeroed EX_PUSH_LOCK is a valid unlocked push lock on Windows, so an uninitialized one works.
#include <condition_variable>
#include <mutex>

#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/verifier.h"

namespace ksim::flt {

void FilterManager::push_lock_initialize(void* lock) {
  check_irql("FltInitializePushLock", kDispatchLevel);
  *static_cast<ULONG_PTR*>(lock) = 0;
  std::lock_guard<std::mutex> g(mu_);
  auto it = push_locks_.find(lock);
  if (it != push_locks_.end()) {
    if (it->second->writer || it->second->readers != 0)
      verifier::violation(verifier::kPushLock, "FltInitializePushLock");
    return;
  }
  push_locks_[lock] = new PushLockState();
}

void FilterManager::push_lock_delete(void* lock) {
  std::lock_guard<std::mutex> g(mu_);
  auto it = push_locks_.find(lock);
  if (it != push_locks_.end() && (it->second->writer || it->second->readers != 0))
    verifier::violation(verifier::kPushLock, "FltDeletePushLock");
}

void FilterManager::push_lock_acquire(void* lock, bool exclusive) {
  check_irql(exclusive ? "FltAcquirePushLockExclusive" : "FltAcquirePushLockShared", kApcLevel);
  PushLockState* state;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto& slot = push_locks_[lock];
    if (slot == nullptr) slot = new PushLockState();
    state = slot;
  }
  std::unique_lock<std::mutex> g(state->m);
  if (exclusive) {
    state->cv.wait(g, [state] { return !state->writer && state->readers == 0; });
    state->writer = true;
  } else {
    state->cv.wait(g, [state] { return !state->writer; });
    ++state->readers;
  }
}

void FilterManager::push_lock_release(void* lock) {
  check_irql("FltReleasePushLock", kApcLevel);
  PushLockState* state = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = push_locks_.find(lock);
    if (it != push_locks_.end()) state = it->second;
  }
  if (state == nullptr) {
    verifier::violation(verifier::kPushLock, "FltReleasePushLock");
    return;
  }
  std::lock_guard<std::mutex> g(state->m);
  if (state->writer) {
    state->writer = false;
  } else if (state->readers > 0) {
    --state->readers;
  } else {
    verifier::violation(verifier::kPushLock, "FltReleasePushLock");
    return;
  }
  state->cv.notify_all();
}

}  // namespace ksim::flt
