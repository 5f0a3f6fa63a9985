// A local HTTP server that answers the node the way a hostile or broken API could, and records
// every request it gets (headers included), for the hardening tests (docs/security.md).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
	method: string;
	url: string;
	headers: IncomingMessage['headers'];
	body: string;
}

export interface HostileServer {
	url: string;
	received: ReceivedRequest[];
	/** Replaces the handler; the body has been read already. */
	answer(handler: (request: ReceivedRequest, response: ServerResponse) => void): void;
	close(): Promise<void>;
}

export async function startHostileServer(): Promise<HostileServer> {
	const received: ReceivedRequest[] = [];
	let handler: (request: ReceivedRequest, response: ServerResponse) => void = (_, response) =>
		response.writeHead(404).end();
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
			received.push(request);
			handler(request, res);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		received,
		answer(next) {
			handler = next;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

export function completionBody(content: string): Record<string, unknown> {
	return {
		id: 'chatcmpl-1',
		object: 'chat.completion',
		model: 'openai/gpt-4.1',
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
	};
}
