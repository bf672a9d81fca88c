// The per-file lock, abstracted. In the kernel it is a KMUTEX (or an ERESOURCE inside a critical
// region) living in the nonpaged stream context, because backup I/O runs under it at
// PASSIVE_LEVEL: a FAST_MUTEX would raise to APC_LEVEL and a spin lock to DISPATCH_LEVEL, where
// Flt file I/O is not allowed. On the host it is a std::mutex.
//
// It is a capability for Clang's thread-safety analysis (common/base/thread_annotations.h): the
// fields of FileState it guards are FB_GUARDED_BY(lock), so touching one without holding the
// file's lock does not compile under clang -Wthread-safety (ctest -R '^lint\.thread-safety').
#pragma once

#include "common/base/thread_annotations.h"

namespace fb {

class FB_CAPABILITY("file lock") FileLock {
 public:
  virtual void acquire() FB_ACQUIRE() = 0;
  virtual void release() FB_RELEASE() = 0;

 protected:
  FileLock() = default;
  ~FileLock() = default;
};

// Holds a FileLock for its scope.
class FB_SCOPED_CAPABILITY LockGuard {
 public:
  explicit LockGuard(FileLock& lock) FB_ACQUIRE(lock) : lock_(lock) { lock_.acquire(); }
  ~LockGuard() FB_RELEASE() { lock_.release(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  FileLock& lock_;
};

}  // namespace fb
