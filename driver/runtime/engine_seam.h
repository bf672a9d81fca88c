// The seam between the driver's Filter Manager callbacks (driver/callbacks/*.cpp, which own the
// fb::Engine) and the host services around them (configuration, rule set, event pipeline,
// port). One header so that both sides compile against the same promises.
//
// Provided by the host side (driver/runtime/config_current.cpp, driver/runtime/sender_thread.cpp, driver/runtime/port_protocol.cpp):
//   - the current Settings (engine configuration + compiled rule set), reference counted, so
//     a reload swaps them atomically: a callback that acquired a reference sees the old or the
//     new set until it releases it, never a mix;
//   - the NotificationSink that pushes engine events into the bounded queue without blocking;
//   - the connected watcher's process id, so its own I/O can be left alone.
// Provided by the engine owner (callbacks side):
//   - engine_start / engine_stop / engine_configure / engine_fill_statistics below, and
//     engine(), the one fb::Engine as the callbacks see it.
//
//   fbk::runtime::SettingsRef settings = fbk::runtime::acquire_settings();
//   if (!settings) return FLT_PREOP_SUCCESS_NO_CALLBACK;       // not loaded (cannot happen
//                                                              // while filtering, but be safe)
//   engine.pre_create(op, name, *settings->rules, &ticket);
//   // keep it to post-create:   completion_context = settings.release();
//   // in post-create:           SettingsRef settings = SettingsRef::adopt(completion_context);
#pragma once

#include "common/engine/config.h"
#include "common/engine/engine.h"
#include "common/engine/services.h"
#include "driver/nt/flt_kernel.h"
#include "common/protocol/stats.h"
#include "common/paths/rules.h"

namespace fbk::runtime {

// One published configuration. Immutable once published; freed when the last reference goes.
struct Settings {
  fb::EngineConfig engine;   // sanitized values (registry, or defaults)
  const fb::RuleSet* rules;  // never null: the default rules when the registry names none
  uint32_t rules_loaded;     // rules across all lists, for statistics
  uint32_t generation;       // 1 at load, +1 per successful reload (for traces)
};

// A counted reference to a Settings. Move-only; releases on destruction.
// acquire/release: IRQL <= DISPATCH_LEVEL (they never wait on anything but a spin lock).
class SettingsRef {
 public:
  SettingsRef() = default;
  ~SettingsRef() { reset(); }
  SettingsRef(SettingsRef&& other) noexcept : settings_(other.release()) {}
  SettingsRef& operator=(SettingsRef&& other) noexcept {
    if (this != &other) {
      reset();
      settings_ = other.release();
    }
    return *this;
  }
  SettingsRef(const SettingsRef&) = delete;
  SettingsRef& operator=(const SettingsRef&) = delete;

  // Takes over a reference given up with release() (e.g. through a completion context).
  static SettingsRef adopt(const void* released) {
    SettingsRef ref;
    ref.settings_ = static_cast<const Settings*>(released);
    return ref;
  }

  const Settings* get() const { return settings_; }
  const Settings* operator->() const { return settings_; }
  const Settings& operator*() const { return *settings_; }
  explicit operator bool() const { return settings_ != nullptr; }

  // Gives up ownership without releasing: the reference now belongs to the caller.
  const Settings* release() {
    const Settings* settings = settings_;
    settings_ = nullptr;
    return settings;
  }
  void reset();

 private:
  friend SettingsRef acquire_settings();
  const Settings* settings_ = nullptr;
};

// The current Settings, referenced. Empty before load and after unload.
SettingsRef acquire_settings();

// Where the engine's events go: a non-blocking push into the bounded queue, drained by the
// sender thread. notify() runs at IRQL <= DISPATCH_LEVEL, never waits, never allocates; when
// the queue is full the event is counted and reported to the watcher as a gap.
fb::NotificationSink& event_sink();

// Process id of the connected watcher (fbmon watch), 0 when none. A snapshot: the watcher
// may connect or go away right after. Any IRQL.
uint64_t monitor_process_id();

// Whether `process_id` is a connected fbmon (the watcher or a control client such as
// `fbmon restore`). The callbacks leave that process's own I/O alone, so a restore does not
// back up the content it is restoring over. A snapshot; any IRQL; a scan of 16 words.
bool is_monitor_process(uint64_t process_id);

// ---- implemented by the engine owner (callbacks side) -------------------------------------
// The driver's one fb::Engine: engine_start creates it (DriverEntry) and engine_stop destroys it
// (after FltUnregisterFilter), so it exists whenever a callback or a context cleanup can run.
// nullptr outside engine_start()..engine_stop(): callbacks then let every operation through
// untouched.
fb::Engine* engine();
// Creates the fb::Engine with the kernel file system, clock, buffers and event_sink().
// PASSIVE_LEVEL, called once from DriverEntry before FltRegisterFilter.
NTSTATUS engine_start(const fb::EngineConfig& config);
// Destroys the engine. PASSIVE_LEVEL, after FltUnregisterFilter returned (no callback left).
void engine_stop();
// Reload: Engine::configure(config). PASSIVE_LEVEL, any time between start and stop.
void engine_configure(const fb::EngineConfig& config);
// The engine's share of the statistics reply (Engine::fill_statistics). PASSIVE_LEVEL.
void engine_fill_statistics(fb::Statistics* out);
// After a restart, a volume the filter attaches to: its vault folder's files go back under the
// vault's bounds (Engine::vault_scan, common/engine/vault.h). The I/O goes to `instance`, the
// instance being set up. PASSIVE_LEVEL, from InstanceSetup.
void engine_vault_scan(PFLT_INSTANCE instance, PFLT_VOLUME volume);

}  // namespace fbk::runtime
