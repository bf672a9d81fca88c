// Applications' operations through the simulated Filter Manager: each becomes a FLT_CALLBACK_DATA
// with its parameter block, related objects and file object; the filter's pre-operation callback
// runs at the operation's IRQL; each FLT_PREOP_* status is honoured as Filter Manager does
// (docs: PFLT_PRE_OPERATION_CALLBACK, PFLT_POST_OPERATION_CALLBACK); the operation is performed
// below the filter on the model; then the post-operation callback runs.
#include <cstdio>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/operation.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt {
namespace {

// The modified page writer's top-level IRP marker (FSRTL_MOD_WRITE_TOP_LEVEL_IRP).
void* const kModWriteTopLevel = reinterpret_cast<void*>(3);

const char* major_name(UCHAR major) {
  switch (major) {
    case kIrpMjCreate: return "IRP_MJ_CREATE";
    case kIrpMjWrite: return "IRP_MJ_WRITE";
    case kIrpMjSetInformation: return "IRP_MJ_SET_INFORMATION";
    case kIrpMjFileSystemControl: return "IRP_MJ_FILE_SYSTEM_CONTROL";
    case kIrpMjCleanup: return "IRP_MJ_CLEANUP";
    case kIrpMjAcquireForSectionSynchronization: return "IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION";
    default: return "IRP_MJ_?";
  }
}

const char* pre_name(UCHAR major) {
  switch (major) {
    case kIrpMjCreate: return "pre-create callback";
    case kIrpMjWrite: return "pre-write callback";
    case kIrpMjSetInformation: return "pre-set-information callback";
    case kIrpMjFileSystemControl: return "pre-FSCTL callback";
    case kIrpMjCleanup: return "pre-cleanup callback";
    case kIrpMjAcquireForSectionSynchronization: return "pre-acquire-for-section callback";
    default: return "pre-operation callback";
  }
}

const char* post_name(UCHAR major) {
  switch (major) {
    case kIrpMjCreate: return "post-create callback";
    case kIrpMjWrite: return "post-write callback";
    case kIrpMjSetInformation: return "post-set-information callback";
    case kIrpMjFileSystemControl: return "post-FSCTL callback";
    case kIrpMjCleanup: return "post-cleanup callback";
    case kIrpMjAcquireForSectionSynchronization: return "post-acquire-for-section callback";
    default: return "post-operation callback";
  }
}

bool is_fs_filter(const CallbackDataStorage& data) { return (data.Flags & kCallbackFsFilter) != 0; }
bool is_fast_io(const CallbackDataStorage& data) { return (data.Flags & kCallbackFastIo) != 0; }

std::string status_text(int status) { return std::to_string(status); }

NTSTATUS from_fb(fb::NtStatus s) { return static_cast<NTSTATUS>(s); }
bool ok(NTSTATUS s) { return s >= 0; }

}  // namespace

SimFile* FilterManager::new_file(Volume* volume, const Name& path, const Name& stream) {
  auto* f = new SimFile();
  f->object.Type = kIoTypeFile;
  f->object.Size = sizeof(FileObject);
  f->object.Flags = kFoSynchronousIo;
  f->volume = volume;
  f->path = path;
  f->stream_name = stream;
  // FILE_OBJECT.FileName is the path below the volume's device (`\Users\me\a.txt:stream`).
  Name relative = path.size() > volume->name.size() ? path.substr(volume->name.size()) : Name();
  if (!stream.empty()) relative += u":" + stream;
  f->file_name = relative;
  f->object.FileName.Buffer = reinterpret_cast<WCHAR*>(f->file_name.data());
  f->object.FileName.Length = static_cast<USHORT>(f->file_name.size() * 2);
  f->object.FileName.MaximumLength = f->object.FileName.Length;
  std::lock_guard<std::mutex> g(mu_);
  files_.insert(f);
  return f;
}

bool FilterManager::filter_wants(const Operation& op) const {
  const OperationEntry& e = filter_->operations[op.iopb.MajorFunction];
  if (!e.registered) return false;
  const bool paging = (op.iopb.IrpFlags & kIrpPagingIo) != 0;
  const bool noncached = (op.iopb.IrpFlags & kIrpNocache) != 0;
  if ((e.flags & kSkipPagingIo) && paging) return false;
  const bool read_write = op.iopb.MajorFunction == kIrpMjRead || op.iopb.MajorFunction == kIrpMjWrite;
  if (read_write && (e.flags & kSkipCachedIo) && !paging && !noncached) return false;
  if (read_write && (e.flags & kSkipNonCachedNonPagingIo) && noncached && !paging) return false;
  return true;
}

FilterManager::PreOutcome FilterManager::call_pre(Operation& op) {
  const OperationEntry& e = filter_->operations[op.iopb.MajorFunction];
  PreOutcome out;
  if (e.pre == nullptr) {  // a post-only registration: Filter Manager calls the post
    out.status = FLT_PREOP_SUCCESS_WITH_CALLBACK;
    return out;
  }
  FLT_IO_PARAMETER_BLOCK before;
  std::memcpy(&before, &op.iopb, sizeof before);
  void* completion = nullptr;
  FLT_PREOP_CALLBACK_STATUS st;
  {
    thread::Scope scope(op.irql, op.process_id, op.data.RequestorMode, op.top_level);
    ksim::verifier::CallbackScope callback(op.pre_name, reinterpret_cast<const void*>(e.pre));
    faults::CallbackNote note(op.pre_name);
    st = e.pre(op.callback_data(), op.related_objects(), &completion);
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    ++counters_.pre_callbacks;
  }
  out.called = true;
  const std::string where = std::string("pre-") + major_name(op.iopb.MajorFunction);
  if (std::memcmp(&before, &op.iopb, sizeof before) != 0 && (op.data.Flags & kCallbackDirty) == 0)
    verifier::violation(verifier::kDirty, where);
  const int s = static_cast<int>(st);
  bool valid;
  if (is_fs_filter(op.data))
    valid = s == FLT_PREOP_SUCCESS_WITH_CALLBACK || s == FLT_PREOP_SUCCESS_NO_CALLBACK || s == FLT_PREOP_COMPLETE ||
            s == FLT_PREOP_DISALLOW_FSFILTER_IO;
  else
    valid = (s >= FLT_PREOP_SUCCESS_WITH_CALLBACK && s <= FLT_PREOP_SYNCHRONIZE) &&
            (s != FLT_PREOP_DISALLOW_FASTIO || is_fast_io(op.data));
  if (!valid) {
    verifier::violation(verifier::kPreStatus, where + " returned " + status_text(s));
    st = FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  if (st == FLT_PREOP_PENDING) {
    // Completing a pended operation needs FltCompletePendedPreOperation, which the image does
    // not import: the operation would never complete.
    verifier::violation(verifier::kPreStatus, where + " pended without FltCompletePendedPreOperation");
    st = FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  const bool wants_post = st == FLT_PREOP_SUCCESS_WITH_CALLBACK || st == FLT_PREOP_SYNCHRONIZE;
  if (wants_post && e.post == nullptr)
    verifier::violation(verifier::kPreStatus, where + " asked for a post-operation it did not register");
  if (!wants_post && completion != nullptr)
    verifier::violation(verifier::kCompletionContext, where + " returned " + status_text(s));
  if (st == FLT_PREOP_SYNCHRONIZE && op.irql > kApcLevel)
    verifier::violation(verifier::kPreStatus, where + " synchronized at DISPATCH_LEVEL");
  out.status = st;
  out.completion = completion;
  return out;
}

void FilterManager::call_post(Operation& op, const PreOutcome& pre) {
  const OperationEntry& e = filter_->operations[op.iopb.MajorFunction];
  if (e.post == nullptr) return;
  // Synchronized and create posts run in the requestor's thread at PASSIVE_LEVEL; others may run
  // from the completion routine at DISPATCH_LEVEL.
  UCHAR irql = op.irql;
  if (pre.status == FLT_PREOP_SYNCHRONIZE || op.iopb.MajorFunction == kIrpMjCreate) irql = kPassiveLevel;
  else if (post_at_dispatch_ && !is_fs_filter(op.data)) irql = kDispatchLevel;
  const ULONG flags = op.instance->torn_down ? kPostOperationDraining : 0;
  op.data.Flags |= kCallbackPostOperation;
  FLT_IO_PARAMETER_BLOCK before;
  std::memcpy(&before, &op.iopb, sizeof before);
  FLT_POSTOP_CALLBACK_STATUS st;
  {
    thread::Scope scope(irql, op.process_id, op.data.RequestorMode, op.top_level);
    ksim::verifier::CallbackScope callback(op.post_name, reinterpret_cast<const void*>(e.post));
    faults::CallbackNote note(op.post_name);
    st = e.post(op.callback_data(), op.related_objects(), pre.completion, flags);
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    ++counters_.post_callbacks;
  }
  const std::string where = std::string("post-") + major_name(op.iopb.MajorFunction);
  if (std::memcmp(&before, &op.iopb, sizeof before) != 0 && (op.data.Flags & kCallbackDirty) == 0)
    verifier::violation(verifier::kDirty, where);
  const int s = static_cast<int>(st);
  if (s == FLT_POSTOP_MORE_PROCESSING_REQUIRED)
    verifier::violation(verifier::kPostStatus, where + " needs FltCompletePendedPostOperation, not imported");
  else if (s != FLT_POSTOP_FINISHED_PROCESSING && !(s == FLT_POSTOP_DISALLOW_FSFILTER_IO && is_fs_filter(op.data)))
    verifier::violation(verifier::kPostStatus, where + " returned " + status_text(s));
}

NTSTATUS FilterManager::dispatch(Operation& op, NTSTATUS (FilterManager::*below)(Operation&)) {
  bool involved = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    op.instance = instance_for(op.file->volume);
    involved = op.instance != nullptr && filter_wants(op);
    if (involved) ++in_flight_;
    if (nested_ && op.top_level == nullptr) op.top_level = reinterpret_cast<void*>(1);  // FSRTL_FSP_TOP_LEVEL_IRP
  }
  op.data.Iopb = &op.iopb;
  op.data.Thread = reinterpret_cast<void*>(0xfffff00000001000ull);  // an ETHREAD the filter never reads
  op.pre_name = pre_name(op.iopb.MajorFunction);
  op.post_name = post_name(op.iopb.MajorFunction);
  op.related.Size = sizeof(RelatedObjectsStorage);
  op.related.Filter = involved ? filter_ : nullptr;
  op.related.Volume = op.file->volume;
  op.related.Instance = op.instance;
  op.related.FileObject = file_object(op.file);
  op.iopb.TargetFileObject = file_object(op.file);
  op.iopb.TargetInstance = reinterpret_cast<PFLT_INSTANCE>(op.instance);

  PreOutcome pre;
  if (involved) pre = call_pre(op);
  NTSTATUS result;
  if (pre.status == FLT_PREOP_COMPLETE) {
    result = op.data.IoStatus.Status;
  } else if (pre.status == FLT_PREOP_DISALLOW_FASTIO && is_fast_io(op.data)) {
    result = status::kFltDisallowFastIo;  // the I/O manager reissues it as an IRP
  } else {
    result = (this->*below)(op);
    op.data.IoStatus.Status = result;
  }
  const bool post = pre.status == FLT_PREOP_SUCCESS_WITH_CALLBACK || pre.status == FLT_PREOP_SYNCHRONIZE;
  if (involved && post) call_post(op, pre);
  if (involved) {
    std::lock_guard<std::mutex> g(mu_);
    --in_flight_;
    idle_.notify_all();
  }
  return result;
}

// --- create ------------------------------------------------------------------------------------------

NTSTATUS FilterManager::open(const OpenRequest& r, SimFile** out, uint64_t* information) {
  *out = nullptr;
  if (information != nullptr) *information = 0;
  Volume* volume;
  {
    std::lock_guard<std::mutex> g(mu_);
    volume = volume_of(r.path);
  }
  if (volume == nullptr) return status::kObjectNameNotFound;
  SimFile* f = new_file(volume, r.path, r.stream);
  f->access = r.access;
  f->by_file_id = (r.options & fb::create_option::kOpenByFileId) != 0;
  Operation op;
  op.file = f;
  op.request = &r;
  op.pre_create = true;
  op.process_id = r.process_id;
  op.irql = kPassiveLevel;
  op.name = "create";
  op.data.Flags = kCallbackIrp;
  op.data.RequestorMode = r.requestor_mode;
  f->requestor_mode = r.requestor_mode;
  op.iopb.MajorFunction = kIrpMjCreate;
  op.iopb.OperationFlags = r.sl_flags;
  op.security.DesiredAccess = r.access;
  op.iopb.Parameters.Create.SecurityContext = &op.security;
  op.iopb.Parameters.Create.Options = (static_cast<ULONG>(r.disposition) << 24) | (r.options & 0x00ffffff);
  op.iopb.Parameters.Create.FileAttributes = r.attributes;
  op.iopb.Parameters.Create.ShareAccess = r.share;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const Ecp& e : r.ecps) ecp_modes_[e.data.data()] = e.from_user_mode;
  }
  const NTSTATUS s = dispatch(op, &FilterManager::create_below);
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const Ecp& e : r.ecps) ecp_modes_.erase(e.data.data());
  }
  if (information != nullptr) *information = op.data.IoStatus.Information;
  if (!ok(s) || f->model == 0) {  // nothing opened: the I/O manager frees the file object
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = handle_contexts_.begin(); it != handle_contexts_.end(); ++it)
      if (it->first.second == f) verifier::violation(verifier::kParameter, "create");
    files_.erase(f);
    delete f;
    return s;
  }
  *out = f;
  return s;
}

// The file system's create: the access check (user-mode requests, and kernel-mode ones that
// carry SL_FORCE_ACCESS_CHECK, N13), then the model's create.
NTSTATUS FilterManager::create_below(Operation& op) {
  const OpenRequest& r = *op.request;
  SimFile* f = op.file;
  Name path;
  {
    std::lock_guard<std::mutex> g(mu_);
    path = normalize(f->path);
  }
  fbmodel::Volume& model = *f->volume->model;
  const bool check = r.requestor_mode == 1 || (op.iopb.OperationFlags & kSlForceAccessCheck) != 0;
  fb::NtStatus s = fb::nt::kSuccess;
  if (check && r.stream.empty()) s = model.requestor_access_check(path, r.access, r.disposition, r.options);
  uint64_t information = 0;
  fbmodel::ModelHandle h = 0;
  if (fb::nt_success(s) && reparse_next_create_ != 0) {  // N4: the name is a reparse point
    s = fb::nt::kReparse;
    information = reparse_next_create_;
    reparse_next_create_ = 0;
  } else if (fb::nt_success(s)) {
    s = model.create(path, r.stream, r.access, r.share, r.disposition, r.options, false, &h, &information);
  }
  op.data.IoStatus.Information = information;
  op.pre_create = false;
  if (fb::nt_success(s) && h != 0) {  // STATUS_REPARSE (N4) is a success code that opened nothing
    std::lock_guard<std::mutex> g(mu_);
    f->model = h;
    f->stream = model.stream_object(h);
    f->file = model.file_object(h);
    ++stream_files_[f->stream.get()];
    f->object.FsContext = const_cast<void*>(f->stream.get());
    f->object.FsContext2 = f;
  }
  return from_fb(s);
}

// --- write -----------------------------------------------------------------------------------------

NTSTATUS FilterManager::write(SimFile* f, uint64_t offset, const std::string& data, WriteKind kind, uint64_t pid) {
  for (;;) {
    Operation op;
    op.file = f;
    op.process_id = pid;
    op.name = "write";
    op.data.Flags = kind == WriteKind::kFastIo ? kCallbackFastIo : kCallbackIrp;
    op.data.RequestorMode = 1;
    op.iopb.MajorFunction = kIrpMjWrite;
    op.buffer.assign(data.begin(), data.end());
    op.iopb.Parameters.Write.Length = static_cast<ULONG>(data.size());
    op.iopb.Parameters.Write.ByteOffset.QuadPart = static_cast<LONGLONG>(offset);
    op.iopb.Parameters.Write.WriteBuffer = op.buffer.data();
    if (kind == WriteKind::kNonCached) op.iopb.IrpFlags = kIrpNocache;
    if (kind == WriteKind::kPaging) {
      // The modified page writer: paging I/O at APC_LEVEL on a system thread, top-level IRP set.
      op.iopb.IrpFlags = kIrpNocache | kIrpPagingIo;
      op.irql = kApcLevel;
      op.top_level = kModWriteTopLevel;
      op.data.RequestorMode = 0;
      op.process_id = 4;
    }
    const NTSTATUS s = dispatch(op, &FilterManager::write_below);
    if (s == status::kFltDisallowFastIo && kind == WriteKind::kFastIo) {
      kind = WriteKind::kCached;  // fast I/O refused: the same write comes again as an IRP
      continue;
    }
    return s;
  }
}

NTSTATUS FilterManager::write_below(Operation& op) {
  SimFile* f = op.file;
  fbmodel::Volume& model = *f->volume->model;
  const uint64_t offset = static_cast<uint64_t>(op.iopb.Parameters.Write.ByteOffset.QuadPart);
  if ((op.iopb.IrpFlags & kIrpPagingIo) != 0) {
    const std::string data(op.buffer.begin(), op.buffer.end());
    const fb::NtStatus s = model.paging_write(f->model, offset, data);
    op.data.IoStatus.Information = fb::nt_success(s) ? data.size() : 0;
    return from_fb(s);
  }
  uint32_t written = 0;
  const fb::NtStatus s = model.write(f->model, offset, op.buffer.data(), op.iopb.Parameters.Write.Length, &written);
  op.data.IoStatus.Information = written;
  return from_fb(s);
}

// --- set information ---------------------------------------------------------------------------------

NTSTATUS FilterManager::set_information(SimFile* f, ULONG info_class, const void* buffer, ULONG length, uint64_t pid) {
  Operation op;
  op.file = f;
  op.process_id = pid;
  op.name = "set information";
  op.data.Flags = kCallbackIrp;
  op.data.RequestorMode = f->requestor_mode;
  op.iopb.MajorFunction = kIrpMjSetInformation;
  op.buffer.assign(static_cast<const uint8_t*>(buffer), static_cast<const uint8_t*>(buffer) + length);
  auto& p = op.iopb.Parameters.SetFileInformation;
  p.Length = length;
  p.FileInformationClass = static_cast<FILE_INFORMATION_CLASS>(info_class);
  p.InfoBuffer = op.buffer.data();
  if (info_class == kFileRenameInformation || info_class == kFileLinkInformation) p.ReplaceIfExists = op.buffer[0];
  if (info_class == kFileRenameInformationEx) p.ReplaceIfExists = (op.buffer[0] & 1) != 0;
  return dispatch(op, &FilterManager::set_information_op_below);
}

namespace {

template <typename T>
T read_at(const std::vector<uint8_t>& b, size_t offset) {
  T v{};
  if (b.size() >= offset + sizeof(T)) std::memcpy(&v, b.data() + offset, sizeof(T));
  return v;
}

// FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION (and their _EX forms): ReplaceIfExists (or
// Flags) at 0, RootDirectory at 8, FileNameLength at 16, FileName at 20.
std::vector<uint8_t> rename_buffer(uint32_t flags_or_replace, const Name& target) {
  std::vector<uint8_t> b(20 + target.size() * 2 + 2, 0);
  std::memcpy(b.data(), &flags_or_replace, 4);
  const uint32_t bytes = static_cast<uint32_t>(target.size() * 2);
  std::memcpy(b.data() + 16, &bytes, 4);
  std::memcpy(b.data() + 20, target.data(), bytes);
  return b;
}

}  // namespace

NTSTATUS FilterManager::set_information_op_below(Operation& op) {
  SimFile* f = op.file;
  fbmodel::Volume& model = *f->volume->model;
  const ULONG info_class = static_cast<ULONG>(op.iopb.Parameters.SetFileInformation.FileInformationClass);
  const std::vector<uint8_t>& b = op.buffer;
  switch (info_class) {
    case kFileEndOfFileInformation:
      if (b.size() < 8) return status::kInvalidParameter;
      return from_fb(model.set_end_of_file(f->model, read_at<uint64_t>(b, 0)));
    case kFileAllocationInformation:
      if (b.size() < 8) return status::kInvalidParameter;
      return from_fb(model.set_allocation(f->model, read_at<uint64_t>(b, 0)));
    case kFileValidDataLengthInformation:
      return b.size() < 8 ? status::kInvalidParameter : status::kSuccess;
    case kFileDispositionInformation:  // DeleteFile FALSE cancels a pending delete (N11)
      if (b.empty()) return status::kInvalidParameter;
      return from_fb(model.set_delete(f->model, b[0] != 0));
    case kFileDispositionInformationEx: {
      if (b.size() < 4) return status::kInvalidParameter;
      const uint32_t flags = read_at<uint32_t>(b, 0);
      if ((flags & kFileDispositionDelete) != 0 && (flags & kFileDispositionPosixSemantics) != 0)
        return from_fb(model.set_delete_posix(f->model));
      return from_fb(model.set_delete(f->model, (flags & kFileDispositionDelete) != 0));
    }
    case kFileRenameInformation:
    case kFileRenameInformationEx: {
      if (b.size() < 20) return status::kInvalidParameter;
      const uint32_t bytes = read_at<uint32_t>(b, 16);
      if (b.size() < 20 + bytes || bytes == 0) return status::kInvalidParameter;
      const Name target(reinterpret_cast<const char16_t*>(b.data() + 20), bytes / 2);
      const bool replace = info_class == kFileRenameInformation ? b[0] != 0 : (read_at<uint32_t>(b, 0) & 1) != 0;
      return rename_model(f, target, replace);
    }
    case kFileLinkInformation: {  // another name of the same file record (N10)
      if (b.size() < 20) return status::kInvalidParameter;
      const uint32_t bytes = read_at<uint32_t>(b, 16);
      if (b.size() < 20 + bytes || bytes == 0) return status::kInvalidParameter;
      const Name target(reinterpret_cast<const char16_t*>(b.data() + 20), bytes / 2);
      return link_model(f, target, b[0] != 0);
    }
    default:
      return status::kInvalidParameter;
  }
}

NTSTATUS FilterManager::rename_model(SimFile* f, const Name& target, bool replace) {
  fbmodel::Volume& model = *f->volume->model;
  if (target[0] == u':') {
    const NTSTATUS s = from_fb(model.rename(f->model, target, replace));
    if (ok(s)) {
      std::lock_guard<std::mutex> g(mu_);
      Name stream = target.substr(1);
      const Name type = u":$DATA";
      if (stream.size() >= type.size() && fbmodel::fold(stream.substr(stream.size() - type.size())) == type)
        stream.resize(stream.size() - type.size());
      f->stream_name = stream;
    }
    return s;
  }
  Name full;
  {
    std::lock_guard<std::mutex> g(mu_);
    full = target[0] == u'\\' ? target : f->path.substr(0, f->path.rfind(u'\\') + 1) + target;
    full = normalize(full);
  }
  const void* identity = model.file_identity(f->model);
  const NTSTATUS s = from_fb(model.rename(f->model, full, replace));
  if (ok(s)) {
    std::lock_guard<std::mutex> g(mu_);
    for (SimFile* other : files_)
      if (other->model != 0 && other->volume == f->volume && !other->cleaned_up &&
          model.file_identity(other->model) == identity)
        other->path = full;
    f->path = full;
  }
  return s;
}

// A hard link's target is a full path on the file's volume or a name beside the file; a stream
// name cannot be linked.
NTSTATUS FilterManager::link_model(SimFile* f, const Name& target, bool replace) {
  if (target.empty() || target[0] == u':') return status::kInvalidParameter;
  Name full;
  {
    std::lock_guard<std::mutex> g(mu_);
    full = target[0] == u'\\' ? target : f->path.substr(0, f->path.rfind(u'\\') + 1) + target;
    if (volume_of(full) != f->volume) return static_cast<NTSTATUS>(0xC00000D4);  // STATUS_NOT_SAME_DEVICE
    full = normalize(full);
  }
  return from_fb(f->volume->model->link(f->model, full, replace));
}

NTSTATUS FilterManager::set_end_of_file(SimFile* f, uint64_t size, uint64_t pid) {
  return set_information(f, kFileEndOfFileInformation, &size, 8, pid);
}
NTSTATUS FilterManager::set_allocation(SimFile* f, uint64_t size, uint64_t pid) {
  return set_information(f, kFileAllocationInformation, &size, 8, pid);
}
NTSTATUS FilterManager::set_valid_data_length(SimFile* f, uint64_t size, uint64_t pid) {
  return set_information(f, kFileValidDataLengthInformation, &size, 8, pid);
}
NTSTATUS FilterManager::rename(SimFile* f, const Name& target, bool replace, bool ex, uint64_t pid) {
  const std::vector<uint8_t> b = rename_buffer(replace ? 1 : 0, target);
  return set_information(f, ex ? kFileRenameInformationEx : kFileRenameInformation, b.data(),
                         static_cast<ULONG>(b.size()), pid);
}
NTSTATUS FilterManager::link(SimFile* f, const Name& target, bool replace, uint64_t pid) {
  const std::vector<uint8_t> b = rename_buffer(replace ? 1 : 0, target);
  return set_information(f, kFileLinkInformation, b.data(), static_cast<ULONG>(b.size()), pid);
}
NTSTATUS FilterManager::set_disposition(SimFile* f, bool delete_file, uint64_t pid) {
  const uint8_t b = delete_file ? 1 : 0;
  return set_information(f, kFileDispositionInformation, &b, 1, pid);
}
NTSTATUS FilterManager::set_disposition_ex(SimFile* f, ULONG flags, uint64_t pid) {
  return set_information(f, kFileDispositionInformationEx, &flags, 4, pid);
}

// --- section synchronization, FSCTL -----------------------------------------------------------------

NTSTATUS FilterManager::nothing_below(Operation&) { return status::kSuccess; }

NTSTATUS FilterManager::acquire_for_section(SimFile* f, ULONG page_protection, uint64_t pid) {
  Operation op;
  op.file = f;
  op.process_id = pid;
  op.name = "acquire for section synchronization";
  op.data.Flags = kCallbackFsFilter;
  op.data.RequestorMode = 1;
  op.iopb.MajorFunction = kIrpMjAcquireForSectionSynchronization;
  op.iopb.Parameters.AcquireForSectionSynchronization.SyncType = SyncTypeCreateSection;
  op.iopb.Parameters.AcquireForSectionSynchronization.PageProtection = page_protection;
  return dispatch(op, &FilterManager::nothing_below);
}

NTSTATUS FilterManager::fsctl(SimFile* f, ULONG control_code, uint64_t pid) {
  Operation op;
  op.file = f;
  op.process_id = pid;
  op.name = "fsctl";
  op.data.Flags = kCallbackIrp;
  op.data.RequestorMode = 1;
  op.iopb.MajorFunction = kIrpMjFileSystemControl;
  op.iopb.MinorFunction = kIrpMnUserFsRequest;
  op.iopb.Parameters.FileSystemControl.Buffered.FsControlCode = control_code;
  op.buffer.assign(16, 0);  // FILE_ZERO_DATA_INFORMATION: FileOffset 0, BeyondFinalZero set below
  op.iopb.Parameters.FileSystemControl.Buffered.InputBufferLength = 16;
  op.iopb.Parameters.FileSystemControl.Buffered.SystemBuffer = op.buffer.data();
  return dispatch(op, &FilterManager::fsctl_below);
}

NTSTATUS FilterManager::fsctl_below(Operation& op) {
  if (op.iopb.Parameters.FileSystemControl.Buffered.FsControlCode != kFsctlSetZeroData)
    return status::kInvalidDeviceRequest;
  uint64_t size = 0;
  fbmodel::Volume& model = *op.file->volume->model;
  model.query_size(op.file->model, &size);
  return from_fb(model.zero_range(op.file->model, 0, size));
}

// --- cleanup and close -------------------------------------------------------------------------------

NTSTATUS FilterManager::cleanup_below(Operation& op) {
  op.file->volume->model->close(op.file->model);
  std::lock_guard<std::mutex> g(mu_);
  op.file->cleaned_up = true;
  return status::kSuccess;
}

void FilterManager::close(SimFile* f, uint64_t pid) {
  if (!f->cleaned_up) {
    Operation op;
    op.file = f;
    op.process_id = pid;
    op.name = "cleanup";
    op.data.Flags = kCallbackIrp;
    op.data.RequestorMode = 1;
    op.iopb.MajorFunction = kIrpMjCleanup;
    dispatch(op, &FilterManager::cleanup_below);
  }
  dereference(f);
}

bool FilterManager::owns_file(const void* object) const {
  std::lock_guard<std::mutex> g(mu_);
  return files_.count(reinterpret_cast<SimFile*>(const_cast<void*>(object))) != 0;
}

void FilterManager::reference(SimFile* f) {
  std::lock_guard<std::mutex> g(mu_);
  ++f->references;
}

void FilterManager::dereference(SimFile* f) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (files_.count(f) == 0) {
      verifier::violation(verifier::kParameter, "dereference of a file object that is gone");
      return;
    }
    if (--f->references > 0) return;
  }
  file_closed(f);
}

// IRP_MJ_CLOSE: the file object's stream handle contexts go; the stream goes with its last file
// object unless the cache keeps it (N12).
void FilterManager::file_closed(SimFile* f) {
  if (!f->cleaned_up && f->model != 0) {  // a handle never closed (FltCreateFileEx2 without FltClose)
    f->volume->model->close(f->model);
    f->cleaned_up = true;
  }
  std::vector<ContextBlock*> dropped;
  const void* stream = f->stream.get();
  bool stream_idle = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = handle_contexts_.begin(); it != handle_contexts_.end();) {
      if (it->first.second == f) {
        unlink_context(it->second);
        dropped.push_back(it->second);
        it = handle_contexts_.erase(it);
      } else {
        ++it;
      }
    }
    if (stream != nullptr) {
      auto it = stream_files_.find(stream);
      if (it != stream_files_.end() && --it->second == 0) {
        stream_files_.erase(it);
        stream_idle = !retain_streams_;
      }
    }
    files_.erase(f);
  }
  for (ContextBlock* b : dropped) release_context(b->body);
  if (stream_idle) stream_gone(stream);
  delete f;
}

}  // namespace ksim::flt
