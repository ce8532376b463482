#!/usr/bin/env bash
# Runs on the lent NVIDIA machine right after ci/gpu_device_run.sh (same warm
# machine; carry .dev/p3 .gpu): native llama.cpp (node-llama-cpp's prebuilt
# Vulkan build) on the same GGUF files the Lantern bench used, through the
# same Vulkan driver as Chromium's WebGPU. JSON lines land in $OUT/peers.
# Usage: ci/gpu_peers_run.sh --unpack-only   (a call of its own: .dev/p3 and
#        .dev/p2 together pass one call's carry limit; then gpu_device_run.sh
#        bench finds the peer in /tmp/peers)
#        ci/gpu_peers_run.sh MODEL.gguf...   (default: /tmp/lantern-bench-models/*.gguf)
set -uo pipefail
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT/peers" /tmp/peers
[ -x /tmp/peers/node ] || xz -dc .dev/p3/node.xz > /tmp/peers/node && chmod +x /tmp/peers/node
[ -d /tmp/peers/node_modules ] || tar -C /tmp/peers -xJf .dev/p3/peers.tar.xz
if [ "${1:-}" = --unpack-only ]; then du -sh /tmp/peers; exit 0; fi
# The NVIDIA Vulkan ICD that works headless (as .gpu/setup_chromium.sh sets it up).
sed 's#libGLX_nvidia.so.0#/usr/local/nvidia/lib64/libEGL_nvidia.so.0#' \
  /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json > /tmp/nvidia_egl_icd.json
export VK_DRIVER_FILES=/tmp/nvidia_egl_icd.json VK_ICD_FILENAMES=/tmp/nvidia_egl_icd.json
# ggml-vulkan needs a Vulkan loader: the system's, else Chromium's from the bundle.
export LD_LIBRARY_PATH=/tmp/chr:/tmp/chr/lib:/usr/local/nvidia/lib64:${LD_LIBRARY_PATH:-}
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(/tmp/lantern-bench-models/*.gguf)
rc=0
for m in "${models[@]}"; do
  name=$(basename "$m" .gguf)
  echo "== llama.cpp (vulkan) $name"
  timeout 240 /tmp/peers/node /tmp/peers/llama_native_bench.mjs --model "$m" --gpu vulkan --runs 3 \
    > "$OUT/peers/$name.jsonl" 2> "$OUT/peers/$name.err" || { rc=1; tail -5 "$OUT/peers/$name.err"; }
  cat "$OUT/peers/$name.jsonl"
done
exit $rc
