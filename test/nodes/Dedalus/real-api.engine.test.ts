/**
 * The node against the API as the SDKs define it (docs/dedalus-api.md), run through n8n-core's
 * engine against the emulator over HTTP: nulls, the consent body variants, naming the server,
 * poll_url gating of the resume, 402 and request ids, pinned versions.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

const CALENDAR = 'dedalus-labs/google-calendar';
const json = { Accept: 'application/json' };

const { bed, setUp, tearDown } = createTestBed();

/** A host that is not Dedalus: it records what reaches it. */
let foreign: Server;
let foreignUrl = '';
const foreignRequests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
	await setUp();
	foreign = createServer((req, res) => {
		foreignRequests.push({ url: req.url ?? '', headers: req.headers });
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify({ connected: false }));
	});
	await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
	foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await tearDown();
	await new Promise((resolve) => foreign.close(resolve));
});
beforeEach(() => {
	bed.emulator.reset();
	foreignRequests.length = 0;
});

function requestsTo(path: string) {
	return bed.emulator.requests().filter((entry) => entry.path === path);
}

async function pauseOn(servers: string, extra: IDataObject = {}) {
	const node = dedalusNode({ ...extra, options: { concurrency: 1 } });
	const waiting = await runDedalus(bed, node, items({ prompt: 'mail', servers }));
	expect(waiting.status).toBe('waiting');
	return waiting;
}

describe('null is the same as missing', () => {
	const nullCompletion = {
		id: null,
		object: 'chat.completion',
		created: null,
		model: null,
		choices: [{ index: null, message: { role: 'assistant', content: null }, finish_reason: null }],
		usage: null,
		mcp_tool_results: null,
		tools_executed: null,
		mcp_server_errors: null,
	};

	it('simplified output shows lists and objects where it promises them, never null', async () => {
		await bed.admin('faults', { faults: [{ status: 200, body: nullCompletion }] });
		const result = await runDedalus(bed, dedalusNode({}), items({ prompt: 'x' }));
		expect(result.status).toBe('success');
		expect(jsonOf(result.outputOf('Dedalus'))).toEqual([
			{
				content: '',
				mcp_tool_results: [],
				tools_executed: [],
				mcp_server_errors: {},
				model: 'openai/gpt-4.1',
				usage: {},
				finish_reason: null,
			},
		]);
	});

	it('the full response keeps the nulls as Dedalus sent them', async () => {
		const withNullsInside = {
			...nullCompletion,
			mcp_tool_results: [
				{ tool_name: 'search', server_name: null, is_error: null, duration_ms: null, result: null },
			],
			mcp_server_errors: { x: { message: 'down', code: null, recommendation: null } },
		};
		await bed.admin('faults', { faults: [{ status: 200, body: withNullsInside }] });
		const result = await runDedalus(
			bed,
			dedalusNode({ simplifyOutput: false }),
			items({ prompt: 'x' }),
		);
		expect(result.status).toBe('success');
		expect(jsonOf(result.outputOf('Dedalus'))[0]).toEqual(withNullsInside);
		expect(result.outputOf('Dedalus')).toHaveLength(1);
	});

	it('model list and get accept null metadata', async () => {
		const list = await runDedalus(
			bed,
			dedalusNode({ resource: 'model', operation: 'list' }),
			items({}),
		);
		expect(list.status).toBe('success');
		const mini = jsonOf(list.outputOf('Dedalus')).find(
			(model) => model.id === 'openai/gpt-4o-mini',
		);
		expect(mini).toMatchObject({ version: null, defaults: null, provider_info: null });
		await bed.admin('faults', {
			faults: [
				{
					status: 200,
					body: {
						id: 'x/y',
						provider: null,
						display_name: null,
						description: null,
						owned_by: null,
						capabilities: null,
					},
				},
			],
		});
		const get = await runDedalus(
			bed,
			dedalusNode({ resource: 'model', operation: 'get', model: 'x/y' }),
			items({}),
		);
		expect(get.status).toBe('success');
		expect(jsonOf(get.outputOf('Dedalus'))[0]).toMatchObject({ id: 'x/y', display_name: null });
	});
});

describe('the consent body, every variant', () => {
	it('default (real shape): pauses, names the server on the page, output, message', async () => {
		const waiting = await pauseOn(GMAIL);
		const [held] = jsonOf(waiting.outputOf('Dedalus'));
		expect(held.servers).toEqual([GMAIL]);
		const page = await bed.engine.callWebhook(waiting, { method: 'GET' });
		expect(page.body).toContain(`<dt>MCP servers</dt><dd>${GMAIL}</dd>`);
	});

	it.each(['legacy', 'deployment_id'])('%s body: pauses and names the server', async (shape) => {
		await bed.admin('consent-body', { shape });
		const waiting = await pauseOn(GMAIL);
		expect(jsonOf(waiting.outputOf('Dedalus'))[0].servers).toEqual([GMAIL]);
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
	});

	it('two servers requested: the id, because nothing tells which one it is', async () => {
		const waiting = await pauseOn(`${GMAIL}, ${CALENDAR}`);
		expect(jsonOf(waiting.outputOf('Dedalus'))[0].servers).toEqual([serverIdOf(GMAIL)]);
	});

	it('oauth_required without a link is a consent problem, not a bad key, and never pauses', async () => {
		await bed.admin('faults', {
			faults: [{ status: 401, body: { error: 'oauth_required', server_id: 'srv_x' } }],
		});
		const result = await runDedalus(
			bed,
			dedalusNode({}, { onError: 'continueRegularOutput' }),
			items({ prompt: 'x', servers: GMAIL }),
		);
		expect(result.status).toBe('success');
		const [item] = jsonOf(result.outputOf('Downstream'));
		expect(item.error).toBe(
			'An MCP server needs authorization, but Dedalus sent no consent link to open',
		);
		expect(JSON.stringify(item)).not.toContain('API key');
	});
});

describe('poll_url: resend only after consent', () => {
	it('not connected: a POST sends no completion, asks the poll, says consent is missing', async () => {
		const waiting = await pauseOn(GMAIL);
		const sent = requestsTo('/v1/chat/completions').length;
		for (let attempt = 0; attempt < 3; attempt++) {
			const early = await bed.engine.callWebhook(waiting, { method: 'POST', headers: json });
			expect(early.resumed).toBe(false);
			expect(JSON.parse(early.body).state).toBe('still_waiting');
		}
		expect(requestsTo('/v1/chat/completions')).toHaveLength(sent);
		expect(requestsTo('/v1/oauth/servers').map((entry) => entry.status)).toEqual([200, 200, 200]);
	});

	it('connected: sends once and resumes', async () => {
		const waiting = await pauseOn(GMAIL);
		const sent = requestsTo('/v1/chat/completions').length;
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		expect(requestsTo('/v1/chat/completions')).toHaveLength(sent + 1);
	});

	it('poll down: sends as before (and learns consent is still missing from the 401)', async () => {
		const waiting = await pauseOn(GMAIL);
		const sent = requestsTo('/v1/chat/completions').length;
		await bed.admin('faults', { faults: [{ status: 503, path: '/v1/oauth/servers' }] });
		const attempt = await bed.engine.callWebhook(waiting, { method: 'POST', headers: json });
		expect(JSON.parse(attempt.body).state).toBe('still_waiting');
		expect(requestsTo('/v1/chat/completions')).toHaveLength(sent + 1);
	});

	it('a poll answer that redirects is not followed: the key never reaches the redirect target', async () => {
		const waiting = await pauseOn(GMAIL);
		await bed.admin('faults', {
			faults: [
				{
					status: 302,
					path: '/v1/oauth/servers',
					headers: { location: `${foreignUrl}/steal` },
					body: {},
				},
			],
		});
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		// A redirect is no answer: the resume sends as it would without a poll.
		expect(resumed.resumed).toBe(true);
		expect(requestsTo('/v1/oauth/servers').map((entry) => entry.status)).toEqual([302]);
		expect(foreignRequests).toEqual([]);
	});

	it('a poll_url on a foreign host is never asked: no key leaves, the POST sends as before', async () => {
		await bed.admin('faults', {
			faults: [
				{
					status: 401,
					path: '/v1/chat/completions',
					body: {
						error: 'oauth_required',
						connect_url: `${bed.emulator.url}/oauth/connect?server=srv_1`,
						poll_url: `${foreignUrl}/v1/oauth/servers`,
						server_id: 'srv_1',
					},
				},
			],
		});
		const waiting = await pauseOn(SEARCH);
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		expect(foreignRequests).toEqual([]);
		expect(JSON.stringify(bed.emulator.requests())).not.toContain(API_KEY);
	});
});

describe('errors, pinned versions', () => {
	it('402 has its own message and every API error shows x-request-id', async () => {
		await bed.admin('faults', {
			faults: [{ status: 402, headers: { 'x-request-id': 'req_abc123' } }],
		});
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { maxRetries: 0 } }, { onError: 'continueRegularOutput' }),
			items({ prompt: 'x' }),
		);
		const [item] = jsonOf(result.outputOf('Downstream'));
		expect(item.error).toBe(
			'The Dedalus account is out of balance or over its quota. Check billing in the Dedalus dashboard: Insufficient balance',
		);
		expect(item.description).toBe('Insufficient balance (request id: req_abc123)');
	});

	it('a pinned version goes out in object form and the server runs', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items({ prompt: 'x', servers: `${SEARCH}@1.2.0` }),
		);
		expect(result.status).toBe('success');
		expect(jsonOf(result.outputOf('Dedalus'))[0].tools_executed).toEqual(['search']);
		expect(bed.completionRequests()[0].mcp_servers).toEqual([SEARCH]);
	});
});
