// I/O a minifilter issues itself (docs: FltCreateFileEx2, FltReadFile, FltWriteFile,
// FltQueryInformationFile, FltSetInformationFile, FltQueryVolumeInformation, FltClose):
//   - with an instance, the create goes only to the filters below it and the file system: the
//     calling filter's own callbacks never see it (no recursion), nor do its reads and writes;
//   - IO_IGNORE_SHARE_ACCESS_CHECK opens whatever the other handles share;
//   - a kernel-mode create checks no access unless IO_FORCE_ACCESS_CHECK asks for the
//     requestor's (the model's requestor DACL, N13);
//   - the handle is closed with FltClose; the referenced FILE_OBJECT with ObDereferenceObject.
// Also the small callback-data queries: requestor process, ECPs, the dirty flag.
#include <algorithm>
#include <cstring>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/operation.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"

namespace ksim::flt {
namespace {

NTSTATUS from_fb(fb::NtStatus s) { return static_cast<NTSTATUS>(s); }

// A fault's object for the fault stories' breakdown: the last two components of the name.
std::string where_text(const Name& full) {
  size_t cut = full.rfind(u'\\');
  if (cut != Name::npos && cut > 0) cut = full.rfind(u'\\', cut - 1);
  const Name tail = cut == Name::npos ? full : full.substr(cut + 1);
  std::string out;
  for (char16_t c : tail) out += c < 0x80 ? static_cast<char>(c) : '?';
  return out;
}
std::string where_text(const SimFile* f) { return where_text(f->full_name()); }

// `\Device\HarddiskVolume2\a\b.txt:stream` -> file and stream (`stream:$DATA` as `stream`).
void split_stream(const Name& full, Name* file, Name* stream) {
  const size_t slash = full.rfind(u'\\');
  const size_t colon = full.find(u':', slash == Name::npos ? 0 : slash);
  *file = colon == Name::npos ? full : full.substr(0, colon);
  *stream = colon == Name::npos ? Name() : full.substr(colon + 1);
  const Name type = u":$DATA";
  if (stream->size() >= type.size() && fbmodel::fold(stream->substr(stream->size() - type.size())) == type)
    stream->resize(stream->size() - type.size());
}

}  // namespace

NTSTATUS FilterManager::create_file(Filter* filter, Instance* instance, HANDLE* handle, PFILE_OBJECT* object,
                                    ULONG access, const ObjectAttributes* attributes, IO_STATUS_BLOCK* iosb,
                                    ULONG file_attributes, ULONG share, ULONG disposition, ULONG options, ULONG flags) {
  check_irql("FltCreateFileEx2", kPassiveLevel);
  if (handle == nullptr || attributes == nullptr || attributes->ObjectName == nullptr || iosb == nullptr)
    return status::kInvalidParameter;
  *handle = nullptr;
  if (object != nullptr) *object = nullptr;
  if (filter == nullptr || filter != filter_ || filter->unregistered) return status::kInvalidParameter;
  if (attributes->RootDirectory != nullptr) return status::kNotSupported;  // relative opens: not modelled
  if (disposition > 5) return status::kInvalidParameter;
  (void)file_attributes;
  const UNICODE_STRING* name = attributes->ObjectName;
  const Name full(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / 2);
  if (faults::should_fail(faults::Kind::kCreateFile)) {
    faults::fired_on(where_text(full));
    return status::kInsufficientResources;
  }
  Name path, stream;
  split_stream(full, &path, &stream);
  Volume* volume;
  {
    std::lock_guard<std::mutex> g(mu_);
    volume = volume_of(path);
    if (volume != nullptr) path = normalize(path);
    ++counters_.filter_creates;
  }
  if (volume == nullptr) return status::kObjectNameNotFound;
  if (instance != nullptr && instance->volume != volume) return status::kInvalidParameter;
  fbmodel::Volume& model = *volume->model;
  if ((options & kFileDirectoryFile) != 0) return create_directory(volume, path, handle, object, iosb, disposition);
  const auto d = static_cast<fb::CreateDisposition>(disposition);
  fb::NtStatus s = fb::nt::kSuccess;
  if ((flags & kIoForceAccessCheck) != 0 && stream.empty())
    s = model.requestor_access_check(path, access, d, options);
  fbmodel::ModelHandle h = 0;
  uint64_t information = 0;
  if (fb::nt_success(s))
    s = model.create(path, stream, access, static_cast<uint16_t>(share), d, options,
                     (flags & kIoIgnoreShareAccessCheck) != 0, &h, &information);
  iosb->Status = from_fb(s);
  iosb->Information = information;
  if (!fb::nt_success(s)) return from_fb(s);

  SimFile* f = new_file(volume, path, stream);
  std::lock_guard<std::mutex> g(mu_);
  f->by_filter = true;
  f->access = access;
  f->model = h;
  f->stream = model.stream_object(h);
  f->file = model.file_object(h);
  ++stream_files_[f->stream.get()];
  f->object.FsContext = const_cast<void*>(f->stream.get());
  f->object.FsContext2 = f;
  const HANDLE kernel_handle = reinterpret_cast<HANDLE>(0xffffffff80000000ull | (++next_handle_ * 4));
  handles_[kernel_handle] = f;
  *handle = kernel_handle;
  if (object != nullptr) {
    ++f->references;  // the caller's reference (ObDereferenceObject)
    *object = file_object(f);
  }
  return status::kSuccess;
}

// The model's folders are implicit (a file's parent always exists): a directory open below the
// filter finds the folder whatever the disposition but FILE_CREATE, which finds it existing only
// when a file lives under it. The handle reaches no model stream (f->model stays 0).
NTSTATUS FilterManager::create_directory(Volume* volume, const Name& path, HANDLE* handle, PFILE_OBJECT* object,
                                         IO_STATUS_BLOCK* iosb, ULONG disposition) {
  constexpr ULONG kFileOpen = 1, kFileCreate = 2, kFileOpenIf = 3;
  if (disposition != kFileOpen && disposition != kFileCreate && disposition != kFileOpenIf)
    return status::kInvalidParameter;  // a directory cannot be superseded or overwritten
  if (volume->model->exists(path)) return static_cast<NTSTATUS>(0xC0000103);  // STATUS_NOT_A_DIRECTORY
  if (disposition == kFileOpen && directory_children(volume, path).empty()) return status::kObjectNameNotFound;
  constexpr uint64_t kFileOpened = 1, kFileCreated = 2;
  iosb->Status = status::kSuccess;
  iosb->Information = disposition == kFileOpen ? kFileOpened : kFileCreated;
  SimFile* f = new_file(volume, path, Name());
  std::lock_guard<std::mutex> g(mu_);
  f->by_filter = true;
  f->directory = true;
  f->object.FsContext2 = f;
  const HANDLE kernel_handle = reinterpret_cast<HANDLE>(0xffffffff80000000ull | (++next_handle_ * 4));
  handles_[kernel_handle] = f;
  *handle = kernel_handle;
  if (object != nullptr) {
    ++f->references;
    *object = file_object(f);
  }
  return status::kSuccess;
}

// The names directly below `folder` in the model, as the model keeps them (folded: NTFS would
// answer with the case each name was created with). A folder with nothing below it does not
// exist in the model.
std::vector<Name> FilterManager::directory_children(Volume* volume, const Name& folder) {
  const Name prefix = fbmodel::fold(folder) + u"\\";
  std::vector<Name> out;
  for (const Name& n : volume->model->file_names()) {
    if (n.compare(0, prefix.size(), prefix) != 0) continue;
    const Name child = n.substr(prefix.size(), n.find(u'\\', prefix.size()) - prefix.size());
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

// FltQueryDirectoryFile (docs: FltQueryDirectoryFile, FILE_NAMES_INFORMATION) on a folder opened
// below the filter: FileNamesInformation only; "." and ".." first as NTFS lists them, then the
// children; entries 8-byte aligned, chained by NextEntryOffset; as many as fit (one with
// ReturnSingleEntry); STATUS_NO_MORE_FILES after the last, STATUS_BUFFER_OVERFLOW when not even
// one entry fits.
NTSTATUS FilterManager::query_directory(Instance* instance, SimFile* f, void* buffer, ULONG length, ULONG info_class,
                                        bool single, bool restart, ULONG* returned) {
  check_irql("FltQueryDirectoryFile", kPassiveLevel);
  if (returned != nullptr) *returned = 0;
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (!f->directory) return static_cast<NTSTATUS>(0xC0000010);  // STATUS_INVALID_DEVICE_REQUEST
  if (info_class != kFileNamesInformation) return static_cast<NTSTATUS>(0xC0000003);  // STATUS_INVALID_INFO_CLASS
  if (faults::should_fail(faults::Kind::kQueryInformation)) {
    faults::fired_on("directory listing of " + where_text(f));
    return status::kInsufficientResources;
  }
  std::vector<Name> names = {u".", u".."};
  for (Name& c : directory_children(f->volume, f->path)) names.push_back(std::move(c));
  if (restart) f->directory_cursor = 0;
  if (f->directory_cursor >= names.size()) return static_cast<NTSTATUS>(0x80000006);  // STATUS_NO_MORE_FILES
  auto* out = static_cast<uint8_t*>(buffer);
  ULONG used = 0, previous = 0;
  bool any = false;
  while (f->directory_cursor < names.size()) {
    const Name& n = names[f->directory_cursor];
    const ULONG at = (used + 7) & ~7u;
    const ULONG bytes = 12 + static_cast<ULONG>(n.size() * 2);
    if (at + bytes > length) break;
    const ULONG next = 0, index = 0, name_bytes = static_cast<ULONG>(n.size() * 2);
    std::memcpy(out + at, &next, 4);
    std::memcpy(out + at + 4, &index, 4);
    std::memcpy(out + at + 8, &name_bytes, 4);
    std::memcpy(out + at + 12, n.data(), name_bytes);
    if (any) {
      const ULONG offset = at - previous;
      std::memcpy(out + previous, &offset, 4);
    }
    previous = at;
    used = at + bytes;
    any = true;
    ++f->directory_cursor;
    if (single) break;
  }
  if (!any) return static_cast<NTSTATUS>(0x80000005);  // STATUS_BUFFER_OVERFLOW
  if (returned != nullptr) *returned = used;
  return status::kSuccess;
}

NTSTATUS FilterManager::close_handle(HANDLE handle) {
  check_irql("FltClose", kPassiveLevel);
  SimFile* f = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    auto it = handles_.find(handle);
    if (it == handles_.end()) {
      verifier::violation(verifier::kParameter, "FltClose of a handle FltCreateFileEx2 did not return");
      return status::kInvalidHandle;
    }
    f = it->second;
    handles_.erase(it);
  }
  // The last handle: IRP_MJ_CLEANUP (below this filter), then the handle's object reference.
  if (f->model != 0) f->volume->model->close(f->model);
  {
    std::lock_guard<std::mutex> g(mu_);
    f->cleaned_up = true;
  }
  dereference(f);
  return status::kSuccess;
}

NTSTATUS FilterManager::read_file(Instance* instance, SimFile* f, const LARGE_INTEGER* offset, ULONG length,
                                  void* buffer, ULONG* done) {
  check_irql("FltReadFile", kApcLevel);
  if (done != nullptr) *done = 0;
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (f->cleaned_up) return static_cast<NTSTATUS>(0xC0000128);  // STATUS_FILE_CLOSED
  if (faults::should_fail(faults::Kind::kRead)) {
    faults::fired_on(where_text(f));
    return faults::failure_status(faults::Kind::kRead);
  }
  const uint64_t at = offset != nullptr ? static_cast<uint64_t>(offset->QuadPart)
                                        : static_cast<uint64_t>(f->object.CurrentByteOffset.QuadPart);
  uint32_t got = 0;
  const fb::NtStatus s = f->volume->model->read(f->model, at, buffer, length, &got);
  if (done != nullptr) *done = got;
  return from_fb(s);
}

NTSTATUS FilterManager::write_file(Instance* instance, SimFile* f, const LARGE_INTEGER* offset, ULONG length,
                                   const void* buffer, ULONG* done) {
  check_irql("FltWriteFile", kApcLevel);
  if (done != nullptr) *done = 0;
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (f->cleaned_up) return static_cast<NTSTATUS>(0xC0000128);
  if (faults::should_fail(faults::Kind::kWrite)) {
    faults::fired_on(where_text(f));
    return faults::failure_status(faults::Kind::kWrite);
  }
  const uint64_t at = offset != nullptr ? static_cast<uint64_t>(offset->QuadPart)
                                        : static_cast<uint64_t>(f->object.CurrentByteOffset.QuadPart);
  uint32_t written = 0;
  const fb::NtStatus s = f->volume->model->write(f->model, at, buffer, length, &written);
  if (done != nullptr) *done = written;
  return from_fb(s);
}

NTSTATUS FilterManager::query_information(Instance* instance, SimFile* f, void* buffer, ULONG length,
                                          ULONG info_class, ULONG* returned) {
  check_irql("FltQueryInformationFile", kPassiveLevel);
  if (returned != nullptr) *returned = 0;
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (f->model == 0 && !f->cleaned_up) return status::kInvalidParameter;  // a directory: no information modelled
  // After IRP_MJ_CLEANUP: NTFS answers STATUS_FILE_DELETED on the file object of a file that
  // cleanup deleted (docs: Microsoft's delete-detection minifilter sample, "Delete" in
  // Windows-driver-samples, relies on it). The model's handle is closed by then: any other
  // query on a cleaned-up file object is not modelled (STATUS_FILE_CLOSED, as for reads).
  if (f->cleaned_up) {
    if (f->file != nullptr && f->volume->model->file_gone(f->file.get()))
      return static_cast<NTSTATUS>(0xC0000123);  // STATUS_FILE_DELETED
    return static_cast<NTSTATUS>(0xC0000128);     // STATUS_FILE_CLOSED
  }
  if (info_class == kFileInternalInformation) {
    // FILE_INTERNAL_INFORMATION: the file record's number, the same through every link (N10).
    if (length < 8) return static_cast<NTSTATUS>(0xC0000004);
    if (faults::should_fail(faults::Kind::kQueryInformation)) {
      faults::fired_on("FileInternalInformation of " + where_text(f));
      return status::kInsufficientResources;
    }
    const uint64_t id = f->volume->model->file_id(f->model);
    std::memcpy(buffer, &id, 8);
    if (returned != nullptr) *returned = 8;
    return status::kSuccess;
  }
  if (info_class != kFileStandardInformation) return status::kInvalidParameter;  // the classes modelled
  if (length < sizeof(FileStandardInformation)) return static_cast<NTSTATUS>(0xC0000004);  // INFO_LENGTH_MISMATCH
  if (faults::should_fail(faults::Kind::kQueryInformation)) {
    faults::fired_on("FileStandardInformation of " + where_text(f));
    return status::kInsufficientResources;
  }
  uint64_t size = 0;
  const fb::NtStatus s = f->volume->model->query_size(f->model, &size);
  if (!fb::nt_success(s)) return from_fb(s);
  FileStandardInformation info{};
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  info.AllocationSize.QuadPart = static_cast<LONGLONG>((size + 4095) & ~uint64_t(4095));
  info.NumberOfLinks = f->volume->model->links_of(f->model);  // N10
  std::memcpy(buffer, &info, sizeof info);
  if (returned != nullptr) *returned = sizeof info;
  return status::kSuccess;
}

NTSTATUS FilterManager::set_information_below(Instance* instance, SimFile* f, const void* buffer, ULONG length,
                                              ULONG info_class) {
  check_irql("FltSetInformationFile", kPassiveLevel);
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (faults::should_fail(faults::Kind::kSetInformation)) {
    faults::fired_on(std::string(info_class == kFileEndOfFileInformation     ? "end of file"
                                 : info_class == kFileDispositionInformation ? "disposition"
                                 : info_class == kFileLinkInformation        ? "link"
                                 : info_class == kFileRenameInformation      ? "rename"
                                                                             : "class") +
                     " of " + where_text(f));
    return status::kInsufficientResources;
  }
  fbmodel::Volume& model = *f->volume->model;
  const auto* b = static_cast<const uint8_t*>(buffer);
  switch (info_class) {
    case kFileEndOfFileInformation: {
      if (length < 8) return static_cast<NTSTATUS>(0xC0000004);
      uint64_t size;
      std::memcpy(&size, b, 8);
      return from_fb(model.set_end_of_file(f->model, size));
    }
    case kFileDispositionInformation:
      if (length < 1) return static_cast<NTSTATUS>(0xC0000004);
      return from_fb(model.set_delete(f->model, b[0] != 0));
    case kFileLinkInformation:
    case kFileRenameInformation: {
      if (length < 20) return static_cast<NTSTATUS>(0xC0000004);
      uint32_t bytes;
      std::memcpy(&bytes, b + 16, 4);
      if (bytes == 0 || length < 20 + bytes) return status::kInvalidParameter;
      const Name target(reinterpret_cast<const char16_t*>(b + 20), bytes / 2);
      if (info_class == kFileLinkInformation) return link_model(f, target, b[0] != 0);
      return rename_model(f, target, b[0] != 0);
    }
    default:
      return status::kInvalidParameter;
  }
}

// FileFsSizeInformation: the model's free space, in 512-byte allocation units.
NTSTATUS FilterManager::query_volume_information(Instance* instance, IO_STATUS_BLOCK* iosb, void* buffer, ULONG length,
                                                 ULONG info_class) {
  check_irql("FltQueryVolumeInformation", kPassiveLevel);
  if (instance == nullptr || iosb == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (info_class != kFileFsSizeInformation) return status::kInvalidParameter;
  if (length < sizeof(FileFsSizeInformation)) return static_cast<NTSTATUS>(0xC0000004);
  if (faults::should_fail(faults::Kind::kVolumeInformation)) {
    faults::fired_on("free space");
    return status::kInsufficientResources;
  }
  const uint64_t free_bytes = instance->volume->model->free_space();
  FileFsSizeInformation info{};
  info.BytesPerSector = 512;
  info.SectorsPerAllocationUnit = 1;
  info.AvailableAllocationUnits.QuadPart = static_cast<LONGLONG>(free_bytes / 512);
  info.TotalAllocationUnits.QuadPart = info.AvailableAllocationUnits.QuadPart;
  std::memcpy(buffer, &info, sizeof info);
  iosb->Status = status::kSuccess;
  iosb->Information = sizeof info;
  return status::kSuccess;
}

// --- callback data ---------------------------------------------------------------------------------

uint64_t FilterManager::requestor_process(PFLT_CALLBACK_DATA data) const {
  Operation* op = Operation::from(data);
  if (op == nullptr) {
    verifier::violation(verifier::kParameter, "FltGetRequestorProcessId with callback data Filter Manager did not make");
    return 0;
  }
  return op->process_id;
}

NTSTATUS FilterManager::ecp_list(PFLT_CALLBACK_DATA data, void** list) {
  check_irql("FltGetEcpListFromCallbackData", kApcLevel);
  if (list == nullptr) return status::kInvalidParameter;
  *list = nullptr;
  Operation* op = Operation::from(data);
  if (op == nullptr || op->iopb.MajorFunction != kIrpMjCreate || op->request == nullptr)
    return status::kInvalidParameter;
  if (!op->request->ecps.empty()) *list = const_cast<std::vector<Ecp>*>(&op->request->ecps);
  return status::kSuccess;
}

NTSTATUS FilterManager::find_ecp(void* list, const Guid* type, void** context, ULONG* size) {
  check_irql("FltFindExtraCreateParameter", kApcLevel);
  if (context != nullptr) *context = nullptr;
  if (size != nullptr) *size = 0;
  if (list == nullptr || type == nullptr) return status::kInvalidParameter;
  auto* ecps = static_cast<std::vector<Ecp>*>(list);
  for (Ecp& e : *ecps)
    if (std::memcmp(&e.type, type, sizeof(Guid)) == 0) {
      if (context != nullptr) *context = e.data.data();
      if (size != nullptr) *size = static_cast<ULONG>(e.data.size());
      return status::kSuccess;
    }
  return status::kNotFound;
}

bool FilterManager::ecp_from_user_mode(void* context) {
  check_irql("FltIsEcpFromUserMode", kApcLevel);
  std::lock_guard<std::mutex> g(mu_);
  auto it = ecp_modes_.find(context);
  if (it == ecp_modes_.end()) {
    verifier::violation(verifier::kParameter, "FltIsEcpFromUserMode of something that is no ECP context");
    return false;
  }
  return it->second;
}

void FilterManager::set_dirty(PFLT_CALLBACK_DATA data) {
  Operation* op = Operation::from(data);
  if (op == nullptr) {
    verifier::violation(verifier::kParameter, "FltSetCallbackDataDirty with callback data Filter Manager did not make");
    return;
  }
  op->data.Flags |= kCallbackDirty;
}

}  // namespace ksim::flt
