// IRP_MJ_ACQUIRE_FOR_SECTION_SYNCHRONIZATION: the earliest point a memory-mapped edit (S8) can
// be seen. Its writes arrive later as paging I/O on any thread, where no backup is possible,
// so a writable section on a tracked stream decides the session here.
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_acquire_for_section(PFLT_CALLBACK_DATA data, PCFLT_RELATED_OBJECTS objects,
                                                         PVOID* completion_context) {
  *completion_context = nullptr;
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  fb::SectionOp op = translate::section_op(*data, requestor_process(data));
  if (!fb::section_can_write(op)) return FLT_PREOP_SUCCESS_NO_CALLBACK;  // engine's cheap check first
  StreamContextRef stream = contexts::stream(objects);
  if (!stream || !fb::Engine::needs_decision(stream->state)) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  op.from_own_client = from_own_client(op.process_id);
  // The cache manager creates sections from inside the file system (top-level IRP set),
  // including for the backup's own reads: never decide from there.
  if (!backup_io_allowed()) {  // no backup possible: the engine ends the session's decision
    FB_TRACE("pre-acquire-for-section: writable section not observable");
    engine->modification_unobserved(&stream->state, nullptr, fb::Trigger::kMappedSection, op.process_id,
                                    op.from_own_client);
    return FLT_PREOP_SUCCESS_NO_CALLBACK;
  }
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  FB_TRACE("pre-acquire-for-section: writable section (protection 0x%lx) on a tracked stream",
           static_cast<ULONG>(op.page_protection));
  engine->pre_acquire_for_section(op, &stream->state, handle ? &handle->state : nullptr);
  return FLT_PREOP_SUCCESS_NO_CALLBACK;
}

}  // namespace fbk::callbacks
