// `npm run bench`: the throughput benchmark. See docs/benchmarks.md (written by this script) for
// what is measured and how. Everything runs on this machine, in one go, against the emulator.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';

import { resolveN8nInstall } from '../../n8n-runner/install';
import { type N8nInstance, startN8n } from '../../n8n-runner/n8n';
import { agentTargets, agentWorkflows, renderAgentSection, runAgentBench } from './agent';
import { type BenchArgs, parseArgs } from './args';
import { EmulatorProcess } from './emulator';
import { mediaTargets, renderMediaSection, runMediaBench } from './media';
import { type FloorRun, runFloor } from './floor';
import type { CpuResult, MemoryResult } from './inprocess';
import { type Machine, describeMachine } from './machine';
import { type NetworkN8n, startNetworkN8n } from './network';
import { networkTargets, renderNetworkSection, runNetworkThroughput } from './network-throughput';
import { type N8nRun, runInN8n } from './n8n-runs';
import { DOC_FILE, PACKAGE_DIST, REPO_ROOT } from './paths';
import { findN8nMainPid } from './proc';
import { INSPECTOR_NODE_OPTIONS, InspectorProfiler, categorize } from './profiler';
import {
	type Results,
	type SizeResults,
	printTables,
	renderHeader,
	renderMarkdown,
	throughputTargets,
} from './report';
import { renderStreamingMarkdown, runStreamingBench, streamingTargets } from './streaming';
import {
	type SectionName,
	type TargetRow,
	TARGET_TABLE_HEADER,
	median,
	section,
	targetTableRow,
	updateDocument,
} from './targets';
import { VARIANTS, type VariantKey, credentials, workflowOf } from './workflows';

interface Section {
	name: SectionName;
	markdown: string;
	targets: TargetRow[];
}

/** Time to first chunk and streaming overhead: the `streaming` section. */
async function streamingSection(
	args: BenchArgs,
	emulator: EmulatorProcess,
	command: string,
): Promise<Section> {
	const results = await runStreamingBench(
		emulator,
		{
			runs: args.streamingRuns,
			repetitions: args.repetitions,
			latencyMs: args.latencyMs,
			chunkDelayMs: 100,
			dist: args.dist ?? PACKAGE_DIST,
		},
		log,
	);
	return {
		name: 'streaming',
		markdown: renderStreamingMarkdown(results, command),
		targets: streamingTargets(results),
	};
}

/** Embeddings, an upload and OCR: the `media` section (bench/src/media.ts). */
async function mediaSection(
	args: BenchArgs,
	emulator: EmulatorProcess,
	command: string,
): Promise<Section> {
	const results = await runMediaBench(
		emulator,
		{
			dist: args.dist ?? PACKAGE_DIST,
			repetitions: args.repetitions,
			latencyMs: args.latencyMs,
			embeddingTexts: args.embeddingTexts,
			embeddingBatch: args.embeddingBatch,
			embeddingDimensions: args.embeddingDimensions,
			audioBytes: args.audioBytes,
			ocrBytes: args.ocrBytes,
			ocrPages: args.ocrPages,
		},
		log,
	);
	return {
		name: 'media',
		markdown: renderMediaSection(results, command),
		targets: mediaTargets(results),
	};
}

const FLOOR_CONCURRENCY = 5;

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

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

/** The command line that reproduces this run, for the report. */
function commandLine(): string {
	const rest = process.argv.slice(2).join(' ');
	return rest ? `npm run bench -- ${rest}` : 'npm run bench';
}

/**
 * The `network` and `agent` sections: one n8n that reaches the emulator only through the latency
 * proxy over HTTPS (bench/src/network.ts).
 */
async function networkSections(
	args: BenchArgs,
	emulator: EmulatorProcess,
	machine: Machine,
	command: string,
): Promise<Section[]> {
	const dist = args.dist ?? PACKAGE_DIST;
	const wantAgent = !args.only || args.only === 'agent';
	const wantNetwork = !args.only || args.only === 'network';
	log('starting n8n behind the latency proxy (HTTPS, throwaway CA)...');
	const network: NetworkN8n = await startNetworkN8n({
		emulator,
		dist,
		label: 'bench-network',
		workflows: (proxyUrl) => [
			...(wantAgent ? agentWorkflows(proxyUrl) : []),
			...(wantNetwork ? [workflowOf(VARIANTS.dedalusDefault), workflowOf(VARIANTS.openAi)] : []),
		],
	});
	log(`n8n ${network.n8n.baseUrl}, API at ${network.proxy.url}; log ${network.n8n.logFile}`);
	const sections: Section[] = [];
	try {
		if (wantNetwork) {
			const rttMs = args.rtts.includes(80) ? 80 : Math.max(...args.rtts);
			const results = await runNetworkThroughput({
				network,
				emulator,
				rttMs,
				sizes: args.networkSizes,
				repetitions: args.repetitions,
				latencyMs: args.latencyMs,
				concurrency: FLOOR_CONCURRENCY,
				log,
			});
			sections.push({
				name: 'network',
				markdown: renderNetworkSection(results, machine.cores, command),
				targets: networkTargets(results),
			});
		}
		if (wantAgent) {
			const results = await runAgentBench({
				network,
				emulator,
				rtts: args.rtts,
				repetitions: args.repetitions,
				questions: args.questions,
				modelTurnMs: args.modelTurnMs,
				toolCallMs: args.toolCallMs,
				log,
			});
			sections.push({
				name: 'agent',
				markdown: renderAgentSection(results, machine.cores, command),
				targets: agentTargets(results),
			});
		}
	} finally {
		await network.stop();
	}
	return sections;
}

/** Writes the sections into the report (a full run starts it afresh) and prints the Targets. */
function writeReport(args: BenchArgs, sections: Section[], header: string | undefined): void {
	const rows = sections.flatMap((entry) => entry.targets);
	process.stdout.write(
		`\nTargets (this run)\n\n${[...TARGET_TABLE_HEADER, ...rows.map(targetTableRow)].join('\n')}\n`,
	);
	if (!args.out) return;
	let document =
		header ?? (existsSync(args.out) ? readFileSync(args.out, 'utf8') : '# Benchmarks\n');
	for (const entry of sections) {
		document = updateDocument(
			document,
			entry.name,
			section(entry.name, entry.markdown, entry.targets),
		);
	}
	writeFileSync(args.out, document);
	formatReport(args.out);
	log(`wrote ${args.out} (${sections.map((entry) => entry.name).join(', ')})`);
}

async function main() {
	const args: BenchArgs = parseArgs(process.argv.slice(2), DOC_FILE);
	const command = commandLine();
	const started = Date.now();
	const loadAtStart = loadavg();
	const install = resolveN8nInstall();
	const machine = describeMachine(install.nodeBin, install.version);
	log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; n8n ${machine.n8nVersion} on Node ${machine.n8nNode}`,
	);
	const emulator = await EmulatorProcess.start(args.latencyMs);
	log(`emulator ${emulator.url} (pid ${emulator.pid}), latency ${args.latencyMs} ms`);
	const sections: Section[] = [];
	let failure: unknown;
	try {
		if (!args.only || args.only === 'throughput') {
			const results = await throughputRows(args, emulator, machine);
			printTables(results);
			sections.push({
				name: 'throughput',
				markdown: renderMarkdown(results, command),
				targets: throughputTargets(results),
			});
		}
		if (!args.only || args.only === 'network' || args.only === 'agent') {
			sections.push(...(await networkSections(args, emulator, machine, command)));
		}
		if (!args.only || args.only === 'streaming') {
			log('streaming rows...');
			await emulator.reset();
			sections.push(await streamingSection(args, emulator, command));
		}
		if (!args.only || args.only === 'media') {
			log('media rows (embeddings, upload, OCR)...');
			await emulator.reset();
			sections.push(await mediaSection(args, emulator, command));
		}
	} catch (error) {
		// A full run takes half an hour: keep what finished, say in the header what did not.
		failure = error;
	} finally {
		await emulator.stop();
	}
	for (const entry of sections.filter((e) => e.name !== 'throughput')) {
		process.stdout.write(`\n${entry.markdown}\n`);
	}
	const durationS = (Date.now() - started) / 1000;
	let header = args.only
		? undefined
		: renderHeader(machine, new Date().toISOString(), durationS, command, {
				start: loadAtStart,
				end: loadavg(),
			});
	if (failure !== undefined && header !== undefined) {
		if (!sections.length) throw failure;
		header +=
			`\n**This run did not finish**: after ${sections.map((e) => e.name).join(', ')} it failed with ` +
			`\`${String((failure as Error)?.message ?? failure)
				.split('\n')[0]
				.slice(0, 200)}\`; the sections after that are missing.\n`;
	}
	if (failure === undefined || header !== undefined) writeReport(args, sections, header);
	if (failure !== undefined) throw failure;
	log(`done in ${durationS.toFixed(0)} s`);
}

/** The `throughput` section's measurements: loopback, one n8n, plain HTTP to the emulator. */
async function throughputRows(
	args: BenchArgs,
	emulator: EmulatorProcess,
	machine: Machine,
): Promise<Results> {
	const started = Date.now();
	const loadAtStart = loadavg();
	const keys: VariantKey[] = ['dedalusDefault', 'dedalusSerial', 'openAi', 'noOp'];
	if (args.responsesSizes.length) keys.push('openAiResponses');
	let n8n: N8nInstance | undefined;
	try {
		log('starting n8n (import, publish, start: about a minute)...');
		n8n = await startN8n({
			packageDist: args.dist ?? PACKAGE_DIST,
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

		// Table 1, repeated: (d) and (a) at every size in every repetition, (c) at the speed-up
		// size too; (b) and (c) at the serial sizes in the first repetition only.
		const speedUpSize = [...args.sizes].sort((p, q) => Math.abs(p - 200) - Math.abs(q - 200))[0];
		const throughput: SizeResults[] = args.sizes.map((size) => ({
			size,
			runs: {},
			reps: { a: [], c: [], d: [] },
		}));
		for (let rep = 0; rep < args.repetitions; rep++) {
			for (const entry of throughput) {
				const size = entry.size;
				await emulator.reset();
				await emulator.setLatency(args.latencyMs);
				const floor: FloorRun = await runFloor(emulator.url, size, FLOOR_CONCURRENCY);
				const floorStats = await emulator.stats();
				if (floor.failures || floorStats.total !== size) {
					throw new Error(
						`floor x${size}: ${floor.failures} failures, ${floorStats.total} requests`,
					);
				}
				entry.reps.d.push(floor.wallMs);
				if (rep === 0) {
					const floorLog = await emulator.requests('/v1/chat/completions');
					const arrivals = floorLog.map((request) => Date.parse(request.time));
					const answers = floorLog.map((request) => Date.parse(request.time) + request.durationMs);
					entry.floor = {
						...floor,
						connections: await emulator.connections(),
						maxInFlight: floorStats.maxInFlight,
						requestsMs: Math.max(...answers) - Math.min(...arrivals),
					};
				}
				const order: Array<[keyof SizeResults['runs'], VariantKey]> = [['a', 'dedalusDefault']];
				const serial = rep === 0 && args.serialSizes.includes(size);
				if (serial) order.push(['b', 'dedalusSerial']);
				if (serial || size === speedUpSize) order.push(['c', 'openAi']);
				if (rep === 0 && args.responsesSizes.includes(size)) order.push(['c2', 'openAiResponses']);
				for (const [label, key] of order) {
					const result = await run(key, size, { latencyMs: args.latencyMs });
					if (rep === 0) entry.runs[label] = result;
					if (label === 'a') entry.reps.a.push(result.wallMs);
					if (label === 'c' && size === speedUpSize) entry.reps.c.push(result.wallMs);
				}
				log(
					`repetition ${rep + 1}/${args.repetitions}, ${size} items: (d) ${(floor.wallMs / 1000).toFixed(2)} s, ` +
						order.map(([label]) => `(${label}) done`).join(', ') +
						`, (a) ÷ (d) ${(entry.reps.a[rep] / floor.wallMs).toFixed(2)}`,
				);
			}
		}

		// Table 2 (1): node CPU in the real n8n, emulator at zero latency: the node vs NoOp, and
		// n8n's OpenAI node the same way for reference. One warm-up each, then alternating runs.
		log(`node CPU: ${args.cpuItems} items, node, NoOp and OpenAI node, zero latency...`);
		const cpuKeys = { noOp: 'noOp', node: 'dedalusDefault', openAi: 'openAi' } as const;
		const cpuRuns: Record<keyof typeof cpuKeys, N8nRun[]> = { noOp: [], node: [], openAi: [] };
		for (const key of Object.values(cpuKeys)) await run(key, args.cpuItems, { latencyMs: 0 });
		for (let i = 0; i < args.repetitions; i++) {
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
		const memoryRuns: MemoryResult[] = [];
		for (let rep = 0; rep < args.repetitions; rep++) {
			log(`in-process: memory, repetition ${rep + 1}/${args.repetitions}...`);
			await emulator.reset();
			await emulator.setLatency(0);
			await emulator.setContentBytes(args.memoryBytes);
			memoryRuns.push(
				await inProcess<MemoryResult>({
					dist: args.dist ?? PACKAGE_DIST,
					emulatorUrl: emulator.url,
					mode: 'memory',
					items: args.memoryItems,
				}),
			);
		}

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
			memory: {
				inProcess: memoryRuns[0],
				heapRatios: memoryRuns.map((m) => m.peakLiveGrowth / m.outputBytes),
				n8n: memoryN8n,
			},
		};
		results.durationS = (Date.now() - started) / 1000;
		return results;
	} finally {
		await n8n?.stop();
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
