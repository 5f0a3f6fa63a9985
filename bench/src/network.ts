// The benchmark's network: n8n talks to the emulator (chat completions and the MCP endpoint
// alike) through the latency proxy (n8n-runner/latency-proxy.ts) over HTTPS, with a throwaway CA
// that only this n8n trusts, at a round trip time the benchmark sets between runs. What the
// proxy counts (HTTP exchanges, new connections, bytes) is what n8n's side of a real network
// would carry.
import { type LatencyProxy, startLatencyProxy } from '../../n8n-runner/latency-proxy';
import { type N8nInstance, startN8n, type WorkflowImport } from '../../n8n-runner/n8n';
import type { EmulatorProcess } from './emulator';
import { type ThrowawayTls, makeThrowawayTls } from './tls';
import { credentials } from './workflows';

export interface NetworkN8n {
	n8n: N8nInstance;
	proxy: LatencyProxy;
	tls: ThrowawayTls;
	stop(): Promise<void>;
}

export async function startNetworkN8n(options: {
	emulator: EmulatorProcess;
	dist: string;
	/** Workflows built against the proxy's URL (the MCP Client Tool's endpoint is in the workflow). */
	workflows: (proxyUrl: string) => WorkflowImport[];
	label: string;
	env?: Record<string, string>;
}): Promise<NetworkN8n> {
	const tls = makeThrowawayTls();
	const proxy = await startLatencyProxy(options.emulator.url, { rttMs: 0, tls });
	try {
		const n8n = await startN8n({
			packageDist: options.dist,
			credentials: credentials(proxy.url),
			workflows: options.workflows(proxy.url),
			label: options.label,
			// Trusts the throwaway CA (Node reads it at start, for every TLS client in the process).
			env: { ...options.env, NODE_EXTRA_CA_CERTS: tls.caFile },
		});
		return {
			n8n,
			proxy,
			tls,
			async stop() {
				await n8n.stop();
				await proxy.close();
				tls.remove();
			},
		};
	} catch (error) {
		await proxy.close();
		tls.remove();
		throw error;
	}
}
