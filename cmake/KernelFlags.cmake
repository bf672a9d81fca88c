# Flags for code that runs in the Windows kernel, explained flag by flag in
# docs/driver-package.md ("Kernel flags, and why each").
# fb_kernel_compile_options(target): what every kernel-side object is compiled with.
# fb_kernel_link_options(target): how FileBackup.sys is linked.

set(FB_KERNEL_COMPILE_FLAGS
  -ffreestanding -fno-stack-protector -mno-stack-arg-probe -fno-strict-aliasing
  -ffunction-sections -fdata-sections -Wframe-larger-than=1024
  $<$<COMPILE_LANGUAGE:CXX>:-fno-exceptions -fno-rtti -fno-threadsafe-statics>
  -D__INTRINSIC_DEFINED_InterlockedBitTestAndSet
  -D__INTRINSIC_DEFINED_InterlockedBitTestAndReset
  -DFB_KERNEL=1
  -Wall -Wextra -Werror)

function(fb_kernel_compile_options target)
  target_compile_options(${target} PRIVATE ${FB_KERNEL_COMPILE_FLAGS})
endfunction()

function(fb_kernel_link_options target)
  target_link_options(${target} PRIVATE
    -nostdlib -shared
    -Wl,--subsystem,native -Wl,--entry,DriverEntry
    -Wl,--image-base,0x140000000 -Wl,--dynamicbase -Wl,--nxcompat
    -Wl,--file-alignment,0x200 -Wl,--section-alignment,0x1000
    -Wl,--exclude-all-symbols -Wl,--gc-sections -Wl,--no-insert-timestamp)
endfunction()
