// One measured execution in the real n8n: POST the items to the workflow's webhook (which
// answers when the execution is done), watch n8n's RSS and CPU from /proc meanwhile, then read
// the saved execution through the REST API to check it and take n8n's own timings.
import type { N8nInstance } from '../../n8n-runner/n8n';
import { nodeOutput, nodeRuns, sleep } from '../../n8n-runner/rest';
import type { EmulatorProcess, EmulatorStats } from './emulator';
import { type MemoryPeak, RssSampler, cpuMs, groupMembers } from './proc';
import { type Variant, itemsBody } from './workflows';

export interface N8nRun {
	variant: Variant['key'];
	items: number;
	/** Client side: from sending the webhook request to the end of its answer. */
	wallMs: number;
	/** n8n's own: the execution's stoppedAt - startedAt. */
	executionMs: number;
	/** n8n's own: the node under test's executionTime in the run data. */
	nodeMs: number;
	/** From sending the webhook request until the execution is listed as finished (saved). */
	savedMs: number;
	memory: MemoryPeak;
	/** CPU ms of the n8n main process and of its task runners during the run. */
	cpuMainMs: number;
	cpuOthersMs: number;
	emulator: EmulatorStats;
	outputItems: number;
	/** Bytes of the node's output items' JSON, as n8n returns it. */
	outputBytes: number;
	executionId: string;
	/** TCP connections the emulator accepted during the run (the benchmark's own control calls can add one). */
	connections: number;
	/** From the emulator's request log and the execution's timestamps (ms resolution). */
	timeline?: {
		/** Execution start → the node under test starting (Webhook and Split Out ran before). */
		nodeStartMs: number;
		/** Execution start → first request reaching the emulator. */
		firstRequestMs: number;
		/** First request's arrival → last answer sent. */
		requestsMs: number;
		/** Last answer sent → execution stopped. */
		afterLastAnswerMs: number;
	};
}

export interface RunOptions {
	latencyMs: number;
	contentBytes?: number;
	/** Skip reading the run data back (it can be tens of MB): outputs are then not checked. */
	skipOutputCheck?: boolean;
}

function groupCpu(pgid: number): { main: number; others: number } {
	let others = 0;
	for (const pid of groupMembers(pgid)) others += cpuMs(pid);
	return { main: cpuMs(pgid), others };
}

async function newestExecutionId(
	n8n: N8nInstance,
	workflowId: string,
): Promise<string | undefined> {
	return (await n8n.rest.listExecutions(workflowId, { limit: 1 }))[0]?.id;
}

export async function runInN8n(
	n8n: N8nInstance,
	pgid: number,
	emulator: EmulatorProcess,
	variant: Variant,
	items: number,
	options: RunOptions,
): Promise<N8nRun> {
	await emulator.reset();
	await emulator.setLatency(options.latencyMs);
	if (options.contentBytes) await emulator.setContentBytes(options.contentBytes);
	const previous = await newestExecutionId(n8n, variant.workflowId);
	const body = JSON.stringify(itemsBody(items));

	const sampler = new RssSampler(pgid).start();
	const cpuBefore = groupCpu(pgid);
	const started = performance.now();
	const res = await fetch(n8n.webhookUrl(variant.path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body,
	});
	const answer = await res.text();
	const wallMs = performance.now() - started;
	if (res.status !== 200)
		throw new Error(
			`${variant.key} x${items}: webhook answered ${res.status}: ${answer.slice(0, 500)}`,
		);

	// The execution row is written at the start; wait until n8n has saved it as finished.
	let executionId = '';
	for (let deadline = Date.now() + 120_000; ; ) {
		const [latest] = await n8n.rest.listExecutions(variant.workflowId, { limit: 1 });
		if (
			latest &&
			latest.id !== previous &&
			latest.stoppedAt &&
			!['new', 'running'].includes(latest.status)
		) {
			executionId = latest.id;
			break;
		}
		if (Date.now() > deadline)
			throw new Error(`${variant.key} x${items}: execution not saved after 120 s`);
		await sleep(20);
	}
	const savedMs = performance.now() - started;
	const memory = sampler.stop();
	const cpuAfter = groupCpu(pgid);
	const emulatorStats = await emulator.stats();
	const connections = await emulator.connections();

	const execution = await n8n.rest.getExecution(executionId);
	if (execution.status !== 'success') {
		throw new Error(`${variant.key} x${items}: execution ${executionId} ended ${execution.status}`);
	}
	const run = nodeRuns(execution, variant.nodeName)[0];
	const output = options.skipOutputCheck ? undefined : nodeOutput(execution, variant.nodeName);
	const outputJson = output?.map((item) => item.json);
	if (outputJson && outputJson.length !== items) {
		throw new Error(`${variant.key} x${items}: the node output ${outputJson.length} items`);
	}
	const expectedRequests = items * variant.requestsPerItem;
	if (emulatorStats.total !== expectedRequests) {
		throw new Error(
			`${variant.key} x${items}: the emulator saw ${emulatorStats.total} requests, expected ${expectedRequests}`,
		);
	}
	let timeline: N8nRun['timeline'];
	const startedAt = Date.parse(execution.startedAt ?? '');
	const stoppedAt = Date.parse(execution.stoppedAt ?? '');
	if (variant.endpoint && items > 0) {
		const log = await emulator.requests(variant.endpoint);
		const first = Math.min(...log.map((entry) => Date.parse(entry.time)));
		const last = Math.max(...log.map((entry) => Date.parse(entry.time) + entry.durationMs));
		timeline = {
			nodeStartMs: (run?.startTime ?? NaN) - startedAt,
			firstRequestMs: first - startedAt,
			requestsMs: last - first,
			afterLastAnswerMs: stoppedAt - last,
		};
	}
	return {
		variant: variant.key,
		items,
		wallMs,
		executionMs: stoppedAt - startedAt,
		nodeMs: run?.executionTime ?? NaN,
		savedMs,
		memory,
		cpuMainMs: cpuAfter.main - cpuBefore.main,
		cpuOthersMs: cpuAfter.others - cpuBefore.others,
		emulator: emulatorStats,
		outputItems: outputJson?.length ?? NaN,
		outputBytes: outputJson ? Buffer.byteLength(JSON.stringify(outputJson)) : NaN,
		executionId,
		connections,
		timeline,
	};
}
