/**
 * Streaming (Response Mode Streaming on the trigger) through n8n-core's real engine and its
 * `sendChunk` hook, against the emulator's SSE over real HTTP.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { chain, createEngine, triggerNode } from '../../engine-harness/engine';
import type { SentChunk } from '../../engine-harness/engine';
import {
	API_KEY,
	GMAIL,
	SEARCH,
	createTestBed,
	dedalusNode,
	items,
	jsonOf,
	runDedalus,
} from './engine-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(async () => {
	bed.emulator.reset();
});

const streaming = { mode: 'webhook' as const, streaming: true };

function chunksOf(chunks: SentChunk[], itemIndex: number): SentChunk[] {
	return chunks.filter((chunk) => chunk.metadata.itemIndex === itemIndex);
}

function textOf(chunks: SentChunk[]): string {
	return chunks
		.filter((chunk) => chunk.type === 'item')
		.map((chunk) => chunk.content)
		.join('');
}

interface LogEntry {
	stream?: boolean;
	firstTokenAt?: number;
	streamEndedAt?: number;
	status: number;
}

describe('Chat → Complete with streaming', () => {
	it('forwards text as it arrives and still outputs the same item as without streaming', async () => {
		await bed.admin('chunk-delay', { ms: 150 });
		const input = items({ prompt: "summarize yesterday's emails", servers: SEARCH });
		const streamed = await runDedalus(bed, dedalusNode({}), input, streaming);
		expect(streamed.status).toBe('success');

		const [entry] = bed.emulator.requests() as unknown as LogEntry[];
		expect(entry.stream).toBe(true);
		const chunks = streamed.chunks;
		expect(chunks.map((chunk) => chunk.type)).toEqual([
			'begin',
			...chunks.filter((chunk) => chunk.type === 'item').map(() => 'item'),
			'end',
		]);
		const pieces = chunks.filter((chunk) => chunk.type === 'item');
		expect(pieces.length).toBeGreaterThan(2);
		expect(chunks.every((chunk) => chunk.metadata.nodeName === 'Dedalus')).toBe(true);
		// The first text reached n8n's hook while the emulator was still writing the answer.
		expect(pieces[0].receivedAt).toBeLessThan(entry.streamEndedAt as number);

		const [json] = jsonOf(streamed.outputOf('Dedalus'));
		expect(textOf(chunks)).toBe(json.content);
		expect(json.tools_executed).toEqual(['search']);

		await bed.admin('chunk-delay', { ms: 0 });
		bed.emulator.reset();
		const plain = await runDedalus(bed, dedalusNode({}), input, { mode: 'webhook' });
		expect(plain.chunks).toEqual([]);
		expect((bed.emulator.requests()[0] as unknown as LogEntry).stream).toBeUndefined();
		// Same output code: only the ids and times of the two answers differ.
		const [plainJson] = jsonOf(plain.outputOf('Dedalus'));
		expect(json).toEqual(plainJson);
		expect(JSON.stringify(streamed.data)).not.toContain(API_KEY);
	});

	it('streams each item as its own begin/item/end sequence under concurrency', async () => {
		await bed.admin('chunk-delay', { ms: 40 });
		const input = items({ prompt: 'first question' }, { prompt: 'second' }, { prompt: 'third' });
		const result = await runDedalus(bed, dedalusNode({ options: { concurrency: 3 } }), input, {
			...streaming,
		});
		expect(result.status).toBe('success');
		const output = jsonOf(result.outputOf('Dedalus'));
		for (const itemIndex of [0, 1, 2]) {
			const own = chunksOf(result.chunks, itemIndex);
			expect(own[0].type).toBe('begin');
			expect(own[own.length - 1].type).toBe('end');
			expect(textOf(own)).toBe(output[itemIndex].content);
		}
		// Really concurrent: a second item began before the first ended.
		const types = result.chunks.map((chunk) => `${chunk.type}${chunk.metadata.itemIndex}`);
		expect(types.indexOf('begin1')).toBeLessThan(types.indexOf('end0'));
	});

	it('keeps the full response when Simplify Output is off', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({ simplifyOutput: false }),
			items({ prompt: 'hi' }),
			streaming,
		);
		const [json] = jsonOf(result.outputOf('Dedalus'));
		const choices = json.choices as Array<{ message: { content: string }; finish_reason: string }>;
		expect(choices[0].message.content).toBe(textOf(result.chunks));
		expect(choices[0].finish_reason).toBe('stop');
		expect((json.usage as IDataObject).total_tokens).toBeGreaterThan(0);
		expect(json.model).toBe('openai/gpt-4.1');
	});

	it('retries before the first byte and streams the answer once', async () => {
		await bed.admin('faults', {
			faults: [{ status: 503, count: 1, headers: { 'retry-after-ms': '10' } }],
		});
		const result = await runDedalus(bed, dedalusNode({}), items({ prompt: 'retry me' }), streaming);
		expect(result.status).toBe('success');
		expect(bed.completionRequests().map((request) => request.status)).toEqual([503, 200]);
		expect(result.chunks.filter((chunk) => chunk.type === 'begin')).toHaveLength(1);
		expect(textOf(result.chunks)).toBe(jsonOf(result.outputOf('Dedalus'))[0].content);
	});

	it('an error event mid-stream fails the item, closes its message and is not sent again', async () => {
		await bed.admin('faults', { faults: [{ streamError: true }] });
		const failed = await runDedalus(bed, dedalusNode({}), items({ prompt: 'break it' }), streaming);
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toContain('Upstream provider error');
		expect(failed.chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end', 'error']);
		expect(bed.completionRequests()).toHaveLength(1);

		bed.emulator.reset();
		await bed.admin('faults', { faults: [{ streamError: true }] });
		const continued = await runDedalus(
			bed,
			dedalusNode({}, { continueOnFail: true }),
			items({ prompt: 'break it' }, { prompt: 'fine' }),
			{ ...streaming },
		);
		expect(continued.status).toBe('success');
		const [broken, fine] = jsonOf(continued.outputOf('Dedalus'));
		expect(broken.error).toContain('Upstream provider error');
		expect(fine.content).toContain('fine');
	});

	it('stops a stream when the execution is cancelled', async () => {
		await bed.admin('chunk-delay', { ms: 400 });
		const abort = new AbortController();
		const running = runDedalus(bed, dedalusNode({}), items({ prompt: 'a long answer' }), {
			...streaming,
			abortSignal: abort.signal,
		});
		// Cancel once the answer has started.
		for (let i = 0; i < 100; i++) {
			const [entry] = bed.emulator.requests() as unknown as LogEntry[];
			if (entry?.firstTokenAt) break;
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		const started = Date.now();
		abort.abort();
		const result = await running;
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(1000);
		const [entry] = bed.emulator.requests() as unknown as LogEntry[];
		// The emulator saw the client go before it finished the answer.
		expect(
			entry.status === 0 || entry.streamEndedAt === undefined || entry.streamEndedAt >= started,
		).toBe(true);
	});

	it('puts the consent message into the stream before the run waits', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items({ prompt: 'emails', servers: GMAIL }),
			streaming,
		);
		expect(result.status).toBe('waiting');
		expect(result.chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end']);
		const message = result.chunks[1].content as string;
		expect(message).toContain(`**${GMAIL}** needs your consent`);
		const [waiting] = jsonOf(result.outputOf('Dedalus'));
		expect(message).toContain(`](${waiting.connect_url as string})`);
		expect(message).toContain('the authorization page');
		// A stream is not a chat: no sendMessage for a chat widget.
		expect(result.outputOf('Dedalus')[0].sendMessage).toBeUndefined();
		// Whoever is chatting learns that their consent is everyone's (issue 17, S8).
		expect(message).toContain('used by everyone who runs workflows with that key');
	});

	it('with On Authorization (In a Chat or Stream) = notify the owner, the stream gets no link and the owner a notice', async () => {
		const notices: string[] = [];
		const owner = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				notices.push(body);
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => owner.listen(0, '127.0.0.1', resolve));
		const notifyUrl = `http://127.0.0.1:${(owner.address() as AddressInfo).port}/hook`;
		try {
			const result = await runDedalus(
				bed,
				dedalusNode({ options: { chatAuthorization: 'notifyOwner', notifyUrl } }),
				items({ prompt: 'emails', servers: GMAIL }),
				streaming,
			);
			expect(result.status).toBe('waiting');
			const [waiting] = jsonOf(result.outputOf('Dedalus'));
			const message = result.chunks.map((chunk) => chunk.content ?? '').join('');
			expect(message).toContain("needs the consent of this workflow's owner");
			expect(message).not.toContain(waiting.connect_url as string);
			expect(message).not.toContain(waiting.authorization_url as string);
			expect(message).not.toMatch(/https?:/);
			expect(notices).toHaveLength(1);
			expect(notices[0]).toContain(waiting.connect_url as string);
		} finally {
			owner.close();
		}
	});
});

describe('a hostile streaming server stays bounded', () => {
	let server: Server;
	let url: string;
	let engine: ReturnType<typeof createEngine>;
	const seen: Array<{ path: string; authorization?: string }> = [];

	beforeAll(async () => {
		server = createServer((req, res) => {
			seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
			if (req.url?.startsWith('/elsewhere')) {
				res.end('{}');
				return;
			}
			if (req.url === '/echo/v1/chat/completions') {
				// A server that echoes the key it was sent, in the text and in an extra.
				const key = String(req.headers.authorization).replace(/^Bearer /, '');
				const chunk = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				res.end(
					chunk({ choices: [{ index: 0, delta: { content: `your key is ${key}` } }] }) +
						chunk({
							choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
							mcp_tool_results: [{ tool_name: 'echo', result: key }],
						}) +
						'data: [DONE]\n\n',
				);
				return;
			}
			if (req.url === '/echo-split/v1/chat/completions') {
				// The key four characters per delta, some of them \u-escaped (issue 17, S5).
				const key = String(req.headers.authorization).replace(/^Bearer /, '');
				const text = `key: ${key}.`;
				const chunk = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				let body = '';
				for (let index = 0; index < text.length; index += 4) {
					body += chunk({
						choices: [{ index: 0, delta: { content: text.slice(index, index + 4) } }],
					}).replace(/S/g, '\\u0053');
				}
				res.end(
					body +
						chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
						'data: [DONE]\n\n',
				);
				return;
			}
			if (req.url === '/done-open/v1/chat/completions') {
				// The whole answer and [DONE], then the connection stays open (issue 17, minor).
				const chunk = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;
				res.writeHead(200, { 'content-type': 'text/event-stream' });
				res.write(
					chunk({ choices: [{ index: 0, delta: { content: 'all of it' } }] }) +
						chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
						'data: [DONE]\n\n',
				);
				return;
			}
			if (req.url === '/redirect/v1/chat/completions') {
				res.writeHead(307, { location: `${url}/elsewhere/v1/chat/completions` });
				res.end();
				return;
			}
			res.writeHead(200, { 'content-type': 'text/event-stream' });
			const piece = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x'.repeat(60_000) } }] })}\n\n`;
			// /flood: as fast as the client reads; /trickle: one small piece every 100 ms. Never ends.
			const flood = req.url?.startsWith('/flood');
			const timer = setInterval(
				() => {
					if (res.destroyed) return clearInterval(timer);
					res.write(
						flood
							? piece.repeat(20)
							: 'data: {"choices":[{"index":0,"delta":{"content":"."}}]}\n\n',
					);
				},
				flood ? 1 : 100,
			);
			res.on('close', () => clearInterval(timer));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	async function runAgainst(basePath: string, options: IDataObject = {}) {
		engine = createEngine({
			nodeTypes: { 'CUSTOM.dedalus': new Dedalus() },
			credentialTypes: { dedalusApi: new DedalusApi() },
			credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: `${url}${basePath}` } },
		});
		const node = dedalusNode({ options: { maxRetries: 0, ...options } });
		return await engine.run(
			{ nodes: [triggerNode(), node], connections: chain('Trigger', 'Dedalus') },
			{ ...streaming, items: items({ prompt: 'hi' }) },
		);
	}

	it('redacts a key the server echoes, in the streamed text and in the output', async () => {
		const result = await runAgainst('/echo');
		expect(result.status).toBe('success');
		expect(textOf(result.chunks)).toBe('your key is [redacted]');
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
		expect(JSON.stringify(result.chunks)).not.toContain(API_KEY);
	});

	it('redacts a key split across deltas, in the forwarded chunks and in the output', async () => {
		const result = await runAgainst('/echo-split');
		expect(result.status).toBe('success');
		expect(textOf(result.chunks)).toBe('key: [redacted].');
		const forwarded = result.chunks.map((chunk) => chunk.content ?? '');
		// Not even the key's start went out before the key was whole.
		expect(forwarded.some((content) => content.includes('dsk-'))).toBe(false);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
		expect(JSON.stringify(result.data)).toContain('key: [redacted].');
	});

	it('a stream that stays open after [DONE] finishes the item', async () => {
		const result = await runAgainst('/done-open', { timeout: 5000 });
		expect(result.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		expect(textOf(result.chunks)).toBe('all of it');
		expect(result.chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end']);
	});

	it('Max Response Size bounds a stream too', async () => {
		const result = await runAgainst('/flood', { maxResponseSize: 1 });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/larger than 1 MB/);
	});

	it('stops reading a stream past the size cap', async () => {
		const started = Date.now();
		const result = await runAgainst('/flood');
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/larger than 10 MB/);
		expect(Date.now() - started).toBeLessThan(20_000);
		// What had arrived was forwarded, then the item's message was closed.
		expect(result.chunks.map((chunk) => chunk.type)).toContain('end');
	});

	it('Request Timeout bounds the whole stream, not the gaps between pieces', async () => {
		const started = Date.now();
		const result = await runAgainst('/trickle', { timeout: 1000 });
		const elapsed = Date.now() - started;
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('timed out');
		expect(elapsed).toBeGreaterThanOrEqual(900);
		expect(elapsed).toBeLessThan(5000);
	});

	it('never follows a redirect with the key', async () => {
		seen.length = 0;
		const result = await runAgainst('/redirect');
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('redirect (307)');
		expect(seen.map((request) => request.path)).toEqual(['/redirect/v1/chat/completions']);
	});
});
