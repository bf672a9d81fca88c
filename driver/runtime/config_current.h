// The configuration in force: the engine's EngineConfig and the compiled RuleSet, built from
// the registry in ONE pool block and published by a pointer swap.
//
// Readers (every callback, through runtime::acquire_settings / SettingsRef) pin the current block: under a spin lock
// they read the pointer and take a reference, so a create in flight keeps the set it started
// with even if a reload publishes another one meanwhile; the block is freed by whoever drops
// the last reference. The spin lock covers two instructions, so pinning works at any
// IRQL <= DISPATCH_LEVEL and never waits for a reload (a reload builds the new block first,
// without the lock).
//
// load() and reload() run at PASSIVE_LEVEL (registry and symbolic-link reads). A bad registry
// value never fails them: it is traced and replaced by its default (common/config/config_values.h).
#pragma once

#include "common/engine/config.h"
#include "driver/runtime/engine_seam.h"
#include "driver/nt/flt_kernel.h"

namespace fbk::config {

// Reads the registry, builds and publishes the first configuration. Fails only when pool is
// exhausted. Requires remember_service_key (driver/runtime/config_registry.h).
NTSTATUS load();

// Re-reads the registry and publishes the new configuration: the rule set by pointer swap,
// the engine's tunables through runtime::engine_configure. Serialized with other
// reloads. On failure (no pool) the old configuration stays in force. *rules_loaded: rules in
// the set now in force. runtime::engine_configure receives the new tunables before the new rule
// set is published.
NTSTATUS reload(uint32_t* rules_loaded);

// Drops the driver's reference to the current configuration (freed now, or when the last
// pinned reader lets go). After FltUnregisterFilter: no callback can pin it any more.
void unload();

// The engine configuration in force (a copy), defaults before load().
fb::EngineConfig engine_config();

// Rules in the set in force, 0 before load().
uint32_t rules_loaded();

}  // namespace fbk::config
