#!/usr/bin/env bash
# `npm run demo [-- --auto-consent] [-- --keep]`: the newcomer demo (README "Quick start").
#   1. builds the package (dist/ is packed and installed into n8n) and compiles the demo (scripts/demo.ts);
#   2. installs the pinned n8n 2.41.1 + Node 24 on first use (about 4 minutes; cached afterwards,
#      shared with `npm run test:e2e` and `npm run dev`);
#   3. hands over to scripts/demo.ts: emulator, n8n, examples, the run, the consent, the summary.
# DEDALUS_API_KEY (and DEDALUS_BASE_URL) switch from the local emulator to the real Dedalus API.
N8N_LIB_TAG=demo
. "$(dirname "$0")/preamble.sh"
started=$SECONDS

case " $* " in *" --auto-consent "*)
  if [ -n "${DEDALUS_API_KEY:-}" ]; then
    echo "--auto-consent approves on the local emulator only: a real consent is a person's decision. Unset DEDALUS_API_KEY or drop --auto-consent." >&2
    exit 2
  fi
esac
case " $* " in *" --help "*|*" -h "*) ;; *)
  say "building the package and the demo (npm run build + tsc: usually 15-30 s)..."
  npm run --silent build
  ;;
esac
npx tsc -p scripts/demo.tsconfig.json
say "  done in $((SECONDS - started)) s"

TICKER=""
if [ ! -f "${DEDALUS_N8N_HOME:-/nonexistent}/.installed" ] \
  && [ ! -f "${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus}/n8n-${DEDALUS_N8N_VERSION:-$N8N_DEFAULT_VERSION}/.installed" ]; then
  say "first run on this machine: installing n8n ${DEDALUS_N8N_VERSION:-$N8N_DEFAULT_VERSION} and Node.js 24 from the npm registry"
  say "  (about 4 minutes, once; cached in ${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus})..."
  # npm is silent for minutes while it installs n8n: say now and then that it is still working.
  install_started=$(date +%s)
  ( while sleep 30; do say "  ...still installing n8n: $(( $(date +%s) - install_started )) s so far (usually about 4 minutes)"; done ) &
  TICKER=$!
  trap '[ -n "$TICKER" ] && kill "$TICKER" 2>/dev/null' EXIT
fi
n8n_resolve_install
if [ -n "$TICKER" ]; then kill "$TICKER" 2>/dev/null || true; TICKER=""; fi
say "n8n ${N8N_CACHE##*/n8n-}: $N8N_CACHE"

export DEDALUS_N8N_HOME DEDALUS_DEMO_ROOT="$ROOT"
exec node "$ROOT/node_modules/.cache/n8n-nodes-dedalus-demo/scripts/demo.js" "$@"
