#!/usr/bin/env bash
# Builds the browser module (lantern.wasm + lantern.mjs) with Debian's
# Emscripten into build-wasm/web/. Emscripten 3.1.6 needs NODE_PATH to find
# its node dependencies (acorn).
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}
emcmake cmake --preset wasm >/dev/null
ninja -C build-wasm lantern_wasm
# The npm package and the pages load the module from web/dist/.
mkdir -p web/dist
cp build-wasm/web/lantern.mjs build-wasm/web/lantern.wasm web/dist/
