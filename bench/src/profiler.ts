// A V8 CPU profile of the running n8n, taken through the inspector: n8n runs with
// NODE_OPTIONS=--inspect-port=127.0.0.1:0 (no inspector until asked), SIGUSR1 opens it on a free
// port, which n8n prints to its log, and the Chrome DevTools Protocol starts and stops the
// profiler around one run. Nothing is profiled outside that window. The media section's memory
// samples (liveMemory) go through the same inspector.
import { WebSocket } from 'undici';

import { sleep } from '../../n8n-runner/rest';

/** For startN8n's env: the inspector's port when SIGUSR1 opens it (0 = any free port). */
export const INSPECTOR_NODE_OPTIONS = '--inspect-port=127.0.0.1:0';

export interface CpuProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

export interface CpuProfile {
	nodes: CpuProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** n8n's clock (Date.now()) and `process.memoryUsage()` at one moment. */
export interface MemorySample {
	at: number;
	heapUsed: number;
	external: number;
	arrayBuffers: number;
	rss: number;
}

export class InspectorProfiler {
	private nextId = 0;
	private readonly pending = new Map<
		number,
		{ resolve(value: unknown): void; reject(error: Error): void }
	>();

	private constructor(private readonly socket: WebSocket) {
		socket.addEventListener('message', (event) => {
			const message = JSON.parse(String(event.data)) as {
				id?: number;
				result?: unknown;
				error?: { message: string };
			};
			if (message.id === undefined) return;
			const waiter = this.pending.get(message.id);
			this.pending.delete(message.id);
			if (message.error) waiter?.reject(new Error(message.error.message));
			else waiter?.resolve(message.result);
		});
	}

	/** Opens the inspector of `pid` (SIGUSR1) and connects to it; `logs` reads the process's output. */
	static async attach(pid: number, logs: () => string): Promise<InspectorProfiler> {
		const offset = logs().length;
		process.kill(pid, 'SIGUSR1');
		let url: string | undefined;
		for (const deadline = Date.now() + 15_000; !url; await sleep(100)) {
			url = /Debugger listening on (ws:\/\/\S+)/.exec(logs().slice(offset))?.[1];
			if (!url && Date.now() > deadline)
				throw new Error('n8n did not open its inspector after SIGUSR1');
		}
		const socket = new WebSocket(url);
		await new Promise<void>((resolve, reject) => {
			socket.addEventListener('open', () => resolve(), { once: true });
			socket.addEventListener('error', () => reject(new Error(`cannot connect to ${url}`)), {
				once: true,
			});
		});
		return new InspectorProfiler(socket);
	}

	private async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
		const id = ++this.nextId;
		const result = new Promise<unknown>((resolve, reject) =>
			this.pending.set(id, { resolve, reject }),
		);
		this.socket.send(JSON.stringify({ id, method, params }));
		return (await result) as T;
	}

	async start(intervalUs = 1000): Promise<void> {
		await this.send('Profiler.enable');
		await this.send('Profiler.setSamplingInterval', { interval: intervalUs });
		await this.send('Profiler.start');
	}

	async stop(): Promise<CpuProfile> {
		const { profile } = await this.send<{ profile: CpuProfile }>('Profiler.stop');
		await this.send('Profiler.disable');
		return profile;
	}

	/** n8n's `gc`, obtained once (see liveMemory). */
	private gc?: Promise<string>;

	/**
	 * n8n's clock and live memory at one moment: inside n8n, in one callback between its tasks
	 * (setImmediate), two full garbage collections and then `process.memoryUsage()`. Nothing of n8n
	 * runs in between, so the sample holds only what is reachable at that moment. (Two protocol
	 * calls, a GC and then a read, let n8n run between them: a node in a synchronous loop then
	 * counts the garbage it made since the GC. The second collection finishes the accounting of the
	 * Buffers the first freed, which `external` would otherwise still count.) Between tasks, because
	 * the inspector would otherwise run it wherever n8n's JavaScript is, e.g. inside n8n's guarded
	 * regular expressions, whose 250 ms vm timeout (n8n-workflow safe-regex) a GC pause trips.
	 */
	async liveMemory(): Promise<MemorySample> {
		const gc = await (this.gc ??= this.exposeGc());
		const { result } = await this.send<{ result: { value: string } }>('Runtime.callFunctionOn', {
			objectId: gc,
			functionDeclaration:
				'function () { return new Promise((resolve) => setImmediate(() => { this(); this(); resolve(JSON.stringify(Object.assign({ at: Date.now() }, process.memoryUsage()))); })); }',
			returnByValue: true,
			awaitPromise: true,
		});
		return JSON.parse(result.value) as MemorySample;
	}

	/**
	 * V8's `gc` function for n8n without restarting it with --expose-gc: the flag is set just long
	 * enough to create one fresh context that has it, then unset, so n8n's own contexts made later
	 * (expressions, Code nodes) do not get a `gc` global.
	 */
	private async exposeGc(): Promise<string> {
		const { result } = await this.send<{ result: { objectId?: string; description?: string } }>(
			'Runtime.evaluate',
			{
				expression: `(() => {
					const v8 = process.getBuiltinModule('node:v8');
					v8.setFlagsFromString('--expose-gc');
					try { return process.getBuiltinModule('node:vm').runInNewContext('gc'); }
					finally { v8.setFlagsFromString('--no-expose-gc'); }
				})()`,
				objectGroup: 'bench-memory',
			},
		);
		if (!result.objectId) throw new Error(`n8n did not expose gc: ${result.description}`);
		return result.objectId;
	}

	close(): void {
		this.socket.close();
	}
}

/** What CPU time is spent on, judged from the whole stack of each sample; the first match wins. */
const CATEGORIES: Array<[string, RegExp]> = [
	[
		'benchmark client reading the execution (REST API)',
		/findSingleExecution|executions\.controller|getExecutionsList|findRangeWithCount/,
	],
	[
		'expression evaluation (`{{ … }}` per item: data proxy, isolated-vm)',
		/expression-runtime|renderExpression|workflow-expression|n8n-workflow\/dist\/cjs\/expression\.js|workflow-data-proxy/,
	],
	[
		'credentials: loaded from the database and decrypted',
		/getCredentials|getCredentialsEntity|getDecrypted|encryption\/cipher|encryption\/aes-/,
	],
	['response validation (zod)', /\/zod\/|parseBody .*nodes\/Dedalus/],
	[
		'n8n HTTP helper and sockets (axios, follow-redirects, node:net/http)',
		/backend-network|request-helpers|axios|follow-redirects|proxy-from-env|node:net|node:_http|stream_base_commons|writev|internal\/streams|node:dns|node:internal\/http/,
	],
	[
		'saving the execution (flatted, SQLite)',
		/flatted|typeorm|sqlite|execution-persistence|execution-repository|execution\.repository/,
	],
	[
		'n8n parameter access (getNodeParameter, getNode: copies, validation)',
		/getNodeParameter|node-execution-context|validate-value-against-schema|node-helpers|node-types\.js/,
	],
	["the node's own code (parameters, request body, output)", /dist\/nodes\/Dedalus/],
	[
		'workflow engine, webhook, other nodes',
		/workflow-execute|webhook|active-executions|workflow-runner|n8n-nodes-base/,
	],
	['garbage collection', /^\(garbage collector\)/],
	['idle', /^\(idle\)/],
];
const OTHER = 'other (V8, native, unattributed)';

export interface ProfileShare {
	category: string;
	/** Profiled CPU ms per item in this category. */
	msPerItem: number;
	/** Share of the profiled (non-idle) CPU time. */
	share: number;
}

export function categorize(
	profile: CpuProfile,
	items: number,
): { total: number; shares: ProfileShare[] } {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const categoryOf = new Map<number, string>();
	const classify = (id: number): string => {
		const known = categoryOf.get(id);
		if (known) return known;
		const frames: string[] = [];
		for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
			const { functionName, url } = (byId.get(at) as CpuProfileNode).callFrame;
			frames.push(`${functionName} ${url}`);
		}
		const match = CATEGORIES.find(([, pattern]) => frames.some((frame) => pattern.test(frame)));
		const category = match?.[0] ?? OTHER;
		categoryOf.set(id, category);
		return category;
	};
	const time = new Map<string, number>();
	// timeDeltas[i] is the time before sample i: sample i accounts for timeDeltas[i + 1].
	for (let i = 0; i < profile.samples.length; i++) {
		const category = classify(profile.samples[i]);
		time.set(category, (time.get(category) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
	}
	time.delete('idle');
	const totalUs = [...time.values()].reduce((sum, value) => sum + value, 0);
	const shares = [...time.entries()]
		.map(([category, us]) => ({ category, msPerItem: us / 1000 / items, share: us / totalUs }))
		.sort((p, q) => q.msPerItem - p.msPerItem);
	return { total: totalUs / 1000 / items, shares };
}
