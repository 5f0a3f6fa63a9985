#!/usr/bin/env bash
# `npm run bench [-- options]`: every benchmark (bench/src, see docs/benchmarks.md): throughput on
# loopback and at a distance (HTTPS latency proxy), node CPU and memory, the agent rows at several
# round trip times, streaming, media (embeddings, an upload, OCR); about 33 minutes on 2 cores (estimate in docs/benchmarks.md).
#   1. installs (first time, ~4 min) or reuses the cached pinned n8n (scripts/n8n-lib.sh);
#   2. builds the package (packed and installed into n8n: scripts/install-package.sh) and the bench project (bench/dist);
#   3. runs it: real n8n instances, the emulator, the plain HTTP floor, the latency proxy; prints
#      the tables and writes docs/benchmarks.md (all of it, or with --only one section).
# Options: `npm run bench -- --help` (e.g. --only agent --rtt 80, --repetitions 5, --quick).
# BENCH_SKIP_BUILD=1 skips building the package (the bench project is always compiled).
N8N_LIB_TAG=bench
. "$(dirname "$0")/preamble.sh"

n8n_resolve_install
build_package BENCH_SKIP_BUILD
say "compiling the benchmark (bench/tsconfig.json -> bench/dist)..."
rm -rf bench/dist
npx tsc -p bench/tsconfig.json
exec node bench/dist/bench/src/cli.js "$@"
