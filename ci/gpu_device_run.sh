#!/usr/bin/env bash
# Runs on the lent NVIDIA machine (the `device` tool), as call 2 of 2 of the
# recipe in ../shared/GPU.md: call 1 carried .dev/p1 and ran
# .gpu/unpack_p1.sh; this call carries .dev/p2, .gpu (GPU.md's folder plus
# .gpu/shared/models/stories260K), build-portable/bin (a -march-portable
# lantern-rig, bundled with its libraries by build_bundle.sh's EXTRA_BINS)
# and build-wasm/web. It runs the WebGPU parity suite and the benchmarks on
# the real GPU through Vulkan; reports land in $OUT.
#   parity   the webgpu suite (tokens against the CPU backend)
#   kernels  the gpubench suite (raw-engine prefill/decode, per-kernel GPU time)
#   bench    `lantern-rig bench` through the web SDK: synthetic Qwen2.5-0.5B and
#            Llama-3.2-1B shapes in Q4_0 and Q8_0 (made on the machine by the rig),
#            3 cold and 3 warm loads each, with native llama.cpp (node-llama-cpp,
#            fixtures/peers/node_modules from ci/peers_setup.sh, on CUDA/Vulkan)
#            beside it; $OUT/rig-bench/{bench.json,tables.md,*.svg}
#   all      parity, kernels, bench
# Each step's whole log is in $OUT/<step>.log (the call's output shows its tail).
# LANTERN_BENCH_MODELS picks gpubench's models (see webgpu_bench_scenario.cpp);
# SDK_BENCH_MODELS the bench's (default: the four Q4_0/Q8_0 ones), SDK_BENCH_RUNS
# its runs (default 3); BENCH_SCHEMA=FILE also times decode under that JSON
# Schema (lantern-rig bench --schema).
# Usage: ci/gpu_device_run.sh [parity|kernels|bench|all]
set -uo pipefail
what=${1:-all}
source .gpu/setup_chromium.sh || exit 3
export LANTERN_SHARED_DIR=$PWD/.gpu/shared LANTERN_WASM_DIR=$PWD/build-wasm/web
OUT=${OUT:-/tmp/out}
RIG=build-portable/bin/lantern-rig
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv,noheader
rc=0
if [ "$what" = parity ] || [ "$what" = all ]; then
  $RIG run --suite webgpu --browser "$CHROME" --flags gpu-vulkan --source-dir . --timeout 400 \
    --report "$OUT/parity" --verbose > "$OUT/parity.log" 2>&1 || rc=1
  grep -vE "^\s*$" "$OUT/parity.log" | tail -30
fi
if [ "$what" = kernels ] || [ "$what" = all ]; then
  $RIG run --suite gpubench --browser "$CHROME" --flags gpu-vulkan --source-dir . --timeout 1200 \
    --report "$OUT/bench" --verbose > "$OUT/kernels.log" 2>&1 || rc=1
  grep -vE "^\s*$" "$OUT/kernels.log" | tail -30
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  # The SDK pages load the module from web/dist (ignored by git, so not carried).
  mkdir -p web/dist && cp "$LANTERN_WASM_DIR"/lantern.mjs "$LANTERN_WASM_DIR"/lantern.wasm web/dist/
  peers=()
  # The peer unpacked by an earlier call (ci/gpu_peers_run.sh --unpack-only):
  # node and node-llama-cpp's Vulkan build, with a Vulkan loader on the path.
  if [ -d /tmp/peers/node_modules ] && [ ! -e fixtures/peers/node_modules ]; then
    ln -s /tmp/peers/node_modules fixtures/peers/node_modules
    export PATH=/tmp/peers:$PATH LD_LIBRARY_PATH=$LD_LIBRARY_PATH:/tmp/chr
  fi
  [ -d fixtures/peers/node_modules/node-llama-cpp ] && peers=(--peers llama-native) ||
    echo "gpu_device_run: fixtures/peers/node_modules/node-llama-cpp is not here: bench without the native peer"
  schema=()
  [ -n "${BENCH_SCHEMA:-}" ] && schema=(--schema "$BENCH_SCHEMA")
  $RIG bench --browser "$CHROME" --flags gpu-vulkan --source-dir . --runs "${SDK_BENCH_RUNS:-3}" "${peers[@]}" "${schema[@]}" \
    --model "${SDK_BENCH_MODELS:-synthetic:qwen2.5-0.5b:q4_0,synthetic:qwen2.5-0.5b:q8_0,synthetic:llama-3.2-1b:q4_0,synthetic:llama-3.2-1b:q8_0}" \
    --model-cache /tmp/lantern-bench-models --timeout 500 --report "$OUT/rig-bench" > "$OUT/bench.log" 2>&1 || rc=1
  tail -60 "$OUT/bench.log"
fi
exit $rc
