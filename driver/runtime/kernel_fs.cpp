#include "driver/runtime/kernel_fs.h"

#include "driver/registration.h"
#include "common/engine/ops.h"
#include "common/events/event.h"
#include "driver/nt/pool.h"
#include "driver/nt/raii.h"
#include "common/paths/nt_path.h"
#include "common/engine/rescue_security.h"
#include "driver/nt/trace.h"

namespace fbk {
namespace {

// What an fb::FsHandle points to.
struct OpenFile {
  FltFile file;                      // handle + referenced FILE_OBJECT
  PFLT_INSTANCE instance = nullptr;  // the callback's (not referenced: see instance_of); I/O is issued below it
};

OpenFile* open_file(fb::FsHandle h) { return static_cast<OpenFile*>(h.value); }

fb::NtStatus to_fb(NTSTATUS status) { return static_cast<fb::NtStatus>(status); }

// A UNICODE_STRING over units the caller keeps alive; false when too long for one.
bool as_unicode(const char16_t* units, uint32_t count, UNICODE_STRING* out) {
  if (count > MAXUSHORT / sizeof(WCHAR)) return false;
  out->Buffer = reinterpret_cast<PWCH>(const_cast<char16_t*>(units));
  out->Length = static_cast<USHORT>(count * sizeof(WCHAR));
  out->MaximumLength = out->Length;
  return true;
}

// The S4 rescue file's own DACL (common/engine/rescue_security.h): a constant in the image, which the
// object manager reads but, for a kernel-mode create, does not need to copy.
constexpr fb::security::RescueFileSecurity kRescueFileSecurity = fb::security::rescue_file_security();

// How each OpenMode opens (common/engine/file_system.h is the specification).
struct OpenParameters {
  ACCESS_MASK access;
  ULONG disposition;
  ULONG share;
  ULONG attributes;
  ULONG flags;  // FltCreateFileEx2 Flags
  const void* security = nullptr;  // OBJECT_ATTRIBUTES::SecurityDescriptor of a new file
};

// Share access: the engine's (fb::share_access_of, values asserted in driver/nt/windows_values.cpp).
OpenParameters parameters_for(fb::OpenMode mode) {
  const ULONG share = fb::share_access_of(mode);
  switch (mode) {
    case fb::OpenMode::kRead:  // the writer may have opened the file without sharing
      return {FILE_READ_DATA | FILE_READ_ATTRIBUTES | SYNCHRONIZE, FILE_OPEN, share, 0, IO_IGNORE_SHARE_ACCESS_CHECK};
    case fb::OpenMode::kReplace:  // shares delete: no batch/filter oplock on the file breaks
      return {FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | DELETE | SYNCHRONIZE, FILE_OVERWRITE_IF, share, 0, 0};
    case fb::OpenMode::kCreateNew:  // the rescue file: readable by SYSTEM and Administrators only
      return {FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | DELETE | SYNCHRONIZE, FILE_CREATE, share,
              FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM, 0, kRescueFileSecurity.bytes};
    case fb::OpenMode::kMove:
      // Share access checked: a reader of one of our streams that does not share delete must
      // stop the rotation before anything is moved (common/engine/file_system.h).
      return {DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE, FILE_OPEN, share, 0, 0};
    case fb::OpenMode::kDeleteAlone:
      // Share access checked, sharing delete only: any other reader or writer of the stream
      // refuses the open, so the oldest version is never left delete-pending behind it.
      return {DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE, FILE_OPEN, share, 0, 0};
    case fb::OpenMode::kLink:
      // CreateHardLinkW opens the existing file for FILE_WRITE_ATTRIBUTES; the file's own
      // handles may share nothing (common/engine/vault.h).
      return {FILE_WRITE_ATTRIBUTES | FILE_READ_ATTRIBUTES | SYNCHRONIZE, FILE_OPEN, share, 0,
              IO_IGNORE_SHARE_ACCESS_CHECK};
  }
  return {0, FILE_OPEN, 0, 0, 0};
}

// A pool block freed at scope exit.
class ScopedBlock {
 public:
  explicit ScopedBlock(size_t bytes) : block_(pool::allocate(bytes, pool::kGeneral)) {}
  ~ScopedBlock() { pool::free(block_, pool::kGeneral); }
  ScopedBlock(const ScopedBlock&) = delete;
  ScopedBlock& operator=(const ScopedBlock&) = delete;
  void* get() const { return block_; }

 private:
  void* block_;
};

uint32_t name_units(fb::Str16 file, fb::Str16 stream) {
  return file.len + (stream.empty() ? 0 : 1 + stream.len);
}

// `file` or `file:stream` into `storage` (name_units() units).
fb::NtStatus build_name(fb::Str16 file, fb::Str16 stream, const ScopedBlock& storage, UNICODE_STRING* out) {
  const uint32_t units = name_units(file, stream);
  if (units > fb::kMaxPathUnits) return fb::nt::kNameTooLong;
  if (storage.get() == nullptr) return fb::nt::kInsufficientResources;
  auto* text = static_cast<char16_t*>(storage.get());
  __builtin_memcpy(text, file.data, file.len * sizeof(char16_t));
  if (!stream.empty()) {
    text[file.len] = u':';
    __builtin_memcpy(text + file.len + 1, stream.data, stream.len * sizeof(char16_t));
  }
  return as_unicode(text, units, out) ? fb::nt::kSuccess : fb::nt::kNameTooLong;
}

// The instance of the callback the engine serves (Iopb->TargetInstance, carried by the engine as
// the operation's IoTarget). Using it, not an instance looked up by the volume's name, keeps the
// backup's I/O on the very instance (so the altitude and volume) that saw the user's operation.
// No reference is taken: Filter Manager keeps an instance alive for the whole of a callback
// delivered to it, and the engine closes every handle before it returns to the callback
// (common/engine/file_system.h).
fb::NtStatus instance_of(fb::IoTarget target, PFLT_INSTANCE* out) {
  *out = static_cast<PFLT_INSTANCE>(target.value);
  return *out != nullptr ? fb::nt::kSuccess : fb::nt::kInvalidParameter;  // every engine call names one
}

// FILE_COMPLETE_IF_OPLOCKED only keeps the create from waiting: when our open breaks an oplock
// (another handle's batch/filter/RH/RW oplock on the file; every mode shares delete, so an open
// of one of our streams does not break one on the default stream) the create succeeds with
// STATUS_OPLOCK_BREAK_IN_PROGRESS and the first I/O on our file object (the FltReadFile of the
// backup, a write, a rename) then waits in the oplock package for the holder to acknowledge
// the break. The engine issues that I/O while the writer we are serving is blocked under the
// file's backup lock; a holder that acknowledges only after its own write (or one stuck behind
// that lock) never does, and both wait for ever. So every mode gives the open up here: the
// handle is closed (the caller's scope guard), and the engine records a failed backup while
// the user's write goes on unchanged.
// STATUS_SHARING_VIOLATION is the honest status for the engine and the event: another handle's
// use of the file (its oplock) keeps us out right now, the same "file in use by someone else"
// a user-mode open would get, and failure_reason_of() reports it as a sharing violation.
// STATUS_OPLOCK_NOT_GRANTED is about an oplock request, which this is not.
fb::NtStatus refuse_oplocked_open(PCUNICODE_STRING name, fb::OpenMode mode) {
  FB_TRACE("backup open of %wZ (mode %u) broke an oplock; not waiting for its acknowledgement",
           name, static_cast<unsigned>(mode));
  return fb::nt::kSharingViolation;
}

}  // namespace

fb::NtStatus KernelFileSystem::open(fb::IoTarget target, fb::Str16 file, fb::Str16 stream, fb::OpenMode mode, fb::FsHandle* out) {
  *out = fb::FsHandle();
  // The joined name lives only until the create has returned.
  ScopedBlock name_storage(name_units(file, stream) * sizeof(char16_t));
  UNICODE_STRING name;
  fb::NtStatus status = build_name(file, stream, name_storage, &name);
  if (!fb::nt_success(status)) return status;

  auto* opened = new (pool::kGeneral) OpenFile();
  if (opened == nullptr) return fb::nt::kInsufficientResources;
  auto discard = on_scope_exit([opened] {
    opened->file.close();
    delete opened;
  });
  status = instance_of(target, &opened->instance);
  if (!fb::nt_success(status)) return status;

  const OpenParameters p = parameters_for(mode);
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr,
                             const_cast<void*>(p.security));
  IO_STATUS_BLOCK iosb;
  // FILE_COMPLETE_IF_OPLOCKED: the create itself never waits for an oplock break the writer we
  // are serving may have to acknowledge (see the oplock check below for the I/O after it);
  // FILE_NON_DIRECTORY_FILE: the engine only ever opens data streams.
  const ULONG options = FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT | FILE_COMPLETE_IF_OPLOCKED;
  NTSTATUS nt = FltCreateFileEx2(g_driver.filter, opened->instance, opened->file.handle_out(), opened->file.object_out(),
                                 p.access, &attributes, &iosb, nullptr, p.attributes, p.share, p.disposition,
                                 options, nullptr, 0, p.flags, nullptr);
  if (!NT_SUCCESS(nt)) {
    FB_TRACE("backup open of %wZ (mode %u) failed: 0x%08lx", &name, static_cast<unsigned>(mode),
             static_cast<ULONG>(nt));
    return to_fb(nt);
  }
  if (nt == STATUS_OPLOCK_BREAK_IN_PROGRESS) return refuse_oplocked_open(&name, mode);
  discard.dismiss();
  out->value = opened;
  return fb::nt::kSuccess;
}

fb::NtStatus KernelFileSystem::read(fb::FsHandle h, uint64_t offset, void* buffer, uint32_t length,
                                    uint32_t* bytes_read) {
  OpenFile* f = open_file(h);
  LARGE_INTEGER at;
  at.QuadPart = static_cast<LONGLONG>(offset);
  ULONG done = 0;
  const NTSTATUS status = FltReadFile(f->instance, f->file.object(), &at, length, buffer,
                                      FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET, &done, nullptr, nullptr);
  *bytes_read = done;
  return to_fb(status);
}

fb::NtStatus KernelFileSystem::write(fb::FsHandle h, uint64_t offset, const void* buffer, uint32_t length,
                                     uint32_t* bytes_written) {
  OpenFile* f = open_file(h);
  LARGE_INTEGER at;
  at.QuadPart = static_cast<LONGLONG>(offset);
  ULONG done = 0;
  const NTSTATUS status = FltWriteFile(f->instance, f->file.object(), &at, length, const_cast<void*>(buffer),
                                       FLTFL_IO_OPERATION_DO_NOT_UPDATE_BYTE_OFFSET, &done, nullptr, nullptr);
  *bytes_written = done;
  return to_fb(status);
}

fb::NtStatus KernelFileSystem::query_size(fb::FsHandle h, uint64_t* size) {
  OpenFile* f = open_file(h);
  FILE_STANDARD_INFORMATION info;
  const NTSTATUS status = FltQueryInformationFile(f->instance, f->file.object(), &info, sizeof(info),
                                                  FileStandardInformation, nullptr);
  if (NT_SUCCESS(status)) *size = static_cast<uint64_t>(info.EndOfFile.QuadPart);
  return to_fb(status);
}

fb::NtStatus KernelFileSystem::set_end_of_file(fb::FsHandle h, uint64_t size) {
  OpenFile* f = open_file(h);
  FILE_END_OF_FILE_INFORMATION info;
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  return to_fb(FltSetInformationFile(f->instance, f->file.object(), &info, sizeof(info), FileEndOfFileInformation));
}

fb::NtStatus KernelFileSystem::rename_stream(fb::FsHandle h, fb::Str16 new_stream, bool replace_if_exists) {
  OpenFile* f = open_file(h);
  // FILE_RENAME_INFORMATION whose name is `:new_stream`: a stream-to-stream rename (N8).
  const uint32_t name_bytes = (1 + new_stream.len) * sizeof(WCHAR);
  const size_t size = FIELD_OFFSET(FILE_RENAME_INFORMATION, FileName) + name_bytes;
  if (new_stream.empty() || new_stream.len > fb::kMaxPathUnits) return fb::nt::kObjectNameInvalid;
  ScopedBlock storage(size);
  if (storage.get() == nullptr) return fb::nt::kInsufficientResources;
  auto* info = static_cast<FILE_RENAME_INFORMATION*>(storage.get());
  __builtin_memset(info, 0, size);
  info->ReplaceIfExists = replace_if_exists ? TRUE : FALSE;
  info->RootDirectory = nullptr;
  info->FileNameLength = name_bytes;
  info->FileName[0] = L':';
  __builtin_memcpy(&info->FileName[1], new_stream.data, new_stream.len * sizeof(WCHAR));
  return to_fb(FltSetInformationFile(f->instance, f->file.object(), info, static_cast<ULONG>(size),
                                     FileRenameInformation));
}

fb::NtStatus KernelFileSystem::mark_delete(fb::FsHandle h) {
  OpenFile* f = open_file(h);
  FILE_DISPOSITION_INFORMATION info;
  info.DeleteFile = TRUE;
  return to_fb(FltSetInformationFile(f->instance, f->file.object(), &info, sizeof(info), FileDispositionInformation));
}

// FileLinkInformation (docs: FILE_LINK_INFORMATION): the open file gets `target_file` as another
// name, ReplaceIfExists FALSE, the name a full path (no RootDirectory). The vault's link (N10).
fb::NtStatus KernelFileSystem::link_into(fb::FsHandle h, fb::Str16 target_file) {
  OpenFile* f = open_file(h);
  if (target_file.len == 0 || target_file.len > fb::kMaxPathUnits) return fb::nt::kNameTooLong;
  const size_t name_bytes = target_file.len * sizeof(char16_t);
  const size_t bytes = FIELD_OFFSET(FILE_LINK_INFORMATION, FileName) + name_bytes;
  ScopedBlock block(bytes);
  if (block.get() == nullptr) return fb::nt::kInsufficientResources;
  auto* info = static_cast<FILE_LINK_INFORMATION*>(block.get());
  __builtin_memset(info, 0, FIELD_OFFSET(FILE_LINK_INFORMATION, FileName));
  info->ReplaceIfExists = FALSE;
  info->RootDirectory = nullptr;
  info->FileNameLength = static_cast<ULONG>(name_bytes);
  __builtin_memcpy(info->FileName, target_file.data, name_bytes);
  return to_fb(FltSetInformationFile(f->instance, f->file.object(), info, static_cast<ULONG>(bytes),
                                     FileLinkInformation));
}

fb::NtStatus KernelFileSystem::query_file_id(fb::FsHandle h, uint64_t* file_id) {
  OpenFile* f = open_file(h);
  FILE_INTERNAL_INFORMATION info;
  ULONG returned = 0;
  const NTSTATUS status =
      FltQueryInformationFile(f->instance, f->file.object(), &info, sizeof(info), FileInternalInformation, &returned);
  if (!NT_SUCCESS(status)) return to_fb(status);
  *file_id = static_cast<uint64_t>(info.IndexNumber.QuadPart);
  return fb::nt::kSuccess;
}

fb::NtStatus KernelFileSystem::query_links(fb::FsHandle h, uint32_t* links) {
  OpenFile* f = open_file(h);
  FILE_STANDARD_INFORMATION info;
  ULONG returned = 0;
  const NTSTATUS status =
      FltQueryInformationFile(f->instance, f->file.object(), &info, sizeof(info), FileStandardInformation, &returned);
  if (!NT_SUCCESS(status)) return to_fb(status);
  *links = info.NumberOfLinks;
  return fb::nt::kSuccess;
}

// The vault's folder: FILE_OPEN_IF, a directory, hidden and system, created with the protected
// DACL of common/engine/rescue_security.h (SYSTEM and Administrators; others cannot list it or
// add and remove names in it). Closed at once.
fb::NtStatus KernelFileSystem::ensure_directory(fb::IoTarget target, fb::Str16 directory) {
  UNICODE_STRING name;
  if (!as_unicode(directory.data, directory.len, &name)) return fb::nt::kNameTooLong;
  PFLT_INSTANCE instance = nullptr;
  const fb::NtStatus found = instance_of(target, &instance);
  if (!fb::nt_success(found)) return found;
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr,
                             const_cast<uint8_t*>(kRescueFileSecurity.bytes));
  IO_STATUS_BLOCK iosb;
  HANDLE handle = nullptr;
  const NTSTATUS nt = FltCreateFileEx2(g_driver.filter, instance, &handle, nullptr, FILE_LIST_DIRECTORY | SYNCHRONIZE,
                                       &attributes, &iosb, nullptr, FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM,
                                       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN_IF,
                                       FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0, 0, nullptr);
  if (NT_SUCCESS(nt)) FltClose(handle);
  return to_fb(nt);
}

// FltQueryDirectoryFile with FileNamesInformation, one pool block of entries at a time, on a
// FILE_LIST_DIRECTORY open of the folder (share all: nobody else is kept out). "." and ".." are
// left out. Each entry is checked against the bytes returned before it is read.
fb::NtStatus KernelFileSystem::list_directory(fb::IoTarget target, fb::Str16 directory,
                                              fb::DirectoryVisitor& visitor) {
  UNICODE_STRING name;
  if (!as_unicode(directory.data, directory.len, &name)) return fb::nt::kNameTooLong;
  PFLT_INSTANCE instance = nullptr;
  const fb::NtStatus found = instance_of(target, &instance);
  if (!fb::nt_success(found)) return found;
  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
  IO_STATUS_BLOCK iosb;
  FltFile folder;
  NTSTATUS nt = FltCreateFileEx2(g_driver.filter, instance, folder.handle_out(), folder.object_out(),
                                 FILE_LIST_DIRECTORY | SYNCHRONIZE, &attributes, &iosb, nullptr, 0,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, FILE_OPEN,
                                 FILE_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0, 0, nullptr);
  if (!NT_SUCCESS(nt)) return to_fb(nt);
  constexpr ULONG kBlockBytes = 4096;
  ScopedBlock block(kBlockBytes);
  if (block.get() == nullptr) return fb::nt::kInsufficientResources;
  const auto* bytes = static_cast<const uint8_t*>(block.get());
  constexpr ULONG kNameOffset = FIELD_OFFSET(FILE_NAMES_INFORMATION, FileName);
  for (BOOLEAN restart = TRUE;; restart = FALSE) {
    ULONG returned = 0;
    nt = FltQueryDirectoryFile(instance, folder.object(), block.get(), kBlockBytes, FileNamesInformation, FALSE,
                               nullptr, restart, &returned);
    if (nt == STATUS_NO_MORE_FILES || nt == STATUS_NO_SUCH_FILE) return fb::nt::kSuccess;
    if (!NT_SUCCESS(nt)) return to_fb(nt);
    if (returned > kBlockBytes) return fb::nt::kInvalidParameter;
    for (ULONG at = 0;;) {
      if (at + kNameOffset > returned) return fb::nt::kInvalidParameter;
      const auto* entry = reinterpret_cast<const FILE_NAMES_INFORMATION*>(bytes + at);
      if (entry->FileNameLength % 2 != 0 || at + kNameOffset + entry->FileNameLength > returned)
        return fb::nt::kInvalidParameter;
      const fb::Str16 entry_name(reinterpret_cast<const char16_t*>(bytes + at + kNameOffset),
                                 entry->FileNameLength / 2);
      const bool dots = fb::equal(entry_name, fb::Str16::lit(u".")) || fb::equal(entry_name, fb::Str16::lit(u".."));
      if (!dots && !visitor.entry(entry_name)) return fb::nt::kSuccess;
      if (entry->NextEntryOffset == 0) break;
      if (entry->NextEntryOffset % 4 != 0 || entry->NextEntryOffset > returned - at) return fb::nt::kInvalidParameter;
      at += entry->NextEntryOffset;
    }
  }
}

fb::NtStatus KernelFileSystem::query_free_space(fb::FsHandle h, uint64_t* free_bytes) {
  OpenFile* f = open_file(h);
  FILE_FS_SIZE_INFORMATION info;
  IO_STATUS_BLOCK iosb;
  const NTSTATUS status = FltQueryVolumeInformation(f->instance, &iosb, &info, sizeof(info), FileFsSizeInformation);
  if (!NT_SUCCESS(status)) return to_fb(status);
  // AvailableAllocationUnits is what the caller may still use (quotas included).
  *free_bytes = static_cast<uint64_t>(info.AvailableAllocationUnits.QuadPart) * info.SectorsPerAllocationUnit *
                info.BytesPerSector;
  return fb::nt::kSuccess;
}

// Called from pre-create, in the requestor's thread: IO_FORCE_ACCESS_CHECK makes the I/O manager
// check this kernel-mode open against the file's security descriptor with the thread's
// security context (its impersonation token when it has one, as for a create arriving through
// the SMB server), the check the create itself meets further down. Share access is not the
// question (IO_IGNORE_SHARE_ACCESS_CHECK). The handle is closed before any I/O on it, so an
// oplock break it started (STATUS_OPLOCK_BREAK_IN_PROGRESS) is never waited for. The create's
// FILE_OPEN_FOR_BACKUP_INTENT is passed on: with it the backup and restore privileges count.
fb::NtStatus KernelFileSystem::check_requestor_access(fb::IoTarget target, fb::Str16 file, uint32_t desired_access,
                                                      uint32_t create_options) {
  UNICODE_STRING name;
  if (!as_unicode(file.data, file.len, &name)) return fb::nt::kNameTooLong;
  PFLT_INSTANCE instance = nullptr;
  const fb::NtStatus found = instance_of(target, &instance);
  if (!fb::nt_success(found)) return found;

  OBJECT_ATTRIBUTES attributes;
  InitializeObjectAttributes(&attributes, &name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, nullptr, nullptr);
  IO_STATUS_BLOCK iosb;
  HANDLE handle = nullptr;
  constexpr ULONG kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
  const ULONG options = FILE_NON_DIRECTORY_FILE | FILE_COMPLETE_IF_OPLOCKED |
                        (create_options & fb::create_option::kOpenForBackupIntent);
  static_assert(fb::create_option::kOpenForBackupIntent == FILE_OPEN_FOR_BACKUP_INTENT, "winnt value");
  const NTSTATUS status =
      FltCreateFileEx2(g_driver.filter, instance, &handle, nullptr, desired_access, &attributes, &iosb, nullptr, 0,
                       kShareAll, FILE_OPEN, options, nullptr, 0, IO_FORCE_ACCESS_CHECK | IO_IGNORE_SHARE_ACCESS_CHECK,
                       nullptr);
  if (!NT_SUCCESS(status)) return to_fb(status);
  FltClose(handle);
  return fb::nt::kSuccess;
}

void KernelFileSystem::close(fb::FsHandle h) {
  OpenFile* f = open_file(h);
  if (f == nullptr) return;
  f->file.close();  // ObDereferenceObject + FltClose
  delete f;
}

}  // namespace fbk
