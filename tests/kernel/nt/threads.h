// Simulated system threads: PsCreateSystemThread starts a real host thread (pthreads) that runs
// the image's start routine at PASSIVE_LEVEL; PsTerminateSystemThread returns to the thread's
// host trampoline with longjmp (no unwinding through image frames). The thread object is
// waitable and signaled at exit.
#pragma once

#include <cstddef>

namespace ksim::threads {

// System threads created by the image that have not finished yet.
size_t running();
// Waits up to `milliseconds` for every system thread to finish; true if they all did.
bool join_all(int milliseconds);

}  // namespace ksim::threads
