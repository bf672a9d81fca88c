// FileBackup's FLT_REGISTRATION and the filter unload callback.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk {

// The registration FltRegisterFilter takes (layout 0x0203).
const FLT_REGISTRATION& filter_registration();

// FilterUnloadCallback: closes the port and unregisters the filter (fltmc unload, sc stop).
NTSTATUS FLTAPI filter_unload(FLT_FILTER_UNLOAD_FLAGS flags);

}  // namespace fbk
