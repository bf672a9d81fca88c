// IRP_MJ_FILE_SYSTEM_CONTROL: the FSCTLs that change a file's data without IRP_MJ_WRITE
// (FSCTL_SET_ZERO_DATA, FSCTL_WRITE_RAW_ENCRYPTED, FSCTL_OFFLOAD_WRITE,
// FSCTL_DUPLICATE_EXTENTS_TO_FILE; the engine's list) decide a tracked stream's session.
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_fsctl(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                           PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  fb::FsctlOp op;
  if (!translate::fsctl_op(*data, 0, &op) || !fb::fsctl_modifies(op.control_code))
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  StreamContextRef stream = contexts::stream(objects);
  if (!stream || !fb::Engine::needs_decision(stream->state)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  op.process_id = requestor_process(data);
  op.from_own_client = from_own_client(op.process_id);
  if (!backup_io_allowed()) {  // no backup possible: the engine ends the session's decision
    FB_TRACE("pre-fsctl: 0x%08lx not observable", static_cast<ULONG>(op.control_code));
    engine->modification_unobserved(&stream->state, nullptr, fb::Trigger::kOther, op.process_id, op.from_own_client);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  FB_TRACE("pre-fsctl: 0x%08lx modifies a tracked stream", static_cast<ULONG>(op.control_code));
  engine->pre_fsctl(op, &stream->state, handle ? &handle->state : nullptr);
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

}  // namespace fbk::callbacks
