/**
 * Issue 17, S6: the chat model's fetch guard redacts a streamed answer (SSE) event by event, also
 * a key split across deltas, over real HTTP from a local server. The whole sub-node path is in
 * chat-model.engine.test.ts.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INode } from 'n8n-workflow';

import { guardedFetch } from '../../../nodes/DedalusChatModel/guard';

const API_KEY = 'dsk-guard-SECRET-0001';
const PROVIDER_KEY = 'sk-provider-SECRET-0002';
const node = { name: 'Model', type: 'CUSTOM.dedalusChatModel', typeVersion: 1 } as INode;

let server: Server;
let url = '';

beforeAll(async () => {
	server = createServer((_req, res) => {
		const text = `keys: ${API_KEY} and ${PROVIDER_KEY}.`;
		const chunk = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		for (let index = 0; index < text.length; index += 4) {
			res.write(
				chunk({ choices: [{ index: 0, delta: { content: text.slice(index, index + 4) } }] }),
			);
		}
		res.end(
			chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) + 'data: [DONE]\n\n',
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => await new Promise((resolve) => server.close(resolve)));

it('redacts a streamed answer, a key split four characters per delta included', async () => {
	const fetchGuarded = guardedFetch({
		node,
		baseUrl: url,
		onAuthorization: 'error',
		providerHeaders: {},
		secrets: [API_KEY, PROVIDER_KEY],
		mcpServers: [],
		timeoutMs: 10_000,
	});
	const response = await fetchGuarded(`${url}/v1/chat/completions`, {
		method: 'POST',
		body: JSON.stringify({ stream: true }),
	});
	const body = await response.text();
	expect(body).not.toContain('SECRET');
	const events = body
		.split('\n\n')
		.filter((event) => event.startsWith('data: '))
		.map((event) => event.slice('data: '.length));
	expect(events[events.length - 1]).toBe('[DONE]');
	const text = events
		.slice(0, -1)
		.map(
			(data) =>
				(JSON.parse(data) as { choices: Array<{ delta: { content?: string } }> }).choices[0].delta
					.content ?? '',
		)
		.join('');
	expect(text).toBe('keys: [redacted] and [redacted].');
	// No delta carried a key's first characters on its own.
	expect(body).not.toContain('dsk-');
});
