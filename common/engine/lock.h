// The per-file lock, abstracted. In the kernel it is a KMUTEX (or an ERESOURCE inside a critical
// region) living in the nonpaged stream context, because backup I/O runs under it at
// PASSIVE_LEVEL: a FAST_MUTEX would raise to APC_LEVEL and a spin lock to DISPATCH_LEVEL, where
// Flt file I/O is not allowed. On the host it is a std::mutex.
#pragma once

namespace fb {

class FileLock {
 public:
  virtual void acquire() = 0;
  virtual void release() = 0;

 protected:
  FileLock() = default;
  ~FileLock() = default;
};

class LockGuard {
 public:
  explicit LockGuard(FileLock& lock) : lock_(lock) { lock_.acquire(); }
  ~LockGuard() { lock_.release(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  FileLock& lock_;
};

}  // namespace fb
