#!/usr/bin/env bash
# Packs the native llama.cpp peer for the lent GPU machine (which has no
# node): this machine's node binary and fixtures/peers with node-llama-cpp's
# prebuilt Vulkan binaries (other platforms, the CUDA builds and wllama left
# out to fit one call's 64 MiB carry) into .dev/p3. ci/gpu_peers_run.sh
# unpacks and runs it there. Needs `npm ci` in fixtures/peers first.
set -euo pipefail
cd "$(dirname "$0")/.."
P=fixtures/peers
[ -d $P/node_modules/@node-llama-cpp/linux-x64-vulkan ] || { echo "run npm ci in $P first" >&2; exit 2; }
mkdir -p .dev/p3
xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .dev/p3/node.xz
tar -C $P \
  --exclude='node_modules/@wllama' \
  --exclude='node_modules/@node-llama-cpp/linux-arm64' --exclude='node_modules/@node-llama-cpp/linux-armv7l' \
  --exclude='node_modules/@node-llama-cpp/linux-x64' --exclude='node_modules/@node-llama-cpp/linux-x64-cuda' \
  --exclude='node_modules/@node-llama-cpp/linux-x64-cuda-ext' \
  --exclude='node_modules/node-llama-cpp/llama/gitRelease.bundle' --exclude='node_modules/node-llama-cpp/llama/llama.cpp' \
  -cf - package.json llama_native_bench.mjs node_modules | xz -T2 -6 > .dev/p3/peers.tar.xz
du -sh .dev/p3/*
