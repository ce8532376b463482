#!/usr/bin/env bash
# Extracts llama.cpp's ggml-vocab-llama-bpe.gguf and ggml-vocab-qwen2.gguf
# (the vocabularies of fixtures/golden/tokenizer/tokens-{llama-bpe,qwen2}.json)
# with their .inp/.out test vectors
# from the llama.cpp source that npm's node-llama-cpp carries
# (fixtures/peers, installed by ci/setup.sh: llama/gitRelease.bundle, commit
# de3ff81, the one the goldens were made with) into build/llama-vocab/, and
# prints that folder (LANTERN_EXTRA_VOCAB_DIR for the tokenizer golden and
# vector tests).
# Once extracted, a second run costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/llama-vocab}
files=()
for v in llama-bpe qwen2; do files+=("ggml-vocab-$v.gguf" "ggml-vocab-$v.gguf.inp" "ggml-vocab-$v.gguf.out"); done
bundle=fixtures/peers/node_modules/node-llama-cpp/llama/gitRelease.bundle
have=1
for f in "${files[@]}"; do [ -s "$out/$f" ] || have=0; done
if [ "$have" = 0 ]; then
  [ -f "$bundle" ] || { echo "llama_vocabs: $bundle is missing (ci/peers_setup.sh installs it)" >&2; exit 1; }
  repo=$(mktemp -d)
  trap 'rm -rf "$repo"' EXIT
  git -C "$repo" init -q --bare
  git -C "$repo" fetch -q "$PWD/$bundle" HEAD:refs/heads/llama
  mkdir -p "$out"
  for f in "${files[@]}"; do
    git -C "$repo" show "llama:models/$f" > "$out/$f.partial"
    mv "$out/$f.partial" "$out/$f"
  done
fi
realpath "$out"
