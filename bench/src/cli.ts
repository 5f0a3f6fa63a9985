// `npm run bench`: the throughput benchmark. See docs/benchmarks.md (written by this script) for
// what is measured and how. Everything runs on this machine, in one go, against the emulator.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';

import { resolveN8nInstall } from '../../n8n-runner/install';
import { type N8nInstance, startN8n } from '../../n8n-runner/n8n';
import {
	AGENT_SECTION_END,
	AGENT_SECTION_START,
	type AgentResults,
	renderAgentSection,
	runAgentBench,
} from './agent';
import { type BenchArgs, parseArgs } from './args';
import { EmulatorProcess } from './emulator';
import { type FloorRun, runFloor } from './floor';
import type { CpuResult, MemoryResult } from './inprocess';
import { describeMachine } from './machine';
import { type N8nRun, runInN8n } from './n8n-runs';
import { DOC_FILE, PACKAGE_DIST, REPO_ROOT } from './paths';
import { findN8nMainPid } from './proc';
import { INSPECTOR_NODE_OPTIONS, InspectorProfiler, categorize } from './profiler';
import { type Results, type SizeResults, printTables, renderMarkdown } from './report';
import { VARIANTS, type VariantKey, credentials, workflowOf } from './workflows';

const FLOOR_CONCURRENCY = 5;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function inProcess<T>(options: Record<string, unknown>): Promise<T> {
	return await new Promise((resolve, reject) => {
		execFile(
			process.execPath,
			['--expose-gc', join(__dirname, 'inprocess.js'), JSON.stringify(options)],
			// NODE_PATH: a --dist build outside the repository still finds n8n-workflow (the same copy the engine uses).
			{
				maxBuffer: 16 * 1024 * 1024,
				timeout: 600_000,
				env: { ...process.env, NODE_PATH: join(REPO_ROOT, 'node_modules') },
			},
			(error, stdout, stderr) => {
				if (error) reject(new Error(`in-process run failed: ${stderr || error.message}`));
				else resolve(JSON.parse(stdout.trim().split('\n').pop() ?? '') as T);
			},
		);
	});
}

/**
 * n8n may still be registering the webhooks of published workflows just after it reports being
 * ready: an unregistered webhook answers 404 without starting an execution, so try again.
 * (An OPTIONS probe cannot tell: n8n answers it with 204 for any path.)
 */
async function warmUp(key: VariantKey, run: () => Promise<unknown>): Promise<void> {
	for (const deadline = Date.now() + 60_000; ; ) {
		try {
			await run();
			return;
		} catch (error) {
			if (!/webhook answered 404/.test(String(error)) || Date.now() > deadline) throw error;
			log(`the webhook of ${key} is not registered yet; trying again`);
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
	}
}

/** The report goes through the repository's prettier, so `npm run format:check` stays green after a run. */
function formatReport(file: string): void {
	execFileSync(
		process.execPath,
		[join(REPO_ROOT, 'node_modules/prettier/bin/prettier.cjs'), '--write', file],
		{
			stdio: 'ignore',
		},
	);
}

async function agentRows(args: BenchArgs, emulator: EmulatorProcess): Promise<AgentResults> {
	return await runAgentBench({
		emulator,
		dist: args.dist ?? PACKAGE_DIST,
		questions: args.questions,
		modelTurnMs: args.modelTurnMs,
		toolCallMs: args.toolCallMs,
		log,
	});
}

/** `--only agent`: runs rows (e)-(g) and replaces their section of the report, the rest untouched. */
async function onlyAgent(args: BenchArgs): Promise<void> {
	const started = Date.now();
	const install = resolveN8nInstall();
	const machine = describeMachine(install.nodeBin, install.version);
	const emulator = await EmulatorProcess.start(0);
	try {
		const section = renderAgentSection(await agentRows(args, emulator), machine.cores);
		process.stdout.write(`\n${section}\n`);
		if (args.out) {
			const current = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '# Benchmarks\n';
			const from = current.indexOf(AGENT_SECTION_START);
			const to = current.indexOf(AGENT_SECTION_END);
			const next =
				from >= 0 && to > from
					? current.slice(0, from) + section + current.slice(to + AGENT_SECTION_END.length)
					: `${current.trimEnd()}\n\n${section}\n`;
			writeFileSync(args.out, next);
			formatReport(args.out);
			log(`replaced the (e)-(g) section of ${args.out}`);
		}
	} finally {
		await emulator.stop();
	}
	log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function main() {
	const args: BenchArgs = parseArgs(process.argv.slice(2), DOC_FILE);
	if (args.only === 'agent') return await onlyAgent(args);
	const started = Date.now();
	const loadAtStart = loadavg();
	const install = resolveN8nInstall();
	const machine = describeMachine(install.nodeBin, install.version);
	log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; n8n ${machine.n8nVersion} on Node ${machine.n8nNode}`,
	);

	const emulator = await EmulatorProcess.start(args.latencyMs);
	log(`emulator ${emulator.url} (pid ${emulator.pid}), latency ${args.latencyMs} ms`);
	const keys: VariantKey[] = ['dedalusDefault', 'dedalusSerial', 'openAi', 'noOp'];
	if (args.responsesSizes.length) keys.push('openAiResponses');
	let n8n: N8nInstance | undefined;
	try {
		log('starting n8n (import, publish, start: about a minute)...');
		n8n = await startN8n({
			customExtensions: args.dist ?? PACKAGE_DIST,
			credentials: credentials(emulator.url),
			workflows: keys.map((key) => workflowOf(VARIANTS[key])),
			label: 'bench',
			// Lets the benchmark open n8n's inspector later (SIGUSR1) for one profiled run.
			env: { NODE_OPTIONS: INSPECTOR_NODE_OPTIONS },
		});
		const pgid = findN8nMainPid(n8n.userFolder);
		log(`n8n ${n8n.baseUrl} (pid ${pgid}); log ${n8n.logFile}`);
		const instance = n8n;
		const run = async (key: VariantKey, items: number, options: Parameters<typeof runInN8n>[5]) =>
			await runInN8n(instance, pgid, emulator, VARIANTS[key], items, options);

		// Warm-up: first executions compile n8n's and the nodes' code paths and open connections.
		log('warm-up...');
		for (const key of keys) await warmUp(key, () => run(key, 5, { latencyMs: args.latencyMs }));
		await runFloor(emulator.url, 5, FLOOR_CONCURRENCY);

		// Table 1.
		const throughput: SizeResults[] = [];
		for (const size of args.sizes) {
			const entry: SizeResults = { size, runs: {} };
			throughput.push(entry);
			await emulator.reset();
			await emulator.setLatency(args.latencyMs);
			const floor: FloorRun = await runFloor(emulator.url, size, FLOOR_CONCURRENCY);
			const floorStats = await emulator.stats();
			if (floor.failures || floorStats.total !== size) {
				throw new Error(`floor x${size}: ${floor.failures} failures, ${floorStats.total} requests`);
			}
			const floorLog = await emulator.requests('/v1/chat/completions');
			const arrivals = floorLog.map((request) => Date.parse(request.time));
			const answers = floorLog.map((request) => Date.parse(request.time) + request.durationMs);
			entry.floor = {
				...floor,
				connections: await emulator.connections(),
				maxInFlight: floorStats.maxInFlight,
				requestsMs: Math.max(...answers) - Math.min(...arrivals),
			};
			log(`${size} items: (d) floor ${(floor.wallMs / 1000).toFixed(2)} s`);
			const order: Array<[keyof SizeResults['runs'], VariantKey]> = [
				['a', 'dedalusDefault'],
				['b', 'dedalusSerial'],
				['c', 'openAi'],
			];
			if (args.responsesSizes.includes(size)) order.push(['c2', 'openAiResponses']);
			for (const [label, key] of order) {
				const result = await run(key, size, { latencyMs: args.latencyMs });
				entry.runs[label] = result;
				log(
					`${size} items: (${label}) ${key} ${(result.wallMs / 1000).toFixed(2)} s, max in flight ${result.emulator.maxInFlight}`,
				);
			}
		}

		// Table 2 (1): node CPU in the real n8n, emulator at zero latency: the node vs NoOp, and
		// n8n's OpenAI node the same way for reference. One warm-up each, then alternating runs.
		log(`node CPU: ${args.cpuItems} items, node, NoOp and OpenAI node, zero latency...`);
		const cpuKeys = { noOp: 'noOp', node: 'dedalusDefault', openAi: 'openAi' } as const;
		const cpuRuns: Record<keyof typeof cpuKeys, N8nRun[]> = { noOp: [], node: [], openAi: [] };
		for (const key of Object.values(cpuKeys)) await run(key, args.cpuItems, { latencyMs: 0 });
		for (let i = 0; i < args.cpuRepeats; i++) {
			for (const [name, key] of Object.entries(cpuKeys) as Array<
				[keyof typeof cpuKeys, VariantKey]
			>) {
				cpuRuns[name].push(await run(key, args.cpuItems, { latencyMs: 0 }));
			}
		}
		const cpuOf = (runs: N8nRun[]) => median(runs.map((r) => r.cpuMainMs + r.cpuOthersMs));
		const n8nCpuPerItemMs = (cpuOf(cpuRuns.node) - cpuOf(cpuRuns.noOp)) / args.cpuItems;
		const openAiCpuPerItemMs = (cpuOf(cpuRuns.openAi) - cpuOf(cpuRuns.noOp)) / args.cpuItems;
		log(
			`node CPU in n8n: ${n8nCpuPerItemMs.toFixed(3)} ms/item (OpenAI node ${openAiCpuPerItemMs.toFixed(3)})`,
		);

		// Where that CPU goes: one more run of the node, with n8n's V8 profiler on.
		log('profiling one node run in n8n...');
		const profiler = await InspectorProfiler.attach(pgid, instance.logs);
		await profiler.start();
		await run('dedalusDefault', args.cpuItems, { latencyMs: 0 });
		const rawProfile = await profiler.stop();
		profiler.close();
		const profileFile = join(
			__dirname,
			'..',
			'..',
			'profiles',
			`n8n-node-run-${args.cpuItems}.cpuprofile`,
		);
		mkdirSync(dirname(profileFile), { recursive: true });
		writeFileSync(profileFile, JSON.stringify(rawProfile));
		log(`profile saved: ${profileFile} (open it in Chrome DevTools, Performance tab)`);
		const profile = categorize(rawProfile, args.cpuItems);

		// Table 2 (2): memory in the real n8n, answers padded: NoOp first, then the node.
		log(`memory: ${args.memoryItems} items x ${args.memoryBytes} B in n8n...`);
		const memoryN8n = {
			noOp: await run('noOp', args.memoryItems, { latencyMs: 0, contentBytes: args.memoryBytes }),
			node: await run('dedalusDefault', args.memoryItems, {
				latencyMs: 0,
				contentBytes: args.memoryBytes,
			}),
		};
		await n8n.stop();
		n8n = undefined;

		// Rows (e)-(g): their own n8n, the emulator priced per model turn and tool call.
		const agent = await agentRows(args, emulator);

		// Table 2, in-process cross-checks (n8n-core engine, the emulator still in its own process).
		log('in-process: node CPU...');
		await emulator.reset();
		await emulator.setLatency(0);
		const cpuInProcess = await inProcess<CpuResult>({
			dist: args.dist ?? PACKAGE_DIST,
			emulatorUrl: emulator.url,
			mode: 'cpu',
			items: args.cpuItems,
			repeats: args.cpuRepeats,
		});
		log('in-process: memory...');
		await emulator.reset();
		await emulator.setLatency(0);
		await emulator.setContentBytes(args.memoryBytes);
		const memoryInProcess = await inProcess<MemoryResult>({
			dist: args.dist ?? PACKAGE_DIST,
			emulatorUrl: emulator.url,
			mode: 'memory',
			items: args.memoryItems,
		});

		const results: Results = {
			args,
			machine,
			load: { start: loadAtStart, end: loadavg() },
			date: new Date().toISOString(),
			durationS: 0,
			floorConcurrency: FLOOR_CONCURRENCY,
			throughput,
			cpu: {
				items: args.cpuItems,
				noOp: cpuRuns.noOp,
				node: cpuRuns.node,
				openAi: cpuRuns.openAi,
				n8nPerItemMs: n8nCpuPerItemMs,
				openAiPerItemMs: openAiCpuPerItemMs,
				profile,
				inProcess: cpuInProcess,
				inProcessPerItemMs: median(cpuInProcess.cpuMs) / cpuInProcess.items,
			},
			memory: { inProcess: memoryInProcess, n8n: memoryN8n },
		};
		results.durationS = (Date.now() - started) / 1000;
		printTables(results);
		process.stdout.write(`${renderAgentSection(agent, machine.cores)}\n`);
		if (args.out) {
			writeFileSync(
				args.out,
				`${renderMarkdown(results).trimEnd()}\n\n${renderAgentSection(agent, machine.cores)}\n`,
			);
			formatReport(args.out);
			log(`wrote ${args.out}`);
		}
		log(`done in ${results.durationS.toFixed(0)} s`);
	} finally {
		await n8n?.stop();
		await emulator.stop();
	}
}

// Ctrl-C: exit through process.exit, so n8n-runner's exit hook kills the n8n process group
// (the emulator child stops by itself when its parent goes away).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.once(signal, () => {
		log(`${signal}: stopping`);
		process.exit(130);
	});
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		process.stderr.write(`[bench] failed: ${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(1);
	},
);
