// Tables for the terminal and docs/benchmarks.md, from one run's results.
import type { BenchArgs } from './args';
import type { FloorRun } from './floor';
import type { CpuResult, MemoryResult } from './inprocess';
import type { Machine } from './machine';
import type { N8nRun } from './n8n-runs';
import type { ProfileShare } from './profiler';
import { type TargetRow, median } from './targets';
import { DEDALUS_NODE_TYPE } from './workflows';

export interface SizeResults {
	size: number;
	/** a: our node, default concurrency; b: concurrency 1; c: OpenAI node v1.8; c2: OpenAI node v2.3. */
	runs: Partial<Record<'a' | 'b' | 'c' | 'c2', N8nRun>>;
	/** requestsMs: first request's arrival → last answer, from the emulator's log. */
	floor?: FloorRun & { maxInFlight: number; requestsMs: number; connections: number };
	/** Wall ms of every repetition (index = repetition): (a) and (d) always, (c) at the speed-up size. */
	reps: { a: number[]; c: number[]; d: number[] };
}

export interface Results {
	args: BenchArgs;
	machine: Machine;
	/** 1, 5 and 15 minute load averages when the run started and ended. */
	load: { start: number[]; end: number[] };
	date: string;
	durationS: number;
	floorConcurrency: number;
	throughput: SizeResults[];
	cpu: {
		items: number;
		noOp: N8nRun[];
		node: N8nRun[];
		openAi: N8nRun[];
		n8nPerItemMs: number;
		openAiPerItemMs: number;
		/** From a V8 profile of n8n during one more node run. */
		profile: { total: number; shares: ProfileShare[] };
		inProcess: CpuResult;
		inProcessPerItemMs: number;
	};
	/** inProcess: the first repetition, shown in the tables; every repetition's heap ÷ output in heapRatios. */
	memory: { inProcess: MemoryResult; heapRatios: number[]; n8n: { noOp: N8nRun; node: N8nRun } };
}

/** Issue 19's loopback targets: ratios from the same run, so they hold across machines. */
export const TARGETS = { speedUp: 4, floorRatio: 1.15, cpuShareOfOpenAi: 0.45, heapPerOutput: 3 };

/** Per repetition: node CPU per item ÷ n8n's OpenAI node's, each minus the NoOp run of the same repetition. */
export function cpuShares(cpu: Results['cpu']): number[] {
	const of = (run: N8nRun) => run.cpuMainMs + run.cpuOthersMs;
	return cpu.node.map(
		(run, i) => (of(run) - of(cpu.noOp[i])) / (of(cpu.openAi[i]) - of(cpu.noOp[i])),
	);
}

const LABELS: Record<string, string> = {
	a: '(a) Dedalus node, concurrency 5 (default)',
	b: '(b) Dedalus node, concurrency 1',
	c: '(c) n8n OpenAI node v1.8, Message a Model (/v1/chat/completions)',
	c2: "(c') n8n OpenAI node v2.3, Generate a Model Response (/v1/responses)",
	d: '(d) floor: undici, concurrency 5, outside n8n',
};

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const x = (ratio: number) => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const mb1 = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function table(header: string[], rows: string[][]): string {
	const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
	return [header, align, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** The throughput size the speed-up target is judged at: 200 when run, else the nearest. */
function targetSize(results: Results): SizeResults | undefined {
	return [...results.throughput].sort((p, q) => Math.abs(p.size - 200) - Math.abs(q.size - 200))[0];
}

function throughputTable(results: Results): string {
	const rows: string[][] = [];
	for (const entry of results.throughput) {
		const floor = entry.floor?.wallMs ?? NaN;
		const openAi = entry.runs.c?.wallMs ?? NaN;
		for (const key of ['a', 'b', 'c', 'c2'] as const) {
			const run = entry.runs[key];
			if (!run) continue;
			rows.push([
				String(entry.size),
				LABELS[key],
				s(run.wallMs),
				(entry.size / (run.wallMs / 1000)).toFixed(1),
				x(run.wallMs / floor),
				x(openAi / run.wallMs),
				`${mb(run.memory.mainPeak)} + ${mb(run.memory.othersPeak)}`,
			]);
		}
		if (entry.floor) {
			rows.push([
				String(entry.size),
				LABELS.d,
				s(floor),
				(entry.size / (floor / 1000)).toFixed(1),
				x(1),
				x(openAi / floor),
				'– (not n8n)',
			]);
		}
	}
	return table(
		[
			'items',
			'variant',
			'wall time',
			'items/s',
			'ratio to (d)',
			'speed-up over (c)',
			'n8n peak RSS (main + task runner)',
		],
		rows,
	);
}

export function throughputTargets(results: Results): TargetRow[] {
	const rows: TargetRow[] = [];
	const at = targetSize(results);
	if (at && at.reps.c.length) {
		rows.push({
			label: `(a) ≥ ${TARGETS.speedUp}× faster than (c) on ${at.size} items, loopback ((c) ÷ (a) wall time)`,
			values: at.reps.c.map((c, i) => c / at.reps.a[i]),
			bound: TARGETS.speedUp,
			direction: 'atLeast',
			unit: '×',
		});
	}
	for (const entry of results.throughput) {
		if (!entry.reps.a.length || !entry.reps.d.length) continue;
		rows.push({
			label: `(a) within ${TARGETS.floorRatio}× of (d), ${entry.size} items, loopback (wall time)`,
			values: entry.reps.a.map((a, i) => a / entry.reps.d[i]),
			bound: TARGETS.floorRatio,
			direction: 'atMost',
			unit: '×',
		});
	}
	rows.push({
		label: `node CPU per item at most ${TARGETS.cpuShareOfOpenAi}× n8n's OpenAI node's (in n8n, ${results.cpu.items} items, same run)`,
		values: cpuShares(results.cpu),
		bound: TARGETS.cpuShareOfOpenAi,
		direction: 'atMost',
		unit: '×',
	});
	const memory = results.memory.inProcess;
	rows.push({
		label: `${memory.items} × ${(memory.contentBytes / 1024).toFixed(0)} KB answers: extra heap ≤ ${TARGETS.heapPerOutput}× the output size (in-process)`,
		values: results.memory.heapRatios,
		bound: TARGETS.heapPerOutput,
		direction: 'atMost',
		unit: '×',
	});
	return rows;
}

function resourceTable(results: Results): string {
	const { cpu, memory } = results;
	const cpuOf = (run: N8nRun) => run.cpuMainMs + run.cpuOthersMs;
	const list = (runs: N8nRun[]) => runs.map((run) => ms(cpuOf(run))).join(', ');
	const mem = memory.inProcess;
	const n8nMem = memory.n8n;
	const rssGrowth = (run: N8nRun) => run.memory.mainPeak - run.memory.mainStart;
	return table(
		['measure', 'result', 'how'],
		[
			[
				'(1) node CPU per item, in n8n',
				`**${cpu.n8nPerItemMs.toFixed(3)} ms**`,
				`n8n's CPU time (/proc utime+stime of the main process and its task runner) for ${cpu.items} items through the node minus the same workflow with a NoOp instead, ÷ ${cpu.items}; medians of ${cpu.node.length} runs each (node: ${list(cpu.node)}; NoOp: ${list(cpu.noOp)})`,
			],
			[
				'(1) for reference: n8n OpenAI node v1.8 CPU per item, in n8n',
				`${cpu.openAiPerItemMs.toFixed(3)} ms`,
				`the same method with (c)'s workflow (${list(cpu.openAi)})`,
			],
			[
				'(1) node CPU per item, in-process',
				`${cpu.inProcessPerItemMs.toFixed(3)} ms`,
				`process.cpuUsage() across the node's execute() in n8n-core's WorkflowExecute (test/engine-harness/engine), ${cpu.inProcess.items} items, median of ${cpu.inProcess.cpuMs.length} (${cpu.inProcess.cpuMs.map(ms).join(', ')})`,
			],
			[
				`(2) extra heap, ${mem.items} × ${mem.contentBytes} B answers, in-process`,
				`**${mb1(mem.peakLiveGrowth)}** peak, ${mb1(mem.retainedGrowth)} retained with the output; output ${mb1(mem.outputBytes)} → **${x(mem.peakLiveGrowth / mem.outputBytes)}**`,
				`live heap (heapUsed after a forced full GC) sampled every 50 ms during execute() (${mem.samples} samples), minus the live heap when execute() started; retained = right after it returned; output = JSON bytes of the output items; external (Buffers) grew ${mb1(mem.externalGrowth)}`,
			],
			[
				`(2) n8n RSS growth, ${n8nMem.node.items} × ${mem.contentBytes} B, real n8n`,
				`${mb(rssGrowth(n8nMem.node))} (NoOp workflow before it: ${mb(rssGrowth(n8nMem.noOp))}); output ${mb1(n8nMem.node.outputBytes)}`,
				`peak RSS of the n8n main process during the run minus its RSS when the run started (whole n8n: the node, the webhook, execution data kept and saved to SQLite); coarse, since RSS rarely shrinks and depends on earlier runs`,
			],
		],
	);
}

function profileTable(results: Results): string {
	const { profile, items } = { profile: results.cpu.profile, items: results.cpu.items };
	const rows = profile.shares.map((entry) => [
		entry.category,
		`${entry.msPerItem.toFixed(3)} ms`,
		`${(entry.share * 100).toFixed(0)} %`,
	]);
	rows.push([
		`**all (profiled run of ${items} items)**`,
		`**${profile.total.toFixed(3)} ms**`,
		'100 %',
	]);
	return table(['n8n main process CPU, by what it was doing', 'per item', 'share'], rows);
}

function detailTable(results: Results): string {
	const rows: string[][] = [];
	const add = (label: string, run: N8nRun) =>
		rows.push([
			String(run.items),
			label,
			s(run.wallMs),
			s(run.executionMs),
			s(run.nodeMs),
			s(run.savedMs),
			`${run.emulator.total} / ${run.emulator.maxInFlight}`,
			String(run.connections),
			ms(run.cpuMainMs),
			ms(run.cpuOthersMs),
			`${mb(run.memory.mainStart)} → ${mb(run.memory.mainPeak)}`,
			run.executionId,
		]);
	for (const entry of results.throughput) {
		for (const key of ['a', 'b', 'c', 'c2'] as const) {
			const run = entry.runs[key];
			if (run) add(`(${key === 'c2' ? "c'" : key})`, run);
		}
		if (entry.floor) {
			rows.push([
				String(entry.size),
				'(d)',
				s(entry.floor.wallMs),
				'–',
				'–',
				'–',
				`${entry.size} / ${entry.floor.maxInFlight}`,
				String(entry.floor.connections),
				'–',
				'–',
				'–',
				'–',
			]);
		}
	}
	results.cpu.noOp.forEach((run) => add('CPU: NoOp, 0 ms latency', run));
	results.cpu.node.forEach((run) => add('CPU: (a), 0 ms latency', run));
	results.cpu.openAi.forEach((run) => add('CPU: (c), 0 ms latency', run));
	add(`memory: NoOp, ${results.memory.inProcess.contentBytes} B`, results.memory.n8n.noOp);
	add(`memory: (a), ${results.memory.inProcess.contentBytes} B`, results.memory.n8n.node);
	return table(
		[
			'items',
			'run',
			'webhook wall',
			'execution (startedAt→stoppedAt)',
			'node executionTime',
			'until saved',
			'emulator requests / max in flight',
			'TCP connections opened',
			'n8n main CPU',
			'task runner CPU',
			'n8n main RSS start → peak',
			'execution id',
		],
		rows,
	);
}

/** Where the extra time of (a) over (d) goes, from n8n's timestamps and the emulator's request log. */
function overheadAnalysis(results: Results): string[] {
	const lines: string[] = [];
	for (const entry of results.throughput) {
		const a = entry.runs.a;
		const floor = entry.floor;
		if (!a || !floor) continue;
		const rounds = Math.ceil(entry.size / results.floorConcurrency);
		const t = a.timeline;
		const parts = [
			`- **${entry.size} items**: (a) ${s(a.wallMs)} vs (d) ${s(floor.wallMs)}, ${ms(a.wallMs - floor.wallMs)} more.`,
		];
		if (t) {
			const extra = t.requestsMs - floor.requestsMs;
			parts.push(
				`In (a): execution start → node start ${ms(t.nodeStartMs)} (Webhook, Split Out); node start → first request at the emulator ` +
					`${ms(t.firstRequestMs - t.nodeStartMs)} (${((t.firstRequestMs - t.nodeStartMs) / entry.size).toFixed(2)} ms per item: the node reads every item's ` +
					`parameters before it sends anything, then its credential, then connects); first request → last answer ${ms(t.requestsMs)}, against ${ms(floor.requestsMs)} for (d): ` +
					`${ms(extra)} more, ${(extra / rounds).toFixed(1)} ms per round of ${results.floorConcurrency} requests; last answer → execution end ` +
					`${ms(t.afterLastAnswerMs)}; outside the execution (webhook in, saving, answer out) ${ms(a.wallMs - a.executionMs)}.`,
			);
		}
		lines.push(parts.join(' '));
	}
	const latency = results.args.latencyMs;
	for (const entry of results.throughput) {
		const parts: string[] = [];
		for (const key of ['b', 'c', 'c2'] as const) {
			const run = entry.runs[key];
			if (run)
				parts.push(
					`${key === 'c2' ? "(c')" : `(${key})`} ${((run.wallMs - entry.size * latency) / entry.size).toFixed(1)} ms`,
				);
		}
		if (parts.length) {
			lines.push(
				`- ${entry.size} items, one request at a time: time per item beyond the ${latency} ms latency ` +
					`((wall − items × latency) ÷ items): ${parts.join(', ')}.`,
			);
		}
	}
	return lines;
}

/** The top of docs/benchmarks.md (a full run writes it): what made it and the machine. */
export function renderHeader(
	machine: Machine,
	date: string,
	durationS: number,
	command: string,
	load: { start: number[]; end: number[] },
): string {
	return [
		'# Benchmarks',
		'',
		'<!-- Generated by `npm run bench` (bench/src); a full run rewrites it, `--only <section>` replaces its section and the Targets table. Do not edit by hand. -->',
		'',
		`Latest full run: ${date}, ${(durationS / 60).toFixed(1)} minutes, \`${command}\`. Sections rewritten since by \`--only\` say so in their own "Latest run" line.`,
		'',
		'## Machine',
		'',
		table(
			['', ''],
			[
				['CPU', machine.cpuModel],
				['cores', String(machine.cores)],
				['memory', `${machine.memoryGiB} GiB`],
				['OS', machine.os],
				[
					'n8n',
					`${machine.n8nVersion} (the pinned install of scripts/install-n8n.sh), on Node ${machine.n8nNode}`,
				],
				['benchmark, emulator, floor client, latency proxy', `Node ${machine.benchNode}`],
				[
					'load average (1, 5, 15 min)',
					`${load.start.map((v) => v.toFixed(2)).join(', ')} at the start, ${load.end.map((v) => v.toFixed(2)).join(', ')} at the end of the full run`,
				],
			],
		),
		'',
		'Everything runs on this one machine: n8n, the emulator (a process of its own) and the benchmark',
		'client with the latency proxy (a third process). With only a few cores they share the CPU, as they would not in production.',
		'',
		'## Running it',
		'',
		'`npm run bench` runs every section below in one go; `npm run bench -- --only <section>` (throughput, network, agent,',
		'streaming, media) runs one and replaces only its section and the Targets table. Duration on this 2-core machine, estimated',
		'from short runs (`--repetitions 2` and small sizes) scaled to the defaults (5 repetitions): throughput on loopback about',
		'17 minutes (per repetition (a) and (d) at 10, 200 and 1,000 items and (c) at 200 ≈ 140 s; (b) and (c) once at 10 and 200',
		'items ≈ 45 s; node CPU 6 rounds ≈ 70 s; memory, profile, in-process ≈ 2 min; n8n start ≈ 1 min), throughput at a distance',
		'about 4 minutes ((a) and (d) on 200 items at RTT 80 over HTTPS ≈ 30 s per repetition, (c) once ≈ 95 s), the agent rows',
		'about 5 minutes (4 questions × 5 repetitions per row at 0, 80 and 200 ms: ≈ 2 s, 4 s and 7 s per round of the four rows),',
		'streaming about 2 minutes, media about 2.5 minutes (measured: 139 s for `--only media`, its own n8n ≈ 1 min; per',
		'repetition 10,000 texts through n8n twice and the floor ≈ 8 s, four memory runs ≈ 10 s), n8n starts and builds about',
		'3 minutes: about 33 minutes in all, within the 40-minute budget.',
		'A loaded machine takes longer (every n8n step waits for CPU); `--repetitions`, `--sizes`, `--questions` trade time for spread.',
		'',
	].join('\n');
}

/** The `throughput` section: loopback throughput, node CPU and memory, profile, details, method. */
export function renderMarkdown(results: Results, command: string): string {
	const { machine, args } = results;
	const mem = results.memory.inProcess;
	const lines = [
		`## Throughput on loopback (plain HTTP, emulator latency ${args.latencyMs} ms per request)`,
		'',
		`Latest run: ${results.date}, ${results.durationS.toFixed(0)} s, \`${command}\` ` +
			`(sizes ${args.sizes.join(', ')}; ${args.repetitions} repetitions; emulator model latency ${args.latencyMs} ms${args.dist ? `; node loaded from ${args.dist}` : ''}). ` +
			`Load average (1/5/15 min) before ${results.load.start.map((v) => v.toFixed(2)).join(' / ')}, after ${results.load.end.map((v) => v.toFixed(2)).join(' / ')}.`,
		'',
		throughputTable(results),
		'',
		'- **wall time**: from sending the webhook request to the end of its answer (client side). The Webhook',
		'  node answers with *Respond: When Last Node Finishes*, so this covers the whole execution. For (d): from',
		"  the first request to the last answer. n8n's own timings (the execution's startedAt → stoppedAt and the",
		"  node's executionTime from the saved run data) are in the details below.",
		"- **ratio to (d)**: wall time ÷ the floor's wall time for the same items. **speed-up over (c)**: (c)'s wall",
		"  time ÷ this row's.",
		'- **n8n peak RSS**: highest VmRSS of the n8n main process, and of the other processes in its process group',
		'  (the JS task runner), read from /proc every 50 ms during the run (until the execution is saved).',
		'',
		`The table shows the first of ${args.repetitions} repetitions; the target ratios (Targets, at the top) use all of them.`,
		'',
		'## Resources: node CPU and memory',
		'',
		resourceTable(results),
		'',
		`### Where the node's CPU goes (V8 profile of n8n, one more run of (a) with ${results.cpu.items} items, 0 ms latency)`,
		'',
		profileTable(results),
		'',
		'Each profile sample is put in the first category that any frame of its stack matches (bench/src/profiler.ts);',
		'the sampling profiler itself makes the run slower, so the shares matter more than the absolute values. The raw',
		'profile stays in `bench/dist/profiles/` until the next run (Chrome DevTools → Performance → Load profile).',
		'',
		'## Where the time goes',
		'',
		...overheadAnalysis(results),
		'',
		'## Details of every run',
		'',
		detailTable(results),
		'',
		'## Method',
		'',
		`- **Setup.** One real n8n ${machine.n8nVersion} (n8n-runner \`startN8n\`: fresh user folder, SQLite, regular`,
		'  execution mode, default settings: execution data of successful runs is saved) has the built package',
		`  (\`dist/\`, packed and installed as a community package) as \`${DEDALUS_NODE_TYPE}\`. Credentials are imported with fixed ids: \`dedalusApi\` with the emulator as`,
		'  Base URL, and `openAiApi` with Base URL `<emulator>/v1`. The emulator (emulator/src, in a child process) answers',
		`  every request after a fixed ${args.latencyMs} ms; its \`/__emulator/stats\` is reset before each run and checked after`,
		'  it: requests must equal items (so every variant really called the emulator), and its maximum in-flight',
		'  count is reported in the details.',
		'- **Workflows.** `Webhook` (POST, respond when the last node finishes, first item) → `Split Out` (the posted',
		'  `items` array, one item each `{prompt}`) → the node under test, with the prompt `{{ $json.prompt }}`. The same',
		'  prompts (`Item <i>: write one sentence about the number <i>.`) go to every variant and to the floor.',
		'  (a) and (b): Chat → Complete, model `openai/gpt-4.1` by ID, no MCP servers, options empty (a) or',
		"  `concurrency: 1` (b). (c): n8n's OpenAI node (`@n8n/n8n-nodes-langchain.openAi`) version 1.8, Text → Message a",
		'  Model: its router runs the items one after another and each sends one `POST /chat/completions`, the endpoint our',
		"  node uses. The node's current default version, 2.3, has Text → Generate a Model Response instead, which sends",
		"  one `POST /responses` per item, also one item after the other; it runs as (c') with `--responses-sizes 200`.",
		'  (d): undici (keep-alive agent) sending the same body and headers',
		`  (\`Authorization\`, \`Idempotency-Key\`, JSON) with ${results.floorConcurrency} workers and parsing each answer.`,
		"- **Timeline and connections.** After each run the emulator's request log (arrival time, duration) is read:",
		"  together with the execution's startedAt/stoppedAt it splits (a)'s time into before the first request, first",
		"  request to last answer, and after (see *Where the time goes*). TCP connections opened: the emulator's",
		"  `GET /__emulator/connections` (connections it accepted since the reset before the run; the benchmark's own",
		'  control calls can add one).',
		'- **Runs.** Every workflow runs once with 5 items first (warm-up, not reported). Then the repetitions: in each, per',
		`  size, (d) and (a); (c) at ${targetSize(results)?.size ?? 200} items (the speed-up target); in the first repetition also (b) and (c) at the`,
		`  sizes ${args.serialSizes.join(', ') || 'none'} (\`--serial-sizes\`: one request after the other, items × latency each). The execution is then`,
		'  read back through the REST API: status success, one output item per input item.',
		`- **Node CPU.** Emulator latency 0. ${results.cpu.items} items through (a), through the same workflow with a`,
		`  NoOp node in its place and through (c); one warm-up of each, then ${results.cpu.node.length} alternating rounds. The target compares, round by round, (a) − NoOp with (c) − NoOp. For each run, the CPU time of n8n's`,
		'  processes (utime + stime from /proc/<pid>/stat, main process and task runner) from just before the webhook',
		'  request until the execution is saved. Per item = (median node run − median NoOp run) ÷ items: the node, the',
		"  HTTP requests it makes through n8n's request helper, and n8n's handling (saving, serialising) of its larger",
		"  output. n8n's OpenAI node (c) is measured the same way, for reference. Cross-check: the same node (dist/)",
		"  run in-process through n8n-core's WorkflowExecute (test/engine-harness/engine) with `process.cpuUsage()` around its",
		'  `execute()`, the emulator in another process; this leaves out what only the n8n server does (credentials from',
		'  the database, expressions in isolated-vm, saving the execution).',
		"- **CPU profile.** After the measured runs, n8n's inspector is opened (n8n runs with",
		'  `NODE_OPTIONS=--inspect-port=127.0.0.1:0`; SIGUSR1 opens it, no inspector before) and its V8 sampling profiler',
		'  records one more run of (a) with the same items; bench/src/profiler.ts sorts the samples into the categories',
		'  shown. The CPU measurements above are all taken before, without the profiler.',
		`- **Memory.** The emulator pads every answer to ${mem.contentBytes} characters (\`POST /__emulator/content-size\`),`,
		`  latency 0, ${mem.items} items. In-process (node run with --expose-gc through n8n-core as above): live heap`,
		'  (`heapUsed` right after a forced full GC) at the start of `execute()`, every 50 ms while it runs (a forced GC',
		'  each time, so only reachable memory counts) and right after it returns, its output still referenced. Extra',
		'  heap = peak − start, compared to the output size (bytes of `JSON.stringify` of the output items). In the real',
		'  n8n, the RSS growth of the main process is shown as well (coarser: RSS includes freed-but-kept memory).',
		'',
	];
	const notes = missedTargetNotes(results);
	if (notes.length)
		lines.push('## Notes on targets not met (from the first repetition)', '', ...notes, '');
	return lines.join('\n');
}

/** TCP connections per request during the CPU runs, as measured. */
function connectionsNote(results: Results): string {
	const describe = (label: string, runs: N8nRun[]) => {
		const run = runs[0];
		return run
			? `${label} opened ${run.connections} TCP connections for ${run.emulator.total} requests`
			: undefined;
	};
	const floor = results.throughput[results.throughput.length - 1]?.floor;
	return [
		describe('(a)', results.cpu.node),
		describe("n8n's OpenAI node", results.cpu.openAi),
		floor ? `the floor ${floor.connections} for ${floor.items}` : undefined,
	]
		.filter(Boolean)
		.join(', ');
}

/** Measured explanations for each missed target (the numbers come from this run). */
function missedTargetNotes(results: Results): string[] {
	const notes: string[] = [];
	for (const entry of results.throughput) {
		const a = entry.runs.a;
		const floor = entry.floor;
		if (!a || !floor) continue;
		const ratio = a.wallMs / floor.wallMs;
		if (ratio <= TARGETS.floorRatio) continue;
		const t = a.timeline;
		const rounds = Math.ceil(entry.size / results.floorConcurrency);
		notes.push(
			`- **(a) vs (d) at ${entry.size} items: ${x(ratio)}.** (d) needs ${s(floor.wallMs)}, (a) ${ms(a.wallMs - floor.wallMs)} more. ` +
				(t
					? `Of that, ${ms(a.wallMs - a.executionMs)} is outside the execution (webhook in, saving, answer out), ` +
						`${ms(t.firstRequestMs + t.afterLastAnswerMs)} inside it before the first request and after the last answer, and ` +
						`${ms(t.requestsMs - floor.requestsMs)} between the first request and the last answer ` +
						`(${((t.requestsMs - floor.requestsMs) / rounds).toFixed(1)} ms for each of the ${rounds} rounds of ${results.floorConcurrency} requests: ` +
						"n8n's per-request CPU, see the profile). "
					: '') +
				'With few items the parts that do not grow with the item count weigh most.',
		);
	}
	const at = targetSize(results);
	if (at?.runs.a && at.runs.c && at.runs.c.wallMs / at.runs.a.wallMs < TARGETS.speedUp) {
		notes.push(
			`- **Speed-up over (c) at ${at.size} items: ${x(at.runs.c.wallMs / at.runs.a.wallMs)}.** With concurrency 5 the ` +
				'ceiling is 5× minus the fixed per-execution part; see the details for the per-run split.',
		);
	}
	if (median(cpuShares(results.cpu)) > TARGETS.cpuShareOfOpenAi) {
		const { shares } = results.cpu.profile;
		const top = shares
			.filter((entry) => entry.share >= 0.05)
			.map((entry) => `${entry.category} ${(entry.share * 100).toFixed(0)} %`)
			.join('; ');
		notes.push(
			`- **Node CPU: ${results.cpu.n8nPerItemMs.toFixed(3)} ms per item in n8n** (n8n's OpenAI node, measured the same way: ` +
				`${results.cpu.openAiPerItemMs.toFixed(3)} ms; the node in-process through n8n-core, without n8n's credential store, ` +
				`isolated-vm expressions and execution saving: ${results.cpu.inProcessPerItemMs.toFixed(3)} ms). ` +
				`The profile splits it as: ${top}. See the profile table above.`,
		);
		const credentials = shares.find((entry) => entry.category.startsWith('credentials'));
		const own = shares
			.filter((entry) => /node's own code|response validation/.test(entry.category))
			.reduce((sum, entry) => sum + entry.share, 0);
		notes.push(
			`  The node's own code (its functions and zod) is ${(own * 100).toFixed(0)} % of it. ` +
				(credentials && credentials.share >= 0.03
					? `${(credentials.share * 100).toFixed(0)} % is n8n loading the credential from the database and decrypting it ` +
						'again for every request: the node calls `httpRequestWithAuthentication` without the `credentialsDecrypted` ' +
						'option although it has already read the credential once. '
					: '') +
				"The rest is what any n8n node pays per request and per item: n8n's HTTP helper (a new agent per request, so no " +
				`keep-alive: ${connectionsNote(results)}), evaluating the prompt expression in isolated-vm, and saving the output.`,
		);
	}
	const mem = results.memory.inProcess;
	if (mem.peakLiveGrowth / mem.outputBytes > TARGETS.heapPerOutput) {
		notes.push(`- **Memory: ${x(mem.peakLiveGrowth / mem.outputBytes)} of the output size.**`);
	}
	return notes;
}

export function printTables(results: Results): void {
	const out = [
		'',
		`Throughput: emulator latency ${results.args.latencyMs} ms, first repetition (${results.machine.cpuModel}, ${results.machine.cores} cores)`,
		'',
		throughputTable(results),
		'',
		'Node CPU and memory',
		'',
		resourceTable(results),
		'',
		'Where the node CPU goes (profile)',
		'',
		profileTable(results),
		'',
		...overheadAnalysis(results),
		'',
	];
	process.stdout.write(`${out.join('\n')}\n`);
}
