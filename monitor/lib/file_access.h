// The file system as fbmon reaches it: the engine's own fb::FileSystem (so restore and list
// use the engine's stream helpers and rotation, not copies of them), plus the one open the
// engine never needs: the user's file, for writing, while other programs may have it open.
// monitor/win implements it with CreateFileW; the tests with an in-memory fake.
#pragma once

#include "common/engine/file_system.h"

namespace fbmon {

class MonitorFileSystem : public fb::FileSystem {
 public:
  // Opens `path`'s default stream for writing without truncating it: GENERIC_WRITE, share
  // read|write|delete, OPEN_EXISTING (OPEN_ALWAYS when create_if_missing). Never an
  // overwrite-on-open disposition: that would delete the file's backup streams (N1). The
  // handle is read/written/closed through the fb::FileSystem methods.
  virtual fb::NtStatus open_target(fb::Str16 path, bool create_if_missing, fb::FsHandle* out) = 0;

  // The vault's writing operations are the driver's (common/engine/vault.h): fbmon reads the
  // vault's files by name and never links, so these answer STATUS_NOT_SUPPORTED.
  fb::NtStatus link_into(fb::FsHandle, fb::Str16) override { return fb::nt::kNotSupported; }
  fb::NtStatus query_file_id(fb::FsHandle, uint64_t*) override { return fb::nt::kNotSupported; }
  fb::NtStatus ensure_directory(fb::Str16) override { return fb::nt::kNotSupported; }
  // `fbmon deleted` lists the vault folder and asks each kept file how many names it has (a
  // file with another name was not deleted); implementations override these (the Win32 one
  // with FindFirstFileW and GetFileInformationByHandle on a kRead handle).
  fb::NtStatus query_links(fb::FsHandle, uint32_t*) override { return fb::nt::kNotSupported; }
  fb::NtStatus list_directory(fb::Str16, fb::DirectoryVisitor&) override { return fb::nt::kNotSupported; }

 protected:
  MonitorFileSystem() = default;
  ~MonitorFileSystem() = default;
};

}  // namespace fbmon
