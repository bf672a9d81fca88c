#include "driver/callbacks/instance.h"

#include "driver/nt/trace.h"
#include "driver/runtime/engine_seam.h"
#include "common/engine/volume_policy.h"

namespace fbk::instance {

// common/engine/volume_policy.h speaks Filter Manager's numbers without its headers.
static_assert(fb::kFsTypeNtfs == static_cast<uint32_t>(FLT_FSTYPE_NTFS), "FLT_FSTYPE_NTFS");
static_assert(fb::kDeviceDiskFileSystem == FILE_DEVICE_DISK_FILE_SYSTEM, "FILE_DEVICE_DISK_FILE_SYSTEM");
static_assert(fb::kSetupFlagDetachedVolume == FLTFL_INSTANCE_SETUP_DETACHED_VOLUME,
              "FLTFL_INSTANCE_SETUP_DETACHED_VOLUME");

const char* file_system_name(FLT_FILESYSTEM_TYPE file_system) {
  switch (file_system) {
    case FLT_FSTYPE_RAW: return "RAW";
    case FLT_FSTYPE_NTFS: return "NTFS";
    case FLT_FSTYPE_FAT: return "FAT";
    case FLT_FSTYPE_CDFS: return "CDFS";
    case FLT_FSTYPE_UDFS: return "UDFS";
    case FLT_FSTYPE_LANMAN: return "LANMAN";
    case FLT_FSTYPE_WEBDAV: return "WEBDAV";
    case FLT_FSTYPE_RDPDR: return "RDPDR";
    case FLT_FSTYPE_NFS: return "NFS";
    case FLT_FSTYPE_MUP: return "MUP";
    case FLT_FSTYPE_EXFAT: return "exFAT";
    case FLT_FSTYPE_NPFS: return "NPFS";
    case FLT_FSTYPE_MSFS: return "MSFS";
    case FLT_FSTYPE_CSVFS: return "CSVFS";
    case FLT_FSTYPE_REFS: return "ReFS";
    default: return "other";
  }
}

NTSTATUS FLTAPI setup(PCFLT_RELATED_OBJECTS objects, FLT_INSTANCE_SETUP_FLAGS flags,
                      DEVICE_TYPE volume_device_type, FLT_FILESYSTEM_TYPE file_system) {
  const fb::VolumeFacts volume{static_cast<uint32_t>(file_system), static_cast<uint32_t>(volume_device_type),
                               static_cast<uint32_t>(flags)};
  const fb::AttachRefusal refusal = fb::attach_refusal(volume);
  if (refusal != fb::AttachRefusal::kNone) {
    FB_TRACE("not attaching to volume %p (%s): file system %s (%d), device type %lu, flags 0x%lx",
             objects->Volume, fb::attach_refusal_text(refusal), file_system_name(file_system),
             static_cast<int>(file_system), static_cast<ULONG>(volume_device_type), static_cast<ULONG>(flags));
    return STATUS_FLT_DO_NOT_ATTACH;
  }
  FB_TRACE("attaching to NTFS volume %p (instance %p, flags 0x%lx)", objects->Volume,
           objects->Instance, static_cast<ULONG>(flags));
  // What the vault kept before a restart comes back under its bounds (common/engine/vault.h).
  runtime::engine_vault_scan(objects->Instance, objects->Volume);
  return STATUS_SUCCESS;
}

NTSTATUS FLTAPI query_teardown(PCFLT_RELATED_OBJECTS objects, FLT_INSTANCE_QUERY_TEARDOWN_FLAGS) {
  FB_TRACE("detach requested for instance %p", objects->Instance);
  return STATUS_SUCCESS;
}

}  // namespace fbk::instance
