/**
 * Chat → Complete and Model operations, run through n8n-core's real engine, against the emulator
 * over real HTTP: parameters, output, errors, retries, concurrency, ordering and cancellation.
 */
import type { IDataObject } from 'n8n-workflow';

import { serverIdOf } from '../../../emulator/src';
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

function leaks(value: unknown): boolean {
	return JSON.stringify(value).includes(API_KEY);
}

describe('Chat → Complete', () => {
	it('answers with the MCP tool results, one item per input item, in order, with pairedItem', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items({ prompt: 'n8n release notes', servers: SEARCH }, { prompt: 'hello' }),
		);
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(jsonOf(result.outputOf('Downstream'))).toEqual(jsonOf(output));
		const [first, second] = jsonOf(output);
		expect(Object.keys(first).sort()).toEqual(
			[
				'content',
				'finish_reason',
				'mcp_server_errors',
				'mcp_tool_results',
				'model',
				'tools_executed',
				'usage',
			].sort(),
		);
		expect(first.content).toContain('n8n release notes');
		expect(first.tools_executed).toEqual(['search']);
		expect((first.mcp_tool_results as IDataObject[])[0]).toMatchObject({
			tool_name: 'search',
			server_name: SEARCH,
			is_error: false,
		});
		expect(second.mcp_tool_results).toEqual([]);
		expect(second.content).toContain('hello');

		const sent = bed.completionRequests();
		expect(sent.map((request) => request.mcp_servers ?? [])).toEqual([[SEARCH], []]);
		expect(leaks(result.data)).toBe(false);
		expect(leaks(bed.emulator.requests())).toBe(false);
	});

	it('sends the options the item asked for, evaluated per item', async () => {
		const node = dedalusNode({
			options: {
				temperature: 0.3,
				maxTokens: 50,
				metadata: '={{ JSON.stringify({ row: String($itemIndex) }) }}',
			},
		});
		await runDedalus(bed, node, items({ prompt: 'a' }, { prompt: 'b' }));
		const log = bed.emulator.requests() as unknown as Array<{
			user: string;
			metadata: IDataObject;
		}>;
		expect(log.map((entry) => [entry.user, entry.metadata])).toEqual([
			['item-0', { row: '0' }],
			['item-1', { row: '1' }],
		]);
	});

	it('accepts MCP servers as an array from an expression, and returns the full response when Simplify is off', async () => {
		const node = dedalusNode({ simplifyOutput: false, mcpServers: '={{ $json.list }}' });
		const result = await runDedalus(
			bed,
			node,
			items({ prompt: 'x', list: [SEARCH, 'https://mcp.dedaluslabs.ai/brave-search/mcp'] }),
		);
		const [full] = jsonOf(result.outputOf('Downstream'));
		expect(full).toMatchObject({
			object: 'chat.completion',
			choices: [{ message: { role: 'assistant' } }],
		});
		expect(bed.completionRequests()[0].mcp_servers).toEqual([
			SEARCH,
			'https://mcp.dedaluslabs.ai/brave-search/mcp',
		]);
	});

	it('keeps mcp_server_errors on the item and shows a hint', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items({ prompt: 'x', servers: 'acme/unknown-server' }),
		);
		const [output] = jsonOf(result.outputOf('Downstream'));
		expect(output.mcp_server_errors).toHaveProperty(['acme/unknown-server', 'message']);
		const hints = result.runData.Dedalus[0].hints ?? [];
		expect(hints.map((hint) => hint.message)).toEqual([
			expect.stringContaining('MCP server "acme/unknown-server" failed'),
		]);
	});

	describe('bad input is refused before any request', () => {
		it('fails the node, naming the item and the field, and sends nothing', async () => {
			const result = await runDedalus(
				bed,
				dedalusNode({}),
				items({ prompt: 'ok' }, { prompt: 'ok', servers: 'not a server' }, { prompt: '' }),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'MCP Servers in item 1 has an invalid entry "not a server"',
			);
			expect(bed.completionRequests()).toHaveLength(0);
		});

		it('with continue-on-fail, errors the bad items and completes the others', async () => {
			const node = dedalusNode({}, { onError: 'continueRegularOutput' });
			const result = await runDedalus(
				bed,
				node,
				items(
					{ prompt: 'ok' },
					{ prompt: 'ok', servers: 'gmail' },
					{ prompt: '' },
					{ prompt: 'fine' },
				),
			);
			expect(result.status).toBe('success');
			const output = result.outputOf('Dedalus');
			expect(output.map((item) => item.pairedItem)).toEqual([
				{ item: 0 },
				{ item: 1 },
				{ item: 2 },
				{ item: 3 },
			]);
			expect(output[1].json.error).toBe('MCP Servers in item 1 has an invalid entry "gmail"');
			expect(output[2].json.error).toBe('Prompt in item 2 is empty');
			expect(output[3].json.content).toContain('fine');
			expect(bed.completionRequests().map((request) => request.user)).toEqual(['item-0', 'item-3']);
		});

		it.each([
			[{ concurrency: 0 }, 'Concurrency must be a whole number from 1 to 50, not 0'],
			// The Notify URL is a secret: the error names the field, not the value.
			[{ notifyUrl: 'javascript:alert(1)' }, 'Notify URL is not an http(s) URL'],
			[
				{ whenAuthorizationRequired: 'maybe' },
				'When Authorization Is Required has an unknown value "maybe"',
			],
		])('refuses node option %j', async (options, message) => {
			const result = await runDedalus(bed, dedalusNode({ options }), items({ prompt: 'x' }));
			expect(result.error?.message).toBe(message);
			expect(bed.completionRequests()).toHaveLength(0);
		});
	});

	describe('authorization required, without pausing', () => {
		it('"error": an item error that names connect_url, never a credential error', async () => {
			const node = dedalusNode({ options: { whenAuthorizationRequired: 'error' } });
			const result = await runDedalus(bed, node, items({ prompt: 'mail', servers: GMAIL }));
			expect(result.status).toBe('error');
			expect(result.waitTill).toBeUndefined();
			expect(result.error?.message).toMatch(
				/^MCP server "dedalus-labs\/gmail" needs authorization\. Open this link to grant access, then run again: http:\/\/127\.0\.0\.1:\d+\/oauth\/connect\?/,
			);
			expect(result.error?.message).not.toContain('API key');
			expect(leaks(result.error)).toBe(false);
		});

		it('"error" with continue-on-fail: the item carries the error and connect_url, the others complete', async () => {
			const node = dedalusNode(
				{ options: { whenAuthorizationRequired: 'error' } },
				{ onError: 'continueRegularOutput' },
			);
			const result = await runDedalus(
				bed,
				node,
				items({ prompt: 'mail', servers: GMAIL }, { prompt: 'hi' }),
			);
			const [failed, completed] = jsonOf(result.outputOf('Downstream'));
			expect(failed.connect_url).toMatch(/\/oauth\/connect\?/);
			expect(failed.error).toContain('needs authorization');
			expect(completed.content).toContain('hi');
		});

		it('"output": affected items carry status and connect_url, completed items come out as usual', async () => {
			const node = dedalusNode({ options: { whenAuthorizationRequired: 'output' } });
			const result = await runDedalus(
				bed,
				node,
				items({ prompt: 'hi' }, { prompt: 'mail', servers: GMAIL }, { prompt: 'again' }),
			);
			expect(result.status).toBe('success');
			const [first, affected, third] = jsonOf(result.outputOf('Downstream'));
			expect(first.content).toContain('hi');
			expect(affected).toEqual({
				status: 'authorization_required',
				connect_url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/connect\?/),
				server: GMAIL,
				server_id: serverIdOf(GMAIL),
			});
			expect(third.content).toContain('again');
		});
	});

	describe('API errors, per item', () => {
		async function oneItemWith(fault: IDataObject, options: IDataObject = {}) {
			await bed.admin('faults', { faults: [fault] });
			const node = dedalusNode(
				{ options: { maxRetries: 0, ...options } },
				{ onError: 'continueRegularOutput' },
			);
			const result = await runDedalus(bed, node, items({ prompt: 'x' }));
			return result.outputOf('Downstream')[0].json;
		}

		it.each([
			[
				{ status: 400, body: { detail: 'bad body' } },
				'Dedalus could not accept the request parameters: bad body',
			],
			[
				{ status: 403, body: { detail: 'no access' } },
				'The Dedalus API key is not allowed to do this: no access',
			],
			[
				{ status: 404, body: { detail: "Model 'x' not found" } },
				"check the model ID): Model 'x' not found",
			],
			[
				{
					status: 422,
					body: { detail: [{ loc: ['body', 'messages'], msg: 'field required', type: 'missing' }] },
				},
				'Dedalus could not accept the request parameters: messages: field required',
			],
			[{ status: 429 }, 'Dedalus rate limit reached'],
			[{ status: 503 }, 'Dedalus had a server error (503)'],
			[{ html: true }, 'Dedalus had a server error (502)'],
			[{ malformed: true }, 'Dedalus returned a response that is not valid JSON'],
			[{ drop: true }, 'Could not reach Dedalus'],
		])('fault %j gives "%s"', async (fault, message) => {
			const output = await oneItemWith(fault);
			expect(output.error).toContain(message);
		});

		it('an unknown model from the real route is a 404 that says to check the model', async () => {
			const node = dedalusNode(
				{ model: { __rl: true, mode: 'id', value: 'acme/no-such-model' } },
				{ onError: 'continueRegularOutput' },
			);
			const result = await runDedalus(bed, node, items({ prompt: 'x' }));
			expect(result.outputOf('Downstream')[0].json.error).toContain(
				'Dedalus could not find what was asked for (check the model ID)',
			);
		});

		it('a 200 of the wrong shape is reported, not passed on', async () => {
			const output = await oneItemWith({ status: 200, body: { choices: [] } });
			expect(output.error).toBe('Dedalus returned a response in an unexpected shape');
			expect(output.description).toContain('choices');
		});

		it('a slow answer runs into the request timeout', async () => {
			const output = await oneItemWith({ delayMs: 1500 }, { timeout: 200 });
			expect(output.error).toContain('Could not reach Dedalus: the request timed out');
		});
	});

	describe('retries (the SDK contract)', () => {
		it('retries 429 after retry-after and 5xx with backoff, then succeeds', async () => {
			await bed.admin('faults', {
				faults: [{ status: 429, headers: { 'retry-after-ms': '100' } }, { status: 502 }],
			});
			const result = await runDedalus(bed, dedalusNode({}), items({ prompt: 'x' }));
			expect(result.status).toBe('success');
			expect(bed.completionRequests().map((request) => request.status)).toEqual([429, 502, 200]);
		});

		it('gives up after Max Retries and says how many were made', async () => {
			await bed.admin('faults', { faults: [{ status: 500, count: 5 }] });
			const node = dedalusNode(
				{ options: { maxRetries: 1 } },
				{ onError: 'continueRegularOutput' },
			);
			const result = await runDedalus(bed, node, items({ prompt: 'x' }));
			expect(result.outputOf('Downstream')[0].json.error).toContain('(after 1 retry)');
			expect(bed.completionRequests()).toHaveLength(2);
		});

		it('does not retry when the server says x-should-retry: false, nor a 4xx', async () => {
			await bed.admin('faults', {
				faults: [{ status: 503, headers: { 'x-should-retry': 'false' } }, { status: 400 }],
			});
			const node = dedalusNode({}, { onError: 'continueRegularOutput' });
			await runDedalus(bed, node, items({ prompt: 'x' }, { prompt: 'y' }));
			expect(bed.completionRequests().map((request) => request.status)).toEqual([503, 400]);
		});

		it('a 429 slows down the whole node: later requests wait for the advised time', async () => {
			await bed.admin('faults', {
				faults: [{ status: 429, headers: { 'retry-after-ms': '600' } }],
			});
			const node = dedalusNode({ options: { concurrency: 2 } });
			const result = await runDedalus(
				bed,
				node,
				items({ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }, { prompt: 'd' }),
			);
			expect(result.status).toBe('success');
			const log = bed.completionRequests();
			const limited = log.find((request) => request.status === 429);
			expect(limited).toBeDefined();
			const limitedAt = Date.parse(limited!.time);
			// The two first requests left together; every later one waited out the advice.
			const later = log.slice(2);
			expect(later).toHaveLength(3);
			for (const request of later)
				expect(Date.parse(request.time) - limitedAt).toBeGreaterThanOrEqual(550);
		});
	});

	describe('concurrency', () => {
		it('keeps input order and pairedItem whatever order the answers arrive in', async () => {
			// The first requests are the slowest, so answers arrive in reverse order.
			await bed.admin('faults', {
				faults: [{ delayMs: 400 }, { delayMs: 300 }, { delayMs: 200 }, { delayMs: 100 }],
			});
			const node = dedalusNode({ options: { concurrency: 4 } });
			const result = await runDedalus(
				bed,
				node,
				items(
					{ prompt: 'p0' },
					{ prompt: 'p1' },
					{ prompt: 'p2' },
					{ prompt: 'p3' },
					{ prompt: 'p4' },
				),
			);
			const output = result.outputOf('Dedalus');
			expect(output.map((item) => item.pairedItem)).toEqual(
				[0, 1, 2, 3, 4].map((item) => ({ item })),
			);
			expect(output.map((item) => String(item.json.content).match(/p\d/)?.[0])).toEqual([
				'p0',
				'p1',
				'p2',
				'p3',
				'p4',
			]);
		});

		it('never has more requests in flight than Concurrency, and 1 is sequential', async () => {
			await bed.admin('latency', { ms: 80 });
			await runDedalus(
				bed,
				dedalusNode({ options: { concurrency: 3 } }),
				items(...Array.from({ length: 9 }, (_, n) => ({ prompt: `p${n}` }))),
			);
			expect(((await bed.admin('stats')) as { maxInFlight: number }).maxInFlight).toBe(3);
			bed.emulator.reset();
			await bed.admin('latency', { ms: 80 });
			await runDedalus(
				bed,
				dedalusNode({ options: { concurrency: 1 } }),
				items({ prompt: 'a' }, { prompt: 'b' }, { prompt: 'c' }),
			);
			expect(((await bed.admin('stats')) as { maxInFlight: number }).maxInFlight).toBe(1);
		});

		it('cancelling the execution stops the requests that have not started', async () => {
			await bed.admin('latency', { ms: 300 });
			const controller = new AbortController();
			const running = runDedalus(
				bed,
				dedalusNode({ options: { concurrency: 2 } }),
				items(...Array.from({ length: 8 }, (_, n) => ({ prompt: `p${n}` }))),
				{
					abortSignal: controller.signal,
				},
			);
			await new Promise((resolve) => setTimeout(resolve, 100));
			controller.abort();
			const result = await running;
			expect(result.status).toBe('canceled');
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(bed.completionRequests().length).toBe(2);
		});
	});
});

describe('Model operations', () => {
	it('lists models, one item per model', async () => {
		const node = dedalusNode({ resource: 'model', operation: 'list' });
		const result = await runDedalus(bed, node, items({}));
		const models = jsonOf(result.outputOf('Downstream'));
		expect(models.length).toBeGreaterThanOrEqual(3);
		expect(models.map((model) => model.id)).toContain('openai/gpt-4.1');
		expect(
			result.outputOf('Dedalus').every((item) => (item.pairedItem as { item: number }).item === 0),
		).toBe(true);
	});

	it('gets one model by an ID that contains a slash', async () => {
		const node = dedalusNode({
			resource: 'model',
			operation: 'get',
			model: { __rl: true, mode: 'id', value: 'anthropic/claude-sonnet-4-20250514' },
		});
		const result = await runDedalus(bed, node, items({}));
		expect(jsonOf(result.outputOf('Downstream'))).toEqual([
			expect.objectContaining({ id: 'anthropic/claude-sonnet-4-20250514' }),
		]);
	});

	it('an unknown model is a 404 item error with continue-on-fail', async () => {
		const node = dedalusNode(
			{
				resource: 'model',
				operation: 'get',
				model: { __rl: true, mode: 'id', value: 'acme/nothing' },
			},
			{ onError: 'continueRegularOutput' },
		);
		const result = await runDedalus(bed, node, items({}));
		expect(result.outputOf('Downstream')[0].json.error).toContain("Model 'acme/nothing' not found");
	});
});

describe('a bad API key', () => {
	const other = createTestBed('dsk-invalid-key-0001');
	beforeAll(other.setUp);
	afterAll(other.tearDown);

	it('is a credential error, never a pause or an authorization request', async () => {
		const result = await runDedalus(
			other.bed,
			dedalusNode({}),
			items({ prompt: 'mail', servers: GMAIL }),
		);
		expect(result.status).toBe('error');
		expect(result.waitTill).toBeUndefined();
		expect(result.error?.message).toBe(
			'The Dedalus API key was rejected. Check the API key in the Dedalus credential: Invalid API key',
		);
		expect(result.error?.message).not.toContain('connect_url');
		expect(JSON.stringify(result.data)).not.toContain('dsk-invalid-key-0001');
	});
});
