// Reading FileBackup's registry values: the service key DriverEntry was given, its Parameters
// subkey, and the raw bytes of each value common/config/config_values.h knows. What the bytes mean is
// decided there; this file only fetches them. PASSIVE_LEVEL throughout (Zw registry calls).
#pragma once

#include "common/config/config_values.h"
#include "driver/nt/flt_kernel.h"
#include "driver/nt/pool.h"

namespace fbk::config {

// Copies DriverEntry's RegistryPath (\REGISTRY\MACHINE\SYSTEM\CurrentControlSet\Services\FileBackup):
// the caller's string is only valid during DriverEntry, and reload needs it later.
NTSTATUS remember_service_key(PCUNICODE_STRING registry_path);
void forget_service_key();

// The raw values of Parameters, owning the buffers RawConfig points into.
class RegistryValues {
 public:
  RegistryValues() = default;
  RegistryValues(const RegistryValues&) = delete;
  RegistryValues& operator=(const RegistryValues&) = delete;

  // Reads every value. A missing key or value is "absent" (defaults); a value that cannot be
  // read or is larger than fb::kMaxValueBytes is reported and treated as absent. Fails only
  // when pool is exhausted (STATUS_INSUFFICIENT_RESOURCES) or the service key was never
  // remembered.
  NTSTATUS read(fb::ConfigReports* reports);

  const fb::RawConfig& raw() const { return raw_; }

 private:
  NTSTATUS read_value(HANDLE key, fb::ConfigKey which, fb::ConfigReports* reports);

  fb::RawConfig raw_;
  PoolBuffer buffers_[fb::kConfigKeyCount];
};

}  // namespace fbk::config
