#!/usr/bin/env bash
# `npm run test:e2e:queue [-- <jest args>]`: the node in n8n's queue mode with real parts:
#   1. installs PostgreSQL and Redis from Debian when missing (scripts/install-queue-services.sh);
#   2. installs (first time) or reuses the cached n8n (DEDALUS_N8N_VERSION, default 2.41.3);
#   3. builds the package; 4. runs jest with jest.queue.config.js. Each test file starts its own
#      PostgreSQL and Redis (data in a temp folder, stopped after) and four n8n processes.
# E2E_SKIP_BUILD=1 skips step 3. Logs: test/e2e/artifacts/.
N8N_LIB_TAG=e2e-queue
. "$(dirname "$0")/preamble.sh"

started=$SECONDS
bash "$ROOT/scripts/install-queue-services.sh"
n8n_resolve_install
say "n8n: $N8N_CACHE"
build_package E2E_SKIP_BUILD
set +e
npx jest -c jest.queue.config.js --runInBand "$@"
status=$?
set -e
say "done in $((SECONDS - started)) s (logs: test/e2e/artifacts/)"
exit "$status"
