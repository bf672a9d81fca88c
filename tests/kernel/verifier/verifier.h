// Driver Verifier / Filter Verifier-style checks of the image's behaviour. A check that fails
// records a Violation naming the check (after the verifier option that performs it on Windows),
// the image offset responsible and, from the unsigned build's symbols, the function. The
// harness fails the test for every violation left at its end; nothing throws through image
// frames.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ksim {
class LoadedImage;
class Symbols;
}

namespace ksim::verifier {

// The checks, named after what performs them on Windows.
inline constexpr const char* kIrqlChecking = "Driver Verifier: IRQL checking";
inline constexpr const char* kIrqlUnchanged = "Filter Verifier: IRQL unchanged across callback";
inline constexpr const char* kPoolTracking = "Driver Verifier: pool tracking";
inline constexpr const char* kSpecialPool = "Driver Verifier: special pool";
inline constexpr const char* kObjectReferences = "Filter Verifier: object reference leak";
inline constexpr const char* kHandleChecking = "Driver Verifier: handle checking";
inline constexpr const char* kDdiCompliance = "Driver Verifier: DDI compliance checking";
inline constexpr const char* kDeadlockDetection = "Driver Verifier: deadlock detection";
inline constexpr const char* kUseAfterUnload = "Driver Verifier: code or data used after unload";
inline constexpr const char* kStackBudget = "host kernel: stack budget per callback";
inline constexpr const char* kBugCheck = "bug check";

struct Violation {
  std::string check;
  std::string where;  // describe(address)
  std::string detail;
  std::string text() const;  // "[check] detail (at where)"
};

// The image whose offsets and names describe() reports (the harness sets it after a load).
void set_image(const LoadedImage* image, const Symbols* symbols);
// "FileBackup.sys+0x1a2b fbk::sender::start()+0x2a", or "host 0x7f..." outside the image.
std::string describe(const void* address);

// Records a violation (and prints it at once on stderr, so it shows even if the test crashes later).
void report(const char* check, const void* address, const std::string& detail);
// Prints and aborts: for states the image cannot continue from (a bug check, a fault).
[[noreturn]] void fatal(const char* check, const void* address, const std::string& detail);

// Every violation recorded so far, oldest first; take_violations() also clears them.
std::vector<Violation> violations();
std::vector<Violation> take_violations();

// Brackets one invocation of an image callback (the simulated Filter Manager calls it around
// every callback, the nt side around thread start routines and DriverEntry):
//   - the IRQL on return must equal the IRQL at the call (kIrqlUnchanged);
//   - no spin lock acquired inside may still be held, no KMUTEX acquired inside still owned;
//   - the image's stack use during the call must stay within kStackBudgetBytes (kStackBudget).
// `callback` is the image address called (for the report); `what` names the callback.
class CallbackScope {
 public:
  CallbackScope(const char* what, const void* callback);
  ~CallbackScope();
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;

 private:
  const char* what_;
  const void* callback_;
  uint8_t irql_;
  int spin_locks_;
  int mutexes_;
  bool measuring_;
};

// The stack budget of one callback, image frames only: a Windows x64 kernel stack is 24 KiB
// (KERNEL_STACK_SIZE) for the requestor, every filter above and below us and the file system;
// a filter taking a quarter of it is already generous.
inline constexpr size_t kStackBudgetBytes = 6 * 1024;
// The deepest image stack use measured so far (bytes below the callback's entry), for reports.
size_t deepest_stack_use();

// Unload checks: each simulation module registers one that reports what the image still holds
// in it (pool blocks, object references, handles, Filter Manager objects...). The harness runs
// them all once the driver's unload has completed.
using UnloadCheck = void (*)();
void add_unload_check(UnloadCheck check);
void run_unload_checks();
struct UnloadCheckRegistrar {
  explicit UnloadCheckRegistrar(UnloadCheck check) { add_unload_check(check); }
};

// Called by every simulated export at entry (ksim::Entry): samples how deep the image's stack is
// at that call, which is where the image's own use ends and the simulation's begins.
void note_image_stack(const void* image_sp);

}  // namespace ksim::verifier
