// Simulated dispatcher objects (KEVENT, KMUTEX, thread objects) and spin locks. State lives in a
// side table keyed by the object's address (the KEVENT/KMUTEX memory itself belongs to the
// image); one lock and one condition variable serve every wait, which is slow but obviously
// correct, and waits really block (host threads, real concurrency).
#pragma once

#include <cstddef>

#include "tests/kernel/nt/entry.h"

namespace ksim::ke {

// A thread object becomes waitable when created and signaled when the thread terminates.
void add_thread_object(const void* object);
void signal_thread_object(const void* object);
// Forgets dispatcher objects inside freed memory; reports one that a thread still waits on.
void forget_range(const void* begin, size_t bytes);
// Waits on `object` as KeWaitForSingleObject does (timeout in 100 ns units: negative relative,
// positive absolute system time, nullptr forever). STATUS_SUCCESS or STATUS_TIMEOUT.
nt::NTSTATUS wait(const void* object, const nt::LARGE_INTEGER* timeout, const Entry& entry);

}  // namespace ksim::ke
