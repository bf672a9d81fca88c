// The sender thread: a dedicated system thread that drains the event queue
// (driver/runtime/event_pipeline.h) to the connected watcher with FltSendMessage, so the I/O path never
// waits for user mode (the textbook driver sent from inside the write path, holding the
// file's lock, for up to 100 ms).
//
// It sleeps on a synchronization KEVENT that producers and the port set. Each message is sent
// with a 1 s timeout; a timeout, a failure or no watcher at all counts the event as
// undelivered, and the queue reports those sequence numbers to the watcher as a gap before
// the next event it does deliver.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::sender {

// How long one FltSendMessage may wait for the watcher to pick a message up.
constexpr LONGLONG kSendTimeout100ns = 10 * 1000 * 1000;  // 1 s

// Creates the thread (and its message buffer). PASSIVE_LEVEL, after events::create() and
// port::open(). On failure nothing is left behind.
NTSTATUS start();

// Stops the thread: sets the stop flag, wakes it, waits for the thread object (at most one
// send timeout), dereferences it. PASSIVE_LEVEL. Idempotent.
void stop();

// Wakes the thread (new event, watcher connected). IRQL <= DISPATCH_LEVEL; cheap when it is
// already awake.
void wake();

}  // namespace fbk::sender
