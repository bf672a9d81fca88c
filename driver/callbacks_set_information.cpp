// IRP_MJ_SET_INFORMATION (the lazy writer's paging end-of-file never reaches us:
// FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO). End of file, allocation and valid data length
// on a tracked stream decide the session (S3); a rename or link with ReplaceIfExists onto a
// protected file keeps the target's versions (S5, S7); a delete of a protected file reports its
// backups lost (S6). Names are queried only when the engine's cheap checks ask for them.
#include "callbacks.h"
#include "contexts.h"
#include "engine_host.h"
#include "engine_instance.h"
#include "kernel_raii.h"
#include "trace.h"
#include "translate.h"

namespace fbk::callbacks {
namespace {

// The InfoBuffer offsets translate.h reads, checked against the kernel's own structures.
static_assert(offsetof(FILE_END_OF_FILE_INFORMATION, EndOfFile) == translate::info_layout::kValue, "EOF");
static_assert(offsetof(FILE_ALLOCATION_INFORMATION, AllocationSize) == translate::info_layout::kValue, "allocation");
static_assert(offsetof(FILE_VALID_DATA_LENGTH_INFORMATION, ValidDataLength) == translate::info_layout::kValue, "VDL");
static_assert(offsetof(FILE_DISPOSITION_INFORMATION, DeleteFile) == translate::info_layout::kValue, "disposition");
static_assert(offsetof(FILE_DISPOSITION_INFORMATION_EX, Flags) == translate::info_layout::kValue, "disposition ex");
static_assert(offsetof(FILE_RENAME_INFORMATION, ReplaceIfExists) == translate::info_layout::kValue, "rename");
static_assert(offsetof(FILE_RENAME_INFORMATION, RootDirectory) == translate::info_layout::kRootDirectory, "root");
static_assert(offsetof(FILE_RENAME_INFORMATION, FileNameLength) == translate::info_layout::kFileNameLength, "length");
static_assert(offsetof(FILE_RENAME_INFORMATION, FileName) == translate::info_layout::kFileName, "name");
static_assert(offsetof(FILE_LINK_INFORMATION, FileName) == translate::info_layout::kFileName, "link name");

bool is_rename_or_link(fb::FileInfoClass info_class) {
  return info_class != fb::FileInfoClass::kDisposition && info_class != fb::FileInfoClass::kDispositionEx;
}

// The names the engine's name-based step needs: the file's own (its stream context's copy when
// tracked, else queried) and, for rename/link, the destination. false: a query failed (traced).
bool query_names(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, const fb::SetInfoOp& op,
                 const StreamContext* stream, FileNameInfo* source_info, FileNameInfo* destination_info,
                 fb::Str16* source, fb::Str16* destination) {
  if (stream != nullptr) {
    *source = stream->state.name;
  } else {
    const NTSTATUS status = FltGetFileNameInformation(data, kNameOptions, source_info->put());
    if (!NT_SUCCESS(status)) {
      FB_TRACE("pre-set-information: no name (0x%08lx)", static_cast<ULONG>(status));
      return false;
    }
    *source = as_str16((*source_info)->Name);
  }
  if (!is_rename_or_link(op.info_class)) return true;
  translate::DestinationName target;
  if (!translate::destination_name(*data, &target)) return false;
  const NTSTATUS status = FltGetDestinationFileNameInformation(
      objects->Instance, objects->FileObject, target.root_directory, const_cast<PWSTR>(target.name),
      target.name_bytes, kNameOptions, destination_info->put());
  if (!NT_SUCCESS(status)) {
    FB_TRACE("pre-set-information: no destination name (0x%08lx)", static_cast<ULONG>(status));
    return false;
  }
  *destination = as_str16((*destination_info)->Name);
  return true;
}

}  // namespace

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_set_information(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                     PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = host::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  fb::SetInfoOp op;
  if (!translate::set_information_op(*data, requestor_process(data), &op)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  StreamContextRef stream = contexts::stream(objects);
  const fb::Precheck precheck = fb::Engine::set_information_precheck(op, static_cast<bool>(stream));
  if (precheck == fb::Precheck::kIgnore || from_monitor(op.process_id)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  if (!backup_io_allowed()) {
    FB_TRACE("pre-set-information: class %lu skipped, not at PASSIVE_LEVEL or inside a file system call",
             static_cast<ULONG>(op.info_class));
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }

  FileNameInfo source_info, destination_info;
  fb::Str16 source, destination;
  if (precheck == fb::Precheck::kNeedName &&
      !query_names(data, objects, op, stream.get(), &source_info, &destination_info, &source, &destination))
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  const host::SettingsRef settings = host::acquire_settings();
  if (!settings) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  FB_TRACE("pre-set-information: class %lu (%s) handed to the engine", static_cast<ULONG>(op.info_class),
           precheck == fb::Precheck::kNeedName ? "by name" : "tracked stream");
  engine->pre_set_information(op, stream ? &stream->state : nullptr, handle ? &handle->state : nullptr, source,
                              destination, *settings->rules);
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

}  // namespace fbk::callbacks
