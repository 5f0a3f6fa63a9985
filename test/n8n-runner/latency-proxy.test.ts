// The latency proxy's emulated network (n8n-runner/latency-proxy.ts) over real sockets: what the
// benchmark's RTT tables rest on. Times are checked as lower bounds only (a loaded machine can
// only add time), the counters exactly.
import { type Server, createServer } from 'node:http';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';

import { makeThrowawayTls, type ThrowawayTls } from '../../bench/src/tls';
import { type LatencyProxy, startLatencyProxy } from '../../n8n-runner/latency-proxy';

const RTT = 100;

describe('latency proxy: emulated network over HTTPS', () => {
	let upstream: Server;
	let tls: ThrowawayTls;
	let proxy: LatencyProxy;

	beforeAll(async () => {
		// Answers in two pieces, 150 ms apart, like a streamed answer.
		upstream = createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'text/plain' });
			res.write('first;');
			setTimeout(() => res.end('second'), 150);
		});
		await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
		tls = makeThrowawayTls();
		proxy = await startLatencyProxy(
			`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
			{ rttMs: RTT, tls },
		);
	});

	afterAll(async () => {
		await proxy.close();
		await new Promise<void>((resolve) => upstream.close(() => resolve()));
		tls.remove();
	});

	/** One GET: when the first piece and the end arrived, ms after sending. */
	const get = async (agent: Agent) =>
		await new Promise<{ firstMs: number; endMs: number; body: string }>((resolve, reject) => {
			const started = performance.now();
			let firstMs = NaN;
			let body = '';
			request(`${proxy.url}/x`, { agent }, (res) => {
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => {
					if (!body) firstMs = performance.now() - started;
					body += chunk;
				});
				res.on('end', () => resolve({ firstMs, endMs: performance.now() - started, body }));
			})
				.on('error', reject)
				.end();
		});

	it('charges a new connection its TCP and TLS round trips, a kept one only the request, and counts both', async () => {
		expect(proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		proxy.resetTraffic();
		// Trusts only the throwaway CA: a TLS failure here would reject.
		const fresh = await get(new Agent({ ca: tls.ca }));
		expect(fresh.body).toBe('first;second');
		// TCP handshake + TLS 1.3 handshake + the request itself: 3 round trips before the first piece.
		expect(fresh.firstMs).toBeGreaterThanOrEqual(3 * RTT - 5);
		// The second piece keeps its distance from the first (streamed pieces are delayed one by one).
		expect(fresh.endMs - fresh.firstMs).toBeGreaterThanOrEqual(150 - 20);

		const keepAlive = new Agent({ ca: tls.ca, keepAlive: true });
		await get(keepAlive);
		const reused = await get(keepAlive);
		keepAlive.destroy();
		expect(reused.firstMs).toBeGreaterThanOrEqual(RTT - 5);
		// Far from the 3 round trips of a new connection, even on a busy machine.
		expect(reused.firstMs).toBeLessThan(3 * RTT - 5 + 150);

		const traffic = proxy.traffic();
		expect(traffic.exchanges).toBe(3);
		expect(traffic.connections).toBe(2);
		expect(traffic.bytesSent).toBeGreaterThan(0);
		expect(traffic.bytesReceived).toBeGreaterThan(traffic.bytesSent / 10);
	});
});
