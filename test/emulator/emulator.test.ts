import { spawn, execFileSync } from 'child_process';
import {
	constants,
	createCipheriv,
	createHash,
	createPublicKey,
	generateKeyPairSync,
	publicEncrypt,
	randomBytes,
	type KeyObject,
} from 'crypto';
import * as path from 'path';

import { serverIdOf } from '../../emulator/src';
import { escapeHtml } from '../../emulator/src/http';
import {
	admin,
	BAD_KEY,
	CALENDAR,
	call,
	chat,
	decide,
	GMAIL,
	KEY_A,
	KEY_B,
	parseSse,
	SEARCH,
	useEmulator,
} from './helpers';

const bed = useEmulator();
const WEATHER = 'dedalus-labs/weather';

async function consentUrl(key = KEY_A, server = GMAIL): Promise<string> {
	const res = await chat(bed.emu.url, { mcp_servers: [server] }, key);
	expect(res.status).toBe(401);
	return res.body.connect_url as string;
}

describe('startEmulator', () => {
	it('listens on a random port and answers /healthz', async () => {
		expect(bed.emu.url).toBe(`http://127.0.0.1:${bed.emu.port}`);
		const res = await call(bed.emu.url, '/healthz', { key: null });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ status: 'ok' });
	});

	it('answers 404 {"detail":"Not Found"} for unknown routes and 405 for a wrong method', async () => {
		expect(await call(bed.emu.url, '/v1/nope')).toMatchObject({
			status: 404,
			body: { detail: 'Not Found' },
		});
		expect(await call(bed.emu.url, '/elsewhere', { key: null })).toMatchObject({
			status: 404,
			body: { detail: 'Not Found' },
		});
		const wrong = await call(bed.emu.url, '/v1/chat/completions');
		expect(wrong.status).toBe(405);
		expect(wrong.headers.get('allow')).toBe('POST');
	});
});

describe('authentication', () => {
	it.each<[string, string | null]>([
		['no key', null],
		['a revoked-style key', BAD_KEY],
		['a key of the wrong shape', 'sk-test-nope'],
	])('rejects %s with a bare 401 and no connect_url', async (_label, key) => {
		const res = await call(bed.emu.url, '/v1/chat/completions', {
			key,
			body: {
				model: 'openai/gpt-4.1',
				messages: [{ role: 'user', content: 'hi' }],
				mcp_servers: [GMAIL],
			},
		});
		expect(res.status).toBe(401);
		expect(res.body).toEqual({ detail: 'Invalid API key' });
		expect(res.text).not.toContain('connect_url');
		expect(res.headers.get('www-authenticate')).toBeNull();
	});

	it('accepts the x-api-key header and dsk_ keys', async () => {
		const res = await call(bed.emu.url, '/v1/models', {
			key: null,
			headers: { 'x-api-key': 'dsk_test_underscore' },
		});
		expect(res.status).toBe(200);
	});
});

describe('models', () => {
	it('lists models in both the Dedalus and the older OpenAI shape', async () => {
		const res = await call(bed.emu.url, '/v1/models');
		expect(res.status).toBe(200);
		expect(res.body.object).toBe('list');
		const ids = res.body.data.map((m: any) => m.id);
		expect(ids).toEqual(
			expect.arrayContaining([
				'openai/gpt-4.1',
				'openai/gpt-4o-mini',
				'anthropic/claude-sonnet-4-20250514',
				'google/gemini-2.5-flash',
				'dedalus/echo',
			]),
		);
		for (const m of res.body.data) {
			expect(typeof m.provider).toBe('string');
			expect(new Date(m.created_at).toISOString()).toBeTruthy();
		}
		expect(
			res.body.data.some(
				(m: any) => m.object === 'model' && m.owned_by && typeof m.created === 'number',
			),
		).toBe(true);
		expect(res.body.data.some((m: any) => m.object === undefined && m.owned_by === undefined)).toBe(
			true,
		);
		expect(res.body.data[0].capabilities).toMatchObject({
			text: true,
			tools: true,
			streaming: true,
		});
	});

	it('gets one model by a slashed or URL-encoded id, and 404s unknown ones', async () => {
		const plain = await call(bed.emu.url, '/v1/models/openai/gpt-4.1');
		const encoded = await call(bed.emu.url, '/v1/models/openai%2Fgpt-4.1');
		expect(plain.status).toBe(200);
		expect(plain.body.id).toBe('openai/gpt-4.1');
		expect(encoded.body).toEqual(plain.body);
		const missing = await call(bed.emu.url, '/v1/models/openai/gpt-0');
		expect(missing).toMatchObject({
			status: 404,
			body: { detail: "Model 'openai/gpt-0' not found" },
		});
	});
});

describe('chat completions: validation', () => {
	it('answers 400 with a string detail for broken JSON', async () => {
		const res = await call(bed.emu.url, '/v1/chat/completions', {
			body: '{"model": "openai/gpt-4.1", ',
		});
		expect(res.status).toBe(400);
		expect(typeof res.body.detail).toBe('string');
	});

	it.each([
		['missing messages', { messages: undefined }, ['body', 'messages']],
		['empty messages', { messages: [] }, ['body', 'messages']],
		[
			'a bad role',
			{ messages: [{ role: 'robot', content: 'x' }] },
			['body', 'messages', 0, 'role'],
		],
		['temperature above 2', { temperature: 2.5 }, ['body', 'temperature']],
		['a broken mcp_servers entry', { mcp_servers: ['not a slug'] }, ['body', 'mcp_servers', 0]],
	])('answers 422 with a FastAPI detail list for %s', async (_label, extra, loc) => {
		const res = await chat(bed.emu.url, extra);
		expect(res.status).toBe(422);
		expect(Array.isArray(res.body.detail)).toBe(true);
		expect(res.body.detail[0]).toMatchObject({
			loc,
			msg: expect.any(String),
			type: expect.any(String),
		});
	});

	it('answers 404 for an unknown model', async () => {
		const res = await chat(bed.emu.url, { model: 'openai/gpt-0' });
		expect(res).toMatchObject({ status: 404, body: { detail: "Model 'openai/gpt-0' not found" } });
	});
});

describe('chat completions: replies', () => {
	it('echoes without tools and omits the Dedalus fields', async () => {
		const res = await chat(bed.emu.url, {
			model: 'dedalus/echo',
			messages: [
				{ role: 'system', content: 'You are terse.' },
				{ role: 'user', content: [{ type: 'text', text: 'ping' }] },
			],
		});
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({
			id: 'chatcmpl-1',
			object: 'chat.completion',
			model: 'dedalus/echo',
			choices: [
				{
					index: 0,
					message: {
						role: 'assistant',
						content: '(system: You are terse.) Echo from dedalus/echo: ping',
					},
					finish_reason: 'stop',
				},
			],
		});
		expect(res.body.usage.total_tokens).toBe(
			res.body.usage.prompt_tokens + res.body.usage.completion_tokens,
		);
		// A FastAPI gateway sends absent optional fields as null (docs/dedalus-api.md).
		expect(res.body.mcp_tool_results).toBeNull();
		expect(res.body.tools_executed).toBeNull();
		expect(res.body.mcp_server_errors).toBeNull();
	});

	it('accepts a routing list and {model, settings}', async () => {
		const list = await chat(bed.emu.url, {
			model: ['anthropic/claude-sonnet-4-20250514', 'openai/gpt-4.1'],
		});
		expect(list.body.model).toBe('anthropic/claude-sonnet-4-20250514');
		const obj = await chat(bed.emu.url, {
			model: { model: 'google/gemini-2.5-flash', settings: { temperature: 0.2 } },
		});
		expect(obj.body.model).toBe('google/gemini-2.5-flash');
	});

	it('runs brave-search by slug, URL, object and @version', async () => {
		for (const entry of [
			SEARCH,
			'https://mcp.dedaluslabs.ai/brave-search/mcp',
			[{ name: 'web', slug: SEARCH }],
			`${SEARCH}@1.0.0`,
		]) {
			const res = await chat(bed.emu.url, {
				mcp_servers: entry,
				messages: [{ role: 'user', content: 'n8n dedalus' }],
			});
			expect(res.status).toBe(200);
			expect(res.body.choices[0].message.content).toMatch(/^Top results for "n8n dedalus":\n1\. /);
			expect(res.body.tools_executed).toEqual(['search']);
			expect(res.body.mcp_tool_results).toEqual([
				expect.objectContaining({
					tool_name: 'search',
					server_name: SEARCH,
					arguments: { query: 'n8n dedalus' },
					is_error: false,
				}),
			]);
			expect(res.body.mcp_tool_results[0].result).toHaveLength(2);
		}
	});

	it('reports unknown servers in mcp_server_errors without failing', async () => {
		const res = await chat(bed.emu.url, {
			mcp_servers: ['acme/unknown', SEARCH, 'https://example.com/mcp'],
		});
		expect(res.status).toBe(200);
		expect(res.body.mcp_server_errors).toEqual({
			'acme/unknown': {
				message: 'MCP server not found',
				code: 'server_not_found',
				recommendation: 'Check the slug in the marketplace',
			},
			'https://example.com/mcp': expect.objectContaining({ code: 'server_not_found' }),
		});
		expect(res.body.tools_executed).toEqual(['search']);
	});

	it('runs no tools when automatic_tool_execution is false', async () => {
		const res = await chat(bed.emu.url, { mcp_servers: [SEARCH], automatic_tool_execution: false });
		expect(res.body.choices[0].message.content).toBe(
			'Echo from openai/gpt-4.1: What came in yesterday?',
		);
		expect(res.body.mcp_tool_results).toBeNull();
	});

	it('honours max_tokens, stop and response_format', async () => {
		const long = await chat(bed.emu.url, { max_tokens: 3 });
		expect(long.body.choices[0]).toMatchObject({
			finish_reason: 'length',
			message: { content: 'Echo from op' },
		});
		const stopped = await chat(bed.emu.url, { stop: ['gpt', 'from'] });
		expect(stopped.body.choices[0]).toMatchObject({
			finish_reason: 'stop',
			message: { content: 'Echo ' },
		});
		const obj = await chat(bed.emu.url, { response_format: { type: 'json_object' } });
		expect(JSON.parse(obj.body.choices[0].message.content)).toEqual({
			reply: 'Echo from openai/gpt-4.1: What came in yesterday?',
		});
		const schema = await chat(bed.emu.url, {
			response_format: {
				type: 'json_schema',
				json_schema: {
					name: 'triage',
					schema: {
						type: 'object',
						properties: {
							summary: { type: 'string' },
							count: { type: 'integer' },
							urgent: { type: 'boolean' },
							senders: { type: 'array', items: { type: 'string', format: 'email' } },
							priority: { type: 'string', enum: ['high', 'low'] },
						},
					},
				},
			},
		});
		expect(JSON.parse(schema.body.choices[0].message.content)).toEqual({
			summary: expect.any(String),
			count: expect.any(Number),
			urgent: true,
			senders: ['alice.chen@example.com'],
			priority: 'high',
		});
	});
});

describe('OAuth consent', () => {
	it('answers 401 with the real body: oauth_required, connect_url, poll_url, server_id', async () => {
		const res = await chat(bed.emu.url, { mcp_servers: [GMAIL] });
		expect(res.status).toBe(401);
		const url = res.body.connect_url as string;
		expect(res.body).toEqual({
			error: 'oauth_required',
			connect_url: url,
			poll_url: `${bed.emu.url}/v1/oauth/servers`,
			server_id: serverIdOf(GMAIL),
		});
		expect(serverIdOf(GMAIL)).toMatch(/^srv_[0-9a-f]{12}$/);
		expect(
			url.startsWith(`${bed.emu.url}/oauth/connect?server=${serverIdOf(GMAIL)}&request=`),
		).toBe(true);
		expect(res.headers.get('www-authenticate')).toBe(
			'Bearer error="invalid_token", resource_metadata="https://mcp.dedaluslabs.ai/gmail/mcp/.well-known/oauth-protected-resource"',
		);
	});

	it('keeps the older bodies as variants: detail.connect_url with detail.server, and deployment_id', async () => {
		expect((await admin(bed.emu.url, 'consent-body', { shape: 'legacy' })).body).toEqual({
			shape: 'legacy',
		});
		const legacy = await chat(bed.emu.url, { mcp_servers: [GMAIL] });
		const url = legacy.body.connect_url as string;
		expect(legacy.body).toEqual({
			connect_url: url,
			detail: {
				connect_url: url,
				message: 'Authorization required for MCP server dedalus-labs/gmail',
				server: GMAIL,
			},
		});
		await admin(bed.emu.url, 'consent-body', { shape: 'deployment_id' });
		const deployment = await chat(bed.emu.url, { mcp_servers: [GMAIL] });
		expect(deployment.body).toMatchObject({
			error: 'oauth_required',
			deployment_id: serverIdOf(GMAIL),
		});
		expect(deployment.body).not.toHaveProperty('server_id');
		expect((await admin(bed.emu.url, 'consent-body', { shape: 'other' })).body.detail).toContain(
			'Expected',
		);
		await admin(bed.emu.url, 'reset', {});
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] })).body.error).toBe('oauth_required');
	});

	it('answers the consent poll per API key, never counting it against faults meant for the API', async () => {
		const poll = () => call(bed.emu.url, '/v1/oauth/servers', { key: KEY_A });
		const connected = async (server: string) =>
			((await poll()).body.servers as Array<{ server_id: string; connected: boolean }>).find(
				(entry) => entry.server_id === serverIdOf(server),
			)?.connected;
		expect(await connected(GMAIL)).toBe(false);
		await decide(await consentUrl(KEY_A), 'allow');
		expect(await connected(GMAIL)).toBe(true);
		expect(await connected(CALENDAR)).toBe(false);
		expect(
			(await call(bed.emu.url, '/v1/oauth/servers', { key: KEY_B })).body.servers[0].connected,
		).toBe(false);
		expect((await call(bed.emu.url, '/v1/oauth/servers', { key: BAD_KEY })).status).toBe(401);
		await admin(bed.emu.url, 'faults', { faults: [{ status: 500 }] });
		expect((await poll()).status).toBe(200);
		await admin(bed.emu.url, 'faults', { faults: [{ status: 503, path: '/v1/oauth/servers' }] });
		expect((await poll()).status).toBe(503);
	});

	it('never puts the API key in connect_url', async () => {
		const res = await chat(bed.emu.url, { mcp_servers: [GMAIL] });
		expect(JSON.stringify(res.body)).not.toContain(KEY_A);
	});

	it('builds connect_url from the Host the client used', async () => {
		const res = await fetch(`http://localhost:${bed.emu.port}/v1/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'openai/gpt-4.1',
				messages: [{ role: 'user', content: 'x' }],
				mcp_servers: GMAIL,
			}),
		}).catch(() => undefined);
		// localhost may resolve to ::1 first on some machines, where nothing listens.
		if (!res) return;
		const body = (await res.json()) as { connect_url: string };
		expect(body.connect_url.startsWith(`http://localhost:${bed.emu.port}/oauth/connect?`)).toBe(
			true,
		);
	});

	it('serves a consent page on GET without granting anything', async () => {
		const url = await consentUrl();
		const page = await fetch(url);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toContain('text/html');
		const html = await page.text();
		expect(html).toContain(
			'n8n-nodes-dedalus emulator: allow dedalus-labs/gmail to read your mail?',
		);
		expect(html).toMatch(/<button[^>]*id="allow"[^>]*name="decision"[^>]*value="allow"/);
		expect(html).toMatch(/<button[^>]*id="deny"[^>]*name="decision"[^>]*value="deny"/);
		expect(html).toContain('action="/oauth/connect"');
		await fetch(url);
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] })).status).toBe(401);
	});

	it('allow grants consent and the same call then succeeds with the gmail summary', async () => {
		const url = await consentUrl();
		const result = await decide(url, 'allow');
		expect(result.status).toBe(200);
		expect(result.html).toMatch(/<h1 id="result"[^>]*>Connected\. You can close this tab\.<\/h1>/);
		const res = await chat(bed.emu.url, { mcp_servers: [GMAIL] });
		expect(res.status).toBe(200);
		const content = res.body.choices[0].message.content as string;
		expect(content.split('\n')[0]).toBe('Summary of 3 emails from yesterday:');
		expect(content).toContain('- Alice Chen: Q3 report');
		expect(res.body.mcp_tool_results[0]).toMatchObject({
			tool_name: 'list_messages',
			server_name: GMAIL,
			arguments: { query: 'newer_than:1d' },
			is_error: false,
		});
		const emails = res.body.mcp_tool_results[0].result as Array<{
			from: string;
			subject: string;
			snippet: string;
			date: string;
		}>;
		expect(emails).toHaveLength(3);
		const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
		for (const e of emails) {
			expect(e).toEqual({
				id: expect.any(String),
				from: expect.any(String),
				subject: expect.any(String),
				snippet: expect.any(String),
				date: expect.any(String),
			});
			expect(e.date.slice(0, 10)).toBe(yesterday);
		}
	});

	it('the form also works posted to /oauth/connect with the hidden request field', async () => {
		const url = new URL(await consentUrl());
		const res = await fetch(`${bed.emu.url}/oauth/connect`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: `request=${url.searchParams.get('request')}&server=${encodeURIComponent(GMAIL)}&decision=allow`,
		});
		expect(res.status).toBe(200);
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] })).status).toBe(200);
	});

	it('deny changes nothing', async () => {
		const url = await consentUrl();
		const result = await decide(url, 'deny');
		expect(result.status).toBe(200);
		expect(result.html).toContain('Access denied');
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] })).status).toBe(401);
	});

	it('rejects unknown request ids with a 400 page', async () => {
		const get = await fetch(
			`${bed.emu.url}/oauth/connect?server=${encodeURIComponent(GMAIL)}&request=nope`,
		);
		expect(get.status).toBe(400);
		expect(await get.text()).toContain('unknown or has expired');
		const post = await decide(`${bed.emu.url}/oauth/connect?request=nope`, 'allow');
		expect(post.status).toBe(400);
	});

	it('keeps consent per API key and per server', async () => {
		await decide(await consentUrl(KEY_A), 'allow');
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_A)).status).toBe(200);
		const b = await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_B);
		expect(b.status).toBe(401);
		expect(b.body.connect_url).toBeTruthy();
		const cal = await chat(bed.emu.url, { mcp_servers: [GMAIL, CALENDAR] }, KEY_A);
		expect(cal.status).toBe(401);
		expect(cal.body.server_id).toBe(serverIdOf(CALENDAR));
		expect(cal.headers.get('www-authenticate')).toContain(
			'https://mcp.dedaluslabs.ai/google-calendar/mcp/',
		);
	});

	it('runs gmail and calendar together once both are granted', async () => {
		await decide(await consentUrl(KEY_A, GMAIL), 'allow');
		await decide(await consentUrl(KEY_A, CALENDAR), 'allow');
		const res = await chat(bed.emu.url, {
			mcp_servers: ['https://mcp.dedaluslabs.ai/gmail/mcp', CALENDAR],
		});
		expect(res.status).toBe(200);
		expect(res.body.tools_executed).toEqual(['list_messages', 'list_events']);
		expect(res.body.choices[0].message.content).toMatch(
			/Summary of 3 emails[\s\S]*\n\nYou have 2 events today:/,
		);
	});

	it('sets and clears consent through the admin routes', async () => {
		const set = await admin(bed.emu.url, 'consent', {
			server: GMAIL,
			apiKey: KEY_B,
			granted: true,
		});
		expect(set.status).toBe(200);
		expect(set.text).not.toContain(KEY_B);
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_B)).status).toBe(200);
		await admin(bed.emu.url, 'consent', {
			server: 'https://mcp.dedaluslabs.ai/gmail/mcp',
			keyId: set.body.keyId,
			granted: false,
		});
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_B)).status).toBe(401);
		await admin(bed.emu.url, 'consent', { server: GMAIL, apiKey: KEY_B, granted: true });
		await admin(bed.emu.url, 'reset-consent', {});
		expect((await chat(bed.emu.url, { mcp_servers: [GMAIL] }, KEY_B)).status).toBe(401);
		expect(
			(
				await admin(bed.emu.url, 'consent', {
					server: 'acme/nothing',
					apiKey: KEY_B,
					granted: true,
				})
			).status,
		).toBe(400);
	});

	it('escapes HTML', () => {
		expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe(
			'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
		);
	});
});

describe('faults and controls', () => {
	it('queues status faults, consumed in order, with remaining counts visible', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 500, count: 2 }, { status: 503 }] });
		expect((await admin(bed.emu.url, 'faults')).body.faults).toEqual([
			{ status: 500, count: 2, remaining: 2 },
			{ status: 503, remaining: 1 },
		]);
		const first = await chat(bed.emu.url);
		expect(first).toMatchObject({ status: 500, body: { detail: 'Internal server error' } });
		expect((await chat(bed.emu.url)).status).toBe(500);
		const third = await chat(bed.emu.url);
		expect(third.status).toBe(503);
		expect(third.body.error.message).toEqual(expect.any(String));
		expect((await chat(bed.emu.url)).status).toBe(200);
		expect((await admin(bed.emu.url, 'faults')).body.faults).toEqual([]);
		expect(bed.emu.requests().map((r) => r.fault)).toEqual([
			'status:500',
			'status:500',
			'status:503',
			undefined,
		]);
	});

	it('adds retry-after to 429s unless the fault sets its own headers', async () => {
		await admin(bed.emu.url, 'faults', {
			faults: [
				{ status: 429 },
				{ status: 429, headers: { 'retry-after-ms': '200' } },
				{ status: 503, headers: { 'x-should-retry': 'false' }, body: { detail: 'custom' } },
			],
		});
		const a = await chat(bed.emu.url);
		expect(a.status).toBe(429);
		expect(a.headers.get('retry-after')).toBe('1');
		const b = await chat(bed.emu.url);
		expect(b.headers.get('retry-after')).toBeNull();
		expect(b.headers.get('retry-after-ms')).toBe('200');
		const c = await chat(bed.emu.url);
		expect(c).toMatchObject({ status: 503, body: { detail: 'custom' } });
		expect(c.headers.get('x-should-retry')).toBe('false');
	});

	it('matches faults by path prefix', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 500, path: '/v1/models' }] });
		expect((await chat(bed.emu.url)).status).toBe(200);
		expect((await call(bed.emu.url, '/v1/models/openai/gpt-4.1')).status).toBe(500);
	});

	it('serves malformed JSON and proxy HTML', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ malformed: true }, { html: true }] });
		const bad = await chat(bed.emu.url);
		expect(bad.status).toBe(200);
		expect(bad.body).toBeUndefined();
		const html = await chat(bed.emu.url);
		expect(html.status).toBe(502);
		expect(html.headers.get('content-type')).toContain('text/html');
		expect(html.text).toContain('502 Bad Gateway');
	});

	it('drops the connection', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ drop: true }] });
		await expect(chat(bed.emu.url)).rejects.toThrow();
		expect((await chat(bed.emu.url)).status).toBe(200);
		expect(bed.emu.requests()[0]).toMatchObject({ status: 0, fault: 'drop' });
	});

	it('rejects invalid fault payloads', async () => {
		expect((await admin(bed.emu.url, 'faults', { faults: [{ status: 42 }] })).status).toBe(400);
		expect((await admin(bed.emu.url, 'faults', { nope: true })).status).toBe(400);
	});

	it('obeys the per-request control headers', async () => {
		const limited = await chat(bed.emu.url, {}, undefined, { 'x-emulator-status': '429' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		const broken = await chat(bed.emu.url, {}, undefined, { 'x-emulator-malformed': '1' });
		expect(broken.status).toBe(200);
		expect(() => JSON.parse(broken.text)).toThrow();
		const t0 = Date.now();
		expect(
			(await chat(bed.emu.url, {}, undefined, { 'x-emulator-latency-ms': '150' })).status,
		).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
	});

	it('applies a global latency until reset', async () => {
		expect((await admin(bed.emu.url, 'latency', { ms: 120 })).body).toEqual({ ms: 120 });
		let t0 = Date.now();
		await call(bed.emu.url, '/v1/models');
		expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
		await admin(bed.emu.url, 'reset', {});
		expect((await admin(bed.emu.url, 'latency')).body).toEqual({ ms: 0 });
		t0 = Date.now();
		await call(bed.emu.url, '/v1/models');
		expect(Date.now() - t0).toBeLessThan(100);
	});
});

describe('request log and stats', () => {
	it('records requests without ever holding the key', async () => {
		await chat(
			bed.emu.url,
			{ user: 'user-42', metadata: { run: 'log-test' }, mcp_servers: [SEARCH] },
			KEY_A,
			{
				'idempotency-key': 'idem-1',
				'x-provider': 'openai',
				'x-provider-key': 'sk-test-provider-secret',
			},
		);
		await chat(
			bed.emu.url,
			{
				mcp_servers: [
					GMAIL,
					{
						name: 'cal',
						url: 'https://mcp.dedaluslabs.ai/google-calendar/mcp',
						credentials: { token: 'secret-cred' },
					},
				],
			},
			KEY_B,
		);
		await call(bed.emu.url, '/v1/models', { key: BAD_KEY });
		await call(bed.emu.url, '/v1/models', { key: null, headers: { 'x-api-key': KEY_A } });
		await call(bed.emu.url, '/__emulator/stats', { key: null });
		await call(bed.emu.url, '/healthz', { key: null });

		const res = await admin(bed.emu.url, 'requests');
		const all = res.body.requests;
		expect(all.map((r: any) => r.seq)).toEqual([1, 2, 3, 4]);
		expect(all[0]).toMatchObject({
			method: 'POST',
			path: '/v1/chat/completions',
			status: 200,
			keyId: expect.stringMatching(/^[0-9a-f]{16}$/),
			model: 'openai/gpt-4.1',
			mcp_servers: [SEARCH],
			user: 'user-42',
			metadata: { run: 'log-test' },
			idempotencyKey: 'idem-1',
			hasProvider: true,
			time: expect.any(String),
			durationMs: expect.any(Number),
		});
		expect(all[1]).toMatchObject({
			status: 401,
			hasProvider: false,
			mcp_servers: [GMAIL, 'https://mcp.dedaluslabs.ai/google-calendar/mcp'],
		});
		expect(all[1].keyId).not.toBe(all[0].keyId);
		expect(all[2]).toMatchObject({ status: 401 });
		expect(all[3].keyId).toBe(all[0].keyId);

		const dump = res.text + JSON.stringify(bed.emu.requests());
		for (const secret of [KEY_A, KEY_B, BAD_KEY, 'sk-test-provider-secret', 'secret-cred'])
			expect(dump).not.toContain(secret);

		const filtered = await call(bed.emu.url, '/__emulator/requests?path=/v1/models', { key: null });
		expect(filtered.body.requests).toHaveLength(2);
		await admin(bed.emu.url, 'requests', undefined, 'DELETE');
		expect(bed.emu.requests()).toEqual([]);
	});

	it('logs the files a chat message carried by type, MIME, size and sha256, never the data', async () => {
		const png = randomBytes(300);
		const pdf = Buffer.from('%PDF-1.4 an invoice');
		const wav = randomBytes(40);
		const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
		const res = await chat(bed.emu.url, {
			messages: [
				{ role: 'system', content: [{ type: 'text', text: 'be brief' }] },
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'read these' },
						{
							type: 'image_url',
							image_url: { url: `data:image/png;base64,${png.toString('base64')}`, detail: 'low' },
						},
						{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
						{
							type: 'file',
							file: {
								filename: 'invoice.pdf',
								file_data: `data:application/pdf;base64,${pdf.toString('base64')}`,
							},
						},
						{ type: 'input_audio', input_audio: { data: wav.toString('base64'), format: 'wav' } },
					],
				},
			],
		});
		expect(res.status).toBe(200);
		expect(res.body.choices[0].message.content).toBe(
			'(system: be brief) Echo from openai/gpt-4.1: read these',
		);
		const [entry] = bed.emu.requests();
		expect(entry.files).toEqual([
			{ type: 'image_url', mime: 'image/png', bytes: 300, sha256: sha256(png) },
			{ type: 'image_url', url: 'https://example.com/a.jpg' },
			{
				type: 'file',
				filename: 'invoice.pdf',
				mime: 'application/pdf',
				bytes: pdf.length,
				sha256: sha256(pdf),
			},
			{ type: 'input_audio', mime: 'audio/wav', bytes: 40, sha256: sha256(wav) },
		]);
		expect(JSON.stringify(bed.emu.requests())).not.toContain(png.toString('base64'));
		await chat(bed.emu.url);
		expect(bed.emu.requests()[1].files).toBeUndefined();
	});

	it('tracks in-flight and maximum concurrent requests', async () => {
		await Promise.all(
			Array.from({ length: 12 }, () =>
				call(bed.emu.url, '/v1/models', { headers: { 'x-emulator-latency-ms': '200' } }),
			),
		);
		const stats = (await admin(bed.emu.url, 'stats')).body;
		expect(stats).toEqual({ inFlight: 0, maxInFlight: 12, total: 12 });
		await admin(bed.emu.url, 'reset', {});
		expect((await admin(bed.emu.url, 'stats')).body).toEqual({
			inFlight: 0,
			maxInFlight: 0,
			total: 0,
		});
	});
});

describe('streaming', () => {
	it('streams chunks ending with [DONE], Dedalus fields on the last chunk', async () => {
		const plain = await chat(bed.emu.url, { mcp_servers: [SEARCH] });
		const res = await fetch(`${bed.emu.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'openai/gpt-4.1',
				messages: [{ role: 'user', content: 'What came in yesterday?' }],
				mcp_servers: [SEARCH],
				stream: true,
			}),
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('text/event-stream');
		const events = parseSse(await res.text());
		expect(events[events.length - 1]).toEqual({ event: null, data: '[DONE]' });
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data));
		expect(chunks.length).toBeGreaterThanOrEqual(4);
		for (const c of chunks) expect(c.object).toBe('chat.completion.chunk');
		expect(chunks[0].choices[0].delta.role).toBe('assistant');
		const text = chunks.map((c) => c.choices[0].delta.content ?? '').join('');
		expect(text).toBe(plain.body.choices[0].message.content);
		const last = chunks[chunks.length - 1];
		expect(last.choices[0].finish_reason).toBe('stop');
		expect(last.tools_executed).toEqual(['search']);
		expect(last.mcp_tool_results[0].tool_name).toBe('search');
		expect(
			chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null && !c.mcp_tool_results),
		).toBe(true);
	});

	it('breaks a stream with an error event when a streamError fault is queued', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ streamError: true }] });
		const res = await fetch(`${bed.emu.url}/v1/chat/completions`, {
			method: 'POST',
			headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				model: 'openai/gpt-4.1',
				messages: [{ role: 'user', content: 'hello' }],
				stream: true,
			}),
		});
		const events = parseSse(await res.text());
		const last = events[events.length - 1];
		expect(last.event).toBe('error');
		expect(JSON.parse(last.data).error.message).toEqual(expect.any(String));
		expect(events.some((e) => e.data === '[DONE]')).toBe(false);
	});
});

describe('responses API', () => {
	it('answers a string input and a message list', async () => {
		const a = await call(bed.emu.url, '/v1/responses', {
			body: { model: 'openai/gpt-4.1', input: 'hello' },
		});
		expect(a.status).toBe(200);
		expect(a.body).toMatchObject({
			object: 'response',
			model: 'openai/gpt-4.1',
			status: 'completed',
			output_text: 'Echo from openai/gpt-4.1: hello',
			output: [
				{
					type: 'message',
					role: 'assistant',
					status: 'completed',
					content: [
						{ type: 'output_text', text: 'Echo from openai/gpt-4.1: hello', annotations: [] },
					],
				},
			],
			usage: {
				input_tokens: expect.any(Number),
				output_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			},
		});
		expect(typeof a.body.created_at).toBe('number');
		const b = await call(bed.emu.url, '/v1/responses', {
			body: {
				model: 'openai/gpt-4o-mini',
				input: [{ role: 'user', content: [{ type: 'input_text', text: 'list' }] }],
			},
		});
		expect(b.body.output_text).toBe('Echo from openai/gpt-4o-mini: list');
		expect(b.body.id).not.toBe(a.body.id);
	});

	it('rejects non-OpenAI models and bad input', async () => {
		expect(
			(
				await call(bed.emu.url, '/v1/responses', {
					body: { model: 'anthropic/claude-sonnet-4-20250514', input: 'x' },
				})
			).status,
		).toBe(400);
		expect(
			(await call(bed.emu.url, '/v1/responses', { body: { model: 'openai/gpt-4.1' } })).status,
		).toBe(422);
	});
});

describe('CLI', () => {
	const root = path.resolve(__dirname, '../..');

	beforeAll(() => {
		execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'emulator'], {
			cwd: root,
			stdio: 'pipe',
		});
	}, 60_000);

	it('prints the listening line with the real port and exits cleanly on SIGTERM', async () => {
		const child = spawn(
			process.execPath,
			['emulator/dist/cli.js', '--port', '0', '--latency', '0'],
			{ cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
		);
		const exited = new Promise<number | null>((resolve) =>
			child.once('exit', (code) => resolve(code)),
		);
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let out = '';
				child.stdout!.on('data', (d: Buffer) => {
					out += d.toString();
					const nl = out.indexOf('\n');
					if (nl >= 0) resolve(out.slice(0, nl));
				});
				child.once('exit', () => reject(new Error(`exited early: ${out}`)));
			});
			const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)$/.exec(line);
			expect(m).not.toBeNull();
			const port = Number(m![1]);
			expect(port).toBeGreaterThan(0);
			const health = await fetch(`http://127.0.0.1:${port}/healthz`);
			expect(await health.json()).toEqual({ status: 'ok' });
		} finally {
			child.kill('SIGTERM');
		}
		expect(await exited).toBe(0);
	});
});

describe('real-API shapes: nulls, 402, and API-key MCP servers', () => {
	it('sends model metadata a model lacks as null', async () => {
		const list = await call(bed.emu.url, '/v1/models');
		const mini = (list.body.data as Array<Record<string, unknown>>).find(
			(model) => model.id === 'openai/gpt-4o-mini',
		);
		expect(mini).toMatchObject({ version: null, defaults: null, provider_info: null });
		expect((await call(bed.emu.url, '/v1/models/openai/gpt-4o-mini')).body.version).toBeNull();
	});

	it('answers 402 with a balance message through a fault', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 402 }] });
		const res = await chat(bed.emu.url, {});
		expect(res.status).toBe(402);
		expect(res.body).toEqual({ detail: 'Insufficient balance' });
	});

	it('publishes a JWKS with a signing key first and an RSA encryption key', async () => {
		const res = await call(bed.emu.url, '/.well-known/jwks.json', { key: null });
		expect(res.status).toBe(200);
		const keys = res.body.keys as Array<Record<string, unknown>>;
		expect(keys.map((key) => [key.kty, key.use])).toEqual([
			['RSA', 'sig'],
			['RSA', 'enc'],
		]);
		expect(keys[1]).not.toHaveProperty('d');
	});

	it('runs the API-key server only with a credential its private key opens', async () => {
		const jwks = (await call(bed.emu.url, '/.well-known/jwks.json', { key: null })).body;
		const jwk = (jwks.keys as Array<Record<string, string>>).find((key) => key.use === 'enc')!;
		const publicKey = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
		const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
		const secret = 'wx-emulator-SECRET-42';
		const seal = (key: KeyObject) => {
			const aes = randomBytes(32);
			const nonce = randomBytes(12);
			const cipher = createCipheriv('aes-256-gcm', aes, nonce);
			const body = JSON.stringify({
				type: 'api_key',
				api_key: secret,
				header_name: 'Authorization',
				header_template: 'Bearer {api_key}',
				provider_metadata: null,
			});
			return Buffer.concat([
				Buffer.from([1]),
				publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aes),
				nonce,
				cipher.update(body, 'utf8'),
				cipher.final(),
				cipher.getAuthTag(),
			]).toString('base64url');
		};
		const ask = (credentials?: Record<string, string>) =>
			chat(bed.emu.url, {
				mcp_servers: [{ slug: WEATHER, name: WEATHER, ...(credentials ? { credentials } : {}) }],
			});

		const ok = await ask({ 'dedalus-labs-weather': seal(publicKey) });
		expect(ok.status).toBe(200);
		expect(ok.body.tools_executed).toEqual(['get_forecast']);
		expect(ok.body.choices[0].message.content).toContain('Forecast for Berlin');

		const wrongKey = await ask({ 'dedalus-labs-weather': seal(other) });
		expect(wrongKey.body.mcp_server_errors[WEATHER].code).toBe('credentials_invalid');
		expect(wrongKey.body.tools_executed).toBeNull();
		const missing = await ask();
		expect(missing.body.mcp_server_errors[WEATHER].code).toBe('credentials_required');
		const plain = await chat(bed.emu.url, { mcp_servers: [WEATHER] });
		expect(plain.body.mcp_server_errors[WEATHER].code).toBe('credentials_required');

		const checks = bed.emu
			.requests()
			.filter((entry) => entry.mcp_credentials)
			.map((entry) => entry.mcp_credentials![0]);
		expect(checks.map((check) => check.status)).toEqual([
			'ok',
			'undecryptable',
			'missing',
			'missing',
		]);
		expect(checks[0].keyFingerprint).toBe(
			createHash('sha256').update(secret).digest('hex').slice(0, 16),
		);
		expect(JSON.stringify(bed.emu.requests())).not.toContain(secret);
	});
});
