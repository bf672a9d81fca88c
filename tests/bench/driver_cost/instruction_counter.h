// Counts, exactly, the instructions one thread executes INSIDE the loaded driver image, by
// single-stepping that thread (x86 trap flag) only while it runs image code:
//   - every callback the simulated Filter Manager calls in the image (pre- and post-operation
//     callbacks, context cleanup callbacks) is wrapped; the wrapper sets the trap flag on the
//     measuring thread just before calling the image;
//   - each single-step trap counts the instruction that just executed if its address lies in
//     the image;
//   - when the image calls out (a kernel or Filter Manager routine of the simulation), the
//     return address into the image is swapped for a trampoline (an int3) and stepping stops:
//     the simulation runs at full speed and is not counted; the trampoline's trap puts the
//     return address back and stepping resumes;
//   - when the image returns to the simulation (the callback's final ret), stepping stops.
// Instructions the host kernel emulates (the image's `mov r64, cr8`, its KUSER_SHARED_DATA
// read) fault instead of trapping; the wrapper around the host kernel's fault handler counts
// each as one instruction. A `rep` string instruction traps once per iteration, so it counts
// one per element moved, as callgrind's Ir does.
//
// Additionally an "excluded window": the instructions executed while a given image function is
// on the stack (from its entry until it returns, all its callees included) are counted
// separately, so a measurement can report an operation with and without, e.g., the backup
// copy (fb::run_backup).
//
// Test-only, one measuring thread at a time (the one that called begin()); other threads (the
// driver's sender thread) run untouched and uncounted.
#pragma once

#include <cstdint>
#include <string>

namespace ksim {
class LoadedImage;
}

namespace ksim::cost {

struct Count {
  uint64_t instructions = 0;  // inside the image, on the measuring thread
  uint64_t in_window = 0;     // of which while the excluded function was on the stack
  uint64_t traps = 0;         // single-step traps taken (image and the few simulation instructions around it)
};

// Installs the trap handlers and the trampoline, and wraps the callbacks the image registered
// with the simulated Filter Manager (call after DriverEntry, before the first operation).
// `window_rva`: the RVA of the function whose inclusive cost is counted apart (0: none).
bool install(const LoadedImage& image, uint32_t window_rva, std::string* error);

// Whether the excluded window's instructions are stepped and counted (default) or skipped: the
// window function then runs at full speed like the simulation, and in_window stays 0.
void set_window_counted(bool counted);

// A histogram of executed image offsets (one counter per byte of the image), for finding
// where an operation's instructions go; nullptr until enable_profile().
void enable_profile();
void reset_profile();
uint32_t* profile();  // indexed by RVA, image size entries

// The calling thread becomes the measuring thread; its totals restart at zero.
void begin();
// The totals since begin() (the thread must not be inside a callback).
Count read();
// Anything inconsistent seen by the trap handler (a trampoline hit with nothing saved, a
// callback that returned with stepping still on...), or "" when all was well.
std::string errors();

}  // namespace ksim::cost
