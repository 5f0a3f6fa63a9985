import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	closeSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { ensureArtifactsDir, resolveN8nInstall, type N8nInstall } from './install';
import config from './n8n-config.json';
import { installPackage } from './package';
import { N8nRestClient, sleep } from './rest';
import { waitForWebhooks } from './publish';

/** A credential as `n8n import:credentials` takes it: `data` in clear, n8n encrypts it on import. */
export interface CredentialImport {
	/** Fixed id, so workflows can reference `{ "<type>": { "id": "<id>", "name": "<name>" } }`. */
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** A workflow as `n8n import:workflow` takes it (the editor's export format). */
export interface WorkflowImport {
	/** Fixed id (any short string); one is generated when missing. */
	id?: string;
	name: string;
	nodes: Array<Record<string, unknown>>;
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface PrepareN8nOptions {
	/**
	 * Which n8n (cached per version by scripts/install-n8n.sh). Default: DEDALUS_N8N_VERSION, else
	 * the install scripts/e2e.sh passed in DEDALUS_N8N_HOME, else DEFAULT_N8N_VERSION (install.ts).
	 */
	n8nVersion?: string;
	/** Folder used as N8N_USER_FOLDER; a fresh temp folder when omitted. */
	userFolder?: string;
	credentials?: CredentialImport[];
	workflows?: WorkflowImport[];
	/**
	 * Which imported workflows to publish (= activate their production webhooks). Default: all.
	 * Imports always land unpublished; 2.41 has no "active" flag on import in regular mode.
	 */
	publish?: boolean | string[];
	/**
	 * Whether this package is in n8n (default true): packed and installed into the user folder's
	 * nodes/ like a community package (n8n-runner/package.ts), so its types are
	 * `n8n-nodes-dedalus.dedalus` and `n8n-nodes-dedalus.dedalusChatModel`, as in examples/. false:
	 * built-in nodes only, or only what customExtensions holds.
	 */
	installPackage?: boolean;
	/** The build to pack and install instead of dist/ (the benchmark's --dist). */
	packageDist?: string;
	/**
	 * N8N_CUSTOM_EXTENSIONS folder(s) (`;`-separated), scanned for *.node.js / *.credentials.js;
	 * their nodes are typed `CUSTOM.<name>` (test/e2e/custom-extension.e2e.ts). The CLI loads nodes
	 * too, so prepareN8n and startN8n get the same folders.
	 */
	customExtensions?: string;
	env?: Record<string, string | undefined>;
	/**
	 * Variables already set in this process's environment win over n8n-config.json's settings (and,
	 * in startN8n, over the instance's N8N_WEBHOOK_URL / N8N_EDITOR_BASE_URL), as scripts/n8n-lib.sh
	 * does for `npm run dev`: e.g. N8N_LISTEN_ADDRESS=0.0.0.0 for `npm run demo` inside a container.
	 * Default false: a test runs the same whatever the shell exports. `env` wins either way.
	 */
	processEnvWins?: boolean;
	/** Where the CLI output goes (appended); default a file in test/e2e/artifacts. */
	logFile?: string;
}

export interface PreparedN8n {
	userFolder: string;
	/** Ids of the imported workflows, in the order given. */
	workflowIds: string[];
}

/** Which n8n process: the main one, a queue-mode worker, or a queue-mode webhook process. */
export type N8nCommand = 'start' | 'worker' | 'webhook';

export interface StartN8nOptions extends PrepareN8nOptions {
	/**
	 * `start` (default), or in queue mode `worker` / `webhook` (n8n-runner/queue.ts). Only `start`
	 * imports and publishes, and claims the owner account; the others share its database.
	 */
	command?: N8nCommand;
	/** Main HTTP port; a free loopback port when omitted. */
	port?: number;
	/** Create the owner account and log in (default true). `rest` is logged in afterwards. */
	setupOwner?: boolean;
	/** Short name for the log file (test/e2e/artifacts/n8n-<label>-<time>.log). */
	label?: string;
	/** n8n's output (and the import CLI's), appended; default test/e2e/artifacts/n8n-<label>-<time>.log. */
	logFile?: string;
	/**
	 * Gets stop() as soon as the process exists, before it is ready: a caller that handles Ctrl-C
	 * (`npm run demo`) can then stop a half-started n8n cleanly.
	 */
	onSpawned?: (stop: () => Promise<void>) => void;
	/** How long to wait for readiness; a first start (migrations) takes longer. Default 180 s. */
	readyTimeoutMs?: number;
	/** Keep the user folder after stop() (e.g. to inspect the SQLite file). Also E2E_KEEP_N8N=1. */
	keepUserFolder?: boolean;
}

export interface N8nInstance {
	/** Process id of n8n, which leads its own process group (a test may SIGKILL it). */
	pid: number;
	/** The n8n install this instance runs (version, major). */
	install: N8nInstall;
	/** `http://127.0.0.1:<port>` (no trailing slash): what this process calls. */
	baseUrl: string;
	/**
	 * What a person opens in a browser, and what N8N_WEBHOOK_URL ($execution.resumeUrl) and
	 * N8N_EDITOR_BASE_URL are built from: baseUrl, or `http://localhost:<port>` when n8n listens on
	 * more than loopback (N8N_LISTEN_ADDRESS=0.0.0.0 with processEnvWins, e.g. in a container).
	 */
	editorUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	/** Logged-in REST client (unless setupOwner was false: then not logged in). */
	rest: N8nRestClient;
	workflowIds: string[];
	/** Production webhook URL of a Webhook trigger path. */
	webhookUrl(path: string): string;
	/** Everything n8n printed so far (stdout and stderr). */
	logs(): string;
	/** Whether the n8n process has exited (stopped, or died). */
	exited(): boolean;
	/** Kills the whole process group (n8n and its task runners) and removes the temp user folder. */
	stop(): Promise<void>;
}

/**
 * Log line each command prints once it serves: for `start`, after the server, the webhooks of
 * published workflows and the node types are all up (same text in 1.x and 2.x).
 */
const READY_LINES: Record<N8nCommand, string> = {
	start: 'Editor is now accessible via',
	worker: 'n8n worker is now ready',
	webhook: 'Webhook listener waiting for requests',
};

/** Process groups of started instances, until stop() has seen them gone. */
const running = new Set<number>();

// Safety net: if the process (a test file, the demo) dies without calling stop(), do not leave n8n behind.
process.once('exit', () => {
	for (const pgid of running) killGroup(pgid, 'SIGKILL');
});

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
	try {
		// Negative pid = the process group: n8n was spawned detached, so it leads its own group,
		// which also holds its JS task runner (and a Python runner, when one starts).
		process.kill(-pgid, signal);
		return true;
	} catch {
		return false;
	}
}

function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Listens on 127.0.0.1:<port> (0 = any) for a moment; the port it got, or undefined when busy. */
async function tryListen(port: number): Promise<number | undefined> {
	return await new Promise((resolvePort) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolvePort(undefined));
		server.listen(port, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				resolvePort(address && typeof address === 'object' ? address.port : undefined),
			);
		});
	});
}

/** A port that was free a moment ago on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
	const port = await tryListen(0);
	if (port === undefined) throw new Error('no free port on 127.0.0.1');
	return port;
}

/** Whether nothing listens on 127.0.0.1:<port> right now. */
export async function portFree(port: number): Promise<boolean> {
	return (await tryListen(port)) !== undefined;
}

function timestamp() {
	return new Date().toISOString().replace(/[:.]/g, '-');
}

function randomId() {
	// n8n's own ids are 16 alphanumerics; any short string imports fine.
	return `e2e${randomBytes(8).toString('hex')}`.slice(0, 16);
}

/** Environment every n8n process (CLI or server) of one user folder gets. */
function n8nEnv(
	install: N8nInstall,
	userFolder: string,
	extra: Record<string, string | undefined> & { N8N_CUSTOM_EXTENSIONS?: string },
	processEnvWins = false,
): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const [key, value] of Object.entries(config.env)) {
		if (!processEnvWins || env[key] === undefined) env[key] = value;
	}
	// n8n's own sub-processes (the task runner) and any `node` it spawns must use n8n's Node too.
	env.PATH = `${dirname(install.nodeBin)}:${process.env.PATH ?? ''}`;
	env.N8N_USER_FOLDER = userFolder;
	// jest sets NODE_ENV=test; n8n reads it (dev-only code paths), so do not pass it on.
	delete env.NODE_ENV;
	for (const [key, value] of Object.entries(extra)) {
		if (value === undefined) delete env[key];
		else env[key] = value;
	}
	return env;
}

/** Runs one n8n CLI command to completion (`n8n import:workflow ...`), appending its output to logFile. */
export async function runN8nCli(
	args: string[],
	{
		userFolder,
		env = {},
		logFile,
		processEnvWins,
		n8nVersion,
	}: {
		userFolder: string;
		env?: Record<string, string | undefined>;
		logFile: string;
		processEnvWins?: boolean;
		n8nVersion?: string;
	},
): Promise<string> {
	const install = resolveN8nInstall(n8nVersion);
	return await new Promise((resolveRun, reject) => {
		execFile(
			install.nodeBin,
			[install.n8nBin, ...args],
			{
				env: n8nEnv(install, userFolder, env, processEnvWins),
				maxBuffer: 64 * 1024 * 1024,
				timeout: 180_000,
			},
			(error, stdout, stderr) => {
				const output = `${stdout}${stderr}`;
				writeFileSync(logFile, `\n$ n8n ${args.join(' ')}\n${output}`, { flag: 'a' });
				// Failed imports/publishes exit non-zero in 2.41.1; the message check is a second line of
				// defence, since some commands' catch() only logs ("An error occurred while importing").
				const failed =
					error || /An error occurred|Error updating database|Failed to find owner/i.test(output);
				if (failed) {
					reject(
						new Error(`n8n ${args.join(' ')} failed (see ${logFile}):\n${output.slice(-3000)}`),
					);
				} else {
					resolveRun(output);
				}
			},
		);
	});
}

/**
 * Imports credentials and workflows into a user folder and publishes the workflows, with the
 * CLI, before n8n starts: n8n only picks up published webhooks at start, and this needs no
 * browser and no API key. The first CLI run also creates the database (migrations, ~5 s).
 * Imports belong to the instance's owner (a shell account until /rest/owner/setup claims it).
 */
export async function prepareN8n(options: PrepareN8nOptions = {}): Promise<PreparedN8n> {
	const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	const logFile = options.logFile ?? join(ensureArtifactsDir(), `n8n-prepare-${timestamp()}.log`);
	const cli = {
		userFolder,
		logFile,
		env: { ...options.env, N8N_CUSTOM_EXTENSIONS: options.customExtensions },
		processEnvWins: options.processEnvWins,
		n8nVersion: options.n8nVersion,
	};
	const { major } = resolveN8nInstall(options.n8nVersion);
	if (options.installPackage ?? true) installPackage(userFolder, options.packageDist);
	const importDir = mkdtempSync(join(tmpdir(), 'n8n-e2e-import-'));
	try {
		if (options.credentials?.length) {
			const file = join(importDir, 'credentials.json');
			writeFileSync(file, JSON.stringify(options.credentials, null, '\t'));
			await runN8nCli(['import:credentials', `--input=${file}`], cli);
		}
		const workflows = (options.workflows ?? []).map((workflow) => ({
			active: false,
			settings: { executionOrder: 'v1' },
			...workflow,
			id: workflow.id ?? randomId(),
		}));
		if (workflows.length) {
			const file = join(importDir, 'workflows.json');
			writeFileSync(file, JSON.stringify(workflows, null, '\t'));
			await runN8nCli(['import:workflow', `--input=${file}`], cli);
		}
		const publish = options.publish ?? true;
		const toPublish = Array.isArray(publish) ? publish : publish ? workflows.map((w) => w.id) : [];
		for (const id of toPublish) {
			// 2.x publishes a workflow; 1.x has no publish:workflow and activates it instead.
			const command =
				major >= 2
					? ['publish:workflow', `--id=${id}`]
					: ['update:workflow', `--id=${id}`, '--active=true'];
			await runN8nCli(command, cli);
		}
		return { userFolder, workflowIds: workflows.map((w) => w.id) };
	} finally {
		rmSync(importDir, { recursive: true, force: true });
	}
}

async function httpOk(url: string): Promise<boolean> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
		await res.arrayBuffer();
		return res.ok;
	} catch {
		return false;
	}
}

/**
 * Starts n8n (DEFAULT_N8N_VERSION unless told otherwise) on a fresh user folder with this package
 * installed in it, imports and publishes what it is given
 * first, waits until it serves webhooks, then claims the owner account. Used by the e2e tests, the
 * benchmark, `npm run demo` and `npm run docs:screenshots`.
 */
export async function startN8n(options: StartN8nOptions): Promise<N8nInstance> {
	const install = resolveN8nInstall(options.n8nVersion);
	const label = (options.label ?? 'instance').replace(/[^\w.-]+/g, '_');
	const logFile = options.logFile ?? join(ensureArtifactsDir(), `n8n-${label}-${timestamp()}.log`);
	mkdirSync(dirname(logFile), { recursive: true });
	const ownsUserFolder = !options.userFolder;
	const userFolder = options.userFolder ?? mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
	const keepUserFolder = options.keepUserFolder ?? process.env.E2E_KEEP_N8N === '1';
	for (const folder of options.customExtensions?.split(';') ?? []) {
		if (!existsSync(folder)) throw new Error(`customExtensions folder ${folder} does not exist`);
	}

	const command = options.command ?? 'start';
	// Queue mode's worker and webhook processes have user folders of their own: each gets the
	// package too (main's is installed by prepareN8n).
	if (command !== 'start' && (options.installPackage ?? true))
		installPackage(userFolder, options.packageDist);
	const prepared =
		command === 'start'
			? await prepareN8n({ ...options, userFolder, logFile })
			: { userFolder, workflowIds: [] };

	const port = options.port ?? (await freePort());
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const baseUrl = `http://127.0.0.1:${port}`;
	const env = n8nEnv(
		install,
		userFolder,
		{
			N8N_PORT: String(port),
			// The task broker defaults to 5679: two instances (or dev + tests) would collide.
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_CUSTOM_EXTENSIONS: options.customExtensions,
			...options.env,
		},
		options.processEnvWins,
	);
	const editorUrl = env.N8N_LISTEN_ADDRESS === '127.0.0.1' ? baseUrl : `http://localhost:${port}`;
	// $execution.resumeUrl is built from N8N_WEBHOOK_URL (2.41's name) or WEBHOOK_URL (1.x's name,
	// deprecated in 2.x but still read).
	const given = (key: string) =>
		(options.env && key in options.env) ||
		(options.processEnvWins && process.env[key] !== undefined);
	if (!given('N8N_EDITOR_BASE_URL')) env.N8N_EDITOR_BASE_URL = `${editorUrl}/`;
	// One public webhook base under both names, whichever the caller gave.
	const webhookBase = given('N8N_WEBHOOK_URL')
		? env.N8N_WEBHOOK_URL
		: given('WEBHOOK_URL')
			? env.WEBHOOK_URL
			: `${editorUrl}/`;
	env.N8N_WEBHOOK_URL = env.WEBHOOK_URL = webhookBase;

	const out = openSync(logFile, 'a');
	const startedAt = Date.now();
	// detached: n8n leads a new process group, so stop() can signal it and its runners at once, and a
	// Ctrl-C in the terminal reaches only the caller, which then stops n8n in order.
	const child: ChildProcess = spawn(install.nodeBin, [install.n8nBin, command], {
		env,
		detached: true,
		stdio: ['ignore', out, out],
	});
	closeSync(out);
	const pgid = child.pid;
	if (pgid === undefined) throw new Error(`could not start n8n (${install.nodeBin})`);
	running.add(pgid);
	let exitCode: number | null | undefined;
	const exited = new Promise<void>((resolveExit) =>
		child.once('exit', (code, signal) => {
			exitCode = code ?? (signal ? -1 : null);
			resolveExit();
		}),
	);

	const logs = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
	// One stop for every caller: a second call (a Ctrl-C while the start gives up) waits for the first.
	let stopping: Promise<void> | undefined;
	const stop = async () => {
		stopping ??= (async () => {
			if (exitCode === undefined) {
				killGroup(pgid, 'SIGTERM');
				// n8n shuts down gracefully within N8N_GRACEFUL_SHUTDOWN_TIMEOUT (5 s here). The timer is
				// cleared afterwards: a pending 15 s timer would keep jest from exiting.
				let timer: NodeJS.Timeout | undefined;
				await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
				clearTimeout(timer);
			}
			// Anything left in the group (a stuck runner, or n8n itself) gets SIGKILL.
			const leftovers = groupAlive(pgid);
			if (leftovers) {
				killGroup(pgid, 'SIGKILL');
				for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
			}
			writeFileSync(logFile, `\n[e2e] stopped${leftovers ? ' (SIGKILL was needed)' : ''}\n`, {
				flag: 'a',
			});
			running.delete(pgid);
			if (ownsUserFolder && !keepUserFolder) rmSync(userFolder, { recursive: true, force: true });
		})();
		await stopping;
	};
	options.onSpawned?.(stop);

	const rest = new N8nRestClient(baseUrl);
	const instance: N8nInstance = {
		pid: pgid,
		install,
		baseUrl,
		editorUrl,
		port,
		userFolder,
		logFile,
		rest,
		workflowIds: prepared.workflowIds,
		webhookUrl: (path) => `${baseUrl}/webhook/${path.replace(/^\//, '')}`,
		logs,
		exited: () => exitCode !== undefined,
		stop,
	};

	try {
		const deadline = startedAt + (options.readyTimeoutMs ?? 180_000);
		// /healthz answers as soon as the HTTP server listens, long before webhooks are registered;
		// /healthz/readiness turns ok once the server is up, still before published workflows are
		// activated. The "Editor is now accessible" line comes after both, so wait for all three.
		// A worker serves no HTTP here (its health server is off): its log line is all there is.
		let healthy = command === 'worker';
		for (;;) {
			if (exitCode !== undefined)
				throw new Error(`n8n ${command} exited with code ${exitCode} while starting`);
			if (Date.now() > deadline)
				throw new Error(`n8n ${command} not ready after ${Date.now() - startedAt} ms`);
			healthy ||= await httpOk(`${baseUrl}/healthz`);
			if (
				healthy &&
				logs().includes(READY_LINES[command]) &&
				(command !== 'start' || (await httpOk(`${baseUrl}/healthz/readiness`)))
			)
				break;
			await sleep(250);
		}
		writeFileSync(logFile, `\n[e2e] ready after ${Date.now() - startedAt} ms\n`, { flag: 'a' });
		if (command === 'start' && (options.setupOwner ?? true)) await rest.setupOwner();
		// Right after "Editor is now accessible" a workflow published by the CLI can still answer
		// 404 for a moment: wait (bounded, never failing here) until its Webhook paths answer.
		if (command === 'start')
			await waitForWebhooks(baseUrl, publishedWebhookPaths(options), 15_000, {
				throwOnTimeout: false,
			});
	} catch (error) {
		await stop();
		const tail = logs().split('\n').slice(-40).join('\n');
		(error as Error).message += `\n--- ${logFile} (last lines) ---\n${tail}`;
		throw error;
	}
	return instance;
}

/** The paths of the Webhook triggers in the workflows this start publishes. */
function publishedWebhookPaths(options: StartN8nOptions): string[] {
	const publish = options.publish ?? true;
	const published = (options.workflows ?? []).filter((workflow) =>
		Array.isArray(publish) ? publish.includes(String(workflow.id)) : publish,
	);
	return published.flatMap((workflow) =>
		workflow.nodes
			// Only POST webhooks: the check is a GET, which must not start a run.
			.filter(
				(node) =>
					node.type === 'n8n-nodes-base.webhook' &&
					node.disabled !== true &&
					(node.parameters as { httpMethod?: unknown } | undefined)?.httpMethod === 'POST',
			)
			.map((node) => String((node.parameters as { path?: unknown } | undefined)?.path ?? ''))
			.filter((path) => path !== '' && !path.includes(':')),
	);
}
