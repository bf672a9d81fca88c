// Contexts with Windows lifetimes (docs: "Managing Contexts in a Minifilter Driver",
// "Referencing contexts", "Deleting a per-stream context"):
//   - FltAllocateContext returns a context with one reference (the caller's);
//   - FltSet*Context links it: Filter Manager takes its own reference, and a KEEP_IF_EXISTS that
//     finds one already returns STATUS_FLT_CONTEXT_ALREADY_DEFINED with a referenced OldContext;
//   - FltGet*Context adds a reference for the caller;
//   - the object going away (the stream torn down by the file system, which can be long after
//     the last close: N12; the file object closed, for a stream handle context; the instance
//     torn down) unlinks it and drops Filter Manager's reference, as FltDeleteContext does;
//   - when the last reference goes, the cleanup callback runs (IRQL <= APC_LEVEL), then the
//     memory is freed.
#include <new>

#include "tests/kernel/fltmgr/faults.h"
#include "tests/kernel/fltmgr/filter_manager.h"
#include "tests/kernel/fltmgr/thread_state.h"
#include "tests/kernel/fltmgr/verifier.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::flt {
namespace {

constexpr uint64_t kContextMagic = 0x5458544e4f43534bull;
constexpr size_t kHeaderBytes = (sizeof(ContextBlock) + 15) & ~size_t(15);

ContextBlock* block_of(void* context) {
  if (context == nullptr) return nullptr;
  auto* block = reinterpret_cast<ContextBlock*>(static_cast<uint8_t*>(context) - kHeaderBytes);
  return block->magic == kContextMagic ? block : nullptr;
}

const FltContextRegistration* registration_for(const Filter* filter, USHORT type, SIZE_T size) {
  for (const FltContextRegistration& c : filter->contexts)
    if (c.ContextType == type && (c.Size == kVariableSizedContexts || c.Size == size ||
                                  ((c.Flags & 0x1 /* NO_EXACT_SIZE_MATCH */) != 0 && size <= c.Size)))
      return &c;
  return nullptr;
}

}  // namespace

NTSTATUS FilterManager::allocate_context(Filter* filter, USHORT type, SIZE_T size, void** out) {
  check_irql("FltAllocateContext", kApcLevel);
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  if (filter == nullptr || filter != filter_) return status::kInvalidParameter;
  const FltContextRegistration* reg = registration_for(filter, type, size);
  if (reg == nullptr) return status::kFltContextAllocationNotFound;  // type/size not registered
  if (faults::should_fail(faults::Kind::kContextAllocation)) {
    faults::fired_on("context type " + std::to_string(type));
    return status::kInsufficientResources;
  }
  void* raw = ::operator new(kHeaderBytes + size, std::nothrow);
  if (raw == nullptr) return status::kInsufficientResources;
  auto* block = new (raw) ContextBlock();
  block->magic = kContextMagic;
  block->filter = filter;
  block->type = type;
  block->size = size;
  block->references = 1;
  block->linked = false;
  block->deleted = false;
  block->cleanup = reg->ContextCleanupCallback;
  block->free_callback = nullptr;
  block->body = static_cast<uint8_t*>(raw) + kHeaderBytes;
  std::memset(block->body, 0xcd, size);  // as uninitialized pool: the filter must construct it
  {
    std::lock_guard<std::mutex> g(mu_);
    contexts_.insert(block);
  }
  *out = block->body;
  return status::kSuccess;
}

void FilterManager::reference_context(void* context) {
  ContextBlock* block = block_of(context);
  if (block == nullptr || block->references.load() <= 0) {
    verifier::violation(verifier::kParameter, "FltReferenceContext of a context that is not live");
    return;
  }
  ++block->references;
}

void FilterManager::release_context(void* context) {
  check_irql("FltReleaseContext", kDispatchLevel);
  ContextBlock* block = block_of(context);
  if (block == nullptr) {
    verifier::violation(verifier::kParameter, "FltReleaseContext of something that is no context");
    return;
  }
  const int left = --block->references;
  if (left < 0) {
    verifier::violation(verifier::kReferenceCount, "FltReleaseContext released a context once too often");
    return;
  }
  if (left > 0) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (block->linked) {
      verifier::violation(verifier::kReferenceCount, "the last reference of a linked context was released");
    }
    contexts_.erase(block);
  }
  if (block->cleanup != nullptr) {
    // The cleanup runs at IRQL <= APC_LEVEL: a release at DISPATCH_LEVEL is deferred by Filter
    // Manager to a worker; here it runs at PASSIVE_LEVEL on this thread.
    thread::Scope scope(kPassiveLevel, thread::process_id(), thread::previous_mode(), thread::top_level_irp());
    ksim::verifier::CallbackScope callback("context cleanup callback", reinterpret_cast<const void*>(block->cleanup));
    block->cleanup(block->body, block->type);
  }
  block->magic = 0;
  block->~ContextBlock();
  ::operator delete(block);
}

void FilterManager::unlink_context(ContextBlock* block) {
  // Caller holds mu_ and removed the block from its table; Filter Manager's reference is dropped
  // by the caller after unlocking.
  block->linked = false;
  block->deleted = true;
}

void FilterManager::delete_context(void* context) {
  check_irql("FltDeleteContext", kApcLevel);
  ContextBlock* block = block_of(context);
  if (block == nullptr) {
    verifier::violation(verifier::kParameter, "FltDeleteContext of something that is no context");
    return;
  }
  bool drop = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = stream_contexts_.begin(); it != stream_contexts_.end(); ++it)
      if (it->second == block) {
        stream_contexts_.erase(it);
        drop = true;
        break;
      }
    for (auto it = handle_contexts_.begin(); !drop && it != handle_contexts_.end(); ++it)
      if (it->second == block) {
        handle_contexts_.erase(it);
        drop = true;
        break;
      }
    if (drop) unlink_context(block);
  }
  if (drop) release_context(context);
}

NTSTATUS FilterManager::set_stream_context(Instance* instance, SimFile* file, int operation, void* context, void** old) {
  check_irql("FltSetStreamContext", kApcLevel);
  if (old != nullptr) *old = nullptr;
  ContextBlock* block = block_of(context);
  if (instance == nullptr || file == nullptr || block == nullptr || block->type != kStreamContext)
    return status::kInvalidParameter;
  std::unique_lock<std::mutex> g(mu_);
  if (file->stream == nullptr || file->cleaned_up) return status::kNotSupported;  // no stream (yet)
  if (instance->torn_down) return status::kFltDeletingObject;
  if (block->linked || block->deleted) return status::kFltContextAlreadyLinked;
  const StreamKey key{instance, file->stream.get()};
  auto it = stream_contexts_.find(key);
  if (it != stream_contexts_.end()) {
    if (operation == 1 /* FLT_SET_CONTEXT_KEEP_IF_EXISTS */) {
      if (old != nullptr) {
        ++it->second->references;
        *old = it->second->body;
      }
      return status::kFltContextAlreadyDefined;
    }
    ContextBlock* replaced = it->second;  // FLT_SET_CONTEXT_REPLACE_IF_EXISTS
    unlink_context(replaced);
    ++block->references;
    block->linked = true;
    it->second = block;
    if (old != nullptr) {
      *old = replaced->body;  // Filter Manager's reference becomes the caller's
    } else {
      g.unlock();
      release_context(replaced->body);
    }
    return status::kSuccess;
  }
  ++block->references;
  block->linked = true;
  stream_contexts_[key] = block;
  retained_streams_[file->stream.get()] = file->stream;  // the context holds the stream's identity
  return status::kSuccess;
}

NTSTATUS FilterManager::get_stream_context(Instance* instance, SimFile* file, void** out) {
  check_irql("FltGetStreamContext", kApcLevel);
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  if (instance == nullptr || file == nullptr) return status::kInvalidParameter;
  std::lock_guard<std::mutex> g(mu_);
  if (file->stream == nullptr) return status::kNotSupported;
  auto it = stream_contexts_.find(StreamKey{instance, file->stream.get()});
  if (it == stream_contexts_.end()) return status::kNotFound;
  ++it->second->references;
  *out = it->second->body;
  return status::kSuccess;
}

NTSTATUS FilterManager::set_stream_handle_context(Instance* instance, SimFile* file, int operation, void* context,
                                                  void** old) {
  check_irql("FltSetStreamHandleContext", kApcLevel);
  if (old != nullptr) *old = nullptr;
  ContextBlock* block = block_of(context);
  if (instance == nullptr || file == nullptr || block == nullptr || block->type != kStreamHandleContext)
    return status::kInvalidParameter;
  std::unique_lock<std::mutex> g(mu_);
  if (file->stream == nullptr) return status::kNotSupported;
  if (instance->torn_down) return status::kFltDeletingObject;
  if (block->linked || block->deleted) return status::kFltContextAlreadyLinked;
  const auto key = std::make_pair(instance, file);
  auto it = handle_contexts_.find(key);
  if (it != handle_contexts_.end()) {
    if (operation == 1) {
      if (old != nullptr) {
        ++it->second->references;
        *old = it->second->body;
      }
      return status::kFltContextAlreadyDefined;
    }
    ContextBlock* replaced = it->second;
    unlink_context(replaced);
    ++block->references;
    block->linked = true;
    it->second = block;
    if (old != nullptr) {
      *old = replaced->body;
    } else {
      g.unlock();
      release_context(replaced->body);
    }
    return status::kSuccess;
  }
  ++block->references;
  block->linked = true;
  handle_contexts_[key] = block;
  return status::kSuccess;
}

NTSTATUS FilterManager::get_stream_handle_context(Instance* instance, SimFile* file, void** out) {
  check_irql("FltGetStreamHandleContext", kApcLevel);
  if (out == nullptr) return status::kInvalidParameter;
  *out = nullptr;
  if (instance == nullptr || file == nullptr) return status::kInvalidParameter;
  std::lock_guard<std::mutex> g(mu_);
  if (file->stream == nullptr) return status::kNotSupported;
  auto it = handle_contexts_.find(std::make_pair(instance, file));
  if (it == handle_contexts_.end()) return status::kNotFound;
  ++it->second->references;
  *out = it->second->body;
  return status::kSuccess;
}

// The file system tore the stream down: every stream context on it goes (Filter Manager's
// reference is released; the filter's own references keep a context alive until released).
void FilterManager::stream_gone(const void* stream) {
  std::vector<ContextBlock*> dropped;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = stream_contexts_.begin(); it != stream_contexts_.end();) {
      if (it->first.stream == stream) {
        unlink_context(it->second);
        dropped.push_back(it->second);
        it = stream_contexts_.erase(it);
      } else {
        ++it;
      }
    }
    retained_streams_.erase(stream);
  }
  for (ContextBlock* b : dropped) release_context(b->body);
}

// The cache lets go of every stream no file object uses any more.
void FilterManager::purge_stream_cache() {
  std::vector<const void*> idle;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& s : retained_streams_)
      if (stream_files_.count(s.first) == 0) idle.push_back(s.first);
  }
  for (const void* s : idle) stream_gone(s);
}

void FilterManager::teardown_instance_contexts(Instance* instance) {
  std::vector<ContextBlock*> dropped;
  {
    std::lock_guard<std::mutex> g(mu_);
    for (auto it = stream_contexts_.begin(); it != stream_contexts_.end();) {
      if (it->first.instance == instance) {
        unlink_context(it->second);
        dropped.push_back(it->second);
        it = stream_contexts_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto it = handle_contexts_.begin(); it != handle_contexts_.end();) {
      if (it->first.first == instance) {
        unlink_context(it->second);
        dropped.push_back(it->second);
        it = handle_contexts_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (ContextBlock* b : dropped) release_context(b->body);
}

}  // namespace ksim::flt
