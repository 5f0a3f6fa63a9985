/**
 * Hostile answers from the Base URL, through n8n-core's real engine and request helpers over real
 * HTTP (issue 9, points 1, 6, 7, 8, 10): keys never follow a redirect, timeouts and sizes are
 * bounded, echoed secrets are redacted, Stop ends a 429 hold.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeType,
} from 'n8n-workflow';

import { DedalusApi } from '../../../../credentials/DedalusApi.credentials';
import { Dedalus } from '../../../../nodes/Dedalus/Dedalus.node';
import { createEngine, triggerNode } from '../../../engine-harness/engine';
import type { Engine } from '../../../engine-harness/engine';
import { dedalusNode, items, jsonOf, runDedalus } from '../engine-setup';
import type { TestBed } from '../engine-setup';
import { completionBody, startHostileServer } from './hostile-server';
import type { HostileServer } from './hostile-server';

const API_KEY = 'dsk-hostile-SECRET-0002';
const PROVIDER_KEY = 'sk-provider-SECRET-0003';

let api: HostileServer;
let elsewhere: HostileServer;
let engine: Engine;
let bed: TestBed;

beforeAll(async () => {
	api = await startHostileServer();
	elsewhere = await startHostileServer();
	engine = createEngine({
		nodeTypes: { 'CUSTOM.dedalus': new Dedalus(), 'CUSTOM.credentialTest': credentialTestNode() },
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: {
			dedalusApi: {
				apiKey: API_KEY,
				baseUrl: api.url,
				provider: 'openai',
				providerApiKey: PROVIDER_KEY,
			},
		},
	});
	bed = { engine } as TestBed;
}, 30_000);
afterAll(async () => {
	await api.close();
	await elsewhere.close();
});
beforeEach(() => {
	api.received.length = 0;
	elsewhere.received.length = 0;
});

function continuing(parameters: IDataObject): INode {
	return dedalusNode(parameters, { onError: 'continueRegularOutput' });
}

async function errorOf(node: INode): Promise<IDataObject> {
	const result = await runDedalus(bed, node, items({ prompt: 'x' }));
	return jsonOf(result.outputOf('Downstream'))[0];
}

function expectNoSecret(...values: unknown[]): void {
	for (const value of values) {
		const text = JSON.stringify(value) ?? '';
		expect(text).not.toContain(API_KEY);
		expect(text).not.toContain(PROVIDER_KEY);
	}
}

describe('1. a redirect never carries the keys', () => {
	beforeEach(() => {
		api.answer((request, response) =>
			response.writeHead(307, { Location: `${elsewhere.url}/steal${request.url}` }).end(),
		);
		elsewhere.answer((_, response) =>
			response
				.writeHead(200, { 'Content-Type': 'application/json' })
				.end(JSON.stringify({ ...completionBody('stolen'), id: 'x', data: [] })),
		);
	});

	it.each([
		['Chat → Complete', { options: { maxRetries: 0 } }],
		['Model → List', { resource: 'model', operation: 'list' }],
		['Model → Get', { resource: 'model', operation: 'get' }],
	])('%s: a 307 to another origin is an error naming it; nothing reaches it', async (_, params) => {
		const output = await errorOf(continuing(params));
		expect(elsewhere.received).toEqual([]);
		expect(api.received).toHaveLength(1);
		expect(api.received[0].headers.authorization).toBe(`Bearer ${API_KEY}`);
		expect(output.error).toContain(`redirect (307) to ${elsewhere.url}`);
		expect(output.description).toContain('Base URL');
		expectNoSecret(output);
	});
});

/**
 * What n8n's credentials tester ends in: RoutingNode hands the credential's `test.request`, its
 * baseURL resolved, to httpRequestWithAuthentication. This node does that last step itself.
 */
function credentialTestNode(): INodeType {
	return {
		description: {
			displayName: 'Credential Test',
			name: 'credentialTest',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Credential Test' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'dedalusApi', required: true }],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			const credentials = await this.getCredentials('dedalusApi');
			await this.helpers.httpRequestWithAuthentication.call(this, 'dedalusApi', {
				...new DedalusApi().test.request,
				// The one expression of the test request, resolved as n8n resolves it.
				baseURL: String(credentials.baseUrl),
			} as IHttpRequestOptions);
			return [[{ json: {} }]];
		},
	} as INodeType;
}

describe('1. the credential test', () => {
	it('does not follow a redirect either', async () => {
		api.answer((_, response) =>
			response.writeHead(307, { Location: `${elsewhere.url}/steal` }).end(),
		);
		const node: INode = {
			id: 'credential-test',
			name: 'Credential Test',
			type: 'CUSTOM.credentialTest',
			typeVersion: 1,
			position: [200, 0],
			parameters: {},
			credentials: { dedalusApi: { id: 'cred-1', name: 'Dedalus' } },
		};
		const result = await engine.run(
			{
				nodes: [triggerNode(), node],
				connections: { Trigger: { main: [[{ node: 'Credential Test', type: 'main', index: 0 }]] } },
			},
			{},
		);
		expect(api.received).toHaveLength(1);
		expect(api.received[0].url).toBe('/v1/models');
		expect(elsewhere.received).toEqual([]);
		expect(result.status).toBe('error');
	});
});

describe('6. timeouts bound the whole request', () => {
	it('a reply trickled a byte at a time fails at the Request Timeout, not when the trickle ends', async () => {
		api.answer((_, response) => {
			response.writeHead(200, { 'Content-Type': 'application/json' });
			let sent = 0;
			const text = JSON.stringify(completionBody('slow'));
			const drip = setInterval(() => {
				if (response.destroyed || sent >= text.length) {
					clearInterval(drip);
					response.end();
					return;
				}
				response.write(text[sent++]);
			}, 300);
		});
		const started = Date.now();
		const output = await errorOf(continuing({ options: { timeout: 1000, maxRetries: 0 } }));
		const elapsed = Date.now() - started;
		expect(output.error).toContain('Could not reach Dedalus: the request timed out');
		expect(elapsed).toBeLessThan(4000);
	});

	it('a timeout above 2^31-1 ms is refused as input, before any request', async () => {
		api.answer((_, response) =>
			response
				.writeHead(200, { 'Content-Type': 'application/json' })
				.end(JSON.stringify(completionBody('ok'))),
		);
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { timeout: 2 ** 31 } }),
			items({ prompt: 'x' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Timeout in item 0 must be at most 2147483647');
		expect(api.received).toEqual([]);
	});
});

describe('7. sizes are bounded', () => {
	const big = JSON.stringify(completionBody('x'.repeat(12 * 1024 * 1024)));

	it('an answer over 10 MB is an item error; Max Response Size raises the limit', async () => {
		api.answer((_, response) =>
			response.writeHead(200, { 'Content-Type': 'application/json' }).end(big),
		);
		const output = await errorOf(continuing({ options: { maxRetries: 0 } }));
		expect(output.error).toBe("Dedalus's answer is larger than 10 MB, so it was not read");
		expect(output.description).toContain('Max Response Size');

		const raised = await errorOf(continuing({ options: { maxResponseSize: 20 } }));
		expect((raised.content as string).length).toBe(12 * 1024 * 1024);
	});

	it('a 3 MB error detail is cut short in the error', async () => {
		api.answer((_, response) =>
			response
				.writeHead(400, { 'Content-Type': 'application/json' })
				.end(JSON.stringify({ detail: 'y'.repeat(3 * 1024 * 1024) })),
		);
		const output = await errorOf(continuing({ options: { maxRetries: 0 } }));
		expect(output.error).toContain('Dedalus could not accept the request parameters: yyy');
		expect((output.error as string).length).toBeLessThan(2000);
		expect((output.description as string).length).toBeLessThan(2000);
	});
});

describe('8. secrets echoed by the API are redacted', () => {
	it('from the error, the execution data and the log', async () => {
		api.answer((_, response) =>
			response.writeHead(400, { 'Content-Type': 'application/json' }).end(
				JSON.stringify({
					detail: `Key ${API_KEY} cannot use provider key ${PROVIDER_KEY}`,
				}),
			),
		);
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { maxRetries: 0 } }),
			items({ prompt: 'x' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Dedalus could not accept the request parameters: Key [redacted] cannot use provider key [redacted]',
		);
		expectNoSecret(result.data, result.error, engine.logs);

		const output = await errorOf(continuing({ options: { maxRetries: 0 } }));
		expect(output.error).toContain('Key [redacted]');
		expectNoSecret(output);
	});

	// Issue 17, S5: JSON may write any character as \uXXXX (either case), `/` as `\/`.
	const escaped = (secret: string, upper = false) =>
		[...secret]
			.map((char, index) => {
				const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
				return index % 2 === 0 ? `\\u${upper ? hex.toUpperCase() : hex}` : char;
			})
			.join('');

	it('in any JSON escaping of an error body', async () => {
		api.answer((_, response) =>
			response
				.writeHead(400, { 'Content-Type': 'application/json' })
				.end(`{"detail":"invalid key ${escaped(API_KEY)} and ${escaped(PROVIDER_KEY, true)}"}`),
		);
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { maxRetries: 0 } }),
			items({ prompt: 'x' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Dedalus could not accept the request parameters: invalid key [redacted] and [redacted]',
		);
		expectNoSecret(result.data, result.error, engine.logs);
	});

	it('in any JSON escaping of an answer, and in a string that is itself JSON', async () => {
		// A tool result that is JSON text with the key escaped in it: decoded once more, it is the key.
		const inner = `{"key":"${escaped(PROVIDER_KEY)}"}`;
		api.answer((_, response) =>
			response.writeHead(200, { 'Content-Type': 'application/json' }).end(
				JSON.stringify({
					id: 'c1',
					object: 'chat.completion',
					created: 1,
					model: 'm',
					choices: [
						{
							index: 0,
							message: { role: 'assistant', content: 'KEY' },
							finish_reason: 'stop',
						},
					],
					mcp_tool_results: [{ tool_name: 't', result: inner }],
				}).replace('KEY', escaped(API_KEY)),
			),
		);
		const result = await runDedalus(
			bed,
			dedalusNode({ simplifyOutput: false, options: { maxRetries: 0 } }),
			items({ prompt: 'x' }),
		);
		expect(result.status).toBe('success');
		expect(JSON.stringify(result.data)).toContain('[redacted]');
		expectNoSecret(result.data);
		const decoded = JSON.stringify(result.data).replace(/\\+u([0-9a-f]{4})/gi, (_, hex: string) =>
			String.fromCharCode(parseInt(hex, 16)),
		);
		expectNoSecret(decoded);
	});
});

describe('10. Stop during a 429 hold', () => {
	it('ends the run within a second or two, not after the hold', async () => {
		api.answer((_, response) =>
			response
				.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '30' })
				.end(JSON.stringify({ detail: 'slow down' })),
		);
		const controller = new AbortController();
		const started = Date.now();
		const running = runDedalus(bed, dedalusNode({}), items({ prompt: 'x' }), {
			abortSignal: controller.signal,
		});
		await new Promise((resolve) => setTimeout(resolve, 300));
		controller.abort();
		const result = await running;
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(2500);
		expect(api.received).toHaveLength(1);
	}, 40_000);
});
