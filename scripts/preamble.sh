#!/usr/bin/env bash
# The shared start of every `npm run` wrapper in scripts/ (demo, dev, docs-screenshots, e2e, bench).
# Source it first thing, with the wrapper's log tag set:
#   N8N_LIB_TAG=demo
#   . "$(dirname "$0")/preamble.sh"
# It turns on strict mode, sets ROOT and moves there, loads the n8n helpers (scripts/n8n-lib.sh)
# and defines `say` (a line on stderr prefixed with the tag) and `build_package`.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. "$ROOT/scripts/n8n-lib.sh"

say() { n8n_say "$@"; }

# `npm run` exports this repo's ignore-scripts=true (.npmrc) as npm_config_ignore_scripts, which the
# installer's nested `npm rebuild sqlite3` would inherit: it then "succeeds" without building the
# binding and n8n cannot start. The installer passes --ignore-scripts itself where it wants it.
unset npm_config_ignore_scripts

# build_package [skip variable name]: `npm run build` (dist/ is what gets packed and installed), unless the
# named environment variable is 1, in which case the current dist/ is used as it is.
build_package() {
  local skip_var="${1:-}"
  if [ -n "$skip_var" ] && [ "${!skip_var:-}" = 1 ]; then
    say "skipping the package build ($skip_var=1), using the current dist/"
    return 0
  fi
  say "building the package (npm run build)..."
  if ! npm run --silent build; then
    say "the build failed.${skip_var:+ Fix it, or set $skip_var=1 to use the current dist/.}"
    return 1
  fi
}
