// The seam where the Filter Manager callbacks plug in. registration.cpp points
// FLT_REGISTRATION at these tables; the files that define them own the callbacks.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk {

// Pre/post operation callbacks, ending with { IRP_MJ_OPERATION_END }.
extern const FLT_OPERATION_REGISTRATION kOperationCallbacks[];

// Context types the driver allocates, ending with { FLT_CONTEXT_END }.
extern const FLT_CONTEXT_REGISTRATION kContextRegistrations[];

}  // namespace fbk
