#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a model: the demo
# chat page in headless Chromium (WebGPU on a real GPU with --flags
# gpu-vulkan; here, where the only adapter is SwiftShader, the SDK's 'auto'
# picks the faster wasm CPU backend) streams an answer, then loads again in a
# new browser process from the cache, printing cold and warm load times and
# the model bytes each fetched. First, lantern-cli runs the same model natively.
# Usage: ci/main.sh [MODEL.gguf|URL [DEMO OPTIONS...]]
# Options after the model go to `lantern-rig demo`, e.g.
#   ci/main.sh qwen3-0.6b-q4_k_m.gguf --max-tokens 32
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
ci/build_wasm.sh
MODEL=${1:-../shared/models/stories260K/stories260K.gguf}
shift || true
if [ -f "$MODEL" ]; then
  echo "main: lantern-cli on $MODEL (native CPU backend)"
  build/bin/lantern-cli --model "$MODEL" --prompt "Once upon a time" --max-tokens 64 --temperature 0
  echo
  build/bin/lantern-rig demo --model "$MODEL" --prompt "Once upon a time" "$@"
elif [ "$MODEL" != ../shared/models/stories260K/stories260K.gguf ]; then
  build/bin/lantern-rig demo --model "$MODEL" --prompt "Once upon a time" "$@"
else
  build/bin/lantern-rig demo --prompt "Once upon a time"  # says it uses a synthetic model
fi
