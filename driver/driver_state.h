// The driver's one global: what DriverEntry set up and the unload callback tears down.
// Plain data, zero-initialized at image load (no global constructors in this driver).
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk {

struct DriverState {
  PDRIVER_OBJECT driver = nullptr;
  PFLT_FILTER filter = nullptr;  // set by FltRegisterFilter, cleared after FltUnregisterFilter
};

extern DriverState g_driver;

}  // namespace fbk
