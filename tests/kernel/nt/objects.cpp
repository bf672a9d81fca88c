#include "tests/kernel/nt/objects.h"

#include <cstdio>
#include <map>
#include <mutex>

#include "tests/kernel/nt/entry.h"
#include "tests/kernel/sim/exports.h"
#include "tests/kernel/sim/lifecycle.h"
#include "tests/kernel/verifier/verifier.h"

namespace ksim::ob {
namespace {

using namespace ksim::nt;

// The type list the types are linked on: a separate head, so a type's TypeList.Flink points
// at the next type or at this head, never at the type itself.
LIST_ENTRY g_type_list_head;

}  // namespace

ObjectType g_thread_type{{&g_type_list_head, &g_type_list_head}, {12, 14, const_cast<char16_t*>(u"Thread")}, "Thread"};
ObjectType g_key_type{{&g_type_list_head, &g_type_list_head}, {6, 8, const_cast<char16_t*>(u"Key")}, "Key"};
ObjectType g_symbolic_link_type{{&g_type_list_head, &g_type_list_head},
                                {24, 26, const_cast<char16_t*>(u"SymbolicLink")},
                                "SymbolicLink"};

bool is_object_type(const void* p) {
  return p == &g_thread_type || p == &g_key_type || p == &g_symbolic_link_type;
}

namespace {

// The exported variable: POBJECT_TYPE PsThreadType. The IAT slot holds its address.
ObjectType* PsThreadType = &g_thread_type;

struct Live {
  std::shared_ptr<Object> object;
  long image_references = 0;  // ObReferenceObjectByHandle minus ObfDereferenceObject
  const void* referenced_at = nullptr;
};
struct Handle {
  std::shared_ptr<Object> object;
  const void* creator;
};

std::mutex g_mutex;
std::map<const void*, Live> g_objects;  // by object address
std::map<HANDLE, Handle> g_handles;
uint64_t g_next_handle = 0;

// Kernel handles have the top bit set on x64 Windows; values are multiples of 4.
HANDLE make_handle_value() {
  g_next_handle += 4;
  return reinterpret_cast<HANDLE>(0xFFFFFFFF80000000ull | g_next_handle);
}

void drop_if_unused(const void* address) {
  auto it = g_objects.find(address);
  if (it == g_objects.end() || it->second.image_references > 0) return;
  for (const auto& [h, entry] : g_handles)
    if (entry.object.get() == address) return;
  g_objects.erase(it);
}

// ObReferenceObjectByHandle: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS ObReferenceObjectByHandle(HANDLE handle, ACCESS_MASK, ObjectType* type, int8_t access_mode,
                                            void** object, void* handle_information) {
  KSIM_ENTER(PASSIVE_LEVEL);
  if (object == nullptr) {
    ksim_entry.violation(verifier::kDdiCompliance, "Object is NULL");
    return STATUS_INVALID_PARAMETER;
  }
  *object = nullptr;
  if (handle_information != nullptr)
    ksim_entry.violation(verifier::kDdiCompliance, "HandleInformation is reserved for user-mode handles");
  if (type != nullptr && !is_object_type(type)) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "ObjectType %p is not an object type (the simulated PsThreadType is %p; "
                  "was the PsThreadType import dereferenced once too often?)",
                  static_cast<void*>(type), static_cast<void*>(&g_thread_type));
    ksim_entry.violation(verifier::kDdiCompliance, buf);
    return STATUS_OBJECT_TYPE_MISMATCH;
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  auto h = g_handles.find(handle);
  if (h == g_handles.end()) {
    ksim_entry.violation(verifier::kHandleChecking, "invalid handle");
    return STATUS_INVALID_HANDLE;
  }
  if (access_mode != 0)
    ksim_entry.violation(verifier::kHandleChecking, "kernel handle referenced with AccessMode UserMode");
  if (type != nullptr && h->second.object->type() != type) return STATUS_OBJECT_TYPE_MISMATCH;
  Live& live = g_objects[h->second.object.get()];
  ++live.image_references;
  live.referenced_at = ksim_entry.caller();
  *object = h->second.object.get();
  return STATUS_SUCCESS;
}

// ObfDereferenceObject: IRQL <= DISPATCH_LEVEL.
KSIM_API long ObfDereferenceObject(void* object) {
  KSIM_ENTER(DISPATCH_LEVEL);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(object);
  if (it == g_objects.end() || it->second.image_references <= 0) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "dereferencing %p, which the driver holds no reference to", object);
    ksim_entry.violation(verifier::kObjectReferences, buf);
    return 0;
  }
  const long left = --it->second.image_references;
  drop_if_unused(object);
  return left;
}

// ZwClose: IRQL PASSIVE_LEVEL.
KSIM_API NTSTATUS ZwClose(HANDLE handle) {
  KSIM_ENTER(PASSIVE_LEVEL);
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_handles.find(handle);
  if (it == g_handles.end()) {
    char buf[80];
    std::snprintf(buf, sizeof buf, "closing %p, which is not an open handle", handle);
    ksim_entry.violation(verifier::kHandleChecking, buf);
    return STATUS_INVALID_HANDLE;
  }
  const void* address = it->second.object.get();
  g_handles.erase(it);
  drop_if_unused(address);
  return STATUS_SUCCESS;
}

const Export kExports[] = {
    {"ntoskrnl.exe", "ObReferenceObjectByHandle", reinterpret_cast<void*>(&ObReferenceObjectByHandle), false},
    {"ntoskrnl.exe", "ObfDereferenceObject", reinterpret_cast<void*>(&ObfDereferenceObject), false},
    {"ntoskrnl.exe", "ZwClose", reinterpret_cast<void*>(&ZwClose), false},
    {"ntoskrnl.exe", "PsThreadType", &PsThreadType, true},
};
const ExportTable kTable(kExports);

void unload_check() {
  std::lock_guard<std::mutex> lock(g_mutex);
  for (const auto& [address, live] : g_objects)
    if (live.image_references > 0)
      verifier::report(verifier::kObjectReferences, live.referenced_at,
                       std::string("reference leak at unload: ") + std::to_string(live.image_references) + " on a " +
                           live.object->type()->host_name + " object");
  for (const auto& [handle, entry] : g_handles)
    verifier::report(verifier::kHandleChecking, entry.creator,
                     std::string("handle leak at unload: a ") + entry.object->type()->host_name + " handle is still open");
}

void reset_hook() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_handles.clear();
  g_objects.clear();
  PsThreadType = &g_thread_type;
}

const verifier::UnloadCheckRegistrar kUnload(unload_check);
const ResetRegistrar kReset(reset_hook);

}  // namespace

HANDLE create_handle(std::shared_ptr<Object> object, const void* creator) {
  std::lock_guard<std::mutex> lock(g_mutex);
  const HANDLE h = make_handle_value();
  g_objects[object.get()].object = object;
  g_handles[h] = Handle{std::move(object), creator};
  return h;
}

std::shared_ptr<Object> object_of_handle(HANDLE handle) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_handles.find(handle);
  return it == g_handles.end() ? nullptr : it->second.object;
}

std::shared_ptr<Object> object_at(const void* address) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = g_objects.find(address);
  return it == g_objects.end() ? nullptr : it->second.object;
}

size_t open_handle_count() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_handles.size();
}

}  // namespace ksim::ob
