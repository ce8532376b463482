#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang-14 and
# AddressSanitizer/UBSan into build-fuzz/, then runs each for SECONDS seconds
# on a copy of its seed corpus (fixtures/fuzz/<name>/). A crash, leak or
# timeout fails the run and leaves the input in build-fuzz/artifacts/.
# Usage: ci/fuzz.sh [SECONDS] [TARGET...]
# FUZZ_BUILD_DIR overrides the build folder (default build-fuzz), so two
# people can fuzz from one checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${1:-15}
B=${FUZZ_BUILD_DIR:-build-fuzz}
shift || true
CC=clang-14 CXX=clang++-14 cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLANTERN_FUZZ=ON -DLANTERN_BUILD_TESTS=OFF -DLANTERN_BUILD_DRIVER=OFF >/dev/null
ninja -C "$B" -j"$(nproc)" $(cd tests/fuzz && ls *_fuzz.cpp | sed 's/\.cpp$//')
targets=("$@")
if [ ${#targets[@]} = 0 ]; then
  targets=($(cd tests/fuzz && ls *_fuzz.cpp | sed 's/_fuzz\.cpp$//'))
fi
mkdir -p $B/artifacts
for t in "${targets[@]}"; do
  corpus=$B/corpus/$t
  mkdir -p "$corpus"
  [ -d "fixtures/fuzz/$t" ] && cp -n fixtures/fuzz/$t/* "$corpus/" 2>/dev/null || true
  echo "fuzz: $t for ${SECONDS_EACH}s"
  LANTERN_SHARED_DIR=$(cd .. && pwd)/shared \
    $B/tests/fuzz/${t}_fuzz -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=$B/artifacts/${t}- -print_final_stats=1 "$corpus" 2>&1 |
    grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|==[0-9]+==ERROR|SUMMARY)" || true
  if ls $B/artifacts/${t}-* >/dev/null 2>&1; then
    echo "fuzz: $t found a failing input: $(ls $B/artifacts/${t}-*)" >&2
    exit 1
  fi
done
