// IRP_MJ_CLEANUP: the last user handle of a file object is closed. A tracked handle stops
// counting as a writer; the session ends with the stream's last writer. A stream whose delete
// the engine watches (Engine::watching_delete) learns here whether the delete happened: NTFS
// deletes a delete-pending file in the cleanup of its last handle, after which a query on the
// file object answers STATUS_FILE_DELETED (the technique of Microsoft's delete-detection
// minifilter sample). Pre-cleanup synchronizes only those two kinds, so post-cleanup (which
// takes the file's KMUTEX) runs at PASSIVE_LEVEL in the closing thread; every other cleanup
// gets no post callback at all. The stream context itself lives on until Filter Manager frees
// it with the stream.
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
  if (handle) return translate::pre_cleanup_status(true);
  const StreamContextRef stream = contexts::stream(objects);
  return translate::pre_cleanup_status(stream && fb::Engine::watching_delete(stream->state));
}

namespace {

// Post-cleanup: whether this cleanup deleted the file (or an earlier one did).
bool file_deleted(PCFLT_RELATED_OBJECTS objects) {
  FILE_STANDARD_INFORMATION info;
  const NTSTATUS status =
      FltQueryInformationFile(objects->Instance, objects->FileObject, &info, sizeof(info), FileStandardInformation, nullptr);
  return status == STATUS_FILE_DELETED;
}

}  // namespace

FLT_POSTOP_CALLBACK_STATUS FLTAPI post_cleanup(PFLT_CALLBACK_DATA, PCFLT_RELATED_OBJECTS objects, PVOID,
                                               FLT_POST_OPERATION_FLAGS flags) {
  fb::Engine* engine = runtime::engine();
  // Draining: the instance is going away and takes the contexts with it.
  if (engine == nullptr || (flags & FLTFL_POST_OPERATION_DRAINING) != 0) return FLT_POSTOP_FINISHED_PROCESSING;
  StreamHandleContextRef handle = contexts::stream_handle(objects);
  StreamContextRef stream = contexts::stream(objects);
  if (!stream) return FLT_POSTOP_FINISHED_PROCESSING;
  if (fb::Engine::watching_delete(stream->state)) {
    fb::IoTarget target;
    target.value = objects->Instance;  // the vault's I/O goes to the cleanup's instance
    engine->stream_cleaned_up(&stream->state, file_deleted(objects), target);
  }
  if (!handle) return FLT_POSTOP_FINISHED_PROCESSING;
  engine->post_cleanup(&stream->state, &handle->state);
  FB_TRACE("post-cleanup: tracked handle closed, %lu writer(s) left", static_cast<ULONG>(stream->state.writer_count));
  return FLT_POSTOP_FINISHED_PROCESSING;
}

}  // namespace fbk::callbacks
