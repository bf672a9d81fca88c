// Low-resources simulation in the manner of Driver Verifier's: the N-th fallible Filter Manager
// call from now fails with the status Windows returns when resources run out. A story is run
// once to count its fault points (calls()), then once per point with that point failing.
#pragma once

#include <cstdint>
#include <string>

#include "tests/kernel/fltmgr/abi.h"

namespace ksim::flt::faults {

enum class Kind { kContextAllocation, kNameQuery, kCreateFile, kRead, kWrite, kQueryInformation,
                  kSetInformation, kVolumeInformation, kSend, kCount };
const char* kind_text(Kind kind);

// Fails the nth fallible call from now (1 = the next one); 0 disarms. Resets the call count.
// times > 1: the next times-1 calls of the same kind on the same thread fail too (a persistent
// shortage: the retry of the failed call meets it again).
void arm(uint64_t nth, uint32_t times = 1);
void disarm();
// Whether this call fails (counts it). Filter Manager's routines ask first thing.
bool should_fail(Kind kind);
// The status a call of this kind fails with when resources run out.
NTSTATUS failure_status(Kind kind);
uint64_t calls();         // fallible calls since arm()/disarm()
bool fired();             // the armed failure happened
Kind fired_kind();

// Where the failure hit, for the fault stories' breakdown: the callback running on the failing
// thread (Filter Manager's dispatch sets it) and what the call was about (the object name of a
// create, the file of a read, write or information call, the information class).
class CallbackNote {
 public:
  explicit CallbackNote(const char* callback);
  ~CallbackNote();
  CallbackNote(const CallbackNote&) = delete;
  CallbackNote& operator=(const CallbackNote&) = delete;

 private:
  const char* previous_;
};
const char* current_callback();  // "" outside any callback (DriverEntry, the sender thread)
// Called by the failing call site right after should_fail said yes.
void fired_on(const std::string& detail);
std::string fired_where();  // "<callback>: <detail>" of the fired failure

}  // namespace ksim::flt::faults
