// fbk_guarded_copy(dst, src, size): memcpy whose faults become a return value.
//
// Returns 0, or the NTSTATUS of the exception raised while copying. The unwind information
// declares ntoskrnl's __C_specific_handler with one scope record
//   { BeginAddress, EndAddress, HandlerAddress = 1 (EXCEPTION_EXECUTE_HANDLER), JumpTarget }
// covering the single `rep movsb`: on a fault there, the handler unwinds to JumpTarget with the
// exception code in rax, and the normal epilogue returns it. Windows x64 calling convention:
// rcx = dst, rdx = src, r8 = size; rsi and rdi are callee-saved, hence the pushes.
#include "driver/nt/user_memory.h"

asm(R"(
    .section .text$fbk_guarded_copy,"xr"
    .globl fbk_guarded_copy
    .def fbk_guarded_copy; .scl 2; .type 32; .endef
    .seh_proc fbk_guarded_copy
fbk_guarded_copy:
    .seh_handler __C_specific_handler, @except
    pushq %rdi
    .seh_pushreg %rdi
    pushq %rsi
    .seh_pushreg %rsi
    .seh_endprologue
    movq %rcx, %rdi
    movq %rdx, %rsi
    movq %r8, %rcx
.Lfbk_copy_begin:
    rep movsb
.Lfbk_copy_end:
    xorl %eax, %eax
.Lfbk_copy_exit:
    popq %rsi
    popq %rdi
    ret
.Lfbk_copy_fault:
    jmp .Lfbk_copy_exit
    .seh_handlerdata
    .long 1
    .rva .Lfbk_copy_begin
    .rva .Lfbk_copy_end
    .long 1
    .rva .Lfbk_copy_fault
    .section .text$fbk_guarded_copy,"xr"
    .seh_endproc
)");

extern "C" NTSTATUS fbk_guarded_copy(void* destination, const void* source, SIZE_T size);

namespace fbk::user_memory {

bool is_user_range(const void* address, SIZE_T size) {
  const ULONG_PTR start = reinterpret_cast<ULONG_PTR>(address);
  const ULONG_PTR limit = MmUserProbeAddress;
  return start <= limit && size <= limit - start;
}

NTSTATUS read(void* kernel_destination, const void* user_source, SIZE_T size) {
  if (size == 0) return STATUS_SUCCESS;
  if (!is_user_range(user_source, size)) return STATUS_ACCESS_VIOLATION;
  return fbk_guarded_copy(kernel_destination, user_source, size);
}

NTSTATUS write(void* user_destination, const void* kernel_source, SIZE_T size) {
  if (size == 0) return STATUS_SUCCESS;
  if (!is_user_range(user_destination, size)) return STATUS_ACCESS_VIOLATION;
  return fbk_guarded_copy(user_destination, kernel_source, size);
}

}  // namespace fbk::user_memory
