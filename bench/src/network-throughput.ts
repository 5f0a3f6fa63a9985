// The `network` section: throughput over the emulated network (bench/src/network.ts), HTTPS at
// one round trip time. (a) the Dedalus node and (c) n8n's OpenAI node in n8n, (d) the undici
// floor (keep-alive) through the same proxy. The proxy counts the connections each run opened:
// n8n's request helper builds a new agent for every request (see the section's text), so every
// request of (a) and (c) pays a TCP and a TLS handshake that (d) pays once per worker.
import { loadavg } from 'node:os';

import type { EmulatorProcess } from './emulator';
import { runFloor } from './floor';
import type { NetworkN8n } from './network';
import { type N8nRun, runInN8n } from './n8n-runs';
import { findN8nMainPid } from './proc';
import { type TargetRow, spread } from './targets';
import { VARIANTS } from './workflows';

/** Issue 19: at RTT 80 over HTTPS, (a) within 1.25× of (d). */
export const NETWORK_TARGET = { floorRatio: 1.25 };

export interface NetworkRun {
	wallMs: number;
	exchanges: number;
	connections: number;
	bytesSent: number;
	bytesReceived: number;
}

export interface NetworkSize {
	size: number;
	/** Per repetition; (c) in the first only. */
	a: NetworkRun[];
	c: NetworkRun[];
	d: NetworkRun[];
}

export interface NetworkResults {
	date: string;
	rttMs: number;
	latencyMs: number;
	concurrency: number;
	repetitions: number;
	load: { start: number[]; end: number[] };
	sizes: NetworkSize[];
}

export async function runNetworkThroughput(options: {
	network: NetworkN8n;
	emulator: EmulatorProcess;
	rttMs: number;
	sizes: number[];
	repetitions: number;
	latencyMs: number;
	concurrency: number;
	log: (message: string) => void;
}): Promise<NetworkResults> {
	const { network, emulator, log } = options;
	const { n8n, proxy, tls } = network;
	const pgid = findN8nMainPid(n8n.userFolder);
	const start = loadavg();
	const measured = async (work: () => Promise<number>): Promise<NetworkRun> => {
		proxy.resetTraffic();
		const wallMs = await work();
		return { wallMs, ...proxy.traffic() };
	};
	const inN8n = async (key: 'dedalusDefault' | 'openAi', items: number) =>
		await measured(async () => {
			const run: N8nRun = await runInN8n(n8n, pgid, emulator, VARIANTS[key], items, {
				latencyMs: options.latencyMs,
			});
			return run.wallMs;
		});
	const floor = async (items: number) =>
		await measured(async () => {
			await emulator.reset();
			await emulator.setLatency(options.latencyMs);
			const run = await runFloor(proxy.url, items, options.concurrency, tls.ca);
			if (run.failures)
				throw new Error(`floor over the network x${items}: ${run.failures} failures`);
			return run.wallMs;
		});

	proxy.setRtt(options.rttMs);
	log(`network throughput at RTT ${options.rttMs} ms over HTTPS: warm-up...`);
	// Warm-up; n8n may still be registering the webhooks (404), so try again for a while.
	for (const key of ['dedalusDefault', 'openAi'] as const) {
		for (let deadline = Date.now() + 60_000; ; ) {
			try {
				await inN8n(key, 5);
				break;
			} catch (error) {
				if (!/webhook answered 404/.test(String(error)) || Date.now() > deadline) throw error;
				await new Promise((resolve) => setTimeout(resolve, 500));
			}
		}
	}
	await floor(5);
	const sizes: NetworkSize[] = options.sizes.map((size) => ({ size, a: [], c: [], d: [] }));
	for (let rep = 0; rep < options.repetitions; rep++) {
		for (const entry of sizes) {
			entry.d.push(await floor(entry.size));
			entry.a.push(await inN8n('dedalusDefault', entry.size));
			if (rep === 0) entry.c.push(await inN8n('openAi', entry.size));
			log(
				`network, RTT ${options.rttMs} ms, repetition ${rep + 1}/${options.repetitions}, ${entry.size} items: ` +
					`(a) ${(entry.a[rep].wallMs / 1000).toFixed(2)} s, ${entry.a[rep].connections} connections; ` +
					`(d) ${(entry.d[rep].wallMs / 1000).toFixed(2)} s, ${entry.d[rep].connections} connections`,
			);
		}
	}
	proxy.setRtt(0);
	return {
		date: new Date().toISOString(),
		rttMs: options.rttMs,
		latencyMs: options.latencyMs,
		concurrency: options.concurrency,
		repetitions: options.repetitions,
		load: { start, end: loadavg() },
		sizes,
	};
}

export function networkTargets(results: NetworkResults): TargetRow[] {
	return results.sizes.map((entry) => ({
		label: `(a) within ${NETWORK_TARGET.floorRatio}× of (d), ${entry.size} items, RTT ${results.rttMs} ms over HTTPS (wall time)`,
		values: entry.a.map((run, i) => run.wallMs / entry.d[i].wallMs),
		bound: NETWORK_TARGET.floorRatio,
		direction: 'atMost',
		unit: '×',
	}));
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

export function renderNetworkSection(
	results: NetworkResults,
	cores: number,
	command: string,
): string {
	const { rttMs, latencyMs, concurrency } = results;
	const rows: string[] = [];
	for (const entry of results.sizes) {
		const line = (label: string, runs: NetworkRun[]) => {
			if (!runs.length) return;
			const wall = spread(runs.map((run) => run.wallMs));
			const first = runs[0];
			rows.push(
				`| ${entry.size} | ${label} | ${s(wall.median)} (${s(wall.min)} – ${s(wall.max)}, ${runs.length} runs) | ${(entry.size / (wall.median / 1000)).toFixed(1)} | ` +
					`${first.exchanges} | ${first.connections} | ${(first.connections / first.exchanges).toFixed(2)} | ${kb(first.bytesSent)} / ${kb(first.bytesReceived)} |`,
			);
		};
		line('(a) Dedalus node, concurrency 5 (default)', entry.a);
		line("(c) n8n's OpenAI node v1.8, one request at a time", entry.c);
		line(`(d) floor: undici keep-alive, concurrency ${concurrency}, outside n8n`, entry.d);
	}
	const perRequestMs = latencyMs + rttMs;
	const withHandshakes = latencyMs + 3 * rttMs;
	return [
		`## Throughput at a distance (RTT ${rttMs} ms, HTTPS)`,
		'',
		`Latest run: ${results.date}, \`${command}\`. The same workflows as on loopback, but n8n (and the floor) reach the emulator through the ` +
			`latency proxy over HTTPS at a round trip time of ${rttMs} ms (bench/src/network.ts); emulator model latency ${latencyMs} ms. ` +
			`${results.repetitions} repetitions of (d) and (a) in turn, (c) once. Load average (1/5/15 min) before ` +
			`${results.load.start.map((v) => v.toFixed(2)).join(' / ')}, after ${results.load.end.map((v) => v.toFixed(2)).join(' / ')} on ${cores} cores.`,
		'',
		'| items | variant | wall time: median (min – max) | items/s | HTTP exchanges | connections opened | connections per request | bytes sent / received |',
		'| --- | --- | --- | --- | --- | --- | --- | --- |',
		...rows,
		'',
		'Counts are from the first repetition (the proxy counts what crossed it; bytes include TLS).',
		'',
		'### Why every request of n8n opens a connection, and what it costs',
		'',
		"A community node sends through n8n's request helper (`httpRequestWithAuthentication`), which gives it no way to keep a",
		"connection: in n8n 2.41 (n8n-core 2.41.1's `request-helpers/authentication.js` → `@n8n/backend-network`, `http/axios/request.js`",
		'`convertN8nRequestToAxios` → `http/axios/utils.js` `setAxiosAgents` → `http/node-agents.js` `buildNodeAgents`) every request',
		'gets a new `http.Agent` and `https.Agent`; the request options offer only `agentOptions` (options for that new agent, `socket`',
		'and `lookup` excluded by type), so `keepAlive` there keeps a socket in an agent that is never used again. n8n 1.85.4',
		"(n8n-core's `request-helper-functions.js`, `convertN8nRequestToAxios`) builds `new https.Agent(agentOptions)` per request too",
		'and passes no option of the caller into it (only the server name and, if asked, no certificate check). Reusing a connection would mean sending outside `httpRequestWithAuthentication`',
		"(the node's own HTTP client), which the project does not do: the credential is applied by n8n there. A TLS session",
		'kept per run and passed as `agentOptions.session` would resume the session but not save the round trip: TLS 1.3',
		"resumption still takes one (Node's TLS client sends no 0-RTT data), and the TCP handshake stays.",
		'',
		`The cost: over HTTPS each request of (a) and (c) pays the TCP handshake (1 RTT) and the TLS 1.3 handshake (1 RTT) on top of`,
		`its own round trip, ${withHandshakes} ms per request here instead of ${perRequestMs} ms for a kept connection (emulator ${latencyMs} ms + round trips),`,
		`so (a) cannot come closer to (d) than about ${(withHandshakes / perRequestMs).toFixed(2)}× at this RTT; on loopback the same new connections`,
		"cost CPU instead (see the profile: n8n's HTTP helper and sockets).",
	].join('\n');
}
