#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs a model.
# Today: lantern-cli streams stories260K on the CPU (the browser path replaces
# this when the WebGPU backend and web SDK land).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
ci/build.sh
MODEL=${1:-../shared/models/stories260K/stories260K.gguf}
if [ ! -f "$MODEL" ]; then
  echo "main: $MODEL not found; writing a synthetic model (its text will be random)"
  build/bin/make_gguf --shape tiny --type q8_0 --out build/tiny-q8_0.gguf
  MODEL=build/tiny-q8_0.gguf
fi
echo "main: lantern-cli on $MODEL"
build/bin/lantern-cli --model "$MODEL" --prompt "Once upon a time" --max-tokens 64 --temperature 0
