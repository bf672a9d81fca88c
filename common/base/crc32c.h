// CRC-32C (Castagnoli): the content hash of a backup and the checksum of its metadata record.
//
// Why CRC-32C: it detects every burst error up to 32 bits and every odd number of bit flips,
// which is what a backup stream can suffer (torn writes, a stale sector, a truncated copy); it
// is not a defence against someone forging a backup, and nothing here needs one. x86-64 has
// had an instruction for it since SSE4.2 (2008) that runs at memory speed and uses only
// general-purpose registers, so the kernel may use it without saving any FPU/XMM state.
//
// Parameters (as iSCSI, RFC 3720 B.4): reflected polynomial 0x82F63B78, initial value and
// final XOR 0xFFFFFFFF. crc32c("123456789") == 0xE3069283.
//
// The hardware path is chosen at run time (CPUID, cached); the portable path is
// slicing-by-8 over tables computed at compile time (no runtime-initialised globals).
#pragma once

#include "common/base/fb_base.h"

namespace fb {

// CRC-32C of `length` bytes.
uint32_t crc32c(const void* data, size_t length);

// Extends a finished CRC: crc32c_extend(crc32c(a), b) == crc32c(a followed by b), and
// crc32c_extend(0, b) == crc32c(b). This is how a stream is hashed chunk by chunk.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t length);

// The two implementations behind crc32c_extend, exposed so that tests and benchmarks can
// check them against each other. crc32c_extend_hardware may only be called when
// crc32c_hardware_available() is true.
uint32_t crc32c_extend_portable(uint32_t crc, const void* data, size_t length);
uint32_t crc32c_extend_hardware(uint32_t crc, const void* data, size_t length);
bool crc32c_hardware_available();

}  // namespace fb
