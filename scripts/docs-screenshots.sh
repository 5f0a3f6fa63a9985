#!/usr/bin/env bash
# `npm run docs:screenshots`: regenerates docs/editor-node.png, waiting-execution.png,
# authorization-page.png and finished-run.png in headless Chromium (scripts/docs-screenshots.ts).
# Needs Debian's chromium (`apt-get install -y chromium`; never `npx playwright install`).
N8N_LIB_TAG=docs
. "$(dirname "$0")/preamble.sh"

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  say "no Chromium at $CHROMIUM_PATH. Install Debian's package (as root): apt-get update && apt-get install -y chromium"
  exit 1
fi

say "building the package and the scripts (usually 15-30 s)..."
npm run --silent build
npx tsc -p scripts/demo.tsconfig.json
n8n_resolve_install

export DEDALUS_N8N_HOME DEDALUS_DEMO_ROOT="$ROOT" CHROMIUM_PATH
exec node "$ROOT/node_modules/.cache/n8n-nodes-dedalus-demo/scripts/docs-screenshots.js" "$@"
