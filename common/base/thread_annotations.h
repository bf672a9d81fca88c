// Lock rules the compiler checks: Clang's thread-safety analysis (-Wthread-safety) reads these
// attributes and rejects code that touches guarded state without its lock, releases a lock it
// does not hold, or returns while still holding one. Under any other compiler (GCC, mingw-w64:
// the driver and the native tests) they expand to nothing, so they change no generated code.
//
// The names follow Clang's documentation ("Thread Safety Analysis"):
//   FB_CAPABILITY(name)     a class that is a lock (fb::FileLock)
//   FB_SCOPED_CAPABILITY    an RAII guard that holds a lock for its lifetime (fb::LockGuard)
//   FB_GUARDED_BY(lock)     a field read or written only while `lock` is held
//   FB_REQUIRES(lock)       a function its callers must call with `lock` held
//   FB_EXCLUDES(lock)       a function that takes `lock` itself: never call it holding it
//   FB_ACQUIRE(...), FB_RELEASE(...)   functions that take / give back a lock
//   FB_NO_THREAD_SAFETY_ANALYSIS       a function the analysis cannot follow; its comment must
//                                      say why it is safe
// The check: ctest -R '^lint\.thread-safety' (tests/lint/), which compiles every common/ source
// with clang -Wthread-safety -Werror, and a file that breaks a rule on purpose.
#pragma once

#if defined(__clang__)
#define FB_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FB_THREAD_ANNOTATION(x)
#endif

#define FB_CAPABILITY(name) FB_THREAD_ANNOTATION(capability(name))
#define FB_SCOPED_CAPABILITY FB_THREAD_ANNOTATION(scoped_lockable)
#define FB_GUARDED_BY(lock) FB_THREAD_ANNOTATION(guarded_by(lock))
#define FB_REQUIRES(...) FB_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define FB_EXCLUDES(...) FB_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define FB_ACQUIRE(...) FB_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define FB_RELEASE(...) FB_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define FB_NO_THREAD_SAFETY_ANALYSIS FB_THREAD_ANNOTATION(no_thread_safety_analysis)
