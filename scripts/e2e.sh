#!/usr/bin/env bash
# `npm run test:e2e [-- <jest args>]`: end-to-end tests against real n8n installs.
#   1. installs (first time, 4-9 min each) or reuses the cached n8n versions (scripts/install-n8n.sh);
#   2. installs Debian's chromium for the browser test when /usr/bin/chromium is missing and we are
#      root (CI: a fresh machine running as root); never `npx playwright install`;
#   3. builds the package (each test packs dist/ and installs the tarball into its n8n: scripts/install-package.sh);
#   4. runs jest with jest.e2e.config.js, one test file at a time, for each entry of the matrix:
#        2.41.1    every e2e file (Node 24; the pinned version, n8n-config.json's n8nVersion)
#        1.123.81  the newest 1.x (Node 22): compat, n8n-runner, custom-extension, editor, authorization,
#                  mcp-credentials, install-by-hand (install-routes needs 2.21+)
#                  (examples and the browser test add nothing version-specific; examples use a
#                  wait limit, which 1.x refuses)
#        1.85.4    the declared floor (Node 22): compat (load, credential test, completion, pause
#                  and resume)
# Extra arguments go to jest and run on one version only: DEDALUS_N8N_VERSION (default 2.41.1),
# e.g. `npm run test:e2e -- test/e2e/n8n-runner.e2e.ts` or
# `DEDALUS_N8N_VERSION=1.123.81 npm run test:e2e -- test/e2e/compat.e2e.ts`.
# E2E_MATRIX="2.41.1 1.85.4" runs only those entries of the matrix.
# E2E_SKIP_BUILD=1 skips step 3 (tests that need dist/ then use whatever is there).
# Logs of every n8n started: test/e2e/artifacts/ (E2E_KEEP_N8N=1 also keeps its user folder).
N8N_LIB_TAG=e2e
. "$(dirname "$0")/preamble.sh"

started=$SECONDS
declare -A FILES=(
  [$N8N_DEFAULT_VERSION]=""
  [1.123.81]="test/e2e/compat.e2e.ts test/e2e/n8n-runner.e2e.ts test/e2e/custom-extension.e2e.ts test/e2e/editor.e2e.ts test/e2e/authorization.e2e.ts test/e2e/mcp-credentials.e2e.ts test/e2e/install-by-hand.e2e.ts"
  [1.85.4]="test/e2e/compat.e2e.ts"
)
if [ $# -gt 0 ]; then
  MATRIX="${DEDALUS_N8N_VERSION:-$N8N_DEFAULT_VERSION}"
else
  MATRIX="${E2E_MATRIX:-$N8N_DEFAULT_VERSION 1.123.81 1.85.4}"
fi
# Install every version first, so a missing install fails before any test runs.
for version in $MATRIX; do
  n8n_resolve_install "$version"
  say "n8n $version: $N8N_CACHE"
done

CHROMIUM=/usr/bin/chromium
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's chromium for the browser test (apt-get, about 1 minute)..."
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >&2
  else
    say "warning: $CHROMIUM is missing and this is not root: the browser test will fail (apt-get install -y chromium)"
  fi
fi

build_package E2E_SKIP_BUILD

ARGS=("$@")
status=0
summary=()
for version in $MATRIX; do
  n8n_resolve_install "$version"
  export DEDALUS_N8N_VERSION="$version"
  leg=$SECONDS
  if [ ${#ARGS[@]} -gt 0 ]; then
    run=("${ARGS[@]}")
  else
    # shellcheck disable=SC2206 # a list of file paths without spaces
    run=(${FILES[$version]:-})
  fi
  say "n8n $version: running ${run[*]:-every e2e file} (each file starts its own n8n: 20-60 s)..."
  set +e
  npx jest -c jest.e2e.config.js --runInBand "${run[@]}"
  code=$?
  set -e
  [ "$code" = 0 ] || status=$code
  summary+=("n8n $version: $([ "$code" = 0 ] && echo passed || echo FAILED) in $((SECONDS - leg)) s")
done
for line in "${summary[@]}"; do say "$line"; done
say "done in $((SECONDS - started)) s (n8n logs: test/e2e/artifacts/)"
exit "$status"
