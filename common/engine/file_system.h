// How the engine reaches the file system: the only way it does I/O. The driver implements it
// with FltCreateFileEx2 on its own instance (the create goes only to filters below, so the
// engine never sees its own I/O), FltReadFile/FltWriteFile, FltQueryInformationFile,
// FltSetInformationFile and FltClose; the tests implement it on the NTFS model.
//
// Names: `file` is an NT file path without a stream suffix (`\Device\HarddiskVolume3\a\x.txt`)
// and `stream` a stream name without colons (`backup.tmp`), empty for the default stream. The
// implementation joins them (or opens the stream relative to the file); the engine never builds
// a full stream path, so it needs no path-sized buffer.
//
// Contract:
// - Every successful open is closed exactly once with close(), on every path.
// - Handles are short-lived: the engine closes every handle on a named stream before it returns
//   to the driver, because an open stream makes a rename of the file fail (N5, N6).
// - Failures are NTSTATUS values; a missing file or stream is nt::kObjectNameNotFound (or
//   nt::kObjectPathNotFound / nt::kNoSuchFile, which the engine treats the same).
#pragma once

#include "common/base/fb_base.h"
#include "common/engine/ops.h"

namespace fb {

// Receives the names list_directory finds.
class DirectoryVisitor {
 public:
  // One name (valid during the call only); false stops the listing.
  virtual bool entry(Str16 name) = 0;

 protected:
  DirectoryVisitor() = default;
  ~DirectoryVisitor() = default;
};

// An open handle, opaque to the engine (a HANDLE + FILE_OBJECT pair in the driver).
struct FsHandle {
  void* value = nullptr;
  bool valid() const { return value != nullptr; }
};

enum class OpenMode : uint8_t {
  // Read an existing stream: FILE_READ_DATA, FILE_OPEN, share all, IO_IGNORE_SHARE_ACCESS_CHECK
  // (the writer may have opened the file without sharing).
  kRead = 0,
  // Write a stream from scratch: FILE_WRITE_DATA | DELETE, FILE_OVERWRITE_IF, sharing delete only.
  // Used only on our own streams. The handle may be renamed or deleted.
  kReplace = 1,
  // Create a new file that must not exist yet: FILE_WRITE_DATA | DELETE, FILE_CREATE, hidden and
  // system attributes, sharing delete only, and its own DACL that only SYSTEM and Administrators pass
  // (common/engine/rescue_security.h). Used for the S4 rescue file.
  kCreateNew = 2,
  // Move or delete one of our own streams or our rescue file: DELETE, FILE_OPEN, share all,
  // share access checked (no IO_IGNORE_SHARE_ACCESS_CHECK): a reader (fbmon restoring from
  // `:backup`) that does not share delete makes the rotation stop before it deletes or moves
  // anything, instead of leaving a delete-pending name that the next rename cannot take.
  kMove = 3,
  // Give an existing file another name (the vault, common/engine/vault.h): FILE_WRITE_ATTRIBUTES
  // (what CreateHardLinkW opens the file with), FILE_OPEN, share all, share access ignored (the
  // file's own handles may share nothing). Only link_into, query_file_id, query_links,
  // query_size and query_free_space are used on it.
  kLink = 4,
  // Delete the oldest version to make room for a new one (versions.h, step 1): DELETE, FILE_OPEN,
  // sharing delete only, share access checked. Any other open that reads or writes the stream
  // makes it fail with STATUS_SHARING_VIOLATION, so nothing is deleted. kMove would succeed
  // against a reader that shares delete (fbmon reading `:backup` while it restores, a backup
  // viewer) and only mark the stream delete-pending: the rotation could then not take the name,
  // the new backup failed, and the old version still vanished at that reader's close, a version
  // deleted and not replaced. Sharing delete keeps a file's batch/filter oplock unbroken
  // ([MS-FSA] 2.1.4.12), as every mode here does.
  kDeleteAlone = 5,
};

// The share access each mode opens with: the FltCreateFileEx2 ShareAccess of the driver's
// FileSystem and the model's, decided here once. Every mode shares delete: an open of a named
// stream that does not breaks a batch or filter oplock on the file ([MS-FSA] 2.1.4.12), and the
// engine never waits for a break (it fails the open instead), so each backup would have cost
// the writer its oplock or failed. Our own streams are written without readers or writers.
constexpr uint16_t share_access_of(OpenMode mode) {
  switch (mode) {
    case OpenMode::kRead: return share::kAll;
    case OpenMode::kReplace: return share::kDelete;
    case OpenMode::kCreateNew: return share::kDelete;
    case OpenMode::kMove: return share::kAll;
    case OpenMode::kLink: return share::kAll;
    case OpenMode::kDeleteAlone: return share::kDelete;
  }
  return share::kDelete;
}

class FileSystem {
 public:
  virtual NtStatus open(Str16 file, Str16 stream, OpenMode mode, FsHandle* out) = 0;
  virtual NtStatus read(FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) = 0;
  virtual NtStatus write(FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                         uint32_t* bytes_written) = 0;
  virtual NtStatus query_size(FsHandle h, uint64_t* size) = 0;
  virtual NtStatus set_end_of_file(FsHandle h, uint64_t size) = 0;
  // Stream-to-stream rename of the open named stream to `new_stream` (FileRenameInformation
  // with the name `:new_stream`, ReplaceIfExists as given; N8 rules apply).
  virtual NtStatus rename_stream(FsHandle h, Str16 new_stream, bool replace_if_exists) = 0;
  // Marks the open stream (or file, for the default stream) for deletion at close
  // (FileDispositionInformation).
  virtual NtStatus mark_delete(FsHandle h) = 0;
  // Free bytes on the volume holding the open file (FltQueryVolumeInformation,
  // FileFsSizeInformation: available units for the caller times bytes per unit).
  virtual NtStatus query_free_space(FsHandle h, uint64_t* free_bytes) = 0;
  // Whether the requestor of the create being served may open the existing `file` with
  // `desired_access` and `create_options` (only FILE_OPEN_FOR_BACKUP_INTENT matters): the file
  // system's own access check, made before the create's (an open with IO_FORCE_ACCESS_CHECK in
  // the requestor's thread, share access ignored, closed at once). kSuccess, or the status the
  // check gave (kAccessDenied, STATUS_PRIVILEGE_NOT_HELD, not found...).
  virtual NtStatus check_requestor_access(Str16 file, uint32_t desired_access, uint32_t create_options) = 0;
  // FileLinkInformation on the open file: `target_file` (a full NT path on the same volume,
  // in an existing folder) becomes another name of the same file record, with every stream
  // (N10). ReplaceIfExists FALSE: an existing target fails with nt::kObjectNameCollision.
  virtual NtStatus link_into(FsHandle h, Str16 target_file) = 0;
  // FileInternalInformation: the file record's number, the same through every name (N10).
  virtual NtStatus query_file_id(FsHandle h, uint64_t* file_id) = 0;
  // FileStandardInformation.NumberOfLinks.
  virtual NtStatus query_links(FsHandle h, uint32_t* links) = 0;
  // Creates the folder `directory` (a full NT path) if it is missing (FILE_OPEN_IF, directory,
  // hidden and system, the protected DACL of common/engine/rescue_security.h when created).
  virtual NtStatus ensure_directory(Str16 directory) = 0;
  // Every name in the folder `directory` (a full NT path), without the folder's path, "." and
  // ".." left out, in the file system's order, until the visitor says stop
  // (FltQueryDirectoryFile, FileNamesInformation). A missing folder: nt::kObjectNameNotFound
  // (or another not-found status). The vault's scan after a restart.
  virtual NtStatus list_directory(Str16 directory, DirectoryVisitor& visitor) = 0;
  virtual void close(FsHandle h) = 0;

 protected:
  FileSystem() = default;
  ~FileSystem() = default;
};

// The host's file system (the driver's KernelFileSystem, the tests' ModelFs): FileSystem's
// operations, with the target named on every open. The engine wraps it per call in a
// TargetedFileSystem, so its sequences see a plain FileSystem whose opens all go to the target
// of the callback being served.
class HostFileSystem {
 public:
  virtual NtStatus open(IoTarget target, Str16 file, Str16 stream, OpenMode mode, FsHandle* out) = 0;
  virtual NtStatus check_requestor_access(IoTarget target, Str16 file, uint32_t desired_access,
                                          uint32_t create_options) = 0;
  virtual NtStatus read(FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) = 0;
  virtual NtStatus write(FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                         uint32_t* bytes_written) = 0;
  virtual NtStatus query_size(FsHandle h, uint64_t* size) = 0;
  virtual NtStatus set_end_of_file(FsHandle h, uint64_t size) = 0;
  virtual NtStatus rename_stream(FsHandle h, Str16 new_stream, bool replace_if_exists) = 0;
  virtual NtStatus mark_delete(FsHandle h) = 0;
  virtual NtStatus query_free_space(FsHandle h, uint64_t* free_bytes) = 0;
  // The handle's target: the one it was opened on.
  virtual NtStatus link_into(FsHandle h, Str16 target_file) = 0;
  virtual NtStatus query_file_id(FsHandle h, uint64_t* file_id) = 0;
  virtual NtStatus query_links(FsHandle h, uint32_t* links) = 0;
  virtual NtStatus ensure_directory(IoTarget target, Str16 directory) = 0;
  virtual NtStatus list_directory(IoTarget target, Str16 directory, DirectoryVisitor& visitor) = 0;
  virtual void close(FsHandle h) = 0;

 protected:
  HostFileSystem() = default;
  ~HostFileSystem() = default;
};

// A call that failed for want of memory (STATUS_INSUFFICIENT_RESOURCES, STATUS_NO_MEMORY: a pool
// allocation of ours or of Filter Manager's, an IRP, a name buffer) is made once more, at once.
// Such a failure is often transient - Driver Verifier's low-resources simulation fails single
// calls - and an S4 rescue or S5 adoption that gives up on it lets the overwrite or the rename
// take the earlier versions (N1, N5). Once only and without waiting: the user's operation is
// never stalled; a second failure (a persistent shortage) is reported as before. Every call
// retried either did nothing when it failed or is idempotent (a write at an offset).
constexpr bool worth_one_retry(NtStatus s) { return s == nt::kInsufficientResources || s == nt::kNoMemory; }

// FileSystem for one engine call: every open goes to that call's target; worth_one_retry.
class TargetedFileSystem final : public FileSystem {
 public:
  TargetedFileSystem(HostFileSystem& host, IoTarget target) : host_(host), target_(target) {}
  NtStatus open(Str16 file, Str16 stream, OpenMode mode, FsHandle* out) override {
    const NtStatus s = host_.open(target_, file, stream, mode, out);
    return worth_one_retry(s) ? host_.open(target_, file, stream, mode, out) : s;
  }
  NtStatus read(FsHandle h, uint64_t offset, void* buffer, uint32_t length, uint32_t* bytes_read) override {
    const NtStatus s = host_.read(h, offset, buffer, length, bytes_read);
    return worth_one_retry(s) ? host_.read(h, offset, buffer, length, bytes_read) : s;
  }
  NtStatus write(FsHandle h, uint64_t offset, const void* buffer, uint32_t length, uint32_t* bytes_written) override {
    const NtStatus s = host_.write(h, offset, buffer, length, bytes_written);
    return worth_one_retry(s) ? host_.write(h, offset, buffer, length, bytes_written) : s;
  }
  NtStatus query_size(FsHandle h, uint64_t* size) override {
    const NtStatus s = host_.query_size(h, size);
    return worth_one_retry(s) ? host_.query_size(h, size) : s;
  }
  NtStatus set_end_of_file(FsHandle h, uint64_t size) override {
    const NtStatus s = host_.set_end_of_file(h, size);
    return worth_one_retry(s) ? host_.set_end_of_file(h, size) : s;
  }
  NtStatus rename_stream(FsHandle h, Str16 new_stream, bool replace_if_exists) override {
    const NtStatus s = host_.rename_stream(h, new_stream, replace_if_exists);
    return worth_one_retry(s) ? host_.rename_stream(h, new_stream, replace_if_exists) : s;
  }
  NtStatus mark_delete(FsHandle h) override {
    const NtStatus s = host_.mark_delete(h);
    return worth_one_retry(s) ? host_.mark_delete(h) : s;
  }
  NtStatus query_free_space(FsHandle h, uint64_t* free_bytes) override {
    const NtStatus s = host_.query_free_space(h, free_bytes);
    return worth_one_retry(s) ? host_.query_free_space(h, free_bytes) : s;
  }
  NtStatus check_requestor_access(Str16 file, uint32_t desired_access, uint32_t create_options) override {
    const NtStatus s = host_.check_requestor_access(target_, file, desired_access, create_options);
    return worth_one_retry(s) ? host_.check_requestor_access(target_, file, desired_access, create_options) : s;
  }
  NtStatus link_into(FsHandle h, Str16 target_file) override {
    const NtStatus s = host_.link_into(h, target_file);
    return worth_one_retry(s) ? host_.link_into(h, target_file) : s;
  }
  NtStatus query_file_id(FsHandle h, uint64_t* file_id) override {
    const NtStatus s = host_.query_file_id(h, file_id);
    return worth_one_retry(s) ? host_.query_file_id(h, file_id) : s;
  }
  NtStatus query_links(FsHandle h, uint32_t* links) override {
    const NtStatus s = host_.query_links(h, links);
    return worth_one_retry(s) ? host_.query_links(h, links) : s;
  }
  NtStatus ensure_directory(Str16 directory) override {
    const NtStatus s = host_.ensure_directory(target_, directory);
    return worth_one_retry(s) ? host_.ensure_directory(target_, directory) : s;
  }
  NtStatus list_directory(Str16 directory, DirectoryVisitor& visitor) override {
    return host_.list_directory(target_, directory, visitor);
  }
  void close(FsHandle h) override { host_.close(h); }

 private:
  HostFileSystem& host_;
  IoTarget target_;
};

// True for the statuses that mean "no such file or stream".
constexpr bool is_not_found(NtStatus s) {
  return s == nt::kObjectNameNotFound || s == nt::kObjectPathNotFound || s == nt::kNoSuchFile;
}

// Closes a handle when it goes out of scope; keeps every early return handle-tight.
class ScopedHandle {
 public:
  explicit ScopedHandle(FileSystem& fs) : fs_(fs) {}
  ~ScopedHandle() { reset(); }
  ScopedHandle(const ScopedHandle&) = delete;
  ScopedHandle& operator=(const ScopedHandle&) = delete;

  NtStatus open(Str16 file, Str16 stream, OpenMode mode) {
    reset();
    return fs_.open(file, stream, mode, &handle_);
  }
  void reset() {
    if (handle_.valid()) fs_.close(handle_);
    handle_ = FsHandle();
  }
  FsHandle get() const { return handle_; }
  bool valid() const { return handle_.valid(); }

 private:
  FileSystem& fs_;
  FsHandle handle_;
};

}  // namespace fb
