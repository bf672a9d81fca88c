// common/base/fb_base.h is header-only; this file keeps the library non-empty and checks, on every
// compiler that builds common/, the assumptions the wire format and the kernel rely on.
#include "common/base/fb_base.h"

static_assert(sizeof(char16_t) == 2, "UTF-16 code units are 16-bit");
static_assert(sizeof(void*) == 8, "FileBackup targets x64 only");
static_assert(sizeof(fb::NtStatus) == 4, "NTSTATUS is 32-bit");
static_assert(!fb::nt_success(fb::nt::kDiskFull), "error codes have the high bit set");
