import { createRequire } from 'node:module';
import { join } from 'node:path';
import type {
	ExecutionStatus,
	INodeExecutionData,
	IRunExecutionData,
	ITaskData,
} from 'n8n-workflow';

import { resolveN8nInstall } from './install';
import config from './n8n-config.json';

/** The owner account every fresh instance gets (and `npm run dev` prints). */
export const OWNER_EMAIL = config.owner.email;
export const OWNER_PASSWORD = config.owner.password;
export const OWNER = config.owner;

/**
 * n8n ties its auth cookie to a "browser-id" header when one is sent at login and then demands
 * the same value on most endpoints; a fixed value keeps every request of this client consistent.
 */
const BROWSER_ID = 'dedalus-e2e-client';

export class N8nHttpError extends Error {
	constructor(
		readonly method: string,
		readonly path: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${path} -> HTTP ${status}: ${body.slice(0, 500)}`);
	}
}

/** What GET /rest/executions lists (no run data). */
export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: ExecutionStatus;
	mode: string;
	createdAt: string;
	startedAt: string | null;
	stoppedAt: string | null;
	waitTill: string | null;
	retryOf: string | null;
}

/** One execution with its run data decoded from the `flatted` text n8n stores and serves. */
export interface N8nExecution extends ExecutionSummary {
	finished: boolean;
	data: IRunExecutionData;
	/** The stored workflow snapshot (nodes, connections) the execution ran with, when n8n sends it. */
	workflowData?: { nodes: Array<{ name: string; type: string }>; [key: string]: unknown };
}

export interface WaitForExecutionOptions {
	/** Only look at this execution (polls GET /rest/executions/:id). */
	executionId?: string;
	/** Only look at executions of this workflow. */
	workflowId?: string;
	timeoutMs?: number;
	intervalMs?: number;
}

type Flatted = { parse: (text: string) => unknown };
let flatted: Flatted | undefined;

/**
 * Execution data is serialized with `flatted` (JSON with shared references as indexes). Using
 * the copy inside the n8n install decodes exactly what that n8n wrote.
 */
export function decodeFlatted(text: string): unknown {
	if (!flatted) {
		const requireFromN8n = createRequire(
			join(resolveN8nInstall().nodeModulesDir, 'n8n', 'package.json'),
		);
		flatted = requireFromN8n('flatted') as Flatted;
	}
	return flatted.parse(text);
}

/** Runs of one node (one entry per time it ran), or [] when it never ran. */
export function nodeRuns(execution: N8nExecution, nodeName: string): ITaskData[] {
	return execution.data.resultData.runData[nodeName] ?? [];
}

/** Whether a node ran (its run list is non-empty). */
export function nodeRan(execution: N8nExecution, nodeName: string): boolean {
	return nodeRuns(execution, nodeName).length > 0;
}

/**
 * The items a node emitted on one output in one run (default: its last run, first output),
 * or undefined when that run or output does not exist.
 */
export function nodeOutput(
	execution: N8nExecution,
	nodeName: string,
	{ runIndex, outputIndex = 0 }: { runIndex?: number; outputIndex?: number } = {},
): INodeExecutionData[] | undefined {
	const runs = nodeRuns(execution, nodeName);
	const run = runs[runIndex ?? runs.length - 1];
	const output = run?.data?.main?.[outputIndex];
	return output ?? undefined;
}

/** Just the `json` of nodeOutput(), the usual thing to assert on. */
export function nodeOutputJson(
	execution: N8nExecution,
	nodeName: string,
	options?: { runIndex?: number; outputIndex?: number },
): Array<Record<string, unknown>> | undefined {
	return nodeOutput(execution, nodeName, options)?.map(
		(item) => item.json as Record<string, unknown>,
	);
}

/** The error of a failed execution, in the shape n8n stores it (message, description, node...). */
export function executionError(execution: N8nExecution): Record<string, unknown> | undefined {
	return execution.data.resultData.error as unknown as Record<string, unknown> | undefined;
}

/** Resolves after `ms`; the small polling helper every wait below uses. */
export const sleep = async (ms: number) => await new Promise<void>((r) => setTimeout(r, ms));

/**
 * A logged-in session against n8n's internal REST API (/rest/*), the one the editor uses.
 * Responses are `{ data: ... }`; request() unwraps that.
 */
export class N8nRestClient {
	private cookie = '';

	constructor(readonly baseUrl: string) {}

	/** Any call; throws N8nHttpError for non-2xx answers. */
	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const send = async () =>
			await fetch(new URL(path, this.baseUrl), {
				method,
				headers: {
					'browser-id': BROWSER_ID,
					...(this.cookie ? { cookie: this.cookie } : {}),
					...(body === undefined ? {} : { 'content-type': 'application/json' }),
				},
				body: body === undefined ? undefined : JSON.stringify(body),
			});
		let res: Response;
		try {
			res = await send();
		} catch (error) {
			// A kept-alive connection that n8n closed just as fetch reused it ("other side closed"):
			// a GET is safe to send once more on a fresh connection.
			const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
			if (method !== 'GET' || code !== 'UND_ERR_SOCKET') throw error;
			res = await send();
		}
		this.keepAuthCookie(res);
		const text = await res.text();
		if (!res.ok) throw new N8nHttpError(method, path, res.status, text);
		if (!text) return undefined as T;
		const parsed = JSON.parse(text) as unknown;
		return (
			parsed && typeof parsed === 'object' && 'data' in parsed
				? (parsed as { data: T }).data
				: parsed
		) as T;
	}

	private keepAuthCookie(res: Response) {
		for (const setCookie of res.headers.getSetCookie()) {
			const [pair] = setCookie.split(';');
			if (pair.startsWith('n8n-auth=')) this.cookie = pair;
		}
	}

	/**
	 * Claims the fresh instance (POST /rest/owner/setup, no auth needed while no owner exists)
	 * and keeps the session cookie it issues. On an instance that already has an owner it logs in.
	 */
	async setupOwner(owner = OWNER): Promise<void> {
		try {
			await this.request('POST', '/rest/owner/setup', owner);
		} catch (error) {
			if (
				!(
					error instanceof N8nHttpError &&
					error.status === 400 &&
					/already setup/i.test(error.body)
				)
			)
				throw error;
			await this.login(owner.email, owner.password);
		}
	}

	async login(email = OWNER_EMAIL, password = OWNER_PASSWORD): Promise<void> {
		await this.request('POST', '/rest/login', { emailOrLdapLoginId: email, password });
	}

	/** One execution with `data` decoded (n8n sends it as a flatted string). */
	async getExecution(id: string): Promise<N8nExecution> {
		const raw = await this.request<
			Omit<N8nExecution, 'data'> & { data: string | IRunExecutionData }
		>('GET', `/rest/executions/${encodeURIComponent(id)}`);
		const data =
			typeof raw.data === 'string' ? (decodeFlatted(raw.data) as IRunExecutionData) : raw.data;
		return { ...raw, data };
	}

	/** Executions, newest first, optionally of one workflow (no run data: see getExecution). */
	async listExecutions(
		workflowId?: string,
		{ limit = 100 }: { limit?: number } = {},
	): Promise<ExecutionSummary[]> {
		const query = new URLSearchParams({ limit: String(limit) });
		if (workflowId) query.set('filter', JSON.stringify({ workflowId }));
		const page = await this.request<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?${query}`,
		);
		return page.results;
	}

	/**
	 * Polls until an execution matches `predicate` (it gets the decoded execution), then returns it.
	 * `options` is a timeout in ms or an object narrowing the search to one execution or workflow.
	 * On timeout the error lists what was seen last, which usually explains the failure.
	 */
	async waitForExecution(
		predicate: (execution: N8nExecution) => boolean,
		options: number | WaitForExecutionOptions = {},
	): Promise<N8nExecution> {
		const {
			executionId,
			workflowId,
			timeoutMs = 30_000,
			intervalMs = 250,
		} = typeof options === 'number' ? { timeoutMs: options } : options;
		const deadline = Date.now() + timeoutMs;
		let lastSeen: string[] = [];
		for (;;) {
			const ids = executionId
				? [executionId]
				: (await this.listExecutions(workflowId)).map((summary) => summary.id);
			lastSeen = [];
			for (const id of ids) {
				const execution = await this.getExecution(id);
				if (predicate(execution)) return execution;
				lastSeen.push(`#${execution.id} ${execution.status}`);
			}
			if (Date.now() > deadline) {
				throw new Error(
					`no execution matched within ${timeoutMs} ms (seen: ${lastSeen.join(', ') || 'none'})`,
				);
			}
			await sleep(intervalMs);
		}
	}

	/** Shortcut: wait until one execution has a given status. */
	async waitForStatus(
		executionId: string,
		status: ExecutionStatus | ExecutionStatus[],
		timeoutMs = 30_000,
	) {
		const wanted = Array.isArray(status) ? status : [status];
		return await this.waitForExecution((e) => wanted.includes(e.status), {
			executionId,
			timeoutMs,
		});
	}

	/**
	 * Names of every node type the instance loaded (the editor's /types/nodes.json), e.g.
	 * `n8n-nodes-base.wait` or `n8n-nodes-dedalus.dedalus`.
	 */
	async getNodeTypeNames(): Promise<string[]> {
		const types = await this.request<Array<{ name: string }>>('GET', '/types/nodes.json');
		return [...new Set(types.map((type) => type.name))];
	}

	/** Names of every credential type the instance loaded (/types/credentials.json). */
	async getCredentialTypeNames(): Promise<string[]> {
		const types = await this.request<Array<{ name: string }>>('GET', '/types/credentials.json');
		return types.map((type) => type.name);
	}

	async getWorkflow(id: string): Promise<Record<string, unknown>> {
		return await this.request('GET', `/rest/workflows/${encodeURIComponent(id)}`);
	}
}
