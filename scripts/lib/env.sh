# Shared set-up for the run-* scripts: sourced, not executed.
# Installs the pinned pnpm when missing, installs dependencies from the lockfile and builds.
set -euo pipefail

WSP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PNPM_VERSION="$(node -p "require('$WSP_ROOT/package.json').packageManager.split('@')[1]")"

# Native addons build against the local Node headers (no download); turbo stays offline.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
export TURBO_TELEMETRY_DISABLED=1
export CI="${CI:-true}"

log() { printf '\033[1m[wsp]\033[0m %s\n' "$*" >&2; }

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm -v 2>/dev/null)" = "$PNPM_VERSION" ]; then
    return
  fi
  log "installing pnpm $PNPM_VERSION"
  if ! npm i -g -E "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No write access to the global prefix: install into the checkout instead.
    npm i -E --prefix "$WSP_ROOT/.cache/pnpm" "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$WSP_ROOT/.cache/pnpm/node_modules/.bin:$PATH"
  fi
}

# Reference tools (PyTorch, torchaudio, onnx, qemu, the arm64 cross compiler, espeak-ng/sox) are
# optional for users; tests that need them say so when they are missing. Where we are root on
# Debian, install them so every test runs.
ensure_reference_tools() {
  [ "${WSP_SKIP_REFERENCE_TOOLS:-0}" = "1" ] && return
  local pkgs="python3-torch python3-torchaudio python3-onnx libopenblas0-pthread qemu-user g++-aarch64-linux-gnu binutils-aarch64-linux-gnu"
  local missing=""
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
  [ -z "$missing" ] && return
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    log "installing reference tools:$missing"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
  else
    log "reference tools missing ($missing); tests that need them will say so"
  fi
}

install_and_build() {
  cd "$WSP_ROOT"
  ensure_pnpm
  log "installing dependencies"
  pnpm install --frozen-lockfile
  log "building"
  pnpm turbo run build --output-logs=errors-only
}
