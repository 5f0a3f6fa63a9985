#!/usr/bin/env bash
# `npm run test:e2e [-- <jest args>]`: end-to-end tests against a real n8n 2.41.1.
#   1. installs (first time, ~4 min) or reuses the cached n8n + Node 24 (scripts/install-n8n.sh);
#   2. installs Debian's chromium for the browser test when /usr/bin/chromium is missing and we are
#      root (CI: a fresh machine running as root); never `npx playwright install`;
#   3. builds the package (tests load dist/ as custom nodes);
#   4. runs jest with jest.e2e.config.js, one test file at a time.
# Extra arguments go to jest, e.g. `npm run test:e2e -- test/e2e/n8n-runner.e2e.ts`.
# E2E_SKIP_BUILD=1 skips step 3 (tests that need dist/ then use whatever is there).
# Logs of every n8n started: test/e2e/artifacts/ (E2E_KEEP_N8N=1 also keeps its user folder).
N8N_LIB_TAG=e2e
. "$(dirname "$0")/preamble.sh"

started=$SECONDS
n8n_resolve_install
say "n8n: $N8N_CACHE"

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

say "running the e2e tests (each file starts its own n8n: about 20 s each)..."
set +e
npx jest -c jest.e2e.config.js --runInBand "$@"
status=$?
set -e
say "done in $((SECONDS - started)) s (n8n logs: test/e2e/artifacts/)"
exit "$status"
