#!/usr/bin/env bash
# Every test: installs what is missing, builds, then runs the unit tests,
# short fuzz runs, and the browser tests through lantern-rig.
# --sanitize adds ci/sanitize.sh (every native unit test under ASan+UBSan in
# build-asan/): a second full build, so it is not in the default run.
# Usage: ci/test.sh [--no-fuzz] [--no-browser] [--sanitize]
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ=1
BROWSER=1
SANITIZE=0
for a in "$@"; do
  case "$a" in
    --no-fuzz) FUZZ=0 ;;
    --no-browser) BROWSER=0 ;;
    --sanitize) SANITIZE=1 ;;
    *) echo "usage: ci/test.sh [--no-fuzz] [--no-browser] [--sanitize]" >&2; exit 2 ;;
  esac
done

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

step "setup"
ci/setup.sh

step "build"
ci/build.sh
if [ "$BROWSER" = 1 ]; then
  step "build the browser module (wasm)"
  ci/build_wasm.sh
fi

step "JavaScript modules parse"
ci/check_js.sh

step "unit tests"
# llama.cpp's llama-bpe and qwen2 vocabularies, for the tokenizer goldens.
LANTERN_EXTRA_VOCAB_DIR=$(ci/llama_vocabs.sh)
export LANTERN_EXTRA_VOCAB_DIR
ctest --test-dir build -L unit --output-on-failure -j"$(nproc)" --timeout 300

if [ "$SANITIZE" = 1 ]; then
  step "unit tests under AddressSanitizer + UBSan"
  ci/sanitize.sh
fi

if [ "$FUZZ" = 1 ]; then
  step "fuzz (short runs; ci/fuzz.sh SECONDS for longer ones)"
  FUZZ_SEED=1 ci/fuzz.sh 15
fi

if [ "$BROWSER" = 1 ]; then
  step "browser tests (headless Chromium)"
  ctest --test-dir build -L browser --output-on-failure --timeout 600
  build/bin/lantern-rig run --report build/rig-report
fi

step "all tests passed"
