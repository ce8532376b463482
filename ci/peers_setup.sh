#!/usr/bin/env bash
# Installs the peers lantern-rig bench measures Lantern against
# (fixtures/peers: @wllama/wllama, node-llama-cpp and its prebuilt binaries for
# CPU, CUDA and Vulkan) exactly as package-lock.json pins them. Idempotent and
# offline once installed: a stamp holds the lockfile's hash, so a second run
# touches nothing. Install scripts are off: node-llama-cpp's postinstall would
# try to fetch or build llama.cpp from GitHub; its prebuilt binaries come as
# npm packages (@node-llama-cpp/linux-x64*) and need no script.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/peers"
stamp=node_modules/.lantern-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "peers: installed ($(basename "$PWD")/node_modules matches package-lock.json)"
  exit 0
fi
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
# Not `npm ci`: the registry reachable here lacks node-llama-cpp's mac/win
# binary packages, so the lockfile cannot list them and `npm ci` calls it out
# of sync; `npm install` on an unchanged package.json installs what the
# lockfile pins (and leaves the lockfile as it is).
npm install --ignore-scripts --no-audit --no-fund --prefer-offline
echo "$want" > "$stamp"
echo "peers: installed from package-lock.json"
