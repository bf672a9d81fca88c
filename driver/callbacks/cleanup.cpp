// IRP_MJ_CLEANUP: the last user handle of a file object is closed. A tracked handle stops
// counting as a writer; the session ends with the stream's last writer. Pre-cleanup only
// synchronizes tracked handles, so post-cleanup (which takes the file's KMUTEX) runs at
// PASSIVE_LEVEL in the closing thread; every other cleanup gets no post callback at all.
// The stream context itself lives on until Filter Manager frees it with the stream.
#include "driver/callbacks/callbacks.h"
#include "driver/callbacks/contexts.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/trace.h"
#include "driver/callbacks/translate.h"

namespace fbk::callbacks {

FLT_PREOP_CALLBACK_STATUS FLTAPI pre_cleanup(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS objects,
                                             PVOID* completion_context) {
  *completion_context = nullptr;
  if (runtime::engine() == nullptr) return FLT_PREOP_SUCCESS_NO_CALLBACK;
  const StreamHandleContextRef handle = contexts::stream_handle(objects);
  return translate::pre_cleanup_status(static_cast<bool>(handle));
}

FLT_POSTOP_CALLBACK_STATUS FLTAPI post_cleanup(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS objects, PVOID,
                                               FLT_POST_OPERATION_FLAGS flags) {
  fb::Engine* engine = runtime::engine();
  // Draining: the instance is going away and takes the contexts with it.
  if (engine == nullptr || (flags & FLTFL_POST_OPERATION_DRAINING) != 0) return FLT_POSTOP_FINISHED_PROCESSING;
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  StreamContextRef stream = contexts::stream(objects);
  if (!handle || !stream) return FLT_POSTOP_FINISHED_PROCESSING;
  engine->post_cleanup(&stream->state, &handle->state);
  FB_TRACE("post-cleanup: tracked handle closed, %lu writer(s) left", static_cast<ULONG>(stream->state.writer_count));
  return FLT_POSTOP_FINISHED_PROCESSING;
}

}  // namespace fbk::callbacks
