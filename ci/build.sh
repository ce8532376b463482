#!/usr/bin/env bash
# Configures and builds the native tree (sdk, lantern-cli, lantern-rig,
# make_gguf, unit tests) into build/. Usage: ci/build.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${LANTERN_BUILD_DIR:-build}
cmake --preset native -B "$BUILD_DIR" "$@" >/dev/null
ninja -C "$BUILD_DIR" -j"$(nproc)"
