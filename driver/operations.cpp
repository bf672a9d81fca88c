// Filter Manager operation and context tables. The first driver filters no operation yet:
// the backup engine's callbacks (create, write, set-information, section synchronization,
// cleanup) are added here, each in its own file, together with their context types.
#include "operations.h"

namespace fbk {

const FLT_OPERATION_REGISTRATION kOperationCallbacks[] = {
    {IRP_MJ_OPERATION_END, 0, nullptr, nullptr, nullptr},
};

const FLT_CONTEXT_REGISTRATION kContextRegistrations[] = {
    {FLT_CONTEXT_END, 0, nullptr, 0, 0, nullptr, nullptr, nullptr},
};

}  // namespace fbk
