// IRP_MJ_SET_INFORMATION (the lazy writer's paging end-of-file never reaches us:
// FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO). End of file, allocation and valid data length
// on a tracked stream decide the session (S3); a rename or link with ReplaceIfExists onto a
// protected file keeps the target's versions (S5, S7); a delete of a protected file reports its
// backups lost (S6). Names are queried only when the engine's cheap checks ask for them.
// A rename of a tracked file is synchronized: its post-operation gives the engine the file's
// new name, which replaces the one in the stream context (contexts::rename_stream).
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/raii.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {
namespace {

// The InfoBuffer offsets driver/callbacks/translate.h reads, checked against the kernel's own structures.
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

// The names the engine's name-based step needs: the file's own and, for rename/link, the
// destination. A failed query's status is returned (traced); the destination is asked for even
// when the file's own name failed, so the engine can name the file it could not protect. The
// file's name is queried even when tracked: the stream context's copy may only be read under
// the file's lock (a rename replaces it). STATUS_SUCCESS with an empty destination: the
// rename's buffer held no name to ask about.
NTSTATUS query_names(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects, const fb::SetInfoOp& op,
                     FileNameInfo* source_info, FileNameInfo* destination_info, fb::Str16* source,
                     fb::Str16* destination) {
  NTSTATUS result = file_name_with_retry(data, kNameOptions, source_info->put());
  if (NT_SUCCESS(result)) *source = as_str16((*source_info)->Name);
  else FB_TRACE("pre-set-information: no name (0x%08lx)", static_cast<ULONG>(result));
  if (!is_rename_or_link(op.info_class)) return result;
  translate::DestinationName target;
  if (!translate::destination_name(*data, &target)) return result;
  NTSTATUS status = FltGetDestinationFileNameInformation(
      objects->Instance, objects->FileObject, target.root_directory, const_cast<PWSTR>(target.name),
      target.name_bytes, kNameOptions, destination_info->put());
  if (fb::worth_one_retry(static_cast<fb::NtStatus>(status)))  // once more: see file_name_with_retry
    status = FltGetDestinationFileNameInformation(objects->Instance, objects->FileObject, target.root_directory,
                                                  const_cast<PWSTR>(target.name), target.name_bytes, kNameOptions,
                                                  destination_info->put());
  if (NT_SUCCESS(status)) {
    *destination = as_str16((*destination_info)->Name);
  } else {
    FB_TRACE("pre-set-information: no destination name (0x%08lx)", static_cast<ULONG>(status));
    if (NT_SUCCESS(result)) result = status;
  }
  return result;
}

}  // namespace

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_set_information(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                     PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  fb::SetInfoOp op;
  if (!translate::set_information_op(*data, requestor_process(data), &op)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  op.from_own_client = from_own_client(op.process_id);
  StreamContextRef stream = contexts::stream(objects);
  const bool tracked = static_cast<bool>(stream);
  const fb::Precheck precheck = fb::Engine::set_information_precheck(op, tracked);
  const bool post_rename = fb::Engine::rename_changes_name(op, tracked);
  if (precheck == fb::Precheck::kIgnore && !post_rename) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  if (!backup_io_allowed()) {
    // No name query and no KMUTEX wait here, nor in a post-operation of this thread. A rename of
    // a tracked file that cannot be followed leaves its name unknown: the engine stops using it.
    FB_TRACE("pre-set-information: class %lu skipped, not at PASSIVE_LEVEL or inside a file system call%s",
             static_cast<ULONG>(op.info_class), post_rename ? " (the tracked name is forgotten)" : "");
    if (post_rename) engine->name_unknown(&stream->state);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  const FLT_PREOP_CALLBACK_STATUS answer = translate::pre_set_information_status(post_rename);
  // fbmon's own renames still rename a tracked file (post_rename); the engine ignores the rest.
  if (precheck == fb::Precheck::kIgnore) return answer;

  FileNameInfo source_info, destination_info;
  fb::Str16 source, destination;
  const NTSTATUS names = precheck == fb::Precheck::kNeedName
                             ? query_names(data, objects, op, &source_info, &destination_info, &source, &destination)
                             : STATUS_SUCCESS;
  const runtime::SettingsRef settings = runtime::acquire_settings();
  if (!settings) return answer;
  if (!NT_SUCCESS(names)) {  // the engine says what could not be protected
    engine->set_information_not_followed(op, destination, names, *settings->rules);
    return answer;
  }
  // A delete is watched on the stream context until it happens (or not): attach one if the
  // engine wants it and the file has none yet.
  fb::Str16 delete_path;
  if (!stream && engine->delete_needs_context(op, source, *settings->rules, &delete_path))
    stream = contexts::attach_stream(objects, delete_path);
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  FB_TRACE("pre-set-information: class %lu (%s) handed to the engine", static_cast<ULONG>(op.info_class),
           precheck == fb::Precheck::kNeedName ? "by name" : "tracked stream");
  engine->pre_set_information(op, stream ? &stream->state : nullptr, handle ? &handle->state : nullptr, source,
                              destination, *settings->rules);
  return answer;
}

// Only renames of tracked files come here (FLT_PREOP_SYNCHRONIZE: this thread, PASSIVE_LEVEL).
// On a local file system the name queried now is the new one (network redirectors may still
// answer the old name; FileBackup protects local NTFS volumes).
FLT_POSTOP_CALLBACK_STATUS FLTAPI post_set_information(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                       PVOID completion_context, FLT_POST_OPERATION_FLAGS flags) {
  (void)completion_context;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr || (flags & FLTFL_POST_OPERATION_DRAINING) != 0) return FLT_POSTOP_FINISHED_PROCESSING;
  StreamContextRef stream = contexts::stream(objects);
  if (!stream) return FLT_POSTOP_FINISHED_PROCESSING;
  const runtime::SettingsRef settings = runtime::acquire_settings();
  if (!settings) return FLT_POSTOP_FINISHED_PROCESSING;

  const NTSTATUS rename_status = data->IoStatus.Status;
  FileNameInfo name;
  fb::Str16 new_name;  // empty when the query fails: the engine then excludes the file
  if (NT_SUCCESS(rename_status)) {
    const NTSTATUS status = file_name_with_retry(data, kNameOptions, name.put());
    if (NT_SUCCESS(status))
      new_name = as_str16(name->Name);
    else
      FB_TRACE("post-rename: no new name (0x%08lx)", static_cast<ULONG>(status));
  }
  const fb::RenameDecision decision = engine->post_rename(rename_status, new_name, *settings->rules);
  if (decision.action == fb::RenameAction::kNone) return FLT_POSTOP_FINISHED_PROCESSING;
  contexts::rename_stream(stream.get(), decision);
  const char* protection =
      decision.action == fb::RenameAction::kAdoptName && decision.protected_file ? "protected" : "not protected";
  if (name)
    FB_TRACE("post-rename: tracked file now %wZ (%s)", &name->Name, protection);
  else
    FB_TRACE("post-rename: tracked file renamed (%s)", protection);
  return FLT_POSTOP_FINISHED_PROCESSING;
}

}  // namespace fbk::callbacks
