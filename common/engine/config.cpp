#include "common/engine/config.h"

namespace fb {

EngineConfig sanitize_config(const EngineConfig& config) {
  EngineConfig out = config;
  if (out.max_versions == 0 || out.max_versions > kMaxBackupVersions) {
    out.max_versions = EngineConfig().max_versions;
    out.trim_versions = false;
  }
  // VaultMaxAgeHours in FILETIME units must fit an int64_t (common/engine/vault.cpp).
  if (out.vault_max_age_hours == 0 || out.vault_max_age_hours > kMaxVaultAgeHours)
    out.vault_max_age_hours = EngineConfig().vault_max_age_hours;
  return out;
}

}  // namespace fb
