// The Filter Manager callbacks that feed the backup engine, one file per operation:
//   driver/callbacks/create.cpp           IRP_MJ_CREATE pre + post
//   driver/callbacks/write.cpp            IRP_MJ_WRITE pre
//   driver/callbacks/set_information.cpp  IRP_MJ_SET_INFORMATION pre + post (renames of tracked files)
//   driver/callbacks/section.cpp          IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION pre
//   driver/callbacks/fsctl.cpp            IRP_MJ_FILE_SYSTEM_CONTROL pre
//   driver/callbacks/cleanup.cpp          IRP_MJ_CLEANUP pre (synchronize) + post
// driver/callbacks/operations.cpp lists them in kOperationCallbacks (below), which
// driver/registration.cpp hands to Filter Manager. Each one translates (driver/callbacks/translate.h), asks the engine, and maps
// the answer; none ever fails or completes the user's operation: every error path lets it go
// down (FLT_PREOP_SUCCESS_NO_CALLBACK) and traces why.
#pragma once

#include "driver/runtime/engine_seam.h"
#include "common/base/fb_base.h"
#include "driver/nt/flt_kernel.h"

namespace fbk {

// Pre/post operation callbacks and their flags, ending with { IRP_MJ_OPERATION_END }
// (driver/callbacks/operations.cpp).
extern const FLT_OPERATION_REGISTRATION kOperationCallbacks[];

}  // namespace fbk

namespace fbk::callbacks {

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_create(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                            PVOID* completion_context);
FLT_POSTOP_CALLBACK_STATUS FLTAPI post_create(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                              PVOID completion_context, FLT_POST_OPERATION_FLAGS flags);
FLT_PREOP_CALLBACK_STATUS FLTAPI pre_write(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                           PVOID* completion_context);
FLT_PREOP_CALLBACK_STATUS FLTAPI pre_set_information(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                     PVOID* completion_context);
FLT_POSTOP_CALLBACK_STATUS FLTAPI post_set_information(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                       PVOID completion_context, FLT_POST_OPERATION_FLAGS flags);
FLT_PREOP_CALLBACK_STATUS FLTAPI pre_acquire_for_section(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                         PVOID* completion_context);
FLT_PREOP_CALLBACK_STATUS FLTAPI pre_fsctl(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                           PVOID* completion_context);
FLT_PREOP_CALLBACK_STATUS FLTAPI pre_cleanup(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                             PVOID* completion_context);
FLT_POSTOP_CALLBACK_STATUS FLTAPI post_cleanup(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                               PVOID completion_context, FLT_POST_OPERATION_FLAGS flags);

// Whether this thread may do backup I/O and name queries now: PASSIVE_LEVEL (Flt file I/O and
// the KMUTEX wait need it) and no top-level IRP (set while a file system is inside its own
// dispatch, e.g. when the cache manager creates a section for our own read: I/O from there
// could deadlock on locks the file system already holds, or recurse into our backup).
inline bool backup_io_allowed() { return KeGetCurrentIrql() == PASSIVE_LEVEL && IoGetTopLevelIrp() == nullptr; }

// The normalized name Filter Manager returned, as the engine's string view.
inline fb::Str16 as_str16(const UNICODE_STRING& name) {
  return fb::Str16(reinterpret_cast<const char16_t*>(name.Buffer), name.Length / sizeof(WCHAR));
}

// FltGetFileNameInformation / FltGetDestinationFileNameInformation options everywhere.
constexpr FLT_FILE_NAME_OPTIONS kNameOptions = FLT_FILE_NAME_NORMALIZED | FLT_FILE_NAME_QUERY_DEFAULT;
// Pre-create's first ask (fb::opened_name_needs_normalizing says when kNameOptions must follow).
constexpr FLT_FILE_NAME_OPTIONS kOpenedNameOptions = FLT_FILE_NAME_OPENED | FLT_FILE_NAME_QUERY_DEFAULT;

inline uint64_t requestor_process(PFLT_CALLBACK_DATA data) { return FltGetRequestorProcessId(data); }

// A name query that failed for want of memory is asked once more, at once (fb::worth_one_retry,
// common/engine/file_system.h): without the name the engine can neither rescue (S4) nor adopt
// (S5), and the overwrite or rename then takes the earlier versions.
inline NTSTATUS file_name_with_retry(PFLT_CALLBACK_DATA data, FLT_FILE_NAME_OPTIONS options,
                                     PFLT_FILE_NAME_INFORMATION* out) {
  const NTSTATUS status = FltGetFileNameInformation(data, options, out);
  return fb::worth_one_retry(static_cast<fb::NtStatus>(status)) ? FltGetFileNameInformation(data, options, out)
                                                                 : status;
}

// Whether the requestor is connected to \FileBackupPort (driver/runtime/engine_seam.h). A fact for the
// descriptors' from_own_client: the engine decides what it means (it leaves fbmon's restore alone).
inline bool from_own_client(uint64_t process_id) { return runtime::is_monitor_process(process_id); }

}  // namespace fbk::callbacks
