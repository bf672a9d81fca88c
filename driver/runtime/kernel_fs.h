// The engine's FileSystem (common/engine/file_system.h) on Filter Manager I/O.
//
// Every open is FltCreateFileEx2 (by the registered filter, g_driver.filter) on THIS filter's instance of the file's volume, so the create
// and all I/O on the handle start below FileBackup: the engine never sees its own I/O and never
// recurses into its own callbacks. The instance is found from the volume part of the NT name
// (FltGetVolumeFromName + FltGetVolumeInstanceFromName), because the engine passes names only;
// every file the engine touches during one callback is on the callback's volume (streams of
// the file, the rescue file next to it, a rename target), so this is the callback's instance.
//
// An FsHandle is an OpenFile (driver/runtime/kernel_fs.cpp): the handle, its referenced FILE_OBJECT and the
// referenced instance. close() releases all three: FltClose, ObDereferenceObject,
// FltObjectDereference. All methods: PASSIVE_LEVEL, no locks held that the file system takes.
// An open that would have to wait for an oplock break fails with STATUS_SHARING_VIOLATION
// instead (driver/runtime/kernel_fs.cpp, refuse_oplocked_open): the engine's I/O never waits on an oplock.
#pragma once

#include "common/engine/file_system.h"
#include "driver/nt/flt_kernel.h"

namespace fbk {

class KernelFileSystem final : public fb::FileSystem {
 public:
  KernelFileSystem() = default;
  // Every open goes to `bound` (the caller keeps it referenced while this object lives) instead
  // of the instance found by name: InstanceSetup's own instance, which FltGetVolumeInstanceFromName
  // does not find before the callback has returned (the vault's scan, driver/callbacks/instance.cpp).
  explicit KernelFileSystem(PFLT_INSTANCE bound) : bound_(bound) {}

  fb::NtStatus open(fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override;
  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length,
                    uint32_t* bytes_read) override;
  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                     uint32_t* bytes_written) override;
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override;
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override;
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) override;
  fb::NtStatus mark_delete(fb::FsHandle h) override;
  fb::NtStatus query_free_space(fb::FsHandle h, uint64_t* free_bytes) override;
  fb::NtStatus check_requestor_access(fb::Str16 file, uint32_t desired_access, uint32_t create_options) override;
  fb::NtStatus link_into(fb::FsHandle h, fb::Str16 target_file) override;
  fb::NtStatus query_file_id(fb::FsHandle h, uint64_t* file_id) override;
  fb::NtStatus query_links(fb::FsHandle h, uint32_t* links) override;
  fb::NtStatus ensure_directory(fb::Str16 directory) override;
  fb::NtStatus list_directory(fb::Str16 directory, fb::DirectoryVisitor& visitor) override;
  void close(fb::FsHandle h) override;

 private:
  // This filter's instance for `file`'s volume (or the bound one), referenced.
  fb::NtStatus instance_of(fb::Str16 file, PFLT_INSTANCE* out) const;

  PFLT_INSTANCE bound_ = nullptr;
};

}  // namespace fbk
