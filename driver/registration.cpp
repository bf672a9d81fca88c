#include "driver/registration.h"

#include "driver/runtime/lifecycle.h"
#include "driver/callbacks/instance.h"
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/port.h"
#include "driver/runtime/sender_thread.h"
#include "driver/nt/trace.h"

namespace fbk {
namespace {

// Constant-initialized: no code runs to build it, so it needs no global constructor.
constexpr FLT_REGISTRATION kRegistration = {
    sizeof(FLT_REGISTRATION),
    FLT_REGISTRATION_VERSION_0203,
    0,  // Flags: the filter supports being stopped (fltmc unload)
    kContextRegistrations,
    kOperationCallbacks,
    filter_unload,
    instance::setup,
    instance::query_teardown,
    nullptr,  // InstanceTeardownStartCallback
    nullptr,  // InstanceTeardownCompleteCallback
    nullptr,  // GenerateFileNameCallback
    nullptr,  // NormalizeNameComponentCallback
    nullptr,  // NormalizeContextCleanupCallback
    nullptr,  // TransactionNotificationCallback
    nullptr,  // NormalizeNameComponentExCallback
    nullptr,  // SectionNotificationCallback
};

}  // namespace

const FLT_REGISTRATION& filter_registration() { return kRegistration; }

NTSTATUS FLTAPI filter_unload(FLT_FILTER_UNLOAD_FLAGS flags) {
  FB_TRACE_INFO("unloading (flags 0x%lx)", static_cast<ULONG>(flags));
  // Port first, so no new client arrives while instances are torn down; then the sender, so
  // no FltSendMessage is in flight; FltUnregisterFilter then disconnects the clients and waits
  // for every callback and context cleanup; only then go the engine, queue and configuration
  // those used (driver/runtime/lifecycle.h).
  port::close();
  sender::stop();
  FltUnregisterFilter(g_driver.filter);
  g_driver.filter = nullptr;
  lifecycle::stop();
  FB_TRACE_INFO("unloaded");
  return STATUS_SUCCESS;
}

}  // namespace fbk
