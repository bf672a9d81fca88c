// DriverEntry: register the filter, open the port, start filtering. Each step that fails
// undoes the steps before it, so a failed load leaves nothing behind.
//
// FltRegisterFilter takes over DriverObject->DriverUnload: cleanup lives in filter_unload
// (registration.cpp), and DriverUnload is never set here.
#include "driver_state.h"
#include "kernel_raii.h"
#include "port.h"
#include "registration.h"
#include "trace.h"

namespace fbk {

DriverState g_driver;

}  // namespace fbk

extern "C" NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT driver, PUNICODE_STRING registry_path) {
  using namespace fbk;
  FB_TRACE_INFO("loading from %wZ", registry_path);
  g_driver.driver = driver;

  NTSTATUS status = FltRegisterFilter(driver, &filter_registration(), &g_driver.filter);
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

  status = FltStartFiltering(g_driver.filter);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("FltStartFiltering failed: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }

  close_port.dismiss();
  unregister.dismiss();
  FB_TRACE_INFO("loaded");
  return STATUS_SUCCESS;
}
