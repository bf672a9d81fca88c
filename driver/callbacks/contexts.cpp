#include "driver/callbacks/contexts.h"

#include "driver/runtime/engine_seam.h"
#include "driver/nt/pool.h"
#include "driver/nt/trace.h"

namespace fbk::contexts {
namespace {

// StreamContext ends in name[1]: the rest of the name follows it (one unit of slack).
size_t stream_context_size(uint32_t name_units) { return sizeof(StreamContext) + name_units * sizeof(char16_t); }

// A name the context does not hold inline came from rename_stream's pool block.
void free_renamed_name(const StreamContext* context, fb::Str16 name) {
  if (name.data != nullptr && name.data != context->name)
    pool::free(const_cast<char16_t*>(name.data), pool::kContext);
}

// A pool copy of `name` for FileState::name (freed by free_renamed_name); empty without memory.
fb::Str16 copy_name(fb::Str16 name) {
  void* block = name.len <= fb::kMaxPathUnits
                    ? pool::allocate(name.len * sizeof(char16_t) + sizeof(char16_t), pool::kContext)
                    : nullptr;
  if (block == nullptr) return fb::Str16();
  __builtin_memcpy(block, name.data, name.len * sizeof(char16_t));
  return fb::Str16(static_cast<const char16_t*>(block), name.len);
}

// The context was found again (N12: it outlives handles): the engine decides whether this open's
// name replaces the one the state holds; a copy is made only then.
void refresh_name(StreamContext* context, fb::Engine* engine, fb::Str16 name) {
  if (!context->engine_state || !engine->name_is_stale(&context->state, name)) return;
  const fb::Str16 copy = copy_name(name);
  if (copy.data == nullptr) FB_TRACE_ERROR("attach: no memory for the name the file was opened under");
  free_renamed_name(context, engine->refresh_name(&context->state, name, copy));
}

}  // namespace

StreamContextRef stream(PCFLT_RELATED_OBJECTS objects) {
  StreamContextRef context;
  if (!NT_SUCCESS(FltGetStreamContext(objects->Instance, objects->FileObject, context.put()))) context.reset();
  return context;
}

StreamHandleContextRef stream_handle(PCFLT_RELATED_OBJECTS objects) {
  StreamHandleContextRef context;
  if (!NT_SUCCESS(FltGetStreamHandleContext(objects->Instance, objects->FileObject, context.put())))
    context.reset();
  return context;
}

StreamContextRef attach_stream(PCFLT_RELATED_OBJECTS objects, fb::Str16 name) {
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr) return StreamContextRef();
  StreamContextRef existing = stream(objects);
  if (existing) {
    refresh_name(existing.get(), engine, name);
    return existing;
  }
  if (name.len > fb::kMaxPathUnits) return StreamContextRef();

  StreamContextRef created;
  NTSTATUS status = FltAllocateContext(objects->Filter, FLT_STREAM_CONTEXT, stream_context_size(name.len),
                                       NonPagedPoolNx, created.put());
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("stream context allocation failed: 0x%08lx", static_cast<ULONG>(status));
    created.release();  // nothing was allocated
    return StreamContextRef();
  }
  // Filter Manager hands back raw pool: construct in place (sets the lock's vtable).
  StreamContext* context = new (created.get()) StreamContext();
  context->lock.initialize();
  context->name_units = name.len;
  __builtin_memcpy(context->name, name.data, name.len * sizeof(char16_t));
  engine->init_file_state(&context->state, fb::Str16(context->name, name.len), &context->lock);
  context->engine_state = true;

  // Another create of the same stream may have attached one first: use theirs, drop ours
  // (releasing ours runs cleanup_stream, which undoes init_file_state).
  StreamContextRef in_force;
  status = FltSetStreamContext(objects->Instance, objects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                               created.get(), in_force.put());
  if (status == STATUS_FLT_CONTEXT_ALREADY_DEFINED) {
    refresh_name(in_force.get(), engine, name);
    return in_force;
  }
  if (!NT_SUCCESS(status)) {
    // STATUS_NOT_SUPPORTED (the file system keeps no stream contexts for this file object) or
    // STATUS_FLT_DELETING_OBJECT (the stream is going away): the engine runs without state.
    FB_TRACE("stream context not attached: 0x%08lx", static_cast<ULONG>(status));
    in_force.release();
    return StreamContextRef();
  }
  return created;
}

StreamHandleContextRef attach_stream_handle(PCFLT_RELATED_OBJECTS objects) {
  StreamHandleContextRef created;
  NTSTATUS status = FltAllocateContext(objects->Filter, FLT_STREAMHANDLE_CONTEXT, sizeof(StreamHandleContext),
                                       NonPagedPoolNx, created.put());
  if (!NT_SUCCESS(status)) {
    FB_TRACE_ERROR("stream handle context allocation failed: 0x%08lx", static_cast<ULONG>(status));
    created.release();
    return StreamHandleContextRef();
  }
  new (created.get()) StreamHandleContext();
  StreamHandleContextRef in_force;
  status = FltSetStreamHandleContext(objects->Instance, objects->FileObject, FLT_SET_CONTEXT_KEEP_IF_EXISTS,
                                     created.get(), in_force.put());
  if (status == STATUS_FLT_CONTEXT_ALREADY_DEFINED) return in_force;
  if (!NT_SUCCESS(status)) {
    FB_TRACE("stream handle context not attached: 0x%08lx", static_cast<ULONG>(status));
    in_force.release();
    return StreamHandleContextRef();
  }
  return created;
}

void rename_stream(StreamContext* context, const fb::RenameDecision& decision) {
  fb::Engine* engine = runtime::engine();
  if (engine == nullptr || !context->engine_state) return;
  fb::Str16 copy;  // stays empty when no memory: the engine then stops backing the file up
  if (decision.action == fb::RenameAction::kAdoptName) {
    copy = copy_name(decision.file_path);
    if (copy.data == nullptr) FB_TRACE_ERROR("rename: no memory for the new name");
  }
  free_renamed_name(context, engine->apply_rename(&context->state, decision, copy));
}

VOID FLTAPI cleanup_stream(PFLT_CONTEXT context, FLT_CONTEXT_TYPE) {
  auto* stream_context = static_cast<StreamContext*>(context);
  fb::Engine* engine = runtime::engine();
  // The last reference is gone: no engine call can be using the name any more.
  const fb::Str16 name = stream_context->state.name;
  if (stream_context->engine_state && engine != nullptr) engine->release_file_state(&stream_context->state);
  stream_context->engine_state = false;
  free_renamed_name(stream_context, name);
  // The KMUTEX needs no teardown; Filter Manager frees the memory after this returns.
}

VOID FLTAPI cleanup_stream_handle(PFLT_CONTEXT, FLT_CONTEXT_TYPE) {
  // HandleState holds no resources: a handle still counted as a writer here was never cleaned
  // up (the instance is being torn down), and its stream context goes with it.
}

}  // namespace fbk::contexts

namespace fbk {

const FLT_CONTEXT_REGISTRATION kContextRegistrations[] = {
    // Variable size: the file's name follows the state (StreamContext::name).
    {FLT_STREAM_CONTEXT, 0, contexts::cleanup_stream, FLT_VARIABLE_SIZED_CONTEXTS, pool::value(pool::kContext),
     nullptr, nullptr, nullptr},
    {FLT_STREAMHANDLE_CONTEXT, 0, contexts::cleanup_stream_handle, sizeof(StreamHandleContext),
     pool::value(pool::kContext), nullptr, nullptr, nullptr},
    {FLT_CONTEXT_END, 0, nullptr, 0, 0, nullptr, nullptr, nullptr},
};

}  // namespace fbk
