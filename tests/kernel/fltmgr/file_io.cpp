// I/O a minifilter issues itself (docs: FltCreateFileEx2, FltReadFile, FltWriteFile,
// FltQueryInformationFile, FltSetInformationFile, FltQueryVolumeInformation, FltClose):
//   - with an instance, the create goes only to the filters below it and the file system: the
//     calling filter's own callbacks never see it (no recursion), nor do its reads and writes;
//   - IO_IGNORE_SHARE_ACCESS_CHECK opens whatever the other handles share;
//   - a kernel-mode create checks no access unless IO_FORCE_ACCESS_CHECK asks for the
//     requestor's (the model's requestor DACL, N13);
//   - the handle is closed with FltClose; the referenced FILE_OBJECT with ObDereferenceObject.
// Also the small callback-data queries: requestor process, ECPs, the dirty flag.
#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/operation.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"

namespace ksim::flt {
namespace {

NTSTATUS from_fb(fb::NtStatus s) { return static_cast<NTSTATUS>(s); }

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
  if (faults::should_fail(faults::Kind::kCreateFile)) return status::kInsufficientResources;
  (void)file_attributes;
  const UNICODE_STRING* name = attributes->ObjectName;
  const Name full(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / 2);
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
  f->volume->model->close(f->model);
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
  if (faults::should_fail(faults::Kind::kRead)) return faults::failure_status(faults::Kind::kRead);
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
  if (faults::should_fail(faults::Kind::kWrite)) return faults::failure_status(faults::Kind::kWrite);
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
  if (info_class != kFileStandardInformation) return status::kInvalidParameter;  // the one class modelled
  if (length < sizeof(FileStandardInformation)) return static_cast<NTSTATUS>(0xC0000004);  // INFO_LENGTH_MISMATCH
  if (faults::should_fail(faults::Kind::kQueryInformation)) return status::kInsufficientResources;
  uint64_t size = 0;
  const fb::NtStatus s = f->volume->model->query_size(f->model, &size);
  if (!fb::nt_success(s)) return from_fb(s);
  FileStandardInformation info{};
  info.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
  info.AllocationSize.QuadPart = static_cast<LONGLONG>((size + 4095) & ~uint64_t(4095));
  info.NumberOfLinks = 1;
  std::memcpy(buffer, &info, sizeof info);
  if (returned != nullptr) *returned = sizeof info;
  return status::kSuccess;
}

NTSTATUS FilterManager::set_information_below(Instance* instance, SimFile* f, const void* buffer, ULONG length,
                                              ULONG info_class) {
  check_irql("FltSetInformationFile", kPassiveLevel);
  if (instance == nullptr || f == nullptr || buffer == nullptr) return status::kInvalidParameter;
  if (faults::should_fail(faults::Kind::kSetInformation)) return status::kInsufficientResources;
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
      return b[0] != 0 ? from_fb(model.set_delete(f->model)) : status::kSuccess;
    case kFileRenameInformation: {
      if (length < 20) return static_cast<NTSTATUS>(0xC0000004);
      uint32_t bytes;
      std::memcpy(&bytes, b + 16, 4);
      if (bytes == 0 || length < 20 + bytes) return status::kInvalidParameter;
      const Name target(reinterpret_cast<const char16_t*>(b + 20), bytes / 2);
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
  if (faults::should_fail(faults::Kind::kVolumeInformation)) return status::kInsufficientResources;
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
