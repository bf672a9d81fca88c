// Atomic loads/stores and a test-and-test-and-set spin lock on GCC/Clang __atomic builtins,
// because <atomic> is a hosted header and common/ also compiles into the kernel. On x64 these
// compile to plain moves (acquire/release) and lock-prefixed instructions; no libatomic.
//
// The names say the memory order so that each call site shows its ordering argument.
#pragma once

#include <stdint.h>

namespace fb {
namespace atomic {

template <class T>
inline T load_relaxed(const T* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
template <class T>
inline T load_acquire(const T* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
template <class T>
inline void store_relaxed(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELAXED); }
template <class T>
inline void store_release(T* p, T v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
template <class T>
inline T fetch_add_relaxed(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_RELAXED); }

// Lets the sibling hyper-thread run while spinning.
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace atomic

// A spin lock for user mode and tests. NOT for the kernel: a thread holding it can be
// preempted at PASSIVE_LEVEL while others spin; the driver uses KSPIN_LOCK (which raises IRQL)
// behind the same lock()/unlock() shape. Zero-initialised is unlocked.
class SpinLock {
 public:
  void lock() {
    while (__atomic_exchange_n(&locked_, 1u, __ATOMIC_ACQUIRE) != 0)
      while (atomic::load_relaxed(&locked_) != 0) atomic::cpu_relax();
  }
  void unlock() { __atomic_store_n(&locked_, 0u, __ATOMIC_RELEASE); }

 private:
  uint32_t locked_ = 0;
};

}  // namespace fb
