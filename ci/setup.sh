#!/usr/bin/env bash
# Installs what Lantern's build and tests need on Debian bookworm, and only
# what is missing, so running it again costs a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev googletest
  nlohmann-json3-dev libwebsockets-dev libboost-dev libboost-filesystem-dev
  clang-14 libfuzzer-14-dev libclang-rt-14-dev
  chromium chromium-headless-shell
  emscripten nodejs
  gnuplot-nox python3
  json-schema-test-suite python3-jsonschema
)

# npm comes with the nodejs package on machines that use NodeSource's build;
# only Debian's own nodejs needs the separate npm package.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

# The bench peers (npm packages in fixtures/peers); optional: without them
# `lantern-rig bench --peers` reports why instead of numbers.
install_peers() {
  "$(dirname "$0")/peers_setup.sh" || echo "setup: peers not installed (lantern-rig bench --peers will say why)"
  # The bundlers (Vite, webpack) the npm-package scenario builds apps with.
  "$(dirname "$0")/npm_locked_install.sh" "$(dirname "$0")/../fixtures/bundler_apps"
}

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  install_peers
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_peers
