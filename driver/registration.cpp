#include "registration.h"

#include "driver_state.h"
#include "host_services.h"
#include "instance.h"
#include "operations.h"
#include "port.h"
#include "sender_thread.h"
#include "trace.h"

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
  // those used (host_services.h).
  port::close();
  sender::stop();
  FltUnregisterFilter(g_driver.filter);
  g_driver.filter = nullptr;
  host_services::stop();
  FB_TRACE_INFO("unloaded");
  return STATUS_SUCCESS;
}

}  // namespace fbk
