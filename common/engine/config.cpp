#include "common/engine/config.h"

namespace fb {

EngineConfig sanitize_config(const EngineConfig& config) {
  EngineConfig out = config;
  if (out.max_versions == 0 || out.max_versions > kMaxBackupVersions) {
    out.max_versions = EngineConfig().max_versions;
    out.trim_versions = false;
  }
  return out;
}

}  // namespace fb
