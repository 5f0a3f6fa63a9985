// Shared by `npm run demo` (scripts/demo.ts) and `npm run docs:screenshots` (scripts/docs-screenshots.ts):
// the example workflows adapted for a local run, a real n8n with this repo's package installed, the
// Dedalus emulator (or the real API), a local listener standing in for chat webhooks, and the HTTP
// steps of the authorization flow. n8n, the listener and the HTTP helpers are n8n-runner's, as the
// e2e tests use them. Compiled by scripts/demo.tsconfig.json; started by the .sh wrappers, which build
// the package and install n8n first and pass DEDALUS_N8N_HOME (read by resolveN8nInstall()).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../emulator/src';
import { grantConsentAsUser, httpCall, postResume } from '../n8n-runner/dedalus';
import { REPO_ROOT } from '../n8n-runner/install';
import { startHttpListener, type CapturedRequest, type HttpListener } from '../n8n-runner/listener';
import { freePort, portFree, startN8n, type N8nInstance } from '../n8n-runner/n8n';
import { DEDALUS_NODE_TYPE, EXAMPLE_CREDENTIAL } from '../n8n-runner/package';
import { publishWorkflows } from '../n8n-runner/publish';
import { executionError, nodeRuns, type N8nExecution } from '../n8n-runner/rest';

export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** What the examples carry where a chat incoming webhook URL belongs. */
export const PLACEHOLDER_URL = 'https://hooks.slack.com/services/REPLACE/ME';
/** The credential the demo creates: the one every example names, so they import bound to it. */
export const CREDENTIAL_NAME = EXAMPLE_CREDENTIAL.name;
export const SUMMARY_FILE = 'daily-email-summary.json';
export const EXAMPLE_FILES = [
	SUMMARY_FILE,
	'ask-with-tools.json',
	'authorization-notifier.json',
	'agent-chat-model-hybrid.json',
	'invoice-ocr-summary.json',
	'voice-note-answer.json',
];
/** Name of the Webhook trigger the demo adds to the summary so it can start it without waiting for 07:00. */
export const DEMO_TRIGGER_NAME = 'Demo: run now';

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
	const ticker = setInterval(
		() =>
			say(
				dim(
					`  ...still ${label.charAt(0).toLowerCase()}${label.slice(1)}: ${seconds(started)} so far`,
				),
			),
		15_000,
	);
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

export function dedalusNodes(workflow: ExampleWorkflow): WorkflowNode[] {
	return workflow.nodes.filter((node) => node.type === DEDALUS_NODE_TYPE);
}

/**
 * Points every chat-webhook placeholder at a local URL; nothing else changes: the node types are
 * the installed package's and the credential is the demo's (EXAMPLE_CREDENTIAL) as in the files.
 */
export function bindForDemo(
	workflow: ExampleWorkflow,
	{ chatUrl }: { chatUrl: string },
): ExampleWorkflow {
	const copy = structuredClone(workflow);
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
	options: { chatUrl: string; notifyUrl: string; webhookPath: string },
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
		parameters: {
			httpMethod: 'POST',
			path: options.webhookPath,
			responseMode: 'onReceived',
			options: {},
		},
	});
	workflow.connections[DEMO_TRIGGER_NAME] = {
		main: [[{ node: dedalus.name, type: 'main', index: 0 }]],
	};
	return { workflow, dedalusNode: dedalus.name };
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
	n8n: N8nInstance;
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

export async function startDemoEnvironment(
	options: DemoOptions,
	onStarted: (stop: DemoEnvironment['stop']) => void,
): Promise<DemoEnvironment> {
	const tempDir = mkdtempSync(join(tmpdir(), 'n8n-dedalus-demo-'));
	const parts: {
		n8n?: N8nInstance;
		stopN8n?: () => Promise<void>;
		emulator?: Emulator;
		listener?: HttpListener;
	} = {};
	let stopped = false;
	const stop = async ({ keep = false }: { keep?: boolean } = {}) => {
		if (stopped) return;
		stopped = true;
		// n8n first: it may still be talking to the emulator while it shuts down.
		await parts.stopN8n?.();
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
		say(
			`using the ${bold('real Dedalus API')} at ${dedalusUrl} (DEDALUS_API_KEY is set): the consent is a real one`,
		);
	} else {
		parts.emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
		dedalusUrl = parts.emulator.url;
		credentialData = { apiKey: EMULATOR_API_KEY, baseUrl: dedalusUrl, authServerUrl: dedalusUrl };
		say(
			`local Dedalus emulator on ${dedalusUrl} ${dim('(fake models and MCP servers; set DEDALUS_API_KEY to use the real API)')}`,
		);
	}

	parts.listener = await startHttpListener();
	say(
		`local listener on ${parts.listener.url} ${dim('(stands in for the Slack webhook: /notify gets the consent notice, /chat the summary)')}`,
	);

	const wanted = options.port ?? (process.env.N8N_PORT ? Number(process.env.N8N_PORT) : undefined);
	let port: number;
	if (wanted !== undefined) {
		if (!(await portFree(wanted)))
			throw new Error(`port ${wanted} is busy (N8N_PORT): stop what uses it or pick another`);
		port = wanted;
	} else {
		port = (await portFree(5678)) ? 5678 : await freePort();
	}
	parts.n8n = await step(
		`Starting n8n on port ${port} with the package installed from its tarball (npm pack of dist/)`,
		'usually 15-25 s',
		async () =>
			await startN8n({
				// Imported with the examples' fixed id before n8n starts, so they bind to it as they are.
				credentials: [{ ...EXAMPLE_CREDENTIAL, type: 'dedalusApi', data: credentialData }],
				userFolder: join(tempDir, 'n8n'),
				port,
				// Kept, with the user folder, when the demo fails: it prints this path.
				logFile: join(tempDir, 'n8n.log'),
				// N8N_LISTEN_ADDRESS=0.0.0.0 (a container) and the like, set by the person, win.
				processEnvWins: true,
				readyTimeoutMs: 240_000,
				// Handed over as soon as n8n is spawned: a Ctrl-C during the start stops it cleanly.
				onSpawned: (stopN8n) => (parts.stopN8n = stopN8n),
			}),
	);
	const { n8n, listener } = { n8n: parts.n8n, listener: parts.listener };

	const importStarted = Date.now();
	const webhookPath = `dedalus-demo-${Date.now().toString(36)}`;
	const workflows: DemoEnvironment['workflows'] = {};
	const toPublish: string[] = [];
	let summary: DemoEnvironment['summary'] | undefined;
	for (const file of EXAMPLE_FILES) {
		const example = loadExample(file);
		let workflow: ExampleWorkflow;
		let dedalusNode = '';
		if (file === SUMMARY_FILE) {
			({ workflow, dedalusNode } = summaryForDemo(example, {
				chatUrl: `${listener.url}/chat`,
				notifyUrl: `${listener.url}/notify`,
				webhookPath,
			}));
		} else {
			workflow = bindForDemo(example, { chatUrl: `${listener.url}/chat` });
		}
		// What the editor's "Import from File" + Save does.
		const created = await n8n.rest.request<{ id: string }>('POST', '/rest/workflows', {
			name: workflow.name,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings ?? { executionOrder: 'v1' },
			pinData: {},
		});
		// Published (active) so its webhooks answer. Drafts: the notifier (it needs SMTP and a chat URL)
		// the Agent example (its chat is opened from the editor; n8n 1.x has no Agent 3.1) and the
		// upload examples (they wait for a file a person sends).
		const publish = file === SUMMARY_FILE || file === 'ask-with-tools.json';
		if (publish) toPublish.push(created.id);
		workflows[file] = { id: created.id, name: workflow.name, published: publish };
		if (file === SUMMARY_FILE) {
			summary = {
				id: created.id,
				name: workflow.name,
				dedalusNode,
				webhookUrl: n8n.webhookUrl(webhookPath),
			};
		}
	}
	if (!summary) throw new Error('the summary workflow was not imported');
	// Also waits until the demo trigger's webhook is registered (n8n 2.41 publishes through an outbox).
	await publishWorkflows(n8n.rest, toPublish, { webhookPaths: [webhookPath] });
	say(
		`imported ${EXAMPLE_FILES.length} examples from examples/ as they are (credential "${CREDENTIAL_NAME}") ` +
			dim(`in ${seconds(importStarted)}`),
	);

	return {
		n8n,
		emulator: parts.emulator,
		dedalusUrl,
		listener,
		credentialId: EXAMPLE_CREDENTIAL.id,
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
export function lastRunItems(
	execution: N8nExecution,
	nodeName: string,
): Array<Record<string, unknown>> {
	const runs = nodeRuns(execution, nodeName);
	const outputs = runs[runs.length - 1]?.data?.main ?? [];
	return outputs.flatMap((items) =>
		(items ?? []).map((item) => item.json as Record<string, unknown>),
	);
}

const FINAL = ['success', 'error', 'crashed', 'canceled'];

/** Starts the summary through the demo's Webhook trigger; returns the new execution's id. */
export async function startSummaryRun(env: DemoEnvironment): Promise<string> {
	const before = new Set((await env.n8n.rest.listExecutions(env.summary.id)).map((e) => e.id));
	// startDemoEnvironment waited until this webhook was registered.
	const res = await httpCall(env.summary.webhookUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ startedBy: 'npm run demo' }),
	});
	if (res.status !== 200)
		throw new Error(`the demo trigger answered HTTP ${res.status}: ${res.text.slice(0, 300)}`);
	const fresh = await env.n8n.rest.waitForExecution((e) => !before.has(e.id), {
		workflowId: env.summary.id,
		timeoutMs: 30_000,
	});
	return fresh.id;
}

/** Polls until the execution's status is accepted (it waits, or has ended); `timeoutMs` undefined = no limit. */
export async function waitForExecution(
	env: DemoEnvironment,
	executionId: string,
	accept: (status: string) => boolean,
	timeoutMs = Infinity,
): Promise<N8nExecution> {
	try {
		return await env.n8n.rest.waitForExecution((execution) => accept(execution.status), {
			executionId,
			timeoutMs,
			intervalMs: 500,
		});
	} catch (error) {
		if (env.n8n.exited()) throw new Error(`n8n exited unexpectedly (log: ${env.n8n.logFile})`);
		throw error;
	}
}

export const isPausedOrDone = (status: string) => status === 'waiting' || FINAL.includes(status);
export const isDone = (status: string) => FINAL.includes(status);

export function waitingItem(execution: N8nExecution, nodeName: string): WaitingItem | undefined {
	return lastRunItems(execution, nodeName).find(
		(item) => item.status === 'authorization_required',
	) as WaitingItem | undefined;
}

export function completionItems(execution: N8nExecution, nodeName: string): CompletionItem[] {
	return lastRunItems(execution, nodeName).filter(
		(item) => 'content' in item,
	) as unknown as CompletionItem[];
}

export function executionUrl(env: DemoEnvironment, executionId: string): string {
	return `${env.n8n.editorUrl}/workflow/${env.summary.id}/executions/${executionId}`;
}

/** The message of a failed execution, as n8n stored it. */
export function executionErrorMessage(execution: N8nExecution): string {
	const error = executionError(execution) as { message?: string; description?: string } | undefined;
	if (!error) return `status ${execution.status}`;
	return [error.message, error.description].filter(Boolean).join(': ');
}

/**
 * What a person does, over HTTP: look at the authorization page, open connect_url and press Allow
 * (the emulator's consent page posts `decision=allow`), then Continue (a POST to the page, asking
 * for JSON as the page's own script does). Each step is checked; any surprise throws.
 */
export async function consentAsAPerson(
	item: WaitingItem,
	log: (line: string) => void,
): Promise<void> {
	const page = await httpCall(item.authorization_url);
	if (page.status !== 200 || !page.text.includes('data-state="waiting"')) {
		throw new Error(
			`the authorization page answered HTTP ${page.status}: ${page.text.slice(0, 200)}`,
		);
	}
	log(`GET  authorization page -> ${page.status}, "Authorization needed" with a Connect button`);
	// Checks both answers (200 with the Allow button, then 200 "Connected"); throws otherwise.
	await grantConsentAsUser(item.connect_url);
	log('GET  connect_url -> 200, the consent question');
	log('POST connect_url decision=allow -> 200, "Connected"');
	// postResume retries n8n's transient 409 "running" (a POST that lands while it still saves the execution as waiting).
	const resumed = await postResume(item.authorization_url, { json: true });
	const state = (resumed.json as { state?: string } | undefined)?.state;
	if (resumed.status !== 200 || (state !== 'continued' && state !== 'already_continued')) {
		throw new Error(`Continue answered HTTP ${resumed.status}: ${resumed.text.slice(0, 300)}`);
	}
	log(`POST authorization page (Continue) -> ${resumed.status}, state "${state}"`);
}

export async function waitForPost(
	listener: HttpListener,
	path: string,
	timeoutMs: number,
	after = 0,
): Promise<CapturedRequest> {
	return await listener.waitForRequest(
		(r) => r.method === 'POST' && r.path === path && r.receivedAt >= after,
		timeoutMs,
	);
}
