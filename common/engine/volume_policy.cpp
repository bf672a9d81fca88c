#include "common/engine/volume_policy.h"

namespace fb {

AttachRefusal attach_refusal(const VolumeFacts& volume) {
  if (volume.file_system_type != kFsTypeNtfs) return AttachRefusal::kNotNtfs;
  if (volume.device_type != kDeviceDiskFileSystem) return AttachRefusal::kNotDiskFileSystem;
  if ((volume.setup_flags & kSetupFlagDetachedVolume) != 0) return AttachRefusal::kDetachedVolume;
  return AttachRefusal::kNone;
}

const char* attach_refusal_text(AttachRefusal refusal) {
  switch (refusal) {
    case AttachRefusal::kNone: return "attach";
    case AttachRefusal::kNotNtfs: return "not NTFS";
    case AttachRefusal::kNotDiskFileSystem: return "not a disk file system";
    case AttachRefusal::kDetachedVolume: return "detached volume";
  }
  return "unknown";
}

}  // namespace fb
