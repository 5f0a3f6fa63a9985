#!/usr/bin/env bash
# The one guarded way this package is published. Both the public release and the install tests
# take it, so what the tests install went through exactly what a release goes through:
#   bash scripts/publish.sh --provenance
#       the public release (`npm run release`): the npm registry, with an npm provenance statement,
#       which only a GitHub Actions run can sign;
#   bash scripts/publish.sh --registry <url> [--userconfig <npmrc>]
#       a local registry, without provenance (test/e2e/install-routes.e2e.ts publishes to a
#       throwaway verdaccio this way; see docs/installing.md);
#   bash scripts/publish.sh --checks-only
#       only the checks (package.json's prepublishOnly, for a hand-run `npm publish` with scripts on);
#   bash scripts/publish.sh --fingerprint
#       prints this checkout's fingerprint (see "Skipping the checks").
#
# The checks, in this order, each must pass: build, lint, unit and engine tests (`npm test`), what
# npm would pack (`npm run check:pack`) and n8n's community package scanner on that build
# (`npm run scan`). Then `npm publish --ignore-scripts` (the checks already ran: package.json's
# prepublishOnly would run them a second time).
#
# Skipping the checks: only when DEDALUS_PUBLISH_CHECKS_PASSED equals this checkout's fingerprint
# (the commit plus every uncommitted change, untracked files included). .ci/run sets it right
# after it ran exactly these checks on the same checkout, so its end-to-end tests, which publish
# through this script, do not run `npm test` a second time. Change any file and the fingerprint no
# longer matches: the checks run again. Nothing else skips them.
N8N_LIB_TAG=publish
. "$(dirname "$0")/preamble.sh"

usage() {
  say "usage: bash scripts/publish.sh --provenance | --registry <url> [--userconfig <npmrc>] | --checks-only | --fingerprint"
  exit 2
}

# The commit and every change on top of it; empty outside a git checkout (then nothing is skipped).
fingerprint() {
  git rev-parse --verify -q HEAD >/dev/null 2>&1 || return 0
  {
    git rev-parse HEAD
    git diff HEAD --binary
    git ls-files --others --exclude-standard -z | xargs -0 -r sha256sum
  } | sha256sum | cut -d' ' -f1
}

mode=""
registry=""
userconfig=""
while [ $# -gt 0 ]; do
  case "$1" in
    --provenance | --checks-only | --fingerprint) [ -z "$mode" ] || usage; mode="${1#--}" ;;
    --registry) [ -z "$mode" ] && [ $# -ge 2 ] || usage; mode=registry; registry="$2"; shift ;;
    --userconfig) [ $# -ge 2 ] || usage; userconfig="$2"; shift ;;
    *) usage ;;
  esac
  shift
done
[ -n "$mode" ] || usage
if [ "$mode" = fingerprint ]; then
  fingerprint
  exit 0
fi
if [ -n "$userconfig" ] && [ "$mode" != registry ]; then usage; fi
# The public registry only ever gets a release with provenance.
if [ "$mode" = registry ] && [[ "$registry" =~ ^https?://registry\.npmjs\.org(/|$) ]]; then
  say "refusing to publish to $registry without provenance: a public release is --provenance (npm run release)"
  exit 2
fi

run_checks() {
  local current
  current="$(fingerprint)"
  if [ -n "$current" ] && [ "${DEDALUS_PUBLISH_CHECKS_PASSED:-}" = "$current" ]; then
    say "skipping the checks: .ci/run passed them on this very checkout (DEDALUS_PUBLISH_CHECKS_PASSED)"
    return 0
  fi
  [ -z "${DEDALUS_PUBLISH_CHECKS_PASSED:-}" ] ||
    say "DEDALUS_PUBLISH_CHECKS_PASSED does not match this checkout: running the checks"
  local started=$SECONDS
  say "checks 1/5: build"
  npm run --silent build
  say "checks 2/5: lint"
  npm run --silent lint
  say "checks 3/5: unit and engine tests"
  npm test --silent
  say "checks 4/5: what npm would pack"
  npm run --silent check:pack
  say "checks 5/5: n8n's community package scanner"
  SCAN_SKIP_BUILD=1 npm run --silent scan
  say "checks passed in $((SECONDS - started)) s"
}

run_checks
[ "$mode" != checks-only ] || exit 0

name_version="$(node -p 'const p = require("./package.json"); `${p.name}@${p.version}`')"
if [ "$mode" = provenance ]; then
  say "publishing $name_version to the npm registry with provenance..."
  npm publish --ignore-scripts --provenance --access public
else
  say "publishing $name_version to $registry (no provenance: not a public release)..."
  npm publish --ignore-scripts --registry "$registry" ${userconfig:+--userconfig "$userconfig"}
fi
