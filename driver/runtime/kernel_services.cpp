#include "driver/runtime/kernel_services.h"

#include "driver/nt/pool.h"

namespace fbk {

void KernelClock::initialize() {
  UNICODE_STRING name;
  RtlInitUnicodeString(&name, L"KeQuerySystemTimePrecise");
  precise_ = reinterpret_cast<PreciseFn>(MmGetSystemRoutineAddress(&name));
}

int64_t KernelClock::now() {
  LARGE_INTEGER time;
  if (precise_ != nullptr) {
    precise_(&time);
  } else {
    KeQuerySystemTime(&time);
  }
  return time.QuadPart;
}

void* KernelBufferPool::acquire(uint32_t* size) {
  void* buffer = pool::allocate(kBufferBytes, pool::kBuffer);
  *size = buffer != nullptr ? kBufferBytes : 0;
  return buffer;
}

void KernelBufferPool::release(void* buffer) { pool::free(buffer, pool::kBuffer); }

}  // namespace fbk
