// The callbacks' side of driver/runtime/engine_seam.h: the engine's life cycle, with the kernel services it
// runs on (driver/runtime/kernel_fs.h, driver/runtime/kernel_services.h) and the host's event sink.
#include "driver/runtime/engine_seam.h"

#include "driver/runtime/kernel_fs.h"
#include "driver/nt/lock.h"
#include "driver/nt/pool.h"
#include "driver/runtime/kernel_services.h"
#include "driver/nt/trace.h"

namespace fbk::runtime {
namespace {

// Everything engine_start creates, in one nonpaged block. Members are constructed in order:
// the services first, then the engine that points to them.
struct EngineBlock {
  explicit EngineBlock(const fb::EngineConfig& config) : engine(services(), config) {}

  fb::EngineServices services() {
    fb::EngineServices out;
    out.fs = &fs;
    out.sink = &event_sink();
    out.clock = &clock;
    out.buffers = &buffers;
    vault_lock.initialize();  // before the engine, which is constructed after these members
    out.vault_lock = &vault_lock;
    return out;
  }

  KernelFileSystem fs;
  KernelClock clock;
  KernelBufferPool buffers;
  KernelFileLock vault_lock;  // the vault's ledger (common/engine/vault.h): after a file's lock
  fb::Engine engine;
};

// A plain pointer, zero-initialized at load: no global constructor.
EngineBlock* g_engine = nullptr;

}  // namespace

NTSTATUS engine_start(const fb::EngineConfig& config) {
  if (g_engine != nullptr) return STATUS_SUCCESS;
  auto* block = new (pool::kGeneral) EngineBlock(config);
  if (block == nullptr) {
    FB_TRACE_ERROR("engine: no memory to start");
    return STATUS_INSUFFICIENT_RESOURCES;
  }
  block->clock.initialize();
  g_engine = block;
  FB_TRACE_INFO("engine started (enabled %u, max versions %lu)", static_cast<unsigned>(config.enabled),
                static_cast<ULONG>(block->engine.config().max_versions));
  return STATUS_SUCCESS;
}

void engine_stop() {
  delete g_engine;
  g_engine = nullptr;
}

void engine_configure(const fb::EngineConfig& config) {
  if (g_engine == nullptr) return;
  g_engine->engine.configure(config);
  FB_TRACE_INFO("engine reconfigured (enabled %u, max versions %lu)", static_cast<unsigned>(config.enabled),
                static_cast<ULONG>(g_engine->engine.config().max_versions));
}

void engine_vault_scan(PFLT_INSTANCE instance, PFLT_VOLUME volume) {
  if (g_engine == nullptr) return;
  // `\Device\HarddiskVolumeN`; a longer volume name has no vault (fb::vault_volume_of).
  WCHAR units[fb::kVaultVolumeUnits];
  UNICODE_STRING name;
  name.Buffer = units;
  name.Length = 0;
  name.MaximumLength = sizeof units;
  ULONG needed = 0;
  const NTSTATUS status = FltGetVolumeName(volume, &name, &needed);
  if (!NT_SUCCESS(status)) {
    FB_TRACE("vault scan of volume %p skipped: its name (%lu bytes) not read, 0x%08lx", volume, needed,
             static_cast<ULONG>(status));
    return;
  }
  fb::IoTarget target;
  target.value = instance;  // the instance being set up: FltGetVolumeInstanceFromName cannot find it yet
  const uint32_t found =
      g_engine->engine.vault_scan(target, fb::Str16(reinterpret_cast<const char16_t*>(units), name.Length / sizeof(WCHAR)));
  if (found != 0) FB_TRACE_INFO("vault of %wZ: %lu kept files found", &name, static_cast<ULONG>(found));
}

void engine_fill_statistics(fb::Statistics* out) {
  if (g_engine != nullptr) g_engine->engine.fill_statistics(out);
}

fb::Engine* engine() { return g_engine != nullptr ? &g_engine->engine : nullptr; }

}  // namespace fbk::runtime
