// Helpers for the Dedalus e2e tests: fake keys, the credential, the in-process emulator's admin
// routes, HTTP calls to the resume URL, and a collector that checks nothing ever leaks an API key.
import { createHash } from 'node:crypto';

import type { RequestLogEntry } from '../emulator/src';
import type { CredentialImport, N8nInstance } from './n8n';
import { executionError, sleep, type N8nExecution } from './rest';

export const MODEL_ID = 'openai/gpt-4.1';
export const GMAIL = 'dedalus-labs/gmail';
export const CALENDAR = 'dedalus-labs/google-calendar';
export const SEARCH = 'dedalus-labs/brave-search';
export const CHAT_PATH = '/v1/chat/completions';

/** Part of every fake key below: no page, output, notice or log may ever contain it. */
export const SECRET_MARKER = 'e2e-SECRET';

/** A distinctive fake key the emulator accepts (`dsk-test-e2e-SECRET-0001`, ...). */
export function fakeApiKey(n: number): string {
	return `dsk-test-${SECRET_MARKER}-${String(n).padStart(4, '0')}`;
}

/** What the emulator logs instead of a key: the first 16 hex chars of its sha256. */
export function keyIdOf(apiKey: string): string {
	return createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
}

/** A `dedalusApi` credential pointing at a local emulator (or a proxy in front of it). */
export function dedalusCredential(options: {
	id: string;
	name: string;
	apiKey: string;
	baseUrl: string;
}): CredentialImport {
	return {
		id: options.id,
		name: options.name,
		type: 'dedalusApi',
		data: {
			apiKey: options.apiKey,
			baseUrl: options.baseUrl,
			authServerUrl: options.baseUrl,
			provider: '',
			providerApiKey: '',
		},
	};
}

export interface HttpResult {
	status: number;
	headers: Headers;
	text: string;
	json?: unknown;
}

/**
 * fetch() that always reads the body and parses it when it is JSON. A FormData body goes as
 * multipart/form-data (fetch writes the boundary into the content type); bytes go as they are.
 */
export async function httpCall(
	url: string,
	init: {
		method?: string;
		headers?: Record<string, string>;
		body?: string | FormData | Uint8Array;
	} = {},
): Promise<HttpResult> {
	const res = await fetch(url, {
		method: init.method ?? 'GET',
		headers: init.headers,
		// Uint8Array is a valid fetch body; some of the project's tsconfigs type fetch's
		// BodyInit without it (scripts/demo.tsconfig.json), hence the cast.
		body: init.body as RequestInit['body'],
		redirect: 'manual',
	});
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, text, json };
}

/**
 * The emulator's test controls over HTTP (the same routes a developer would use), so the tests
 * see exactly what a separate emulator process would report.
 */
export class EmulatorAdmin {
	constructor(readonly baseUrl: string) {}

	/** Chat completion requests, oldest first, optionally of one key (by keyId) and one `user`. */
	async completions(
		filter: { keyId?: string; user?: string | RegExp } = {},
	): Promise<RequestLogEntry[]> {
		const res = await httpCall(
			`${this.baseUrl}/__emulator/requests?path=${encodeURIComponent(CHAT_PATH)}`,
		);
		if (res.status !== 200) throw new Error(`emulator request log: HTTP ${res.status} ${res.text}`);
		const { requests } = res.json as { requests: RequestLogEntry[] };
		return requests.filter((entry) => {
			if (filter.keyId !== undefined && entry.keyId !== filter.keyId) return false;
			if (filter.user === undefined) return true;
			if (typeof filter.user === 'string') return entry.user === filter.user;
			return entry.user !== undefined && filter.user.test(entry.user);
		});
	}

	/** The whole request log as text (to check that it holds no key). */
	async rawLog(): Promise<string> {
		return (await httpCall(`${this.baseUrl}/__emulator/requests`)).text;
	}

	async setLatency(ms: number): Promise<void> {
		const res = await httpCall(`${this.baseUrl}/__emulator/latency`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ms }),
		});
		if (res.status !== 200) throw new Error(`emulator latency: HTTP ${res.status} ${res.text}`);
	}

	/** Grants or revokes one server's consent for one key, without touching any other key. */
	async setConsent(server: string, keyId: string, granted: boolean): Promise<void> {
		const res = await httpCall(`${this.baseUrl}/__emulator/consent`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ server, keyId, granted }),
		});
		if (res.status !== 200) throw new Error(`emulator consent: HTTP ${res.status} ${res.text}`);
	}
}

/** Requests grouped by their `user` field (the tests set it per item: `<tag>-item-<index>`). */
export function statusesByUser(entries: RequestLogEntry[]): Record<string, number[]> {
	const out: Record<string, number[]> = {};
	for (const entry of entries) (out[entry.user ?? '(none)'] ??= []).push(entry.status);
	return out;
}

/**
 * Most requests that overlapped in time, from the log's arrival times and durations. The log has
 * millisecond precision: `slackMs` keeps a request that started right as another one ended from
 * counting as an overlap.
 */
export function maxOverlap(entries: RequestLogEntry[], slackMs = 3): number {
	const events: Array<[number, number]> = [];
	for (const entry of entries) {
		const start = Date.parse(entry.time);
		events.push([start, 1], [start + Math.max(0, entry.durationMs - slackMs), -1]);
	}
	// Ends before starts at the same millisecond: back-to-back requests do not overlap.
	events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let current = 0;
	let max = 0;
	for (const [, delta] of events) {
		current += delta;
		max = Math.max(max, current);
	}
	return max;
}

/**
 * Consent as a person gives it on the emulator's page: GET the connect_url (the Allow/Deny
 * question), then submit Allow, which the page's form does with `decision=allow`.
 */
export async function grantConsentAsUser(
	connectUrl: string,
): Promise<{ page: string; result: string }> {
	const page = await httpCall(connectUrl);
	if (page.status !== 200 || !page.text.includes('id="allow"')) {
		throw new Error(`consent page: HTTP ${page.status}: ${page.text.slice(0, 300)}`);
	}
	const result = await httpCall(connectUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: 'decision=allow',
	});
	if (result.status !== 200 || !result.text.includes('Connected')) {
		throw new Error(`consent answer: HTTP ${result.status}: ${result.text.slice(0, 300)}`);
	}
	return { page: page.text, result: result.text };
}

/**
 * A POST to the resume URL. `json` asks for the page's JSON answer (what the page's own script
 * does) instead of HTML. `retryWhileRunning` retries n8n's transient 409 "running" (a resume that
 * arrives while the execution is still being saved as waiting); it never reaches the node.
 */
export async function postResume(
	resumeUrl: string,
	{ json = false, retryWhileRunning = true }: { json?: boolean; retryWhileRunning?: boolean } = {},
): Promise<HttpResult> {
	for (let attempt = 0; ; attempt++) {
		const res = await httpCall(resumeUrl, {
			method: 'POST',
			headers: json
				? { accept: 'application/json' }
				: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
			body: json ? undefined : '',
		});
		const running = res.status === 409 && /running/i.test(res.text);
		if (!running || !retryWhileRunning || attempt >= 10) return res;
		await sleep(300);
	}
}

/** Everything a test captured (pages, outputs, notices, logs), checked at the end for leaked keys. */
export class LeakCheck {
	private readonly captured: Array<{ label: string; text: string }> = [];

	constructor(private readonly secrets: string[]) {}

	/** Records a capture and returns it (strings as they are, anything else as JSON). */
	add<T>(label: string, value: T): T {
		this.captured.push({
			label,
			text: typeof value === 'string' ? value : (JSON.stringify(value) ?? ''),
		});
		return value;
	}

	get count(): number {
		return this.captured.length;
	}

	/** Labels of captures that contain a secret (or the marker every fake key carries). */
	leaks(): string[] {
		return this.captured
			.filter(
				({ text }) =>
					text.includes(SECRET_MARKER) || this.secrets.some((secret) => text.includes(secret)),
			)
			.map(({ label }) => label);
	}
}

export interface StartedRun {
	resumeUrl: string;
	executionId: string;
	/** The execution as n8n stored it once waiting. */
	waiting: N8nExecution;
}

/**
 * Starts a run through a Webhook trigger whose "Respond to Webhook" node hands back
 * `{ resumeUrl, executionId }`, then waits until n8n has saved the execution as waiting (a
 * resume request sent earlier would get 409 "running"). Throws with n8n's error when the run
 * ended instead of pausing.
 */
export async function startWaitingRun(
	n8n: N8nInstance,
	webhookPath: string,
	body: unknown,
): Promise<StartedRun> {
	const res = await httpCall(n8n.webhookUrl(webhookPath), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (res.status !== 200)
		throw new Error(`POST /webhook/${webhookPath}: HTTP ${res.status} ${res.text.slice(0, 500)}`);
	const { resumeUrl, executionId } = res.json as { resumeUrl: string; executionId: string };
	const execution = await n8n.rest.waitForStatus(
		executionId,
		['waiting', 'success', 'error', 'crashed', 'canceled'],
		30_000,
	);
	if (execution.status !== 'waiting') {
		throw new Error(
			`execution ${executionId} ended "${execution.status}" instead of waiting: ${JSON.stringify(executionError(execution) ?? null)}`,
		);
	}
	return { resumeUrl: handedOutUrl(execution) ?? resumeUrl, executionId, waiting: execution };
}

/**
 * The `authorization_url` the waiting node handed out (its output, a notice, the editor), which is
 * what a person opens. It is `$execution.resumeUrl`, except on n8n 1.x, which does not sign that
 * URL: there the node adds its own token (nodes/Dedalus/authorization/access.ts).
 */
function handedOutUrl(execution: N8nExecution): string | undefined {
	const lastNode = execution.data.resultData.lastNodeExecuted;
	const runs = lastNode ? (execution.data.resultData.runData[lastNode] ?? []) : [];
	for (const output of runs[runs.length - 1]?.data?.main ?? []) {
		for (const item of output ?? []) {
			const url = (item.json as { authorization_url?: unknown }).authorization_url;
			if (typeof url === 'string') return url;
		}
	}
	return undefined;
}

/** Waits until an execution has finished one way or another (not waiting, not running). */
export async function waitFinished(
	n8n: N8nInstance,
	executionId: string,
	timeoutMs = 30_000,
): Promise<N8nExecution> {
	return await n8n.rest.waitForStatus(
		executionId,
		['success', 'error', 'crashed', 'canceled'],
		timeoutMs,
	);
}

/** An execution exactly as n8n's REST API serves it (run data still flatted), as text. */
export async function rawExecution(n8n: N8nInstance, executionId: string): Promise<string> {
	return JSON.stringify(
		await n8n.rest.request('GET', `/rest/executions/${encodeURIComponent(executionId)}`),
	);
}
