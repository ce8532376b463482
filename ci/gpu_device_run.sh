#!/usr/bin/env bash
# Runs on the lent NVIDIA machine (the `device` tool), as call 2 of 2 of the
# recipe in ../shared/GPU.md: call 1 carried .dev/p1 and ran
# .gpu/unpack_p1.sh; this call carries .dev/p2, .gpu (GPU.md's folder plus
# .gpu/shared/models/stories260K), build-portable/bin (a -march-portable
# lantern-rig, bundled with its libraries by build_bundle.sh's EXTRA_BINS)
# and build-wasm/web. It runs the WebGPU parity suite and the benchmark on
# the real GPU through Vulkan; reports land in $OUT.
# Usage: ci/gpu_device_run.sh [parity|bench|all]
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
    --report "$OUT/parity" --verbose 2>&1 | grep -vE "^\s*$" | tail -30 || rc=1
fi
if [ "$what" = bench ] || [ "$what" = all ]; then
  $RIG run --suite gpubench --browser "$CHROME" --flags gpu-vulkan --source-dir . --timeout 1200 \
    --report "$OUT/bench" --verbose 2>&1 | grep -vE "^\s*$" | tail -30 || rc=1
fi
exit $rc
