// The simulated object manager: object types, reference-counted objects, and the kernel handle
// table. ObReferenceObjectByHandle, ObfDereferenceObject and ZwClose are its exports.
//
// Each object type is an OBJECT_TYPE-like structure whose first field is its TypeList
// LIST_ENTRY, and that list is NOT empty (as on Windows with FLG_MAINTAIN_OBJECT_TYPELIST): its
// first 8 bytes never point at the type itself. Code that dereferences `PsThreadType` once too
// often therefore hands ObReferenceObjectByHandle a pointer that is not a type, and is caught.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "tests/kernel/sim/nt_types.h"

namespace ksim::ob {

struct ObjectType {
  nt::LIST_ENTRY TypeList;  // offset 0, as in OBJECT_TYPE
  nt::UNICODE_STRING Name;
  const char* host_name;
};

extern ObjectType g_thread_type;
extern ObjectType g_key_type;
extern ObjectType g_symbolic_link_type;
bool is_object_type(const void* p);

class Object {
 public:
  explicit Object(const ObjectType* type) : type_(type) {}
  virtual ~Object() = default;
  const ObjectType* type() const { return type_; }

 private:
  const ObjectType* type_;
};

// Inserts `object` into the table of live objects and returns a new kernel handle to it.
nt::HANDLE create_handle(std::shared_ptr<Object> object, const void* creator);
// The object a handle refers to, or nullptr.
std::shared_ptr<Object> object_of_handle(nt::HANDLE handle);
// The live object at `address` (the pointer the image holds), or nullptr.
std::shared_ptr<Object> object_at(const void* address);
// Open handles and image-held references (unload checks report them).
size_t open_handle_count();

}  // namespace ksim::ob
