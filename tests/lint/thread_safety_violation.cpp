// Breaks one lock rule of common/engine/state.h per FB_VIOLATION value, so that
// lint.bites.thread-safety.* can prove clang's analysis rejects it (the check in
// check_thread_safety.cmake is only worth something if it bites). FB_VIOLATION=0 is the same
// code keeping the rules, which must compile: a bites test then fails for the stated reason or
// not at all. Never linked into anything.
#include "common/engine/engine.h"

namespace fb_lint {

#if FB_VIOLATION == 0  // the rules kept: every guarded access under the file's lock
uint32_t writers(fb::FileState* state) {
  fb::LockGuard guard(*state->lock);
  return state->writer_count;
}
void rename(fb::FileState* state, fb::Str16 name) {
  fb::LockGuard guard(*state->lock);
  state->name = name;
}
void count_session(fb::FileState* state) {
  state->lock->acquire();
  ++state->sessions;
  state->lock->release();
}
void end_handle(fb::Engine& engine, fb::FileState* state, fb::HandleState* handle) {
  engine.post_cleanup(state, handle);
}
#elif FB_VIOLATION == 1  // a guarded field read without the lock
uint32_t writers(fb::FileState* state) { return state->writer_count; }
#elif FB_VIOLATION == 2  // the name replaced without the lock (a backup may be using it)
void rename(fb::FileState* state, fb::Str16 name) { state->name = name; }
#elif FB_VIOLATION == 3  // the lock taken and never given back
void count_session(fb::FileState* state) {
  state->lock->acquire();
  ++state->sessions;
}
#elif FB_VIOLATION == 4  // an engine call that takes the lock itself, made while holding it
void end_handle(fb::Engine& engine, fb::FileState* state, fb::HandleState* handle) {
  fb::LockGuard guard(*state->lock);
  engine.post_cleanup(state, handle);
}
#else
#error "FB_VIOLATION must be 0..4"
#endif

}  // namespace fb_lint
