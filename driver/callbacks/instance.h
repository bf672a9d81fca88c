// Instance life cycle: which volumes FileBackup attaches to.
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::instance {

// Attaches where common/engine/volume_policy.h's fb::attach_refusal() says so (NTFS disk volumes
// that are not detached); refuses every other volume with STATUS_FLT_DO_NOT_ATTACH and a
// trace naming the reason and the file system.
NTSTATUS FLTAPI setup(PCFLT_RELATED_OBJECTS objects, FLT_INSTANCE_SETUP_FLAGS flags,
                      DEVICE_TYPE volume_device_type, FLT_FILESYSTEM_TYPE file_system);

// Lets an administrator detach manually (fltmc detach): the instance holds nothing that
// cannot be torn down.
NTSTATUS FLTAPI query_teardown(PCFLT_RELATED_OBJECTS objects,
                               FLT_INSTANCE_QUERY_TEARDOWN_FLAGS flags);

// Printable name of a file system type, for traces.
const char* file_system_name(FLT_FILESYSTEM_TYPE file_system);

}  // namespace fbk::instance
