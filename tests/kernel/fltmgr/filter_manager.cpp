// The simulated Filter Manager: registration, attachment, unload, objects and leak checks.
#include "tests/kernel/fltmgr/filter_manager.h"

#include <cstdio>
#include <thread>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/operation.h"
#include "tests/kernel/fltmgr/ports.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt {
namespace {

std::string hex(uint64_t v) {
  char b[32];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

bool single_known_context_type(USHORT type) {
  return type != 0 && (type & ~kAllContextTypes) == 0 && (type & (type - 1)) == 0;
}

bool valid_major(UCHAR major) { return major <= kIrpMjMaximumFunction || major >= kLowestPseudoMajor; }

void reset_hook() {
  faults::disarm();
  FilterManager::get().reset();
}
const ResetRegistrar kReset(reset_hook);

// After the driver's unload: its filter must be gone (FltUnregisterFilter in FilterUnloadCallback).
void unload_check() {
  if (!FilterManager::get().unregistered())
    ksim::verifier::report(verifier::kUnload, nullptr, "the driver unloaded with its filter still registered");
}
const ksim::verifier::UnloadCheckRegistrar kUnloadCheck(unload_check);

}  // namespace

FilterManager& FilterManager::get() {
  static FilterManager* instance = new FilterManager();  // lives for the process
  return *instance;
}

// The report itself is KSIM_ENTER's (exports.cpp): here only whether the call may go on.
bool FilterManager::check_irql(const char* routine, UCHAR maximum) {
  (void)routine;
  return thread::irql() <= maximum;
}

void FilterManager::reset() {
  std::lock_guard<std::mutex> g(mu_);
  for (SimFile* f : files_) delete f;
  files_.clear();
  for (ContextBlock* c : contexts_) {
    c->magic = 0;
    ::operator delete(c);
  }
  contexts_.clear();
  for (NameBlock* n : names_) delete n;
  names_.clear();
  stream_files_.clear();
  stream_contexts_.clear();
  retained_streams_.clear();
  handle_contexts_.clear();
  handles_.clear();
  security_descriptors_.clear();
  for (auto& l : push_locks_) delete l.second;
  push_locks_.clear();
  ports_.clear();
  clients_.clear();
  volumes_.clear();
  short_names_.clear();
  filter_ = nullptr;
  filter_storage_.reset();
  instances_key_ = true;
  retain_streams_ = false;
  reparse_next_create_ = 0;
  post_at_dispatch_ = false;
  nested_ = false;
  counters_ = Counters();
}

Volume* FilterManager::add_volume(const Name& name, ULONG fs_type, fbmodel::Volume* model) {
  std::lock_guard<std::mutex> g(mu_);
  auto v = std::make_unique<Volume>();
  v->name = name;
  v->fs_type = fs_type;
  v->model = model;
  volumes_.push_back(std::move(v));
  return volumes_.back().get();
}

void FilterManager::add_short_name(const Name& short_prefix, const Name& long_prefix) {
  std::lock_guard<std::mutex> g(mu_);
  short_names_.emplace_back(fbmodel::fold(short_prefix), long_prefix);
}

Counters FilterManager::counters() const {
  std::lock_guard<std::mutex> g(mu_);
  return counters_;
}

size_t FilterManager::live_contexts() const {
  std::lock_guard<std::mutex> g(mu_);
  return contexts_.size();
}

bool FilterManager::has_handle_context(SimFile* file) const {
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& entry : handle_contexts_)
    if (entry.first.second == file) return true;
  return false;
}

size_t FilterManager::live_names() const {
  std::lock_guard<std::mutex> g(mu_);
  return names_.size();
}

size_t FilterManager::live_filter_files() const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = 0;
  for (SimFile* f : files_)
    if (f->by_filter) ++n;
  return n;
}

size_t FilterManager::open_kernel_handles() const {
  std::lock_guard<std::mutex> g(mu_);
  return handles_.size();
}

size_t FilterManager::attached_instances() const {
  std::lock_guard<std::mutex> g(mu_);
  size_t n = 0;
  if (filter_ != nullptr)
    for (const auto& i : filter_->instances)
      if (!i->torn_down) ++n;
  return n;
}

std::vector<std::string> FilterManager::instance_volumes() const {
  std::lock_guard<std::mutex> g(mu_);
  std::vector<std::string> out;
  if (filter_ != nullptr)
    for (const auto& i : filter_->instances)
      if (!i->torn_down) out.emplace_back(i->volume->name.begin(), i->volume->name.end());
  return out;
}

// --- registration ---------------------------------------------------------------------------------

// FltRegisterFilter reads the registration as Windows does: the size and version of the layout,
// the operation table up to IRP_MJ_OPERATION_END and the context table up to FLT_CONTEXT_END,
// and refuses a malformed one (STATUS_INVALID_PARAMETER; a bad context entry
// STATUS_FLT_INVALID_CONTEXT_REGISTRATION). docs: FltRegisterFilter, FLT_REGISTRATION,
// FLT_OPERATION_REGISTRATION, FLT_CONTEXT_REGISTRATION.
NTSTATUS FilterManager::register_filter(void* driver, const Registration* r, Filter** out) {
  check_irql("FltRegisterFilter", kPassiveLevel);
  if (out == nullptr || r == nullptr || driver == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  const bool v203 = r->Version == kRegistrationVersion0203 && r->Size == sizeof(Registration);
  const bool v202 = r->Version == kRegistrationVersion0202 && r->Size == sizeof(Registration) - sizeof(void*);
  if (!v203 && !v202) return status::kInvalidParameter;
  if ((r->Flags & ~kValidRegistrationFlags) != 0) return status::kInvalidParameter;

  auto filter = std::make_unique<Filter>();
  filter->driver_object = driver;
  std::memcpy(&filter->registration, r, r->Size);
  if (v202) filter->registration.SectionNotificationCallback = nullptr;

  if (r->OperationRegistration != nullptr) {
    for (int i = 0;; ++i) {
      if (i > 256) return status::kInvalidParameter;  // no terminator within any sane table
      const FltOperationRegistration& e = r->OperationRegistration[i];
      if (e.MajorFunction == kOperationEnd) break;
      if (!valid_major(e.MajorFunction) || (e.Flags & ~kValidOperationFlags) != 0) return status::kInvalidParameter;
      OperationEntry& entry = filter->operations[e.MajorFunction];
      if (entry.registered) return status::kInvalidParameter;  // a major function twice
      if (e.PreOperation == nullptr && e.PostOperation == nullptr) return status::kInvalidParameter;
      entry.pre = e.PreOperation;
      entry.post = e.PostOperation;
      entry.flags = e.Flags;
      entry.registered = true;
    }
  }
  if (r->ContextRegistration != nullptr) {
    for (int i = 0;; ++i) {
      if (i > 64) return status::kFltInvalidContextRegistration;
      const FltContextRegistration& c = r->ContextRegistration[i];
      if (c.ContextType == kContextEnd) break;
      if (!single_known_context_type(c.ContextType) || c.Size == 0 ||
          (c.ContextAllocateCallback == nullptr) != (c.ContextFreeCallback == nullptr))
        return status::kFltInvalidContextRegistration;
      for (const FltContextRegistration& earlier : filter->contexts)
        if (earlier.ContextType == c.ContextType &&
            (earlier.Size == c.Size || earlier.Size == kVariableSizedContexts || c.Size == kVariableSizedContexts))
          return status::kFltInvalidContextRegistration;
      filter->contexts.push_back(c);
    }
  }

  std::lock_guard<std::mutex> g(mu_);
  if (!instances_key_) return status::kObjectNameNotFound;  // no altitude in the service's Instances key
  if (filter_ != nullptr && !filter_->unregistered) return status::kObjectNameCollision;
  filter_storage_ = std::move(filter);
  filter_ = filter_storage_.get();
  *out = filter_;
  return status::kSuccess;
}

// Attaches to every volume through InstanceSetup (automatic attachment), at PASSIVE_LEVEL.
NTSTATUS FilterManager::start_filtering(Filter* filter) {
  check_irql("FltStartFiltering", kPassiveLevel);
  std::vector<Volume*> volumes;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (filter == nullptr || filter != filter_ || filter->unregistered) return status::kInvalidParameter;
    if (filter->filtering) return status::kInvalidParameter;
    for (auto& v : volumes_) volumes.push_back(v.get());
  }
  for (Volume* v : volumes) {
    auto instance = std::make_unique<Instance>();
    instance->filter = filter;
    instance->volume = v;
    NTSTATUS verdict = status::kSuccess;
    if (filter->registration.InstanceSetupCallback != nullptr) {
      RelatedObjectsStorage related{sizeof(RelatedObjectsStorage), 0, filter, v, instance.get(), nullptr, nullptr};
      thread::Scope scope(kPassiveLevel, 4, 0);
      ksim::verifier::CallbackScope callback("InstanceSetupCallback",
                                             reinterpret_cast<const void*>(filter->registration.InstanceSetupCallback));
      verdict = filter->registration.InstanceSetupCallback(reinterpret_cast<PCFLT_RELATED_OBJECTS>(&related),
                                                          0x1 /* FLTFL_INSTANCE_SETUP_AUTOMATIC_ATTACHMENT */,
                                                          kFileDeviceDiskFileSystem, v->fs_type);
    }
    if (verdict != status::kSuccess && verdict != status::kFltDoNotAttach && (verdict & 0x80000000u) == 0)
      verifier::violation(verifier::kPreStatus, "InstanceSetup returned " + hex(static_cast<ULONG>(verdict)));
    if (verdict != status::kSuccess) continue;  // not attached (STATUS_FLT_DO_NOT_ATTACH or an error)
    std::lock_guard<std::mutex> g(mu_);
    filter->instances.push_back(std::move(instance));
  }
  std::lock_guard<std::mutex> g(mu_);
  filter->filtering = true;
  return status::kSuccess;
}

// Tears the instances down, waits for the callbacks in flight, releases every context Filter
// Manager holds (their cleanup callbacks run), disconnects clients of the filter's ports; then
// reports, as Filter Verifier does at unload, every object whose references the filter leaked.
void FilterManager::unregister_filter(Filter* filter) {
  check_irql("FltUnregisterFilter", kPassiveLevel);
  {
    std::lock_guard<std::mutex> g(mu_);
    if (filter == nullptr || filter != filter_ || filter->unregistered) {
      verifier::violation(verifier::kParameter, "FltUnregisterFilter of a filter that is not registered");
      return;
    }
    filter->unregistered = true;  // no new operation reaches it
  }
  disconnect_clients(filter);
  {
    std::unique_lock<std::mutex> g(mu_);
    idle_.wait(g, [this] { return in_flight_.load() == 0; });
  }
  for (auto& instance : filter->instances) {
    if (instance->torn_down) continue;
    RelatedObjectsStorage related{sizeof(RelatedObjectsStorage), 0, filter, instance->volume, instance.get(),
                                  nullptr, nullptr};
    const auto* objects = reinterpret_cast<PCFLT_RELATED_OBJECTS>(&related);
    thread::Scope scope(kPassiveLevel, 4, 0);
    ksim::verifier::CallbackScope callback("instance teardown callbacks", filter->registration.InstanceTeardownStartCallback
                                                                          ? reinterpret_cast<const void*>(filter->registration.InstanceTeardownStartCallback)
                                                                          : nullptr);
    if (filter->registration.InstanceTeardownStartCallback != nullptr)
      filter->registration.InstanceTeardownStartCallback(objects, 0x2 /* FILTER_UNLOAD */);
    if (filter->registration.InstanceTeardownCompleteCallback != nullptr)
      filter->registration.InstanceTeardownCompleteCallback(objects, 0x2);
    teardown_instance_contexts(instance.get());
    std::lock_guard<std::mutex> g(mu_);
    instance->torn_down = true;
  }
  check_leaks_at_unload(filter);
}

NTSTATUS FilterManager::unload(ULONG flags) {
  Filter* filter = nullptr;
  {
    std::lock_guard<std::mutex> g(mu_);
    filter = filter_;
  }
  if (filter == nullptr || filter->unregistered) return status::kInvalidParameter;
  if (filter->registration.FilterUnloadCallback == nullptr) return status::kInvalidDeviceRequest;
  // Windows asks each instance first (InstanceQueryTeardown) only for a manual detach; an unload
  // goes straight to the filter's FilterUnloadCallback.
  NTSTATUS result;
  {
    thread::Scope scope(kPassiveLevel, 4, 0);
    ksim::verifier::CallbackScope callback("FilterUnloadCallback",
                                           reinterpret_cast<const void*>(filter->registration.FilterUnloadCallback));
    result = filter->registration.FilterUnloadCallback(flags);
  }
  if (result == 0 && !filter->unregistered)
    verifier::violation(verifier::kUnload, "FilterUnloadCallback returned success but the filter "
                                                              "is still registered");
  return result;
}

void FilterManager::check_leaks_at_unload(Filter* filter) {
  std::lock_guard<std::mutex> g(mu_);
  size_t contexts = 0;
  for (ContextBlock* c : contexts_)
    if (c->filter == filter) ++contexts;
  if (contexts != 0)
    verifier::violation(verifier::kContextLeak, std::to_string(contexts) + " context(s) still referenced");
  if (!names_.empty())
    verifier::violation(verifier::kNameLeak, std::to_string(names_.size()) + " not released");
  size_t files = 0;
  for (SimFile* f : files_)
    if (f->by_filter) ++files;
  if (files != 0) verifier::violation(verifier::kFileObjectLeak, std::to_string(files) + " not dereferenced");
  if (!handles_.empty())
    verifier::violation(verifier::kHandleLeak, std::to_string(handles_.size()) + " FltCreateFileEx2 handle(s)");
  if (filter->object_references != 0)
    verifier::violation(verifier::kObjectLeak,
                        std::to_string(filter->object_references) + " without FltObjectDereference");
  if (!security_descriptors_.empty())
    verifier::violation(verifier::kSecurityDescriptorLeak, std::to_string(security_descriptors_.size()));
  for (const auto& p : ports_)
    if (p->filter == filter && !p->closed)
      verifier::violation(verifier::kPortLeak, "FltCloseCommunicationPort was not called");
}

// --- volumes and instances --------------------------------------------------------------------

Instance* FilterManager::instance_for(Volume* volume) const {
  if (filter_ == nullptr || filter_->unregistered || !filter_->filtering) return nullptr;
  for (const auto& i : filter_->instances)
    if (i->volume == volume && !i->torn_down) return i.get();
  return nullptr;
}

Volume* FilterManager::volume_of(const Name& path) const {
  const Name folded = fbmodel::fold(path);
  for (const auto& v : volumes_) {
    const Name name = fbmodel::fold(v->name);
    if (folded.size() > name.size() && folded.compare(0, name.size(), name) == 0 && folded[name.size()] == u'\\')
      return v.get();
  }
  return nullptr;
}

NTSTATUS FilterManager::volume_from_name(Filter* filter, const UNICODE_STRING* name, Volume** out) {
  check_irql("FltGetVolumeFromName", kApcLevel);
  if (out == nullptr || name == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  const Name wanted = fbmodel::fold(Name(reinterpret_cast<const char16_t*>(name->Buffer), name->Length / 2));
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& v : volumes_)
    if (fbmodel::fold(v->name) == wanted) {
      ++filter->object_references;
      *out = v.get();
      return status::kSuccess;
    }
  return status::kFltVolumeNotFound;
}

NTSTATUS FilterManager::instance_from_name(Filter* filter, Volume* volume, const UNICODE_STRING* name,
                                           Instance** out) {
  check_irql("FltGetVolumeInstanceFromName", kApcLevel);
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  (void)name;  // one instance per volume: any name (or none) finds it
  std::lock_guard<std::mutex> g(mu_);
  for (const auto& i : filter->instances)
    if (i->volume == volume && !i->torn_down) {
      ++filter->object_references;
      *out = i.get();
      return status::kSuccess;
    }
  return status::kFltInstanceNotFound;
}

void FilterManager::object_dereference(void* object) {
  check_irql("FltObjectDereference", kDispatchLevel);
  auto* header = static_cast<ObjectHeader*>(object);
  if (header == nullptr || header->magic != kObjectMagic ||
      (header->kind != ObjectKind::kVolume && header->kind != ObjectKind::kInstance && header->kind != ObjectKind::kFilter)) {
    verifier::violation(verifier::kParameter, "FltObjectDereference of something that is no Filter Manager object");
    return;
  }
  std::lock_guard<std::mutex> g(mu_);
  if (filter_ == nullptr || filter_->object_references <= 0) {
    verifier::violation(verifier::kReferenceCount, "FltObjectDereference without a reference");
    return;
  }
  --filter_->object_references;
}

// FltObjectReference: a rundown reference on a filter, instance or volume, which
// FltObjectDereference releases (counted with the others: unload checks none is left).
NTSTATUS FilterManager::object_reference(void* object) {
  check_irql("FltObjectReference", kDispatchLevel);
  auto* header = static_cast<ObjectHeader*>(object);
  if (header == nullptr || header->magic != kObjectMagic ||
      (header->kind != ObjectKind::kVolume && header->kind != ObjectKind::kInstance && header->kind != ObjectKind::kFilter)) {
    verifier::violation(verifier::kParameter, "FltObjectReference of something that is no Filter Manager object");
    return status::kInvalidParameter;
  }
  std::lock_guard<std::mutex> g(mu_);
  if (header->kind == ObjectKind::kInstance && static_cast<Instance*>(object)->torn_down)
    return static_cast<NTSTATUS>(0xC01C0004);  // STATUS_FLT_DELETING_OBJECT
  if (filter_ == nullptr) return status::kInvalidParameter;
  ++filter_->object_references;
  return status::kSuccess;
}

// FltGetVolumeName: the volume's NT device name into the caller's buffer; STATUS_BUFFER_TOO_SMALL
// with the size needed when it does not fit.
NTSTATUS FilterManager::volume_name(Volume* volume, UNICODE_STRING* name, ULONG* needed) {
  check_irql("FltGetVolumeName", kApcLevel);
  if (volume == nullptr || volume->header.magic != kObjectMagic || volume->header.kind != ObjectKind::kVolume) {
    verifier::violation(verifier::kParameter, "FltGetVolumeName of something that is no volume");
    return status::kInvalidParameter;
  }
  const ULONG bytes = static_cast<ULONG>(volume->name.size() * 2);
  if (needed != nullptr) *needed = bytes;
  if (name == nullptr) return status::kInvalidParameter;
  if (name->MaximumLength < bytes || name->Buffer == nullptr) return static_cast<NTSTATUS>(0xC0000023);
  std::memcpy(name->Buffer, volume->name.data(), bytes);
  name->Length = static_cast<USHORT>(bytes);
  return status::kSuccess;
}

// --- security descriptors -----------------------------------------------------------------------

namespace {
struct SecurityDescriptorBlock {
  uint32_t magic;
  ULONG access;
};
}  // namespace

// FltBuildDefaultSecurityDescriptor: SYSTEM and Administrators get DesiredAccess, nobody else.
NTSTATUS FilterManager::build_security_descriptor(void** out, ULONG access) {
  check_irql("FltBuildDefaultSecurityDescriptor", kPassiveLevel);
  if (out == nullptr) return status::kInvalidParameter;
  auto* sd = new SecurityDescriptorBlock{kObjectMagic, access};
  std::lock_guard<std::mutex> g(mu_);
  security_descriptors_.insert(sd);
  *out = sd;
  return status::kSuccess;
}

void FilterManager::free_security_descriptor(void* descriptor) {
  check_irql("FltFreeSecurityDescriptor", kApcLevel);
  std::lock_guard<std::mutex> g(mu_);
  if (security_descriptors_.erase(descriptor) == 0) {
    verifier::violation(verifier::kParameter, "FltFreeSecurityDescriptor of an unknown descriptor");
    return;
  }
  delete static_cast<SecurityDescriptorBlock*>(descriptor);
}

bool FilterManager::admin_only(void* descriptor) const {
  std::lock_guard<std::mutex> g(mu_);
  return descriptor != nullptr && security_descriptors_.count(descriptor) != 0;
}

SimFile* sim_file(PFILE_OBJECT object, const char* routine) {
  auto* file = reinterpret_cast<SimFile*>(object);
  if (file == nullptr || file->magic != kObjectMagic || file->object.Type != kIoTypeFile) {
    verifier::violation(verifier::kParameter, std::string(routine) + " with something that is no file object");
    return nullptr;
  }
  return file;
}

}  // namespace ksim::flt
