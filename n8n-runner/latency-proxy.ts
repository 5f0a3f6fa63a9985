import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';

/** What went through the proxy since the last reset, as the client (n8n) saw it. */
export interface ProxyTraffic {
	/** HTTP requests answered (one request + its answer = one exchange). */
	exchanges: number;
	/** Connections the client opened. */
	connections: number;
	/** Bytes on the wire, client to server and back (TLS records included when serving HTTPS). */
	bytesSent: number;
	bytesReceived: number;
}

export interface LatencyProxyOptions {
	/**
	 * Emulated network between the client and the proxy: every piece of data, each way, reaches
	 * the other side rttMs / 2 later (streamed pieces one by one, in order), and a new connection's
	 * first bytes wait one more round trip (the TCP handshake the client would have waited for).
	 * TLS handshakes need no rule of their own: their messages cross the same delayed pipe, so a
	 * TLS 1.3 handshake costs its one round trip by itself. Changeable later with setRtt().
	 */
	rttMs?: number;
	/** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
	tls?: { key: string; cert: string };
}

export interface LatencyProxy {
	/** `http(s)://127.0.0.1:<port>`: use it as the credential's Base URL instead of the emulator's. */
	url: string;
	/**
	 * Extra latency for one request, from its parsed JSON body (undefined when not JSON). The
	 * emulator applies it (`x-emulator-latency-ms`, added to its global latency), so its request
	 * log still shows when each request arrived and how long it took.
	 */
	setExtraLatency(rule: (body: unknown, path: string) => number): void;
	/** The emulated round trip time from now on (new data only; data on its way keeps its time). */
	setRtt(ms: number): void;
	traffic(): ProxyTraffic;
	resetTraffic(): void;
	close(): Promise<void>;
}

/**
 * One direction of a connection: each chunk is written `delay()` ms after it arrived, never
 * before the chunk ahead of it (a later, shorter delay must not overtake), the end too.
 */
function delayedPipe(
	from: Socket,
	to: Socket,
	delay: (first: boolean) => number,
	count: (bytes: number) => void,
) {
	const queue: Array<{ at: number; chunk?: Buffer }> = [];
	let timer: NodeJS.Timeout | undefined;
	let last = 0;
	let first = true;
	const pump = () => {
		timer = undefined;
		const now = performance.now();
		while (queue.length && queue[0].at <= now + 0.5) {
			const { chunk } = queue.shift() as { chunk?: Buffer };
			if (to.destroyed || !to.writable) continue;
			if (chunk) to.write(chunk);
			else to.end();
		}
		if (queue.length) timer = setTimeout(pump, Math.max(0, queue[0].at - now));
	};
	const push = (chunk?: Buffer) => {
		const at = Math.max(performance.now() + delay(first), last);
		first = false;
		last = at;
		queue.push({ at, chunk });
		if (!timer) timer = setTimeout(pump, Math.max(0, queue[0].at - performance.now()));
	};
	from.on('data', (chunk: Buffer) => {
		count(chunk.length);
		push(chunk);
	});
	from.on('end', () => push());
}

/**
 * A pass-through proxy in front of the emulator.
 * - Extra latency for chosen requests, e.g. "searches take 700 ms, the consent check answers
 *   after 300 ms": the order in which overlapping requests answer is then fixed instead of a race.
 * - With `rttMs`, a network between the client and the proxy (see LatencyProxyOptions), and with
 *   `tls`, HTTPS, so a benchmark sees what distance and new connections cost (bench/src/agent.ts).
 * The Host header is the emulator's, so the connect_url in a 401 points at the emulator itself.
 * Holds nothing: no key is stored or logged.
 */
export async function startLatencyProxy(
	target: string,
	options: LatencyProxyOptions = {},
): Promise<LatencyProxy> {
	const targetUrl = new URL(target);
	let rule: (body: unknown, path: string) => number = () => 0;
	let rttMs = options.rttMs ?? 0;
	const traffic: ProxyTraffic = { exchanges: 0, connections: 0, bytesSent: 0, bytesReceived: 0 };

	const handler = (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			traffic.exchanges++;
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
	};
	const http = options.tls
		? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
		: createHttpServer(handler);
	const listen = async (server: Server) => {
		await new Promise<void>((resolveListen, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolveListen());
		});
		return (server.address() as AddressInfo).port;
	};
	const httpPort = await listen(http);

	// The emulated network: a TCP relay in front of the HTTP(S) server, delaying both directions.
	let network: Server | undefined;
	const sockets = new Set<Socket>();
	if (options.rttMs !== undefined) {
		network = createServer((client) => {
			traffic.connections++;
			const server = connect(httpPort, '127.0.0.1');
			for (const socket of [client, server]) {
				sockets.add(socket);
				socket.setNoDelay(true);
				socket.on('close', () => sockets.delete(socket));
			}
			delayedPipe(
				client,
				server,
				(first) => (first ? 1.5 : 0.5) * rttMs,
				(bytes) => (traffic.bytesSent += bytes),
			);
			delayedPipe(
				server,
				client,
				() => 0.5 * rttMs,
				(bytes) => (traffic.bytesReceived += bytes),
			);
			const destroy = () => {
				client.destroy();
				server.destroy();
			};
			client.on('error', destroy);
			server.on('error', destroy);
			// Closed on one side: the other goes once what is still on its way has arrived.
			client.on('close', () => setTimeout(() => server.destroy(), 1.5 * rttMs + 5));
			server.on('close', () => setTimeout(() => client.destroy(), 1.5 * rttMs + 5));
		});
	}
	const port = network ? await listen(network) : httpPort;
	return {
		url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		setExtraLatency(next) {
			rule = next;
		},
		setRtt(ms) {
			rttMs = ms;
		},
		traffic: () => ({ ...traffic }),
		resetTraffic() {
			Object.assign(traffic, { exchanges: 0, connections: 0, bytesSent: 0, bytesReceived: 0 });
		},
		async close() {
			for (const socket of sockets) socket.destroy();
			http.closeAllConnections();
			const closing = [http, network].filter((server): server is Server => !!server);
			await Promise.all(
				closing.map(
					async (server) =>
						await new Promise<void>((resolveClose) => server.close(() => resolveClose())),
				),
			);
		},
	};
}
