import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

import { sleep } from './rest';

export interface CapturedRequest {
	method: string;
	/** Path with query string, as received. */
	url: string;
	path: string;
	query: Record<string, string>;
	headers: IncomingHttpHeaders;
	body: string;
	/** The body parsed as JSON, when it is JSON. */
	json?: unknown;
	receivedAt: number;
}

export interface ListenerResponse {
	status?: number;
	headers?: Record<string, string>;
	body?: string | object;
}

export interface HttpListener {
	/** `http://127.0.0.1:<port>` (no trailing slash): hand `${url}/some/path` to n8n. */
	url: string;
	port: number;
	/** Every request received so far, oldest first. */
	requests: CapturedRequest[];
	/** Just the POSTs (what a `notifyUrl` callback sends). */
	posts(): CapturedRequest[];
	/**
	 * Resolves with the first request (already received or arriving later) that matches;
	 * rejects after timeoutMs listing what did arrive.
	 */
	waitForRequest(
		predicate?: (request: CapturedRequest) => boolean,
		timeoutMs?: number,
	): Promise<CapturedRequest>;
	/** Changes what the listener answers from now on (default 200 `{"ok":true}`). */
	respondWith(response: ListenerResponse | ((request: CapturedRequest) => ListenerResponse)): void;
	close(): Promise<void>;
}

/**
 * A throwaway HTTP server on a free loopback port that records every request, for checking
 * what n8n (or our node) calls out to.
 */
export async function startHttpListener(): Promise<HttpListener> {
	const requests: CapturedRequest[] = [];
	let responder: (request: CapturedRequest) => ListenerResponse = () => ({
		status: 200,
		body: { ok: true },
	});

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			const parsedUrl = new URL(req.url ?? '/', 'http://listener.invalid');
			let json: unknown;
			try {
				json = body ? JSON.parse(body) : undefined;
			} catch {
				json = undefined;
			}
			const captured: CapturedRequest = {
				method: req.method ?? 'GET',
				url: req.url ?? '/',
				path: parsedUrl.pathname,
				query: Object.fromEntries(parsedUrl.searchParams),
				headers: req.headers,
				body,
				json,
				receivedAt: Date.now(),
			};
			requests.push(captured);
			const answer = responder(captured);
			const payload =
				typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
			res.writeHead(answer.status ?? 200, {
				'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json',
				...answer.headers,
			});
			res.end(payload);
		});
	});
	await new Promise<void>((resolveListen, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolveListen());
	});
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		posts: () => requests.filter((r) => r.method === 'POST'),
		async waitForRequest(predicate = () => true, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const found = requests.find(predicate);
				if (found) return found;
				if (Date.now() > deadline) {
					const seen = requests.map((r) => `${r.method} ${r.url}`).join(', ') || 'none';
					throw new Error(`no matching request within ${timeoutMs} ms (received: ${seen})`);
				}
				await sleep(50);
			}
		},
		respondWith(response) {
			responder = typeof response === 'function' ? response : () => response;
		},
		async close() {
			// closeAllConnections: keep-alive sockets from n8n's HTTP client would hold close() open.
			server.closeAllConnections();
			await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
		},
	};
}
