#!/usr/bin/env bash
# `npm run test:e2e [-- <jest args>]`: end-to-end tests against a real n8n 2.41.1.
#   1. installs (first time, ~4 min) or reuses the cached n8n + Node 24 (scripts/install-n8n.sh);
#   2. builds the package (tests load dist/ as custom nodes);
#   3. runs jest with jest.e2e.config.js, one test file at a time.
# Extra arguments go to jest, e.g. `npm run test:e2e -- test/e2e/smoke.e2e.ts`.
# E2E_SKIP_BUILD=1 skips step 2 (tests that need dist/ then use whatever is there).
# Logs of every n8n started: test/e2e/artifacts/ (E2E_KEEP_N8N=1 also keeps its user folder).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
N8N_LIB_TAG=e2e
. "$ROOT/scripts/n8n-lib.sh"
say() { n8n_say "$@"; }

started=$SECONDS
n8n_resolve_install
say "n8n: $N8N_CACHE"

if [ "${E2E_SKIP_BUILD:-}" = 1 ]; then
  say "skipping the build (E2E_SKIP_BUILD=1)"
else
  say "building the package (npm run build)..."
  npm run --silent build
fi

say "running the e2e tests (each file starts its own n8n: about 20 s each)..."
set +e
npx jest -c jest.e2e.config.js --runInBand "$@"
status=$?
set -e
say "done in $((SECONDS - started)) s (n8n logs: test/e2e/artifacts/)"
exit "$status"
