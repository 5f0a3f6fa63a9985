#!/usr/bin/env bash
# `npm run scan`: n8n's community-package scanner (@n8n/scan-community-package, pinned in
# devDependencies) on this package, the way n8n's verification applies it.
#
# The scanner's CLI only takes a package name: it downloads the published tarball from the npm
# registry, requires npm provenance, and fetches the GitHub source the provenance attests. This
# package is not published, so this script does the same two lint passes on local files with the
# scanner's own exported `analyzePackage` and rule set (its `buildScanConfig`):
#   1. the source, as in the attested checkout: SOURCE_FILE_PATTERNS (package.json and
#      nodes/ and credentials/ *.ts/js/json) of this repository;
#   2. the packed artifact: `npm pack` -> extracted tarball, `**/*.js` and package.json.
# What it cannot check before publishing: provenance (publish with `npm publish --provenance` from
# a public GitHub repository's CI) and that the attested source matches.
N8N_LIB_TAG=scan
. "$(dirname "$0")/preamble.sh"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
build_package SCAN_SKIP_BUILD
TARBALL="$(npm pack --pack-destination "$WORK" --silent | tail -n 1)"
mkdir "$WORK/package"
tar -xzf "$WORK/$TARBALL" -C "$WORK/package" --strip-components=1
say "scanning the source and $TARBALL with @n8n/scan-community-package $(node -p 'require("@n8n/scan-community-package/package.json").version')..."

node --input-type=module - "$ROOT" "$WORK/package" <<'JS'
import { SOURCE_FILE_PATTERNS, analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const [sourceDir, packageDir] = process.argv.slice(2);
const passes = [
	['source', await analyzePackage(sourceDir, SOURCE_FILE_PATTERNS)],
	['packed tarball', await analyzePackage(packageDir, ['**/*.js', 'package.json'])],
];
for (const [name, result] of passes) {
	console.error(`[scan] ${name}: ${result.passed ? 'passed' : `FAILED: ${result.message}`}`);
	if (result.details) console.error(result.details);
}
process.exit(passes.every(([, result]) => result.passed) ? 0 : 1);
JS
