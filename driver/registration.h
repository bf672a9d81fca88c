// FileBackup's registration with Filter Manager: the FLT_REGISTRATION, the filter it yields
// (the driver's one global) and the filter unload callback that ends it.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk {

// What DriverEntry set up and the unload callback tears down. Plain data, zero-initialized at
// image load (no global constructors in this driver); defined in driver/driver_entry.cpp.
struct DriverState {
  PDRIVER_OBJECT driver = nullptr;
  PFLT_FILTER filter = nullptr;  // set by FltRegisterFilter, cleared after FltUnregisterFilter
};

extern DriverState g_driver;

// The registration FltRegisterFilter takes (layout 0x0203).
const FLT_REGISTRATION& filter_registration();

// FilterUnloadCallback: closes the port and unregisters the filter (fltmc unload, sc stop).
NTSTATUS FLTAPI filter_unload(FLT_FILTER_UNLOAD_FLAGS flags);

}  // namespace fbk
