#include "host_services.h"

#include "config_current.h"
#include "config_registry.h"
#include "engine_host.h"
#include "event_pipeline.h"
#include "kernel_raii.h"
#include "trace.h"

namespace fbk::host_services {

NTSTATUS start(PCUNICODE_STRING registry_path) {
  NTSTATUS status = config::remember_service_key(registry_path);
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("cannot copy the service key path: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }
  auto forget_key = on_scope_exit([] { config::forget_service_key(); });

  status = config::load();
  if (!NT_SUCCESS(status)) return status;
  auto unload_config = on_scope_exit([] { config::unload(); });

  status = events::create();
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("event queue: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }
  auto destroy_queue = on_scope_exit([] { events::destroy(); });

  status = host::engine_start(config::engine_config());
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("engine start failed: 0x%08lx", static_cast<ULONG>(status));
    return status;
  }

  destroy_queue.dismiss();
  unload_config.dismiss();
  forget_key.dismiss();
  return STATUS_SUCCESS;
}

void stop() {
  host::engine_stop();
  events::destroy();
  config::unload();
  config::forget_service_key();
}

}  // namespace fbk::host_services
