#!/usr/bin/env bash
# Runs the arm64 native test harness (built by build-arm64.sh) under qemu-user.
# Prints the harness's lines, ending with "N passed, N failed"; exit status is the harness's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/out/harness-arm64"
[ -x "$bin" ] || bash "$here/build-arm64.sh" >&2
QEMU="${WSP_QEMU:-qemu-aarch64}"
command -v "$QEMU" >/dev/null 2>&1 || { echo "$QEMU not found (apt-get install qemu-user)" >&2; exit 2; }
exec "$QEMU" -L /usr/aarch64-linux-gnu "$bin"
