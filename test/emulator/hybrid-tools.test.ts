// Hybrid tools (client-tools.ts), tool-loop pricing (turns.ts) and the MCP endpoint
// (mcp-endpoint.ts), over real HTTP.
import { admin, call, chat, SEARCH, useEmulator } from './helpers';

const bed = useEmulator();

const WORD_COUNT = {
	type: 'function',
	function: {
		name: 'word_count',
		parameters: {
			type: 'object',
			properties: { input: { type: 'string' }, n: { type: 'integer' } },
		},
	},
};

describe('hybrid tools', () => {
	it('runs the MCP tool itself, hands back the client tool the prompt names, then answers with both', async () => {
		const question = 'Search for Dedalus and use word_count';
		const first = await chat(bed.emu.url, {
			mcp_servers: [SEARCH],
			tools: [WORD_COUNT],
			messages: [{ role: 'user', content: question }],
		});
		expect(first.status).toBe(200);
		const message = first.body.choices[0].message;
		expect(first.body.choices[0].finish_reason).toBe('tool_calls');
		expect(first.body.tools_executed).toEqual(['search']);
		expect(message.content).toContain('Top results for');
		expect(message.tool_calls).toEqual([
			{
				id: 'call_emu1_0',
				type: 'function',
				function: { name: 'word_count', arguments: JSON.stringify({ input: question, n: 1 }) },
			},
		]);

		const history = [
			{ role: 'user', content: question },
			message,
			{ role: 'tool', tool_call_id: 'call_emu1_0', content: '6 words' },
		];
		const second = await chat(bed.emu.url, {
			mcp_servers: [SEARCH],
			tools: [WORD_COUNT],
			messages: history,
		});
		expect(second.body.choices[0].finish_reason).toBe('stop');
		expect(second.body.choices[0].message.content).toBe(
			`${message.content}\n\nFrom your tools:\n- word_count: 6 words`,
		);
		// The MCP results were in the history: no second MCP call.
		expect(second.body.tools_executed ?? null).toBeNull();

		// A caller that dropped the tool-calling turn's text (n8n's Agent): the MCP tool runs again.
		const third = await chat(bed.emu.url, {
			mcp_servers: [SEARCH],
			tools: [WORD_COUNT],
			messages: [history[0], { ...message, content: '' }, history[2]],
		});
		expect(third.body.tools_executed).toEqual(['search']);
		expect(third.body.choices[0].message.content).toMatch(
			/^Top results for[\s\S]*- word_count: 6 words$/,
		);

		const log = bed.emu.requests();
		expect(log.map((e) => [e.mcpToolsRun, e.toolCalls, e.toolResults])).toEqual([
			[[`${SEARCH}:search`], ['word_count'], undefined],
			[undefined, undefined, [{ name: 'word_count', content: '6 words' }]],
			[[`${SEARCH}:search`], undefined, [{ name: 'word_count', content: '6 words' }]],
		]);
	});

	it('answers normally when the prompt calls for no client tool', async () => {
		const res = await chat(bed.emu.url, { tools: [WORD_COUNT] });
		expect(res.body.choices[0].finish_reason).toBe('stop');
		expect(res.body.choices[0].message.tool_calls).toBeUndefined();
	});

	it('streams the tool calls', async () => {
		const res = await chat(bed.emu.url, {
			stream: true,
			tools: [WORD_COUNT],
			messages: [{ role: 'user', content: 'use word_count' }],
		});
		const events = res.text
			.split('\n\n')
			.filter((e) => e.startsWith('data: {'))
			.map((e) => JSON.parse(e.slice(6)));
		expect(events[1].choices[0].delta.tool_calls[0]).toMatchObject({
			index: 0,
			function: { name: 'word_count' },
		});
		expect(events.at(-1).choices[0].finish_reason).toBe('tool_calls');
		expect(res.text.endsWith('data: [DONE]\n\n')).toBe(true);
	});
});

describe('tool-loop pricing', () => {
	it('charges two model turns and one tool call when an MCP tool ran, one turn otherwise', async () => {
		expect((await admin(bed.emu.url, 'turns', { modelTurnMs: 150, toolCallMs: 100 })).status).toBe(
			200,
		);
		let started = performance.now();
		await chat(bed.emu.url, { mcp_servers: [SEARCH] });
		const withTool = performance.now() - started;
		started = performance.now();
		await chat(bed.emu.url);
		const plain = performance.now() - started;
		expect(withTool).toBeGreaterThanOrEqual(400);
		expect(plain).toBeGreaterThanOrEqual(150);
		expect(plain).toBeLessThan(400);
		expect((await admin(bed.emu.url, 'turns', { modelTurnMs: -1 })).status).toBe(400);
	});
});

describe('MCP endpoint', () => {
	async function rpc(path: string, body: unknown) {
		return await call(bed.emu.url, path, {
			key: null,
			body,
			headers: { accept: 'application/json, text/event-stream' },
		});
	}

	it('initializes, lists and calls the tool of one fake server, charging toolCallMs', async () => {
		const init = await rpc('/mcp/gmail', {
			jsonrpc: '2.0',
			id: 1,
			method: 'initialize',
			params: {
				protocolVersion: '2025-06-18',
				capabilities: {},
				clientInfo: { name: 't', version: '1' },
			},
		});
		expect(init.status).toBe(200);
		expect(init.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
		expect(init.body.result).toMatchObject({
			protocolVersion: '2025-06-18',
			capabilities: { tools: {} },
		});
		expect(
			(await rpc('/mcp/gmail', { jsonrpc: '2.0', method: 'notifications/initialized' })).status,
		).toBe(202);

		const list = await rpc('/mcp/gmail', { jsonrpc: '2.0', id: 2, method: 'tools/list' });
		expect(list.body.result.tools.map((t: { name: string }) => t.name)).toEqual(['list_messages']);

		await admin(bed.emu.url, 'turns', { toolCallMs: 120 });
		const started = performance.now();
		const result = await rpc('/mcp/gmail', {
			jsonrpc: '2.0',
			id: 3,
			method: 'tools/call',
			params: { name: 'list_messages', arguments: { query: 'newer_than:1d' } },
		});
		expect(performance.now() - started).toBeGreaterThanOrEqual(120);
		const emails = JSON.parse(result.body.result.content[0].text);
		expect(emails).toHaveLength(3);
		expect(bed.emu.requests().map((e) => [e.path, e.mcpToolsRun])).toEqual([
			['/mcp/gmail', ['dedalus-labs/gmail:list_messages']],
		]);
	});

	it('refuses unknown servers, tools and methods', async () => {
		expect((await rpc('/mcp/nope', { jsonrpc: '2.0', id: 1, method: 'ping' })).status).toBe(404);
		const tool = await rpc('/mcp/gmail', {
			jsonrpc: '2.0',
			id: 1,
			method: 'tools/call',
			params: { name: 'x' },
		});
		expect(tool.body.error.code).toBe(-32602);
		const method = await rpc('/mcp/gmail', { jsonrpc: '2.0', id: 1, method: 'resources/list' });
		expect(method.body.error.code).toBe(-32601);
		expect((await call(bed.emu.url, '/mcp/gmail', { key: null })).status).toBe(405);
	});
});
