import { randomUUID } from 'node:crypto';

import { isPlainObject, parseJsonBody, readBody, sendJson, sleep } from './http';
import type { RequestLogEntry } from './log';
import { findServer, type McpServerDef } from './mcp';
import type { RouteContext } from './server';

/**
 * The fake MCP servers as real MCP endpoints, so an MCP client (n8n's MCP Client Tool) can call
 * the same tools the gateway runs on its side: `/mcp/<name>` for `dedalus-labs/<name>`, MCP's
 * streamable HTTP transport answering JSON (no SSE stream): `initialize`, `tools/list`,
 * `tools/call`, `ping`, notifications. A tool call costs the same `toolCallMs` as a server-side
 * call (turns.ts) and is logged like one (`mcpToolsRun`). No auth and no consent: the caller is
 * the MCP server's own client here, not the gateway.
 */

const TOOL_SCHEMAS: Record<string, { description: string; inputSchema: Record<string, unknown> }> =
	{
		list_messages: {
			description: "Lists the user's recent Gmail messages (sender, subject, snippet, date).",
			inputSchema: {
				type: 'object',
				properties: { query: { type: 'string', description: 'Gmail search, e.g. newer_than:1d' } },
			},
		},
		list_events: {
			description: "Lists the events of the user's Google Calendar for a day.",
			inputSchema: {
				type: 'object',
				properties: {
					calendar_id: { type: 'string' },
					time_min: { type: 'string' },
					time_max: { type: 'string' },
				},
			},
		},
		search: {
			description: 'Searches the web (Brave Search) and returns the top results.',
			inputSchema: {
				type: 'object',
				properties: { query: { type: 'string' } },
				required: ['query'],
			},
		},
	};

interface JsonRpcRequest {
	jsonrpc?: unknown;
	id?: unknown;
	method?: unknown;
	params?: unknown;
}

function rpcError(id: unknown, code: number, message: string) {
	return { jsonrpc: '2.0', id: id ?? null, error: { code, message } };
}

export async function handleMcpEndpoint(ctx: RouteContext): Promise<void> {
	const { req, res } = ctx;
	const name = ctx.path.slice('/mcp/'.length).replace(/\/+$/, '');
	const server = /^[A-Za-z0-9_-]+$/.test(name) ? findServer(`dedalus-labs/${name}`) : undefined;
	if (!server) return sendJson(res, 404, { detail: 'No such MCP server' });
	if (req.method === 'DELETE') return sendJson(res, 200, {});
	if (req.method !== 'POST') {
		// No server-to-client SSE stream: the transport then works by POSTs alone.
		res.writeHead(405, { allow: 'POST, DELETE' });
		res.end();
		return;
	}
	let body: unknown;
	try {
		body = parseJsonBody(await readBody(req));
	} catch {
		return sendJson(res, 400, rpcError(null, -32700, 'Parse error'));
	}
	const batch = Array.isArray(body);
	const messages = (batch ? body : [body]) as unknown[];
	const answers: unknown[] = [];
	let sessionId: string | undefined;
	for (const message of messages) {
		if (!isPlainObject(message) || typeof message.method !== 'string') {
			answers.push(rpcError(isPlainObject(message) ? message.id : null, -32600, 'Invalid request'));
			continue;
		}
		const rpc = message as JsonRpcRequest;
		if (rpc.id === undefined) continue; // a notification: nothing to answer
		if (rpc.method === 'initialize') sessionId = randomUUID();
		answers.push(await answer(ctx, server, rpc));
	}
	const headers: Record<string, string> = sessionId ? { 'mcp-session-id': sessionId } : {};
	if (!answers.length) {
		res.writeHead(202, headers);
		res.end();
		return;
	}
	sendJson(res, 200, batch ? answers : answers[0], headers);
}

async function answer(
	ctx: RouteContext,
	server: McpServerDef,
	rpc: JsonRpcRequest,
): Promise<unknown> {
	const params = isPlainObject(rpc.params) ? rpc.params : {};
	const ok = (result: unknown) => ({ jsonrpc: '2.0', id: rpc.id, result });
	switch (rpc.method) {
		case 'initialize':
			return ok({
				protocolVersion:
					typeof params.protocolVersion === 'string' ? params.protocolVersion : '2025-03-26',
				capabilities: { tools: { listChanged: false } },
				serverInfo: { name: server.slug, version: '1.0.0' },
			});
		case 'ping':
			return ok({});
		case 'tools/list':
			return ok({
				tools: [
					{
						name: server.tool,
						...(TOOL_SCHEMAS[server.tool] ?? { inputSchema: { type: 'object' } }),
					},
				],
			});
		case 'tools/call':
			return await callTool(ctx, server, rpc, params);
		default:
			return rpcError(rpc.id, -32601, `Method not found: ${String(rpc.method)}`);
	}
}

async function callTool(
	ctx: RouteContext,
	server: McpServerDef,
	rpc: JsonRpcRequest,
	params: Record<string, unknown>,
): Promise<unknown> {
	const { state } = ctx;
	if (params.name !== server.tool) {
		return rpcError(rpc.id, -32602, `Unknown tool: ${String(params.name)}`);
	}
	const started = performance.now();
	const args = isPlainObject(params.arguments) ? params.arguments : {};
	const query = typeof args.query === 'string' ? args.query : '';
	const run = server.run({ lastUserMessage: query, now: new Date() });
	if (state.toolCallMs > 0) await sleep(state.toolCallMs);
	const entry: RequestLogEntry = {
		seq: state.log.nextSeq(),
		time: new Date().toISOString(),
		method: 'POST',
		path: ctx.path,
		status: 200,
		keyId: null,
		hasProvider: false,
		hasProviderKey: false,
		durationMs: Math.round(performance.now() - started),
		mcpToolsRun: [`${server.slug}:${server.tool}`],
	};
	state.log.push(entry);
	return {
		jsonrpc: '2.0',
		id: rpc.id,
		result: { content: [{ type: 'text', text: JSON.stringify(run.result) }], isError: false },
	};
}
