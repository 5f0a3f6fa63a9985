import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LatencyProxy {
	/** `http://127.0.0.1:<port>`: use it as the credential's Base URL instead of the emulator's. */
	url: string;
	/**
	 * Extra latency for one request, from its parsed JSON body (undefined when not JSON). The
	 * emulator applies it (`x-emulator-latency-ms`, added to its global latency), so its request
	 * log still shows when each request arrived and how long it took.
	 */
	setExtraLatency(rule: (body: unknown, path: string) => number): void;
	close(): Promise<void>;
}

/**
 * A pass-through proxy in front of the emulator that gives chosen requests extra latency, e.g.
 * "searches take 700 ms, the consent check answers after 300 ms": the order in which overlapping
 * requests answer is then fixed instead of a race. The Host header is the emulator's, so the
 * connect_url in a 401 points at the emulator itself. Holds nothing: no key is stored or logged.
 */
export async function startLatencyProxy(target: string): Promise<LatencyProxy> {
	const targetUrl = new URL(target);
	let rule: (body: unknown, path: string) => number = () => 0;

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			let parsed: unknown;
			try {
				parsed = body.length ? JSON.parse(body.toString('utf8')) : undefined;
			} catch {
				parsed = undefined;
			}
			const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
			const extra = Math.max(0, Math.round(rule(parsed, path)));
			const headers: Record<string, string | string[] | undefined> = {
				...req.headers,
				host: targetUrl.host,
			};
			if (extra > 0) headers['x-emulator-latency-ms'] = String(extra);
			const upstream = httpRequest(
				{
					hostname: targetUrl.hostname,
					port: targetUrl.port,
					method: req.method,
					path: req.url,
					headers,
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', () => {
				if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ detail: 'latency proxy: upstream failed' }));
			});
			upstream.end(body);
		});
	});
	await new Promise<void>((resolveListen, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolveListen());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		setExtraLatency(next) {
			rule = next;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
		},
	};
}
