#!/usr/bin/env bash
# Installs this package into an n8n user folder the way a community package is installed, so n8n
# loads it under the name it ships with (types n8n-nodes-dedalus.dedalus and
# n8n-nodes-dedalus.dedalusChatModel; credentials dedalusApi, dedalusMcpCredentialsApi):
#   bash scripts/install-package.sh <n8n user folder> [<built dist folder>]
# 1. `npm pack`s the built package (dist/ after `npm run build`, or the given folder with this
#    package.json), once per content: the tarball is cached under a hash of the dist files and
#    package.json (<cache>/packages/<hash>/).
# 2. `npm install`s that tarball into <user folder>/.n8n/nodes, n8n's folder for community packages
#    (N8N_USER_FOLDER/.n8n/nodes/node_modules/<package>, read at every start, n8n 1.85 to 2.x).
#    Offline and without peers: --legacy-peer-deps keeps npm 7+ from resolving n8n-workflow and
#    @n8n/ai-node-sdk (n8n brings its own; without the flag npm looks them up in the registry even
#    with --omit=peer); the package has no other dependencies, so nothing is fetched.
# Used by n8n-runner (the e2e tests, `npm run demo`, the benchmark) and `npm run dev`.
# Prints the installed package folder on its last line.
set -euo pipefail

USER_FOLDER="${1:?usage: install-package.sh <n8n user folder> [<dist folder>]}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$(cd "${2:-$ROOT/dist}" && pwd)"
NAME="$(node -p 'require(process.argv[1]).name' "$ROOT/package.json")"
say() { echo "[install-package] $*" >&2; }

[ -f "$DIST/nodes/Dedalus/Dedalus.node.js" ] || {
  say "no built package in $DIST (run npm run build)"
  exit 1
}

hash="$(
  {
    (cd "$DIST" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    sha256sum <"$ROOT/package.json"
  } | sha256sum | cut -c1-16
)"
PACK_DIR="${DEDALUS_N8N_CACHE:-$HOME/.cache/n8n-nodes-dedalus}/packages/$hash"
tarball="$(find "$PACK_DIR" -maxdepth 1 -name "*.tgz" 2>/dev/null | head -n 1 || true)"
if [ -z "$tarball" ]; then
  # Packed from a staging copy (package.json + dist): the same files `files` selects, whichever
  # dist is given, and no race with a concurrent pack of the same content (rename at the end).
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/pkg" "$stage/out"
  cp "$ROOT/package.json" "$stage/pkg/"
  for extra in README.md LICENSE; do [ -f "$ROOT/$extra" ] && cp "$ROOT/$extra" "$stage/pkg/"; done
  cp -r "$DIST" "$stage/pkg/dist"
  (cd "$stage/pkg" && npm pack --ignore-scripts --silent --pack-destination "$stage/out" >/dev/null)
  mkdir -p "$(dirname "$PACK_DIR")"
  mv -T "$stage/out" "$PACK_DIR" 2>/dev/null || true
  tarball="$(find "$PACK_DIR" -maxdepth 1 -name '*.tgz' | head -n 1)"
  # Keep the newest few packs: every build makes a new one.
  find "$(dirname "$PACK_DIR")" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' \
    | sort -rn | tail -n +9 | cut -d' ' -f2- | xargs -r rm -rf
fi

NODES="$USER_FOLDER/.n8n/nodes"
mkdir -p "$NODES"
# A package.json of its own: without one npm would walk up and install into whatever project
# holds the user folder (e.g. this repository for `npm run dev`'s .n8n/).
[ -f "$NODES/package.json" ] || echo '{"name":"installed-nodes","private":true}' >"$NODES/package.json"
# The same version number packs different content after each build: replace, never merge.
rm -rf "$NODES/node_modules/$NAME"
npm install --prefix "$NODES" --offline --legacy-peer-deps --ignore-scripts --no-audit --no-fund \
  --no-package-lock --loglevel=error "$tarball" >/dev/null
[ -f "$NODES/node_modules/$NAME/package.json" ] || {
  say "npm did not install $NAME into $NODES"
  exit 1
}
echo "$NODES/node_modules/$NAME"
