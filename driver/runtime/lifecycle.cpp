#include "driver/runtime/lifecycle.h"

#include "driver/runtime/config_current.h"
#include "driver/runtime/config_registry.h"
#include "driver/runtime/engine_seam.h"
#include "driver/runtime/event_pipeline.h"
#include "driver/nt/raii.h"
#include "driver/nt/trace.h"

namespace fbk::lifecycle {

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

  status = runtime::engine_start(config::engine_config());
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
  runtime::engine_stop();
  events::destroy();
  config::unload();
  config::forget_service_key();
}

}  // namespace fbk::lifecycle
