#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a model.
# Today: lantern-cli streams stories260K on the native CPU backend, then the
# same engine compiled to wasm runs in headless Chromium on WebGPU
# (SwiftShader here, a real GPU with --flags gpu-vulkan), checked against its
# CPU backend, with its decode speed in the log. The web SDK's demo with cold
# and warm loads replaces the second part when it lands.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
ci/build_wasm.sh
MODEL=${1:-../shared/models/stories260K/stories260K.gguf}
if [ ! -f "$MODEL" ]; then
  echo "main: $MODEL not found; writing a synthetic model (its text will be random)"
  build/bin/make_gguf --shape tiny --type q8_0 --out build/tiny-q8_0.gguf
  MODEL=build/tiny-q8_0.gguf
fi
echo "main: lantern-cli on $MODEL (native CPU backend)"
build/bin/lantern-cli --model "$MODEL" --prompt "Once upon a time" --max-tokens 64 --temperature 0
echo
echo "main: the engine in headless Chromium on WebGPU"
build/bin/lantern-rig run --suite webgpu --browser headless-shell --flags swiftshader --verbose --report build/main-report
