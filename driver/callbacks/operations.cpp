// Filter Manager operation and context tables: which callbacks FileBackup registers and with
// which flags, and the context types holding the engine's state (driver/callbacks/contexts.h).
//
// Flags keep needless callbacks away: the engine does nothing in the paging path (no name
// query, no backup I/O is possible there), so IRP_MJ_WRITE and IRP_MJ_SET_INFORMATION skip
// paging I/O. Cached I/O is not skipped: a cached write is the common first modification.
#include "driver/callbacks/operations.h"

#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/nt/pool.h"

namespace fbk {

const FLT_OPERATION_REGISTRATION kOperationCallbacks[] = {
    {IRP_MJ_CREATE, 0, callbacks::pre_create, callbacks::post_create, nullptr},
    {IRP_MJ_WRITE, FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, callbacks::pre_write, nullptr, nullptr},
    {IRP_MJ_SET_INFORMATION, FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO, callbacks::pre_set_information,
     callbacks::post_set_information, nullptr},
    {IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION, 0, callbacks::pre_acquire_for_section, nullptr, nullptr},
    {IRP_MJ_FILE_SYSTEM_CONTROL, 0, callbacks::pre_fsctl, nullptr, nullptr},
    {IRP_MJ_CLEANUP, 0, callbacks::pre_cleanup, callbacks::post_cleanup, nullptr},
    {IRP_MJ_OPERATION_END, 0, nullptr, nullptr, nullptr},
};

const FLT_CONTEXT_REGISTRATION kContextRegistrations[] = {
    // Variable size: the file's name follows the state (driver/callbacks/contexts.h).
    {FLT_STREAM_CONTEXT, 0, contexts::cleanup_stream, FLT_VARIABLE_SIZED_CONTEXTS, pool::value(pool::kContext),
     nullptr, nullptr, nullptr},
    {FLT_STREAMHANDLE_CONTEXT, 0, contexts::cleanup_stream_handle, sizeof(StreamHandleContext),
     pool::value(pool::kContext), nullptr, nullptr, nullptr},
    {FLT_CONTEXT_END, 0, nullptr, 0, 0, nullptr, nullptr, nullptr},
};

}  // namespace fbk
