// Copies between kernel memory and a user-mode buffer that may be invalid.
//
// A user-mode caller can pass any address, and another of its threads can unmap the buffer
// while the driver reads it. MSVC drivers wrap such accesses in __try/__except; GCC has no
// SEH keywords, so the copy is one small assembly routine (driver/nt/user_memory.cpp) whose unwind
// information names ntoskrnl's __C_specific_handler with one __except scope, exactly what MSVC
// emits: a fault inside the copy unwinds to the routine's exit with the exception code.
//
// Only user-mode ranges are accepted: a fault on a kernel address is a bug check, never an
// exception, so kernel ranges are refused before anything is touched.
// IRQL <= APC_LEVEL (the copy may page-fault).
#pragma once

#include "driver/nt/flt_kernel.h"

namespace fbk::user_memory {

// True when [address, address + size) lies entirely below MmUserProbeAddress.
bool is_user_range(const void* address, SIZE_T size);

// STATUS_SUCCESS, STATUS_ACCESS_VIOLATION for a range that is not user-mode, or the exception
// code of the fault (STATUS_ACCESS_VIOLATION, STATUS_IN_PAGE_ERROR, ...). On failure the
// destination may be partly written.
NTSTATUS read(void* kernel_destination, const void* user_source, SIZE_T size);
NTSTATUS write(void* user_destination, const void* kernel_source, SIZE_T size);

}  // namespace fbk::user_memory
