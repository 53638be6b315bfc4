#!/usr/bin/env bash
# Cross-builds the native backend for linux-arm64 with Debian's aarch64-linux-gnu-g++:
#  1. the addon itself, prebuilds/linux-arm64/@wsp+backend-cpu.node (Node-API, so the host's Node
#     headers serve), its ELF header checked to be AArch64;
#  2. the C++ test harness (same kernel sources, NEON + generic), tools/cross/out/harness-arm64.
# Without the cross compiler it says so and exits 0 (the x64 build does not need it); set
# WSP_REQUIRE_ARM64=1 to make that an error (CI on Debian installs g++-aarch64-linux-gnu).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pkg="$here/../../packages/backend-cpu"
src="$pkg/native/src"
out="$here/out"
CXX="${WSP_ARM64_CXX:-aarch64-linux-gnu-g++}"
STRIP="${WSP_ARM64_STRIP:-aarch64-linux-gnu-strip}"

if ! command -v "$CXX" >/dev/null 2>&1; then
  msg="arm64 cross build skipped: $CXX not found (apt-get install g++-aarch64-linux-gnu)"
  if [ "${WSP_REQUIRE_ARM64:-0}" = "1" ]; then echo "$msg" >&2; exit 1; fi
  echo "$msg" >&2
  exit 0
fi

node_include="${npm_config_nodedir:-/usr}/include/node"
addon_api="$(cd "$pkg" && node -p "require('node-addon-api').include_dir")"
mkdir -p "$out" "$pkg/prebuilds/linux-arm64"
flags=(-O3 -std=c++17 -fPIC -pthread -march=armv8-a -DNAPI_VERSION=8 -DNODE_ADDON_API_DISABLE_DEPRECATED)
kernels=("$src/kernels_generic.cc" "$src/kernels_neon.cc" "$src/dispatch.cc" "$src/thread_pool.cc" "$src/network.cc")

# The test harness: a plain executable, run under qemu-aarch64 by run-arm64-tests.sh.
"$CXX" "${flags[@]}" -static "${kernels[@]}" "$pkg/native/test/harness.cc" -o "$out/harness-arm64"

# The addon: Node-API symbols stay undefined and resolve against the node binary at load time.
addon="$pkg/prebuilds/linux-arm64/@wsp+backend-cpu.node"
"$CXX" "${flags[@]}" -shared -fvisibility=hidden -DNAPI_DISABLE_CPP_EXCEPTIONS_=0 -fexceptions \
  -I"$node_include" -I"$addon_api" "${kernels[@]}" "$src/addon.cc" -Wl,--unresolved-symbols=ignore-all -o "$addon"
"$STRIP" --strip-unneeded "$addon"
machine="$(LC_ALL=C readelf -h "$addon" | awk -F: '/Machine:/ {gsub(/^ +/, "", $2); print $2}')"
if [ "$machine" != "AArch64" ]; then
  echo "unexpected ELF machine for $addon: $machine" >&2
  exit 1
fi
echo "arm64: $addon ($machine), $out/harness-arm64"
