// Pool-backed operator new/delete and the C++ runtime hooks the kernel build needs.
#include "driver/nt/pool.h"

#include "driver/nt/trace.h"

namespace fbk::pool {

void* allocate(size_t bytes, Tag tag) {
  // ExAllocatePoolWithTag is available on every supported Windows; ExAllocatePool2 (2004+)
  // would zero the block but is not in mingw-w64's import library.
  return ExAllocatePoolWithTag(NonPagedPoolNx, bytes == 0 ? 1 : bytes, value(tag));
}

void free(void* block, Tag tag) {
  if (block != nullptr) ExFreePoolWithTag(block, value(tag));
}

}  // namespace fbk::pool

void* operator new(size_t bytes, fbk::pool::Tag tag) noexcept {
  return fbk::pool::allocate(bytes, tag);
}
void* operator new[](size_t bytes, fbk::pool::Tag tag) noexcept {
  return fbk::pool::allocate(bytes, tag);
}

// delete does not know which tag the block was allocated with; ExFreePool checks none.
void operator delete(void* block, fbk::pool::Tag) noexcept {
  if (block != nullptr) ExFreePool(block);
}
void operator delete[](void* block, fbk::pool::Tag) noexcept {
  if (block != nullptr) ExFreePool(block);
}
void operator delete(void* block) noexcept {
  if (block != nullptr) ExFreePool(block);
}
void operator delete(void* block, size_t) noexcept {
  if (block != nullptr) ExFreePool(block);
}
void operator delete[](void* block) noexcept {
  if (block != nullptr) ExFreePool(block);
}
void operator delete[](void* block, size_t) noexcept {
  if (block != nullptr) ExFreePool(block);
}

// A call through a pure virtual slot means an object was used during construction or after
// destruction: state is corrupt, and continuing could write anywhere. Stop the machine the
// way __fastfail does in kernel mode.
extern "C" void __cxa_pure_virtual() {
  FB_TRACE_ERROR("pure virtual function called");
  KeBugCheckEx(KERNEL_SECURITY_CHECK_FAILURE, FAST_FAIL_VTGUARD_CHECK_FAILURE, 0, 0, 0);
}
