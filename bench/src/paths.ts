import { resolve } from 'node:path';

/** The repository root: this file runs from bench/dist/bench/src. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const PACKAGE_DIST = resolve(REPO_ROOT, 'dist');
export const DOC_FILE = resolve(REPO_ROOT, 'docs', 'benchmarks.md');
