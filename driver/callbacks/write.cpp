// IRP_MJ_WRITE (paging I/O never reaches us: FLTFL_OPERATION_REGISTRATION_SKIP_PAGING_IO).
// A write on a tracked stream whose session is still undecided makes the engine decide (S1, S2,
// and the first write after S3/S4 when those did not decide already). Every later write of the
// session costs one context lookup and one load.
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_write(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                           PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  StreamContextRef stream = contexts::stream(objects);
  if (!stream || !fb::Engine::needs_decision(stream->state)) return FLT_PREOP_SUCCESS_NO_CALLBACK;

  // The session's decision is pending. Fast I/O cannot wait for a backup: send it back as an IRP.
  const bool fast_io = translate::is_fast_io(*data);
  if (fast_io) return translate::pre_write_status(fast_io, true);
  fb::WriteOp op = translate::write_op(*data, requestor_process(data));
  op.from_own_client = from_own_client(op.process_id);
  if (!backup_io_allowed()) {  // no backup possible: the engine ends the session's decision
    FB_TRACE("pre-write: not observable (irql %u, top-level IRP %u)", static_cast<unsigned>(KeGetCurrentIrql()),
             IoGetTopLevelIrp() != nullptr ? 1u : 0u);
    StreamHandleContextRef handle;
    if (KeGetCurrentIrql() <= APC_LEVEL) handle = contexts::stream_handle(objects);
    engine->modification_unobserved(&stream->state, handle ? &handle->state : nullptr, fb::Trigger::kWrite,
                                    op.process_id, op.from_own_client);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  engine->pre_write(op, &stream->state, handle ? &handle->state : nullptr);
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

}  // namespace fbk::callbacks
