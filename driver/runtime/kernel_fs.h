// The engine's FileSystem (common/engine/file_system.h) on Filter Manager I/O.
//
// Every open is FltCreateFileEx2 (by the registered filter, g_driver.filter) on the instance of
// the callback the engine serves, which the engine passes as the operation's IoTarget
// (Iopb->TargetInstance, copied by driver/callbacks/translate.cpp), so the create and all I/O on
// the handle start below FileBackup on that instance: the engine never sees its own I/O and
// never recurses into its own callbacks. Every file the engine touches during one callback is on
// the callback's volume (streams of the file, the rescue file next to it, a rename target).
//
// An FsHandle is an OpenFile (driver/runtime/kernel_fs.cpp): the handle, its referenced FILE_OBJECT and the
// callback's instance. close() releases the first two: FltClose, ObDereferenceObject. All methods: PASSIVE_LEVEL, no locks held that the file system takes.
// An open that would have to wait for an oplock break fails with STATUS_SHARING_VIOLATION
// instead (driver/runtime/kernel_fs.cpp, refuse_oplocked_open): the engine's I/O never waits on an oplock.
#pragma once

#include "common/engine/file_system.h"
#include "driver/nt/flt_kernel.h"

namespace fbk {

class KernelFileSystem final : public fb::HostFileSystem {
 public:
  fb::NtStatus open(fb::IoTarget target, fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) override;
  fb::NtStatus read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length,
                    uint32_t* bytes_read) override;
  fb::NtStatus write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                     uint32_t* bytes_written) override;
  fb::NtStatus query_size(fb::FsHandle h, uint64_t* size) override;
  fb::NtStatus set_end_of_file(fb::FsHandle h, uint64_t size) override;
  fb::NtStatus rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) override;
  fb::NtStatus mark_delete(fb::FsHandle h) override;
  fb::NtStatus query_free_space(fb::FsHandle h, uint64_t* free_bytes) override;
  fb::NtStatus check_requestor_access(fb::IoTarget target, fb::Str16 file, uint32_t desired_access,
                                      uint32_t create_options) override;
  fb::NtStatus link_into(fb::FsHandle h, fb::Str16 target_file) override;
  fb::NtStatus query_file_id(fb::FsHandle h, uint64_t* file_id) override;
  fb::NtStatus query_links(fb::FsHandle h, uint32_t* links) override;
  // On `target`, the callback's instance (at instance setup, the instance being set up).
  fb::NtStatus ensure_directory(fb::IoTarget target, fb::Str16 directory) override;
  fb::NtStatus list_directory(fb::IoTarget target, fb::Str16 directory, fb::DirectoryVisitor& visitor) override;
  void close(fb::FsHandle h) override;
};

}  // namespace fbk
