// The one fb::Engine of the driver, as the callbacks see it. engine_host.cpp creates it in
// host::engine_start (DriverEntry) and destroys it in host::engine_stop (after
// FltUnregisterFilter), so it exists whenever a callback or a context cleanup can run.
// engine_host.h is the seam with the host services (settings, event sink).
#pragma once

#include "engine.h"

namespace fbk::host {

// The engine, or nullptr outside engine_start()..engine_stop() (callbacks then let every
// operation through untouched).
fb::Engine* engine();

}  // namespace fbk::host
