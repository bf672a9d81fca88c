// DriverEntry: start the host services (configuration, queue, engine), register the filter,
// open the port, start the sender thread, start filtering. Each step that fails undoes the
// steps before it, so a failed load leaves nothing behind (driver/runtime/lifecycle.h has the order).
//
// FltRegisterFilter takes over DriverObject->DriverUnload: cleanup lives in filter_unload
// (registration.cpp), and DriverUnload is never set here.
#include "driver/runtime/lifecycle.h"
#include "driver/nt/raii.h"
#include "driver/runtime/port.h"
#include "driver/registration.h"
#include "driver/runtime/sender_thread.h"
#include "driver/nt/trace.h"

namespace fbk {

DriverState g_driver;

}  // namespace fbk

extern "C" NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  using namespace fbk;
  FB_TRACE_INFO("loading from %wZ", registry_path);
  g_driver.driver = driver;

  NTSTATUS status = lifecycle::start(registry_path);
  if (!NT_SUCCESS(status)) return status;
  auto stop_services = on_scope_exit([] { lifecycle::stop(); });

  status = FltRegisterFilter(driver, &filter_registration(), &g_driver.filter);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("FltRegisterFilter failed: 0x%08lx (are the Instances keys installed?)",
                   static_cast<ULONG>(status));
    g_driver.filter = nullptr;
    return status;
  }
  auto unregister = on_scope_exit([] {
    FltUnregisterFilter(g_driver.filter);
    g_driver.filter = nullptr;
  });

  status = port::open(g_driver.filter);
  if (!NT_SUCCESS(status)) return status;
  auto close_port = on_scope_exit([] { port::close(); });

  status = sender::start();
  if (!NT_SUCCESS(status)) return status;
  auto stop_sender = on_scope_exit([] { sender::stop(); });

  status = FltStartFiltering(g_driver.filter);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("FltStartFiltering failed: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }

  stop_sender.dismiss();
  close_port.dismiss();
  unregister.dismiss();
  stop_services.dismiss();
  FB_TRACE_INFO("loaded");
  return STATUS_SUCCESS;
}
