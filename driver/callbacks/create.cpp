// IRP_MJ_CREATE. Pre-create runs the engine's cheap checks on the parameters, then (for opens
// that can modify a file) queries the opened name (normalized only when it may hold a short
// name) and lets the engine classify it; for
// overwriting dispositions the engine saves the content before the create goes down (S4).
// Post-create attaches the stream context (FileState + KMUTEX + the name) and the stream handle
// context (HandleState) of a tracked open and hands both to the engine. Opens by file id have no
// name before the create: the engine asks for the opened file object's name in post-create.
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/pool.h"
#include "driver/nt/raii.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {
namespace {

// GUID_ECP_PREFETCH_OPEN: the prefetcher's opens, which must not be delayed (deadlock risk).
constexpr GUID kPrefetchOpenEcp = {0xe1777b21, 0x847e, 0x4837, {0xaa, 0x45, 0x64, 0x16, 0x1d, 0x28, 0x06, 0x55}};

// Pre-create to post-create: the engine's CreateTicket, the descriptor it was made from, and a
// reference on the queried name, which file_path points into.
struct CreateCompletion {
  fb::CreateOp op;
  fb::CreateTicket ticket;
  FileNameInfo name;
  fb::Str16 file_path;
  bool name_after_create = false;  // Precheck::kNeedOpenedName: name and file_path come in post
  NTSTATUS name_status = STATUS_SUCCESS;  // the pre-create name query failed with this: ask again in post
};

// The completion context, its allocation tried once more when it fails (fb::worth_one_retry):
// without it a rescue made in pre-create could not be put back in post-create.
CreateCompletion* new_completion() {
  auto* completion = new (pool::kGeneral) CreateCompletion();
  if (completion == nullptr) completion = new (pool::kGeneral) CreateCompletion();
  return completion;
}

// An open of the volume itself: no name and no related file object.
bool is_volume_open(PCFLT_RELATED_OBJECTS objects) {
  const PFILE_OBJECT file = objects->FileObject;
  return file->FileName.Length == 0 && file->RelatedFileObject == nullptr;
}

bool is_prefetcher_open(PFLT_CALLBACK_DATA data, PFLT_FILTER filter) {
  PECP_LIST ecps = nullptr;
  if (!NT_SUCCESS(FltGetEcpListFromCallbackData(filter, data, &ecps)) || ecps == nullptr) return false;
  PVOID ecp = nullptr;
  if (!NT_SUCCESS(FltFindExtraCreateParameter(filter, ecps, &kPrefetchOpenEcp, &ecp, nullptr))) return false;
  return !FltIsEcpFromUserMode(filter, ecp);  // only the kernel's prefetcher counts
}

// Post-create of an open by file id: the opened file object's name (post-create runs at
// PASSIVE_LEVEL) and the engine's decision on it. false: nothing to do (failed create,
// draining, or the name query failed: traced).
bool opened_name(PFLT_CALLBACK_DATA data, fb::Engine& engine, CreateCompletion* completion,
                 const fb::CreateResult& result, fb::PostCreateAction* action) {
  if (!NT_SUCCESS(result.status) || result.reparsed || result.draining || result.is_directory) return false;
  const NTSTATUS status = file_name_with_retry(data, kNameOptions, completion->name.put());
  const bool late = completion->name_status != STATUS_SUCCESS;  // pre-create had no name
  if (!NT_SUCCESS(status)) {
    FB_TRACE("post-create: no name for an open by id or unnamed in pre-create (0x%08lx)", static_cast<ULONG>(status));
    if (!late) return false;
    completion->name.reset();
  }
  const runtime::SettingsRef settings = runtime::acquire_settings();
  if (!settings) return false;
  const fb::Str16 name = completion->name ? as_str16(completion->name->Name) : fb::Str16();
  const fb::OpenedDecision decision =
      late ? engine.post_create_name_late(completion->op, result, name, completion->name_status, *settings->rules)
           : engine.post_create_opened(completion->op, result, name, *settings->rules);
  completion->file_path = decision.file_path;
  *action = decision.action;
  return true;
}

// The name the engine classifies: the opened name (built from the create's file name and, for a
// relative open, its related file object's name, without the directory queries that
// normalizing costs), or the normalized one when the engine says the opened one may hold a
// short name. false: no name (traced).
NTSTATUS query_create_name(PFLT_CALLBACK_DATA data, FileNameInfo* name) {
  NTSTATUS status = file_name_with_retry(data, kOpenedNameOptions, name->put());
  if (NT_SUCCESS(status) && fb::opened_name_needs_normalizing(as_str16((*name)->Name)))
    status = file_name_with_retry(data, kNameOptions, name->put());
  if (!NT_SUCCESS(status)) {
    // A create of a path whose parent does not exist lands here too: it will fail below us.
    FB_TRACE("pre-create: no name (0x%08lx)", static_cast<ULONG>(status));
  }
  return status;
}

}  // namespace

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_create(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                            PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;

  translate::CreateFacts facts;
  facts.volume_open = is_volume_open(objects);
  facts.process_id = requestor_process(data);
  fb::CreateOp op = translate::create_op(*data, facts);
  fb::Precheck precheck = fb::Engine::create_precheck(op);
  if (precheck == fb::Precheck::kIgnore) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  // The scan of the port's clients and the ECP list walk only for the opens that passed every
  // cheaper check (most opens are read-only or the kernel's own): both are reasons to ignore
  // the open, so asking them last changes no decision, only what an ignored open costs.
  facts.from_own_client = from_own_client(facts.process_id);
  facts.prefetcher_open = is_prefetcher_open(data, objects->Filter);
  if (facts.from_own_client || facts.prefetcher_open) {
    op = translate::create_op(*data, facts);
    precheck = fb::Engine::create_precheck(op);
    if (precheck == fb::Precheck::kIgnore) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  if (!backup_io_allowed()) {
    FB_TRACE("pre-create: nested create skipped (irql %u)", static_cast<unsigned>(KeGetCurrentIrql()));
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  if (precheck == fb::Precheck::kNeedOpenedName) {  // by file id: no name until the file is open
    auto* completion = new_completion();
    if (completion == nullptr) {
      FB_TRACE_ERROR("pre-create: no memory for the completion context of an open by id");
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    completion->op = op;
    completion->name_after_create = true;
    *completion_context = completion;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }

  FileNameInfo name;
  const NTSTATUS name_status = query_create_name(data, &name);
  if (!NT_SUCCESS(name_status)) {  // the engine decides in post-create, on the opened file's name
    auto* completion = new_completion();
    if (completion == nullptr) {
      FB_TRACE_ERROR("pre-create: no name and no memory for a completion context");
      return FLT_PREOP_SUCCESS_NO_CALLBACK;
    }
    completion->op = op;
    completion->name_after_create = true;
    completion->name_status = name_status;
    *completion_context = completion;
    return FLT_PREOP_SUCCESS_WITH_CALLBACK;
  }
  const runtime::SettingsRef settings = runtime::acquire_settings();
  if (!settings) return FLT_PREOP_SUCCESS_NO_CALLBACK;

  auto* completion = new_completion();
  if (completion == nullptr) {
    FB_TRACE_ERROR("pre-create: no memory for the completion context of %wZ", &name->Name);
    engine->create_not_followed(op, as_str16(name->Name), *settings->rules, STATUS_INSUFFICIENT_RESOURCES);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  const fb::PreCreateDecision decision = engine->pre_create(op, as_str16(name->Name), *settings->rules, &completion->ticket);
  const FLT_PREOP_CALLBACK_STATUS answer = translate::pre_create_status(decision.action);
  if (answer != FLT_PREOP_SUCCESS_WITH_CALLBACK) {
    delete completion;
    return answer;
  }
  FB_TRACE("pre-create: tracking %wZ (access 0x%lx, disposition %u, rescue %u)", &name->Name,
           static_cast<ULONG>(op.desired_access), static_cast<unsigned>(op.disposition),
           static_cast<unsigned>(completion->ticket.rescue_active));
  completion->op = op;
  completion->file_path = decision.file_path;
  completion->name = move(name);
  *completion_context = completion;
  return answer;
}

FLT_POSTOP_CALLBACK_STATUS FLTAPI post_create(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                              PVOID completion_context, FLT_POST_OPERATION_FLAGS flags) {
  auto* completion = static_cast<CreateCompletion*>(completion_context);
  if (completion == nullptr) return FLT_POSTOP_FINISHED_PROCESSING;
  auto free_completion = on_scope_exit([completion] { delete completion; });  // on every path
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_POSTOP_FINISHED_PROCESSING;

  // A failed, reparsed (STATUS_REPARSE: nothing opened, the create is reissued) or draining
  // create gets no call on its file object: no FltIsDirectory, no name, no context.
  fb::CreateResult result = translate::create_result(*data, false, flags);
  const bool file_opened = NT_SUCCESS(result.status) && !result.reparsed && !result.draining;
  if (file_opened && fb::Engine::needs_directory_fact(completion->op)) {
    BOOLEAN is_directory = FALSE;
    if (!NT_SUCCESS(FltIsDirectory(objects->FileObject, objects->Instance, &is_directory))) is_directory = FALSE;
    result = translate::create_result(*data, is_directory != FALSE, flags);
  }
  fb::PostCreateAction action = fb::PostCreateAction::kNone;
  if (completion->name_after_create) {
    if (!opened_name(data, *engine, completion, result, &action)) return FLT_POSTOP_FINISHED_PROCESSING;
  } else {
    action = engine->post_create(completion->op, result, completion->file_path, &completion->ticket);
  }
  if (action != fb::PostCreateAction::kTrack) return FLT_POSTOP_FINISHED_PROCESSING;

  // Context allocation may fail: the engine still finishes an S4 rescue with null state.
  StreamContextRef stream = contexts::attach_stream(objects, completion->file_path);
  StreamHandleContextRef handle;
  if (stream) handle = contexts::attach_stream_handle(objects);
  engine->attach_writer(stream ? &stream->state : nullptr, handle ? &handle->state : nullptr, completion->op,
                        completion->file_path, completion->name_after_create ? nullptr : &completion->ticket);
  FB_TRACE("post-create: writer attached to %wZ (status 0x%08lx, information %llu, contexts %u/%u)",
           &completion->name->Name, static_cast<ULONG>(data->IoStatus.Status),
           static_cast<unsigned long long>(data->IoStatus.Information), stream ? 1u : 0u, handle ? 1u : 0u);
  return FLT_POSTOP_FINISHED_PROCESSING;
}

}  // namespace fbk::callbacks
