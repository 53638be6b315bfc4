#!/usr/bin/env bash
# Sets up a fresh checkout and runs every check: build, typecheck, lint and all tests.
# Ends with one line "N passed, N failed" summed over all packages; exits non-zero on any failure.
source "$(dirname "$0")/lib/env.sh"
cd "$WSP_ROOT"
ensure_pnpm
ensure_reference_tools
log "installing dependencies"
pnpm install --frozen-lockfile
node scripts/test-summary.mjs --clean

set +e
pnpm turbo run build typecheck lint --continue --output-logs=errors-only
checks=$?
pnpm turbo run test --continue --concurrency=1
tests=$?
set -e
node scripts/test-summary.mjs --checks-status "$checks" --tests-status "$tests"
