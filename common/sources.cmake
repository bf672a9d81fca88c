# The one list of common/'s sources, used by every build of it: native (fb_common), kernel
# (fb_common_kernel, linked into FileBackup.sys), Windows user mode (fb_common_user, fbmon.exe),
# ThreadSanitizer (fb_stress_tsan) and the clang fuzzers (tests/fuzz/fuzz-project). Paths are
# relative to the repository root; include this file with FB_SOURCE_ROOT set to it.
# Adding a file to common/ means adding it here: no glob, so a stray file is never compiled in.
set(FB_COMMON_SOURCE_NAMES
  # base
  common/base/crc32c.cpp
  common/base/fb_base.cpp
  common/base/upcase.cpp
  # paths
  common/paths/nt_path.cpp
  common/paths/rules.cpp
  common/paths/stream_names.cpp
  # config
  common/config/config_values.cpp
  # protocol
  common/protocol/control_requests.cpp
  common/protocol/protocol.cpp
  common/protocol/text.cpp
  # events
  common/events/queue.cpp
  # copy
  common/copy/backup_metadata.cpp
  common/copy/copy_engine.cpp
  # engine
  common/engine/adopt.cpp
  common/engine/backup.cpp
  common/engine/config.cpp
  common/engine/counters.cpp
  common/engine/engine.cpp
  common/engine/filter.cpp
  common/engine/rescue.cpp
  common/engine/streams.cpp
  common/engine/vault.cpp
  common/engine/versions.cpp
  common/engine/volume_policy.cpp
)
set(FB_COMMON_SOURCES "")
foreach(name IN LISTS FB_COMMON_SOURCE_NAMES)
  list(APPEND FB_COMMON_SOURCES ${FB_SOURCE_ROOT}/${name})
endforeach()
