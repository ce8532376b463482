#!/usr/bin/env bash
# Builds the native tree (sdk, rig, unit tests) with clang-14 and
# AddressSanitizer + UndefinedBehaviorSanitizer (-fno-sanitize-recover=all:
# the first report fails the test) into build-asan/, then runs every native
# unit test (ctest -L unit). Leak checking is on (LeakSanitizer, ASan's default
# on Linux).
# Usage: ci/sanitize.sh [ctest args...]   e.g. ci/sanitize.sh -R Gguf
# SANITIZE_BUILD_DIR overrides the build folder (default build-asan).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${SANITIZE_BUILD_DIR:-build-asan}
cmake --preset asan -B "$B" >/dev/null
ninja -C "$B" -j"$(nproc)"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Sanitized code is 2-5x slower: a longer per-test limit than ci/test.sh's.
ctest --test-dir "$B" -L unit --output-on-failure -j"$(nproc)" --timeout 900 "$@"
