// The host services around the engine, started and stopped as one unit around the Filter
// Manager registration: the service key copy, the configuration (driver/runtime/config_current.h), the event
// queue (driver/runtime/event_pipeline.h) and the engine (driver/runtime/engine_seam.h). The sender thread and the port are
// started by DriverEntry between them, because they need the registered filter.
//
//   DriverEntry:    start(registry_path) -> FltRegisterFilter -> port::open -> sender::start
//                   -> FltStartFiltering           (each failure undoes the steps before it)
//   filter_unload:  port::close -> sender::stop -> FltUnregisterFilter -> stop()
//
// The engine and the queue outlive FltUnregisterFilter's return on purpose: callbacks and
// context cleanups, which use both, run until then.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::lifecycle {

// Copies the service key, reads the configuration, creates the queue, starts the engine.
// PASSIVE_LEVEL, in DriverEntry. On failure nothing is left behind.
NTSTATUS start(PCUNICODE_STRING registry_path);

// Undoes start(), in reverse order. PASSIVE_LEVEL, after FltUnregisterFilter returned (or on
// a DriverEntry failure path). Idempotent.
void stop();

}  // namespace fbk::lifecycle
