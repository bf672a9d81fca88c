// Which volumes FileBackup attaches to, decided on plain values so it is tested natively;
// driver/callbacks/instance.cpp only passes InstanceSetupCallback's arguments through and traces.
//
// Attach only when all hold:
//   - the file system is NTFS: backups live in an alternate data stream of the file, which
//     among the local file systems only NTFS offers (ReFS streams are capped at 128 KiB,
//     FAT/exFAT have none) and network redirectors are not ours to filter;
//   - the volume device is a disk file system (NTFS always is; anything else is not a volume
//     the engine's FltCreateFileEx2 opens can serve);
//   - the volume is not detached (FLTFL_INSTANCE_SETUP_DETACHED_VOLUME: dismounted, no storage
//     stack under it, only open files left; nothing could be backed up there).
// Manual (fltmc attach) and automatic attachment are judged alike.
#pragma once

#include "common/base/fb_base.h"

namespace fb {

// Filter Manager's values, as InstanceSetupCallback receives them (fltkernel.h), for the ones
// the policy names; driver/callbacks/instance.cpp checks they match the WDK's.
constexpr uint32_t kFsTypeNtfs = 2;                       // FLT_FSTYPE_NTFS
constexpr uint32_t kDeviceDiskFileSystem = 0x00000008;    // FILE_DEVICE_DISK_FILE_SYSTEM
constexpr uint32_t kSetupFlagDetachedVolume = 0x00000008; // FLTFL_INSTANCE_SETUP_DETACHED_VOLUME

struct VolumeFacts {
  uint32_t file_system_type = 0;  // FLT_FILESYSTEM_TYPE
  uint32_t device_type = 0;       // DEVICE_TYPE of the volume
  uint32_t setup_flags = 0;       // FLT_INSTANCE_SETUP_FLAGS
};

// Why a volume is not attached to; kNone: attach. The first failing rule, in the order above.
enum class AttachRefusal : uint8_t {
  kNone = 0,
  kNotNtfs = 1,
  kNotDiskFileSystem = 2,
  kDetachedVolume = 3,
};

AttachRefusal attach_refusal(const VolumeFacts& volume);

inline bool should_attach(const VolumeFacts& volume) { return attach_refusal(volume) == AttachRefusal::kNone; }

// Words for traces.
const char* attach_refusal_text(AttachRefusal refusal);

}  // namespace fb
