// Per-test state of the simulation modules: each module registers how to forget its state
// (pool blocks, handles, registry contents, captured DbgPrintEx lines...), and the harness
// resets them all between tests, so every test starts from a fresh simulated kernel.
#pragma once

namespace ksim {

using ResetHook = void (*)();

// Registers a hook (at static-initialization time, like ExportTable).
void add_reset_hook(ResetHook hook);
void reset_all();

struct ResetRegistrar {
  explicit ResetRegistrar(ResetHook hook) { add_reset_hook(hook); }
};

}  // namespace ksim
