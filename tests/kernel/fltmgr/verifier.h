// Filter-Verifier-style checks of the simulated Filter Manager, recorded through the host
// kernel's verifier (tests/kernel/verifier/verifier.h), which fails the test for each one.
// Calls from the image cannot throw back through its frames, so a violation is recorded and the
// call goes on as Windows would.
// The checks follow Microsoft's "File System Filter Verification" (Driver Verifier's Filter
// Verifier option): valid callback return statuses, callback data changed only when marked
// dirty, Flt calls at their documented IRQL (KSIM_ENTER in exports.cpp), IRQL unchanged across
// callbacks (verifier::CallbackScope), and at unload every reference-counted object the filter
// still holds (contexts, name information, file objects, handles, volumes, instances).
#pragma once

#include <string>

namespace ksim::flt::verifier {

// The check names (the first part of every record).
inline constexpr const char* kPreStatus = "Filter Verifier: invalid pre-operation status";
inline constexpr const char* kPostStatus = "Filter Verifier: invalid post-operation status";
inline constexpr const char* kCompletionContext = "Filter Verifier: completion context without a post-operation";
inline constexpr const char* kDirty = "Filter Verifier: callback data changed without FltSetCallbackDataDirty";
inline constexpr const char* kParameter = "Filter Verifier: invalid parameter";
inline constexpr const char* kReferenceCount = "Filter Verifier: reference count underflow";
inline constexpr const char* kContextLeak = "Filter Verifier: context leaked at unload";
inline constexpr const char* kNameLeak = "Filter Verifier: name information leaked at unload";
inline constexpr const char* kFileObjectLeak = "Filter Verifier: file object leaked at unload";
inline constexpr const char* kHandleLeak = "Filter Verifier: handle leaked at unload";
inline constexpr const char* kObjectLeak = "Filter Verifier: volume/instance reference leaked at unload";
inline constexpr const char* kSecurityDescriptorLeak = "Filter Verifier: security descriptor leaked at unload";
inline constexpr const char* kPortLeak = "Filter Verifier: communication port open at unload";
inline constexpr const char* kClientPort = "Filter Verifier: client port not closed in the disconnect notify";
inline constexpr const char* kUnload = "Filter Verifier: unload without FltUnregisterFilter";
inline constexpr const char* kPushLock = "Filter Verifier: push lock misuse";
inline constexpr const char* kReplyOverrun = "Filter Verifier: message reply overrun";

void violation(const char* check, const std::string& detail);

// The image address of the Flt call being served on this thread (exports.cpp sets it), so a
// record names the driver function responsible.
void set_caller(const void* caller);

}  // namespace ksim::flt::verifier
