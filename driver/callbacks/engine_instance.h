// The one fb::Engine of the driver, as the callbacks see it. driver/runtime/engine_seam.cpp creates it in
// runtime::engine_start (DriverEntry) and destroys it in runtime::engine_stop (after
// FltUnregisterFilter), so it exists whenever a callback or a context cleanup can run.
// driver/runtime/engine_seam.h is the seam with the host services (settings, event sink).
#pragma once

#include "common/engine/engine.h"

namespace fbk::runtime {

// The engine, or nullptr outside engine_start()..engine_stop() (callbacks then let every
// operation through untouched).
fb::Engine* engine();

}  // namespace fbk::runtime
