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
import type { EmulatorProcess } from './emulator';
import { credentials, dedalusNode } from './workflows';

export const STREAMING_TARGETS = { firstChunkMs: 50, overheadPct: 5 };

export interface StreamingOptions {
	runs: number;
	latencyMs: number;
	chunkDelayMs: number;
	dist: string;
}

export interface StreamingResults {
	options: StreamingOptions;
	/** Client first chunk minus emulator first token, per run, ms. */
	firstChunkDeltasMs: number[];
	streamedTotalsMs: number[];
	plainTotalsMs: number[];
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

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
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
		customExtensions: options.dist,
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
	};
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

		log(
			`streaming: time to first chunk, ${options.runs} runs, ${options.chunkDelayMs} ms between pieces...`,
		);
		await emulator.setChunkDelay(options.chunkDelayMs);
		for (let i = 0; i < options.runs; i++) {
			await emulator.reset();
			await emulator.setLatency(options.latencyMs);
			await emulator.setChunkDelay(options.chunkDelayMs);
			const { firstItemAt } = await streamedRun(n8n);
			const [entry] = await emulator.streamedRequests('/v1/chat/completions');
			if (firstItemAt === undefined || entry?.firstTokenAt === undefined) {
				throw new Error('streaming: no first chunk or no first token logged');
			}
			results.firstChunkDeltasMs.push(firstItemAt - entry.firstTokenAt);
		}

		log(`streaming: total time streamed vs not, ${options.runs} runs each, alternating...`);
		await emulator.reset();
		await emulator.setLatency(options.latencyMs);
		await emulator.setChunkDelay(0);
		for (let i = 0; i < options.runs; i++) {
			results.streamedTotalsMs.push((await streamedRun(n8n)).totalMs);
			results.plainTotalsMs.push(await plainRun(n8n));
		}
	} finally {
		await n8n.stop();
	}
	return results;
}

export function streamingSummary(results: StreamingResults) {
	const firstChunkMs = median(results.firstChunkDeltasMs);
	const firstChunkP95Ms = percentile(results.firstChunkDeltasMs, 95);
	const streamedMs = median(results.streamedTotalsMs);
	const plainMs = median(results.plainTotalsMs);
	const overheadPct = ((streamedMs - plainMs) / plainMs) * 100;
	return {
		firstChunkMs,
		firstChunkP95Ms,
		streamedMs,
		plainMs,
		overheadPct,
		firstChunkMet: firstChunkMs < STREAMING_TARGETS.firstChunkMs,
		overheadMet: overheadPct < STREAMING_TARGETS.overheadPct,
	};
}

export function renderStreamingMarkdown(results: StreamingResults, machineLine: string): string {
	const s = streamingSummary(results);
	const { runs, latencyMs, chunkDelayMs } = results.options;
	const met = (ok: boolean) => (ok ? 'met' : '**missed**');
	return [
		'# Streaming benchmark',
		'',
		`Generated by \`npm run bench -- --only streaming\` (also part of a full \`npm run bench\`) on ${new Date().toISOString()}.`,
		machineLine,
		'',
		'One real n8n; a Webhook → Dedalus (Chat → Complete, one item per run) with Response Mode Streaming,',
		'and the same workflow answering when the last node is done; the emulator in its own process with',
		`${latencyMs} ms model latency. ${runs} runs per row, one at a time.`,
		'',
		'| row | measured | target | |',
		'| --- | --- | --- | --- |',
		`| time to first chunk at the client − time to first token at the emulator (emulator pausing ${chunkDelayMs} ms between pieces) | median ${s.firstChunkMs.toFixed(1)} ms, p95 ${s.firstChunkP95Ms.toFixed(1)} ms | < ${STREAMING_TARGETS.firstChunkMs} ms | ${met(s.firstChunkMet)} |`,
		`| streaming overhead on total time (streamed ${s.streamedMs.toFixed(1)} ms vs not streamed ${s.plainMs.toFixed(1)} ms, medians, emulator answering at once) | ${s.overheadPct.toFixed(2)} % | < ${STREAMING_TARGETS.overheadPct} % | ${met(s.overheadMet)} |`,
		'',
		'The first row compares two clocks of the same machine (`Date.now()` in the benchmark process and in',
		'the emulator process). It covers n8n reading the stream, the node parsing the SSE event and',
		'`sendChunk`, n8n writing the JSON line, and the client reading it. The second row compares whole',
		'runs: a streamed run also writes the begin/item/end lines and n8n keeps its response open until the',
		'execution is saved.',
		'',
	].join('\n');
}
