// The contract between the host-kernel layer's parts (tests/kernel/): the loader binds every
// import of the real FileBackup.sys by (module, name) to an Export that one simulation module
// provides. ntoskrnl.exe and HAL.dll routines live in tests/kernel/nt/, fltmgr.sys routines in
// tests/kernel/fltmgr/. An import no module provides fails the load, naming it: the image never
// runs into a silent stub.
//
// Every routine the image calls, and every callback the simulation calls in the image, uses the
// Windows x64 calling convention: declare them KSIM_API (GCC's ms_abi provides shadow space,
// alignment and the xmm6-15 saves the image expects).
#pragma once

#include <cstddef>
#include <cstdint>

#define KSIM_API __attribute__((ms_abi))

namespace ksim {

struct Export {
  const char* module;  // "ntoskrnl.exe", "fltmgr.sys", "HAL.dll" (compared case-insensitively)
  const char* name;    // the exported name, exactly as the import table spells it
  void* address;       // a routine: its KSIM_API entry point. A variable: the variable itself;
                       // the loader stores this address in the IAT slot (Windows semantics of a
                       // data import: the slot holds the address of the exported variable).
  bool is_data;
};

// Adds a module's table (static storage, lives for the process). Called by a registrar object
// at static-initialization time in each simulation module (test code: globals are fine here).
void add_exports(const Export* table, size_t count);

// The export for (module, name), or nullptr.
const Export* find_export(const char* module, const char* name);

struct ExportTable {
  template <size_t N>
  explicit ExportTable(const Export (&table)[N]) { add_exports(table, N); }
};

}  // namespace ksim
