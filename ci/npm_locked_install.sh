#!/usr/bin/env bash
# Installs a fixtures folder's npm packages exactly as its package-lock.json
# pins them. Idempotent and offline once installed: a stamp holds the
# lockfile's hash, so a second run touches nothing. Install scripts are off
# (none of these packages needs one; node-llama-cpp's postinstall would try to
# fetch or build llama.cpp from GitHub).
# Usage: ci/npm_locked_install.sh DIR
set -euo pipefail
dir=${1:?usage: ci/npm_locked_install.sh DIR}
cd "$dir"
stamp=node_modules/.lantern-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "npm: $dir installed (node_modules matches package-lock.json)"
  exit 0
fi
# Not `npm ci`: the registry reachable here lacks some platforms' optional
# binary packages (node-llama-cpp's mac/win builds), so a lockfile cannot list
# them and `npm ci` calls it out of sync; `npm install` on an unchanged
# package.json installs what the lockfile pins (and leaves it as it is).
npm install --ignore-scripts --no-audit --no-fund --prefer-offline
echo "$want" > "$stamp"
echo "npm: $dir installed from package-lock.json"
