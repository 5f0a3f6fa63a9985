// PostgreSQL and Redis for n8n's queue mode, from Debian's packages (scripts/install-queue-services.sh
// installs them when missing). Each start gets its own data folder in a temp folder and its own
// loopback port, so nothing touches the machine's own clusters; stop() removes the folder.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
	chownSync,
	closeSync,
	existsSync,
	mkdtempSync,
	openSync,
	readFileSync,
	readdirSync,
	rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ensureArtifactsDir } from './install';
import { freePort } from './n8n';
import { sleep } from './rest';

export interface Service {
	port: number;
	logFile: string;
	stop(): Promise<void>;
}

const INSTALL_HINT =
	'run `bash scripts/install-queue-services.sh` (as root: apt-get installs postgresql and redis-server)';

/** The newest Debian PostgreSQL server's bin folder, e.g. /usr/lib/postgresql/15/bin. */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!versions.length) throw new Error(`PostgreSQL is not installed: ${INSTALL_HINT}`);
	return join(root, versions[0], 'bin');
}

/**
 * PostgreSQL refuses to run as root: as root, its processes run as Debian's `postgres` user
 * (which the package creates) and its data folder belongs to that user.
 */
function postgresUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
	const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
	return { uid, gid };
}

function stamp() {
	return new Date().toISOString().replace(/[:.]/g, '-');
}

/** Servers still running: killed if this process exits without stopping them (a crashed test). */
const running = new Set<number>();
process.once('exit', () => {
	for (const pid of running) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

/** Spawns a server in its own process group with its output appended to logFile. */
export function spawnServer(
	bin: string,
	args: string[],
	logFile: string,
	user?: { uid: number; gid: number },
): { child: ChildProcess; exited: Promise<void>; hasExited: () => boolean } {
	const out = openSync(logFile, 'a');
	const child = spawn(bin, args, { detached: true, stdio: ['ignore', out, out], ...user });
	closeSync(out);
	if (child.pid !== undefined) running.add(child.pid);
	let done = false;
	const exited = new Promise<void>((resolve) =>
		child.once('exit', () => {
			done = true;
			if (child.pid !== undefined) running.delete(child.pid);
			resolve();
		}),
	);
	return { child, exited, hasExited: () => done };
}

export async function waitForLine(
	name: string,
	logFile: string,
	line: RegExp,
	hasExited: () => boolean,
	timeoutMs = 60_000,
) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
		if (line.test(text)) return;
		if (hasExited() || Date.now() > deadline) {
			throw new Error(
				`${name} did not start (${hasExited() ? 'exited' : 'timed out'}); ${logFile}:\n${text.slice(-2000)}`,
			);
		}
		await sleep(100);
	}
}

export async function stopServer(
	child: ChildProcess,
	exited: Promise<void>,
	hasExited: () => boolean,
	signal: NodeJS.Signals,
) {
	if (hasExited() || child.pid === undefined) return;
	process.kill(child.pid, signal);
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
	clearTimeout(timer);
	if (!hasExited()) process.kill(-child.pid, 'SIGKILL');
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1:<free port>, user `postgres` without a password
 * (trust, loopback only), database `postgres`. fsync is off: the data is thrown away anyway.
 */
export async function startPostgres(): Promise<Service> {
	const bin = postgresBinDir();
	const user = postgresUser();
	const dataDir = mkdtempSync(join(tmpdir(), 'dedalus-pg-'));
	if (user) chownSync(dataDir, user.uid, user.gid);
	const logFile = join(ensureArtifactsDir(), `postgres-${stamp()}.log`);
	execFileSync(
		join(bin, 'initdb'),
		['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'],
		{ stdio: 'ignore', ...user },
	);
	const port = await freePort();
	const server = spawnServer(
		join(bin, 'postgres'),
		[
			'-D',
			dataDir,
			'-p',
			String(port),
			'-h',
			'127.0.0.1',
			'-k',
			dataDir,
			'-F',
			'-c',
			'max_connections=200',
		],
		logFile,
		user,
	);
	await waitForLine('PostgreSQL', logFile, /ready to accept connections/, server.hasExited);
	return {
		port,
		logFile,
		async stop() {
			// SIGINT is PostgreSQL's "fast" shutdown: it ends open sessions instead of waiting for them.
			await stopServer(server.child, server.exited, server.hasExited, 'SIGINT');
			rmSync(dataDir, { recursive: true, force: true });
		},
	};
}

/** A throwaway Redis on 127.0.0.1:<free port> that keeps nothing on disk. */
export async function startRedis(): Promise<Service> {
	const bin = '/usr/bin/redis-server';
	if (!existsSync(bin)) throw new Error(`Redis is not installed: ${INSTALL_HINT}`);
	const dir = mkdtempSync(join(tmpdir(), 'dedalus-redis-'));
	const logFile = join(ensureArtifactsDir(), `redis-${stamp()}.log`);
	const port = await freePort();
	const server = spawnServer(
		bin,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dir,
			'--save',
			'',
			'--appendonly',
			'no',
		],
		logFile,
	);
	await waitForLine('Redis', logFile, /Ready to accept connections/, server.hasExited);
	return {
		port,
		logFile,
		async stop() {
			await stopServer(server.child, server.exited, server.hasExited, 'SIGTERM');
			rmSync(dir, { recursive: true, force: true });
		},
	};
}
