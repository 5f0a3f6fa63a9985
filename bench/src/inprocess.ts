// Table 2, measured in-process: the built node (dist/, what n8n loads) run through n8n-core
// 2.41.1's real WorkflowExecute (test/engine-harness/engine), against the emulator in another process.
// Run as its own process with --expose-gc: `node --expose-gc inprocess.js <json options>`;
// prints one JSON line with the results.
//
// The node type is wrapped so the measurement covers exactly the node's execute() call:
// - cpu: process.cpuUsage() across execute() (everything the node does, including n8n's
//   parameter/expression helpers and n8n's HTTP helper it calls);
// - memory: live heap (heapUsed after a forced full GC) at the start of execute(), sampled
//   every `sampleMs` while it runs (forced GC each time, so garbage does not count), and right
//   when it returns with its output still referenced.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { chain, createEngine, triggerNode } from '../../test/engine-harness/engine';
import { API_KEY, DEDALUS_NODE_TYPE, dedalusNode, prompt } from './workflows';

interface Options {
	/** The built package (dist/). */
	dist: string;
	emulatorUrl: string;
	mode: 'cpu' | 'memory';
	items: number;
	repeats?: number;
	sampleMs?: number;
}

export interface CpuResult {
	items: number;
	/** One entry per measured repeat (after one warm-up run). */
	cpuMs: number[];
	wallMs: number[];
}

export interface MemoryResult {
	items: number;
	contentBytes: number;
	heapBefore: number;
	/** Highest live heap seen while execute() ran, minus heapBefore. */
	peakLiveGrowth: number;
	/** Live heap right after execute() returned (output still referenced), minus heapBefore. */
	retainedGrowth: number;
	/** Same, for `external` (Buffers and other memory outside the JS heap). */
	externalGrowth: number;
	/** JSON bytes of the node's output items. */
	outputBytes: number;
	samples: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

function liveHeap(): { heap: number; external: number } {
	gc?.();
	const usage = process.memoryUsage();
	return { heap: usage.heapUsed, external: usage.external };
}

type Execute = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

/** Loads a module of the built package (dist/, what n8n loads), by its path at run time. */
const loadBuilt = createRequire(__filename);

let hook:
	| ((run: () => Promise<INodeExecutionData[][]>) => Promise<INodeExecutionData[][]>)
	| undefined;

function measuredNodeType(dist: string): INodeType {
	const { Dedalus } = loadBuilt(join(dist, 'nodes', 'Dedalus', 'Dedalus.node.js')) as {
		Dedalus: new () => INodeType;
	};
	const node = new Dedalus();
	const execute = node.execute as Execute;
	node.execute = async function (this: IExecuteFunctions) {
		const run = async () => await execute.call(this);
		return hook ? await hook(run) : await run();
	};
	return node;
}

async function main() {
	const options = JSON.parse(process.argv[2] ?? '{}') as Options;
	if (!gc) throw new Error('run with --expose-gc');
	const { DedalusApi } = loadBuilt(
		join(options.dist, 'credentials', 'DedalusApi.credentials.js'),
	) as {
		DedalusApi: new () => never;
	};
	const engine = createEngine({
		nodeTypes: { [DEDALUS_NODE_TYPE]: measuredNodeType(options.dist) },
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: options.emulatorUrl } },
	});
	const workflow = {
		nodes: [
			triggerNode(),
			{ ...dedalusNode({}), id: 'dedalus', name: 'Dedalus', position: [200, 0] } as INode,
		],
		connections: chain('Trigger', 'Dedalus'),
	};
	const input = (count: number) =>
		Array.from({ length: count }, (_, i) => ({ json: { prompt: prompt(i) } }));
	const runOnce = async (count: number) => {
		const result = await engine.run(workflow, { items: input(count) });
		if (result.status !== 'success')
			throw new Error(`in-process run ended ${result.status}: ${result.error?.message}`);
		const output = result.outputOf('Dedalus');
		if (output.length !== count)
			throw new Error(`in-process run output ${output.length} items, expected ${count}`);
		return output;
	};

	// Warm-up: JIT, the credential decryption path, keep-alive sockets.
	await runOnce(Math.min(options.items, 500));

	if (options.mode === 'cpu') {
		const result: CpuResult = { items: options.items, cpuMs: [], wallMs: [] };
		hook = async (run) => {
			const cpu = process.cpuUsage();
			const started = performance.now();
			const output = await run();
			const used = process.cpuUsage(cpu);
			result.wallMs.push(performance.now() - started);
			result.cpuMs.push((used.user + used.system) / 1000);
			return output;
		};
		for (let i = 0; i < (options.repeats ?? 3); i++) await runOnce(options.items);
		process.stdout.write(`${JSON.stringify(result)}\n`);
		return;
	}

	let result: MemoryResult | undefined;
	hook = async (run) => {
		const before = liveHeap();
		let peak = before.heap;
		let samples = 0;
		const timer = setInterval(() => {
			peak = Math.max(peak, liveHeap().heap);
			samples++;
		}, options.sampleMs ?? 50);
		const output = await run();
		clearInterval(timer);
		const after = liveHeap();
		peak = Math.max(peak, after.heap);
		result = {
			items: options.items,
			contentBytes: 0,
			heapBefore: before.heap,
			peakLiveGrowth: peak - before.heap,
			retainedGrowth: after.heap - before.heap,
			externalGrowth: after.external - before.external,
			outputBytes: Buffer.byteLength(JSON.stringify(output[0].map((item) => item.json))),
			samples,
		};
		return output;
	};
	const output = await runOnce(options.items);
	hook = undefined;
	const content = (output[0].json as { content?: unknown }).content;
	if (!result) throw new Error('the memory hook did not run');
	result.contentBytes = typeof content === 'string' ? content.length : 0;
	process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(
			`in-process benchmark failed: ${(error as Error)?.stack ?? String(error)}\n`,
		);
		process.exit(1);
	},
);
