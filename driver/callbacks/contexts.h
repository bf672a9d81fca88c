// The Filter Manager contexts that hold the engine's state (common/engine/state.h).
//
//   StreamContext        (FLT_STREAM_CONTEXT, variable size) one per tracked default stream:
//                        fb::FileState, its KMUTEX and the file's normalized name, which
//                        FileState::name points into (or, after a rename, into its own pool
//                        block: rename_stream). Shared by every handle on the stream;
//                        freed by Filter Manager when the stream's last reference goes (the
//                        file is closed, or the instance is torn down), never at a handle's
//                        cleanup, so a second writer always finds it.
//   StreamHandleContext  (FLT_STREAMHANDLE_CONTEXT) one per tracked open: fb::HandleState.
//
// Both come from NonPagedPoolNx: the KMUTEX must be resident, and the write path reads
// FileState without the lock. The cleanup callbacks run at IRQL <= APC_LEVEL.
#pragma once

#include "common/engine/engine.h"
#include "common/engine/state.h"
#include "driver/nt/flt_kernel.h"
#include "driver/nt/lock.h"
#include "driver/nt/raii.h"

namespace fbk {

// The two context types above, ending with { FLT_CONTEXT_END }; driver/registration.cpp hands
// the table to Filter Manager.
extern const FLT_CONTEXT_REGISTRATION kContextRegistrations[];

struct StreamContext {
  fb::FileState state;
  KernelFileLock lock;
  bool engine_state = false;  // init_file_state ran: the cleanup calls release_file_state
  uint32_t name_units = 0;
  char16_t name[1];           // the name at attach: name_units units (the context is allocated
                              // longer). A rename points FileState::name at a pool block instead.
};

struct StreamHandleContext {
  fb::HandleState state;
};

using StreamContextRef = ContextRef<StreamContext>;
using StreamHandleContextRef = ContextRef<StreamHandleContext>;

namespace contexts {

// The stream context of the file object's stream (none: empty). IRQL <= APC_LEVEL.
StreamContextRef stream(PCFLT_RELATED_OBJECTS objects);
StreamHandleContextRef stream_handle(PCFLT_RELATED_OBJECTS objects);

// The stream context in force after this call: the existing one, or a new one holding a copy
// of `name` whose state the engine has initialized. An existing context outlives handles (N12)
// and may hold the name of an earlier open (a folder renamed since, another link): the engine
// decides whether `name` replaces it (Engine::name_is_stale / refresh_name, under the file's
// lock). Empty on failure (traced). PASSIVE_LEVEL.
StreamContextRef attach_stream(PCFLT_RELATED_OBJECTS objects, fb::Str16 name);

// Post-rename: applies the engine's decision to the context. The new name is copied into a pool
// block before the file's lock is taken, swapped in under it by Engine::apply_rename (a backup
// on another thread holds the same lock while it uses the name), and the previous block freed
// after. Without memory for the copy the file is excluded rather than left under a stale name.
// IRQL <= APC_LEVEL.
void rename_stream(StreamContext* context, const fb::RenameDecision& decision);

// A new stream handle context for the file object, or the one already there. Empty on failure.
StreamHandleContextRef attach_stream_handle(PCFLT_RELATED_OBJECTS objects);

// Context cleanup callbacks (kContextRegistrations registers them).
VOID FLTAPI cleanup_stream(PFLT_CONTEXT context, FLT_CONTEXT_TYPE type);
VOID FLTAPI cleanup_stream_handle(PFLT_CONTEXT context, FLT_CONTEXT_TYPE type);

}  // namespace contexts
}  // namespace fbk
