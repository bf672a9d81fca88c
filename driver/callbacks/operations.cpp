// Filter Manager's operation table: which callbacks FileBackup registers and with which flags
// (the context types are registered by driver/callbacks/contexts.cpp).
//
// Flags keep needless callbacks away: the engine does nothing in the paging path (no name
// query, no backup I/O is possible there), so IRP_MJ_WRITE and IRP_MJ_SET_INFORMATION skip
// paging I/O. Cached I/O is not skipped: a cached write is the common first modification.
#include "driver/callbacks/callbacks.h"

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

}  // namespace fbk
