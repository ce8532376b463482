#!/usr/bin/env bash
# Packs what native llama.cpp (node-llama-cpp's prebuilt Vulkan build) needs
# on the lent GPU machine, which has no Node, no npm and no network:
#   .dev/peers-gpu.tar.xz = node (this machine's binary), libvulkan.so.1
#   (Chromium's Khronos loader) and fixtures/peers/node_modules without the
#   packages the device does not use (arm, CPU-only, CUDA: the CUDA build
#   needs cuBLAS/cudart, ~360 MB in @node-llama-cpp/linux-x64-cuda-ext, too
#   big to carry).
# On the device (repo root, carry [".dev/peers-gpu.tar.xz", <your make_gguf>]):
#   tar -xJf .dev/peers-gpu.tar.xz -C /tmp && cp -r /tmp/peers-gpu/node_modules fixtures/peers/ &&
#   sed 's#libGLX_nvidia.so.0#/usr/local/nvidia/lib64/libEGL_nvidia.so.0#' \
#     /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json > /tmp/nvidia_egl_icd.json &&
#   VK_DRIVER_FILES=/tmp/nvidia_egl_icd.json LD_LIBRARY_PATH=/tmp/peers-gpu/lib:/usr/local/nvidia/lib64 \
#     /tmp/peers-gpu/node fixtures/peers/llama_native_bench.mjs --model M.gguf --gpu vulkan --runs 3
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d fixtures/peers/node_modules/node-llama-cpp ] || ci/peers_setup.sh
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/peers-gpu/lib" "$stage/peers-gpu/node_modules" .dev
cp "$(command -v node)" "$stage/peers-gpu/node"
cp -L /usr/lib/chromium/libvulkan.so.1 "$stage/peers-gpu/lib/"
tar -C fixtures/peers/node_modules \
  --exclude='@node-llama-cpp/linux-arm64' --exclude='@node-llama-cpp/linux-armv7l' \
  --exclude='@node-llama-cpp/linux-x64' --exclude='@node-llama-cpp/linux-x64-cuda' \
  --exclude='@node-llama-cpp/linux-x64-cuda-ext' --exclude='@wllama' --exclude='node-llama-cpp/llama/gitRelease.bundle' \
  -cf - . | tar -C "$stage/peers-gpu/node_modules" -xf -
tar -C "$stage" -cf - peers-gpu | xz -T2 -3 > .dev/peers-gpu.tar.xz
echo "peers: wrote .dev/peers-gpu.tar.xz ($(du -h .dev/peers-gpu.tar.xz | cut -f1))"
