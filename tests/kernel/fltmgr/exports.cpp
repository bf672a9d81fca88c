// fltmgr.sys as the image imports it: one KSIM_API (Windows x64 calling convention) routine per
// export, with the WDK's parameters, forwarding to the simulated Filter Manager. Only routines
// with a body are exported: an import nobody provides fails the load by name (exports.h).
// The list covers every name of driver/nt/fltmgr.def the image can import; a test pins that
// every fltmgr.sys import of the shipped image is here.
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/nt/entry.h"

namespace ksim::flt {
namespace {

FilterManager& fm() { return FilterManager::get(); }

// The first line of every export: the documented maximum IRQL (Driver Verifier's IRQL
// checking, reported by KSIM_ENTER with the calling image address), and that address for the
// Filter Verifier records the call makes.
#define FLT_ENTER(max_irql) \
  KSIM_ENTER(max_irql);     \
  verifier::set_caller(ksim_entry.caller())

Filter* as_filter(PFLT_FILTER f) { return reinterpret_cast<Filter*>(f); }
Instance* as_instance(PFLT_INSTANCE i) {
  auto* instance = reinterpret_cast<Instance*>(i);
  if (instance != nullptr && (instance->header.magic != kObjectMagic || instance->header.kind != ObjectKind::kInstance)) {
    verifier::violation(verifier::kParameter, "an instance argument that is no instance");
    return nullptr;
  }
  return instance;
}

KSIM_API NTSTATUS FltRegisterFilter(void* driver, const Registration* registration, PFLT_FILTER* filter) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  Filter* out = nullptr;
  const NTSTATUS s = fm().register_filter(driver, registration, &out);
  if (filter != nullptr) *filter = reinterpret_cast<PFLT_FILTER>(out);
  return s;
}
KSIM_API NTSTATUS FltStartFiltering(PFLT_FILTER filter) {
  FLT_ENTER(nt::PASSIVE_LEVEL); return fm().start_filtering(as_filter(filter)); }
KSIM_API void FltUnregisterFilter(PFLT_FILTER filter) {
  FLT_ENTER(nt::PASSIVE_LEVEL); fm().unregister_filter(as_filter(filter)); }

KSIM_API NTSTATUS FltAllocateContext(PFLT_FILTER filter, USHORT type, SIZE_T size, int pool_type, PFLT_CONTEXT* out) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)pool_type;
  return fm().allocate_context(as_filter(filter), type, size, out);
}
KSIM_API void FltReferenceContext(PFLT_CONTEXT context) {
  FLT_ENTER(nt::DISPATCH_LEVEL); fm().reference_context(context); }
KSIM_API void FltReleaseContext(PFLT_CONTEXT context) {
  FLT_ENTER(nt::DISPATCH_LEVEL); fm().release_context(context); }
KSIM_API void FltDeleteContext(PFLT_CONTEXT context) {
  FLT_ENTER(nt::APC_LEVEL); fm().delete_context(context); }
KSIM_API NTSTATUS FltSetStreamContext(PFLT_INSTANCE instance, PFILE_OBJECT file, int operation, PFLT_CONTEXT context,
                                      PFLT_CONTEXT* old) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().set_stream_context(as_instance(instance), sim_file(file, "FltSetStreamContext"), operation, context, old);
}
KSIM_API NTSTATUS FltGetStreamContext(PFLT_INSTANCE instance, PFILE_OBJECT file, PFLT_CONTEXT* context) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().get_stream_context(as_instance(instance), sim_file(file, "FltGetStreamContext"), context);
}
KSIM_API NTSTATUS FltSetStreamHandleContext(PFLT_INSTANCE instance, PFILE_OBJECT file, int operation,
                                            PFLT_CONTEXT context, PFLT_CONTEXT* old) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().set_stream_handle_context(as_instance(instance), sim_file(file, "FltSetStreamHandleContext"), operation,
                                        context, old);
}
KSIM_API NTSTATUS FltGetStreamHandleContext(PFLT_INSTANCE instance, PFILE_OBJECT file, PFLT_CONTEXT* context) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().get_stream_handle_context(as_instance(instance), sim_file(file, "FltGetStreamHandleContext"), context);
}

KSIM_API NTSTATUS FltGetFileNameInformation(PFLT_CALLBACK_DATA data, ULONG options, FileNameInformation** out) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().file_name(data, options, out);
}
KSIM_API NTSTATUS FltGetFileNameInformationUnsafe(PFILE_OBJECT file, PFLT_INSTANCE instance, ULONG options,
                                                  FileNameInformation** out) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().file_name_unsafe(sim_file(file, "FltGetFileNameInformationUnsafe"), as_instance(instance), options, out);
}
KSIM_API NTSTATUS FltGetDestinationFileNameInformation(PFLT_INSTANCE instance, PFILE_OBJECT file, HANDLE root,
                                                       const WCHAR* name, ULONG bytes, ULONG options,
                                                       FileNameInformation** out) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().destination_name(as_instance(instance), sim_file(file, "FltGetDestinationFileNameInformation"), root,
                               name, bytes, options, out);
}
KSIM_API NTSTATUS FltParseFileNameInformation(FileNameInformation* info) {
  FLT_ENTER(nt::APC_LEVEL); return fm().parse_name(info); }
KSIM_API void FltReferenceFileNameInformation(FileNameInformation* info) {
  FLT_ENTER(nt::APC_LEVEL); fm().reference_name(info); }
KSIM_API void FltReleaseFileNameInformation(FileNameInformation* info) {
  FLT_ENTER(nt::APC_LEVEL); fm().release_name(info); }

KSIM_API NTSTATUS FltCreateFileEx2(PFLT_FILTER filter, PFLT_INSTANCE instance, HANDLE* handle, PFILE_OBJECT* object,
                                   ULONG access, ObjectAttributes* attributes, IO_STATUS_BLOCK* iosb,
                                   LARGE_INTEGER* allocation, ULONG file_attributes, ULONG share, ULONG disposition,
                                   ULONG options, void* ea, ULONG ea_length, ULONG flags, void* driver_context) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  (void)allocation;
  if (ea != nullptr || ea_length != 0 || driver_context != nullptr) return status::kNotSupported;
  return fm().create_file(as_filter(filter), as_instance(instance), handle, object, access, attributes, iosb,
                          file_attributes, share, disposition, options, flags);
}
KSIM_API NTSTATUS FltClose(HANDLE handle) {
  FLT_ENTER(nt::PASSIVE_LEVEL); return fm().close_handle(handle); }
KSIM_API NTSTATUS FltReadFile(PFLT_INSTANCE instance, PFILE_OBJECT file, LARGE_INTEGER* offset, ULONG length,
                              void* buffer, ULONG flags, ULONG* done, void* callback, void* context) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)flags;
  (void)context;
  if (callback != nullptr) return status::kNotSupported;  // asynchronous I/O: not modelled
  return fm().read_file(as_instance(instance), sim_file(file, "FltReadFile"), offset, length, buffer, done);
}
KSIM_API NTSTATUS FltWriteFile(PFLT_INSTANCE instance, PFILE_OBJECT file, LARGE_INTEGER* offset, ULONG length,
                               void* buffer, ULONG flags, ULONG* done, void* callback, void* context) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)flags;
  (void)context;
  if (callback != nullptr) return status::kNotSupported;
  return fm().write_file(as_instance(instance), sim_file(file, "FltWriteFile"), offset, length, buffer, done);
}
KSIM_API NTSTATUS FltQueryInformationFile(PFLT_INSTANCE instance, PFILE_OBJECT file, void* buffer, ULONG length,
                                          ULONG info_class, ULONG* returned) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  return fm().query_information(as_instance(instance), sim_file(file, "FltQueryInformationFile"), buffer, length,
                                info_class, returned);
}
KSIM_API NTSTATUS FltSetInformationFile(PFLT_INSTANCE instance, PFILE_OBJECT file, void* buffer, ULONG length,
                                        ULONG info_class) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  return fm().set_information_below(as_instance(instance), sim_file(file, "FltSetInformationFile"), buffer, length,
                                    info_class);
}
KSIM_API NTSTATUS FltQueryVolumeInformation(PFLT_INSTANCE instance, IO_STATUS_BLOCK* iosb, void* buffer, ULONG length,
                                            ULONG info_class) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  return fm().query_volume_information(as_instance(instance), iosb, buffer, length, info_class);
}
KSIM_API NTSTATUS FltIsDirectory(PFILE_OBJECT file, PFLT_INSTANCE instance, BOOLEAN* is_directory) {
  FLT_ENTER(nt::APC_LEVEL);
  FilterManager::check_irql("FltIsDirectory", kApcLevel);
  if (is_directory == nullptr || sim_file(file, "FltIsDirectory") == nullptr || as_instance(instance) == nullptr)
    return status::kInvalidParameter;
  *is_directory = FALSE;  // the model has files only
  return status::kSuccess;
}
KSIM_API NTSTATUS FltGetVolumeFromName(PFLT_FILTER filter, const UNICODE_STRING* name, PFLT_VOLUME* volume) {
  FLT_ENTER(nt::APC_LEVEL);
  Volume* out = nullptr;
  const NTSTATUS s = fm().volume_from_name(as_filter(filter), name, &out);
  if (volume != nullptr) *volume = reinterpret_cast<PFLT_VOLUME>(out);
  return s;
}
KSIM_API NTSTATUS FltGetVolumeInstanceFromName(PFLT_FILTER filter, PFLT_VOLUME volume, const UNICODE_STRING* name,
                                               PFLT_INSTANCE* instance) {
  FLT_ENTER(nt::APC_LEVEL);
  Instance* out = nullptr;
  const NTSTATUS s = fm().instance_from_name(as_filter(filter), reinterpret_cast<Volume*>(volume), name, &out);
  if (instance != nullptr) *instance = reinterpret_cast<PFLT_INSTANCE>(out);
  return s;
}
KSIM_API void FltObjectDereference(void* object) {
  FLT_ENTER(nt::DISPATCH_LEVEL); fm().object_dereference(object); }
KSIM_API NTSTATUS FltObjectReference(void* object) {
  FLT_ENTER(nt::DISPATCH_LEVEL); return fm().object_reference(object); }
KSIM_API NTSTATUS FltGetVolumeName(PFLT_VOLUME volume, UNICODE_STRING* name, ULONG* needed) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().volume_name(reinterpret_cast<Volume*>(volume), name, needed);
}
KSIM_API NTSTATUS FltQueryDirectoryFile(PFLT_INSTANCE instance, PFILE_OBJECT file, void* buffer, ULONG length,
                                        ULONG info_class, BOOLEAN single, UNICODE_STRING* file_name, BOOLEAN restart,
                                        ULONG* returned) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  if (file_name != nullptr) return status::kNotSupported;  // name filters: not modelled
  return fm().query_directory(as_instance(instance), sim_file(file, "FltQueryDirectoryFile"), buffer, length,
                              info_class, single != 0, restart != 0, returned);
}

KSIM_API ULONG FltGetRequestorProcessId(PFLT_CALLBACK_DATA data) {
  FLT_ENTER(nt::DISPATCH_LEVEL);
  return static_cast<ULONG>(fm().requestor_process(data));
}
KSIM_API void FltSetCallbackDataDirty(PFLT_CALLBACK_DATA data) {
  FLT_ENTER(nt::DISPATCH_LEVEL); fm().set_dirty(data); }
KSIM_API NTSTATUS FltGetEcpListFromCallbackData(PFLT_FILTER filter, PFLT_CALLBACK_DATA data, void** list) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)filter;
  return fm().ecp_list(data, list);
}
KSIM_API NTSTATUS FltFindExtraCreateParameter(PFLT_FILTER filter, void* list, const Guid* type, void** context,
                                              ULONG* size) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)filter;
  return fm().find_ecp(list, type, context, size);
}
KSIM_API BOOLEAN FltIsEcpFromUserMode(PFLT_FILTER filter, void* context) {
  FLT_ENTER(nt::APC_LEVEL);
  (void)filter;
  return fm().ecp_from_user_mode(context) ? TRUE : FALSE;
}

KSIM_API NTSTATUS FltBuildDefaultSecurityDescriptor(void** descriptor, ULONG access) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  return fm().build_security_descriptor(descriptor, access);
}
KSIM_API void FltFreeSecurityDescriptor(void* descriptor) {
  FLT_ENTER(nt::APC_LEVEL); fm().free_security_descriptor(descriptor); }
KSIM_API NTSTATUS FltCreateCommunicationPort(PFLT_FILTER filter, PFLT_PORT* port, ObjectAttributes* attributes,
                                             void* cookie, ConnectNotify connect, DisconnectNotify disconnect,
                                             MessageNotify message, LONG max) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  return fm().create_port(as_filter(filter), port, attributes, cookie, connect, disconnect, message, max);
}
KSIM_API void FltCloseCommunicationPort(PFLT_PORT port) {
  FLT_ENTER(nt::PASSIVE_LEVEL); fm().close_port(port); }
KSIM_API void FltCloseClientPort(PFLT_FILTER filter, PFLT_PORT* client) {
  FLT_ENTER(nt::PASSIVE_LEVEL);
  fm().close_client_port(as_filter(filter), client);
}
KSIM_API NTSTATUS FltSendMessage(PFLT_FILTER filter, PFLT_PORT* client, void* buffer, ULONG length, void* reply,
                                 ULONG* reply_length, LARGE_INTEGER* timeout) {
  FLT_ENTER(nt::APC_LEVEL);
  return fm().send_message(as_filter(filter), client, buffer, length, reply, reply_length, timeout);
}

KSIM_API void FltInitializePushLock(ULONG_PTR* lock) {
  FLT_ENTER(nt::DISPATCH_LEVEL); fm().push_lock_initialize(lock); }
KSIM_API void FltDeletePushLock(ULONG_PTR* lock) {
  FLT_ENTER(nt::APC_LEVEL); fm().push_lock_delete(lock); }
KSIM_API void FltAcquirePushLockExclusive(ULONG_PTR* lock) {
  FLT_ENTER(nt::APC_LEVEL); fm().push_lock_acquire(lock, true); }
KSIM_API void FltAcquirePushLockShared(ULONG_PTR* lock) {
  FLT_ENTER(nt::APC_LEVEL); fm().push_lock_acquire(lock, false); }
KSIM_API void FltReleasePushLock(ULONG_PTR* lock) {
  FLT_ENTER(nt::APC_LEVEL); fm().push_lock_release(lock); }

#define KSIM_FLT(name) {"fltmgr.sys", #name, reinterpret_cast<void*>(&name), false}
const Export kFltMgrExports[] = {
    KSIM_FLT(FltRegisterFilter),
    KSIM_FLT(FltStartFiltering),
    KSIM_FLT(FltUnregisterFilter),
    KSIM_FLT(FltAllocateContext),
    KSIM_FLT(FltReferenceContext),
    KSIM_FLT(FltReleaseContext),
    KSIM_FLT(FltDeleteContext),
    KSIM_FLT(FltSetStreamContext),
    KSIM_FLT(FltGetStreamContext),
    KSIM_FLT(FltSetStreamHandleContext),
    KSIM_FLT(FltGetStreamHandleContext),
    KSIM_FLT(FltGetFileNameInformation),
    KSIM_FLT(FltGetFileNameInformationUnsafe),
    KSIM_FLT(FltGetDestinationFileNameInformation),
    KSIM_FLT(FltParseFileNameInformation),
    KSIM_FLT(FltReferenceFileNameInformation),
    KSIM_FLT(FltReleaseFileNameInformation),
    KSIM_FLT(FltCreateFileEx2),
    KSIM_FLT(FltClose),
    KSIM_FLT(FltReadFile),
    KSIM_FLT(FltWriteFile),
    KSIM_FLT(FltQueryInformationFile),
    KSIM_FLT(FltSetInformationFile),
    KSIM_FLT(FltQueryVolumeInformation),
    KSIM_FLT(FltIsDirectory),
    KSIM_FLT(FltGetVolumeFromName),
    KSIM_FLT(FltGetVolumeInstanceFromName),
    KSIM_FLT(FltObjectDereference),
    KSIM_FLT(FltObjectReference),
    KSIM_FLT(FltGetVolumeName),
    KSIM_FLT(FltQueryDirectoryFile),
    KSIM_FLT(FltGetRequestorProcessId),
    KSIM_FLT(FltSetCallbackDataDirty),
    KSIM_FLT(FltGetEcpListFromCallbackData),
    KSIM_FLT(FltFindExtraCreateParameter),
    KSIM_FLT(FltIsEcpFromUserMode),
    KSIM_FLT(FltBuildDefaultSecurityDescriptor),
    KSIM_FLT(FltFreeSecurityDescriptor),
    KSIM_FLT(FltCreateCommunicationPort),
    KSIM_FLT(FltCloseCommunicationPort),
    KSIM_FLT(FltCloseClientPort),
    KSIM_FLT(FltSendMessage),
    KSIM_FLT(FltInitializePushLock),
    KSIM_FLT(FltDeletePushLock),
    KSIM_FLT(FltAcquirePushLockExclusive),
    KSIM_FLT(FltAcquirePushLockShared),
    KSIM_FLT(FltReleasePushLock),
};
#undef KSIM_FLT

const ExportTable kRegistered(kFltMgrExports);

}  // namespace
}  // namespace ksim::flt
