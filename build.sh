#!/usr/bin/env bash
# FileBackup's one entry point.
#   ./build.sh         install missing Debian packages, build both trees, sign, assemble dist/
#   ./build.sh test    the same, then run every test through CTest
#   ./build.sh bench   build both trees, run the benchmarks with their target ratios and the
#                      driver's instruction cost per operation with its targets
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
MODE=${1:-build}
JOBS=${JOBS:-$(nproc)}

# Debian 12 packages the build and the tests need. Keep this list in one place.
PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  g++-mingw-w64-x86-64 binutils-mingw-w64-x86-64 mingw-w64-x86-64-dev
  osslsigncode openssl python3-asn1crypto wine wine64
  fuse3 libfuse3-dev pkg-config
)

log() { printf '==> %s\n' "$*"; }

install_missing_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build_tree() { # preset
  log "configure and build the $1 tree"
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$JOBS"
}

build_all() {
  install_missing_packages
  build_tree cross
  build_tree native
  log "sign the driver and assemble dist/FileBackup-x64"
  cmake --build build/cross --target fb_dist
}

case "$MODE" in
  build)
    build_all
    log "package ready in $ROOT/dist/FileBackup-x64"
    ;;
  test)
    build_all
    log "run every test"
    ctest --test-dir build/native --output-on-failure -j "$JOBS" --timeout 900
    ;;
  bench)
    # The driver cost runs the shipped image (dist/), so the cross tree is built too.
    build_all
    log "run the benchmarks"
    status=0
    # Medians of interleaved repetitions: a busy machine disturbs baseline and candidate alike.
    if [ $# -gt 1 ]; then
      build/native/tests/fb_bench "${@:2}" || status=1
    else
      build/native/tests/fb_bench --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
        --benchmark_report_aggregates_only=true || status=1
    fi
    log "what the driver costs each I/O, in instructions executed inside the shipped image"
    build/native/tests/fb_driver_cost --ops 301 || status=1
    exit $status
    ;;
  *)
    echo "usage: ./build.sh [test|bench]" >&2
    exit 2
    ;;
esac
