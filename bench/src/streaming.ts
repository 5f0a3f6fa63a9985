// The streaming rows of the benchmark (`npm run bench -- --only streaming` runs just these):
// a Webhook with Response Mode Streaming -> Dedalus, and the same workflow answering when the
// last node is done, one item per run, in a real n8n, against the emulator in its own process.
//   1. Time to first chunk: when the first `item` line of n8n's stream reaches the client, minus
//      when the emulator wrote the first piece of text (both read Date.now() on this machine).
//      The emulator pauses between pieces, so the first piece is not also the last.
//   2. Streaming overhead on total time: client-side time of a whole run, streamed vs not, the
//      emulator answering at once (no pause between pieces), runs alternating.
import { performance } from 'node:perf_hooks';

import { startN8n, type N8nInstance } from '../../n8n-runner/n8n';
import type { WorkflowImport } from '../../n8n-runner/n8n';
import { loadavg } from 'node:os';

import type { EmulatorProcess } from './emulator';
import { type TargetRow, median, percentile, spread } from './targets';
import { credentials, dedalusNode } from './workflows';

export const STREAMING_TARGETS = { firstChunkMs: 50, overheadPct: 5 };

export interface StreamingOptions {
	runs: number;
	/** The runs are split over this many repetitions: one target value each. */
	repetitions: number;
	latencyMs: number;
	chunkDelayMs: number;
	dist: string;
}

export interface StreamingResults {
	options: StreamingOptions;
	/** Per repetition, per run: client first chunk minus emulator first token, ms. */
	firstChunkDeltasMs: number[][];
	/** Per repetition, per run: whole runs, streamed and not, alternating. */
	streamedTotalsMs: number[][];
	plainTotalsMs: number[][];
	load: { start: number[]; end: number[] };
}

const STREAM_PATH = 'bench-streaming';
const PLAIN_PATH = 'bench-streaming-plain';
const PROMPT = 'Write a few sentences about streaming answers, please.';

function workflow(
	id: string,
	path: string,
	responseMode: 'streaming' | 'lastNode',
): WorkflowImport {
	return {
		id,
		name: `Bench: ${responseMode === 'streaming' ? 'streamed' : 'not streamed'} answer`,
		nodes: [
			{
				id: `${id}-webhook`,
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: `${id}-hook`,
				parameters: {
					httpMethod: 'POST',
					path,
					responseMode,
					...(responseMode === 'lastNode' ? { responseData: 'firstEntryJson' } : {}),
					options: {},
				},
			},
			{
				id: `${id}-dedalus`,
				name: 'Dedalus',
				position: [220, 0],
				...dedalusNode({}),
				parameters: { ...dedalusNode({}).parameters, prompt: '={{ $json.body.prompt }}' },
			},
		],
		connections: { Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
	};
}

/** One streamed run: client-side total (ms) and when the first text line arrived (epoch ms). */
async function streamedRun(n8n: N8nInstance): Promise<{ totalMs: number; firstItemAt?: number }> {
	const started = performance.now();
	const res = await fetch(n8n.webhookUrl(STREAM_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: PROMPT }),
	});
	if (res.status !== 200 || !res.body) throw new Error(`streaming webhook: HTTP ${res.status}`);
	const decoder = new TextDecoder();
	let buffer = '';
	let firstItemAt: number | undefined;
	let items = 0;
	for await (const bytes of res.body) {
		const now = Date.now();
		buffer += decoder.decode(bytes, { stream: true });
		let newline: number;
		while ((newline = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, newline).trim();
			buffer = buffer.slice(newline + 1);
			if (!line) continue;
			const chunk = JSON.parse(line) as { type: string; metadata?: { nodeName?: string } };
			if (chunk.type === 'item' && chunk.metadata?.nodeName === 'Dedalus') {
				items++;
				firstItemAt ??= now;
			}
		}
	}
	if (items < 2) throw new Error(`streaming webhook: ${items} text chunks`);
	return { totalMs: performance.now() - started, firstItemAt };
}

async function plainRun(n8n: N8nInstance): Promise<number> {
	const started = performance.now();
	const res = await fetch(n8n.webhookUrl(PLAIN_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: PROMPT }),
	});
	const body = (await res.json()) as { content?: string };
	if (res.status !== 200 || !body.content) throw new Error(`plain webhook: HTTP ${res.status}`);
	return performance.now() - started;
}

export async function runStreamingBench(
	emulator: EmulatorProcess,
	options: StreamingOptions,
	log: (message: string) => void,
): Promise<StreamingResults> {
	const n8n = await startN8n({
		packageDist: options.dist,
		credentials: credentials(emulator.url),
		workflows: [
			workflow('benchStreamOn001', STREAM_PATH, 'streaming'),
			workflow('benchStreamOff01', PLAIN_PATH, 'lastNode'),
		],
		label: 'bench-streaming',
	});
	const results: StreamingResults = {
		options,
		firstChunkDeltasMs: [],
		streamedTotalsMs: [],
		plainTotalsMs: [],
		load: { start: loadavg(), end: [] },
	};
	const perRepetition = Math.max(1, Math.ceil(options.runs / options.repetitions));
	try {
		await emulator.reset();
		await emulator.setLatency(options.latencyMs);
		// Warm-up (and wait for the webhooks to be registered).
		for (let attempt = 0; ; attempt++) {
			try {
				await streamedRun(n8n);
				await plainRun(n8n);
				break;
			} catch (error) {
				if (attempt > 60) throw error;
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		}
		for (let rep = 0; rep < options.repetitions; rep++) {
			log(
				`streaming, repetition ${rep + 1}/${options.repetitions}: ${perRepetition} runs for the first chunk ` +
					`(${options.chunkDelayMs} ms between pieces), ${perRepetition} streamed and not, alternating...`,
			);
			const deltas: number[] = [];
			for (let i = 0; i < perRepetition; i++) {
				await emulator.reset();
				await emulator.setLatency(options.latencyMs);
				await emulator.setChunkDelay(options.chunkDelayMs);
				const { firstItemAt } = await streamedRun(n8n);
				const [entry] = await emulator.streamedRequests('/v1/chat/completions');
				if (firstItemAt === undefined || entry?.firstTokenAt === undefined) {
					throw new Error('streaming: no first chunk or no first token logged');
				}
				deltas.push(firstItemAt - entry.firstTokenAt);
			}
			await emulator.reset();
			await emulator.setLatency(options.latencyMs);
			await emulator.setChunkDelay(0);
			const streamed: number[] = [];
			const plain: number[] = [];
			for (let i = 0; i < perRepetition; i++) {
				streamed.push((await streamedRun(n8n)).totalMs);
				plain.push(await plainRun(n8n));
			}
			results.firstChunkDeltasMs.push(deltas);
			results.streamedTotalsMs.push(streamed);
			results.plainTotalsMs.push(plain);
		}
	} finally {
		await n8n.stop();
	}
	results.load.end = loadavg();
	return results;
}

/** Per repetition: p95 of the first-chunk delays, and the streaming overhead in %. */
export function streamingValues(results: StreamingResults) {
	return {
		firstChunkP95Ms: results.firstChunkDeltasMs.map((runs) => percentile(runs, 95)),
		overheadPct: results.streamedTotalsMs.map(
			(runs, i) =>
				((median(runs) - median(results.plainTotalsMs[i])) / median(results.plainTotalsMs[i])) *
				100,
		),
	};
}

export function streamingTargets(results: StreamingResults): TargetRow[] {
	const values = streamingValues(results);
	return [
		{
			label: `streaming: first chunk within ${STREAMING_TARGETS.firstChunkMs} ms of the emulator's first token (p95 of each repetition)`,
			values: values.firstChunkP95Ms,
			bound: STREAMING_TARGETS.firstChunkMs,
			direction: 'atMost',
			unit: 'ms',
		},
		{
			label: `streaming: overhead on total time under ${STREAMING_TARGETS.overheadPct} % (streamed vs not, medians of each repetition)`,
			values: values.overheadPct,
			bound: STREAMING_TARGETS.overheadPct,
			direction: 'atMost',
			unit: '%',
		},
	];
}

export function renderStreamingMarkdown(results: StreamingResults, command: string): string {
	const { runs, repetitions, latencyMs, chunkDelayMs } = results.options;
	const all = results.firstChunkDeltasMs.flat();
	const values = streamingValues(results);
	const p95 = spread(values.firstChunkP95Ms);
	const overhead = spread(values.overheadPct);
	const streamed = median(results.streamedTotalsMs.flat());
	const plain = median(results.plainTotalsMs.flat());
	return [
		'## Streaming',
		'',
		`Latest run: ${new Date().toISOString()}, \`${command}\`. Load average (1/5/15 min) before ` +
			`${results.load.start.map((v) => v.toFixed(2)).join(' / ')}, after ${results.load.end.map((v) => v.toFixed(2)).join(' / ')}.`,
		'',
		'One real n8n; a Webhook → Dedalus (Chat → Complete, one item per run) with Response Mode Streaming,',
		'and the same workflow answering when the last node is done; the emulator in its own process with',
		`${latencyMs} ms model latency, on loopback. ${runs} runs per row split over ${repetitions} repetitions, one run at a time.`,
		'',
		'| row | all runs | per repetition: median (min – max) |',
		'| --- | --- | --- |',
		`| time to first chunk at the client − time to first token at the emulator (emulator pausing ${chunkDelayMs} ms between pieces) | median ${median(all).toFixed(1)} ms, p95 ${percentile(all, 95).toFixed(1)} ms | p95 ${p95.median.toFixed(1)} ms (${p95.min.toFixed(1)} – ${p95.max.toFixed(1)}) |`,
		`| streaming overhead on total time (streamed vs not streamed, emulator answering at once) | ${streamed.toFixed(1)} ms vs ${plain.toFixed(1)} ms, ${(((streamed - plain) / plain) * 100).toFixed(2)} % | ${overhead.median.toFixed(2)} % (${overhead.min.toFixed(2)} – ${overhead.max.toFixed(2)}) |`,
		'',
		'The first row compares two clocks of the same machine (`Date.now()` in the benchmark process and in',
		'the emulator process). It covers n8n reading the stream, the node parsing the SSE event and',
		'`sendChunk`, n8n writing the JSON line, and the client reading it. The second row compares whole',
		'runs: a streamed run also writes the begin/item/end lines and n8n keeps its response open until the',
		'execution is saved.',
	].join('\n');
}
