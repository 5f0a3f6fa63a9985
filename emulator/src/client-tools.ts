import type { ServerResponse } from 'http';

import { addDedalusFields, tokens, type ChatReply } from './completion';
import { isPlainObject } from './http';
import { contentText } from './validation';

/**
 * Hybrid tools: a request may carry both `mcp_servers` (tools Dedalus runs itself) and `tools`
 * (the caller's own functions, e.g. an n8n AI Agent's tools). The fake model:
 * - first turn (no tool results after the last user message): runs the MCP tools on its side as
 *   always, then hands back a `tool_calls` message for every client tool the prompt calls for
 *   (its name, or a topic word of it, appears in the last user message), with the MCP summary as
 *   the message's content so the caller keeps it in its history;
 * - follow-up turn (tool results present): the answer joins the earlier assistant text and each
 *   tool's result. A caller that dropped that text (n8n's AI Agent 3.1 keeps only the tool_calls
 *   of a tool-calling turn) left the MCP results out of the history, so, like a real model that
 *   still needs them, the MCP tools run again (`rerunMcp`).
 * A prompt that calls for no client tool gets the ordinary reply.
 */

export interface ClientTool {
	name: string;
	parameters: Record<string, unknown>;
}

export interface ClientToolCall {
	id: string;
	name: string;
	arguments: string;
}

export interface ToolResultSeen {
	name: string;
	content: string;
}

export type ClientToolPlan =
	| { kind: 'none' }
	| { kind: 'call'; tools: ClientTool[] }
	| {
			kind: 'answer';
			earlier: string[];
			toolText: string;
			results: ToolResultSeen[];
			rerunMcp: boolean;
	  };

// Words that call for the fake MCP servers' tools when a caller exposes them as its own
// (n8n's MCP Client Tool against the emulator's MCP endpoint offers them under these names,
// prefixed with the tool node's name).
const TOPICS: Record<string, string[]> = {
	list_messages: ['email', 'emails', 'mail', 'inbox'],
	list_events: ['calendar', 'events', 'meetings'],
	search: ['search', 'web'],
};

function words(text: string): Set<string> {
	return new Set(
		text
			.toLowerCase()
			.split(/[^a-z0-9_]+/)
			.filter(Boolean),
	);
}

function callsFor(tool: ClientTool, userText: string): boolean {
	const lower = userText.toLowerCase();
	if (lower.includes(tool.name.toLowerCase())) return true;
	const said = words(userText);
	// n8n's MCP Client Tool prefixes the MCP tool's name with its node's (`Gmail_MCP_list_messages`).
	const topic = Object.keys(TOPICS).find(
		(name) => tool.name === name || tool.name.endsWith(`_${name}`),
	);
	return topic !== undefined && TOPICS[topic].some((w) => said.has(w));
}

export function readClientTools(body: Record<string, unknown>): ClientTool[] {
	if (!Array.isArray(body.tools)) return [];
	const out: ClientTool[] = [];
	for (const t of body.tools) {
		if (!isPlainObject(t) || !isPlainObject(t.function)) continue;
		const name = t.function.name;
		if (typeof name !== 'string' || !name) continue;
		out.push({
			name,
			parameters: isPlainObject(t.function.parameters) ? t.function.parameters : {},
		});
	}
	return out;
}

export function planClientTools(body: Record<string, unknown>): ClientToolPlan {
	const messages = Array.isArray(body.messages) ? body.messages.filter(isPlainObject) : [];
	let lastUser = -1;
	for (let i = messages.length - 1; i >= 0; i--) {
		if (messages[i].role === 'user') {
			lastUser = i;
			break;
		}
	}
	const after = messages.slice(lastUser + 1);
	const results = after.filter((m) => m.role === 'tool');
	if (results.length) {
		const names = new Map<string, string>();
		for (const m of after) {
			if (m.role !== 'assistant' || !Array.isArray(m.tool_calls)) continue;
			for (const c of m.tool_calls) {
				if (isPlainObject(c) && isPlainObject(c.function) && typeof c.id === 'string')
					names.set(c.id, String(c.function.name));
			}
		}
		const earlier = after
			.filter((m) => m.role === 'assistant')
			.map((m) => contentText(m.content))
			.filter(Boolean);
		const seen = results.map((m) => ({
			name: names.get(String(m.tool_call_id)) ?? String(m.tool_call_id ?? 'tool'),
			content: contentText(m.content),
		}));
		const lines = seen.map((r) => `- ${r.name}: ${r.content}`);
		return {
			kind: 'answer',
			earlier,
			toolText: `From your tools:\n${lines.join('\n')}`,
			results: seen,
			rerunMcp: earlier.length === 0,
		};
	}
	const tools = readClientTools(body);
	if (!tools.length || lastUser < 0) return { kind: 'none' };
	const userText = contentText(messages[lastUser].content);
	const wanted = tools.filter((t) => callsFor(t, userText));
	return wanted.length ? { kind: 'call', tools: wanted } : { kind: 'none' };
}

/** Plausible arguments from a JSON schema: strings get the user's words, so tools echo them. */
export function argumentsFor(tool: ClientTool, userText: string): string {
	const props = isPlainObject(tool.parameters.properties) ? tool.parameters.properties : {};
	const args: Record<string, unknown> = {};
	for (const [key, schema] of Object.entries(props)) {
		const type = isPlainObject(schema) ? schema.type : undefined;
		args[key] =
			type === 'number' || type === 'integer'
				? 1
				: type === 'boolean'
					? true
					: type === 'array'
						? []
						: type === 'object'
							? {}
							: userText;
	}
	return JSON.stringify(args);
}

export function lastUserText(body: Record<string, unknown>): string {
	const messages = Array.isArray(body.messages) ? body.messages.filter(isPlainObject) : [];
	for (let i = messages.length - 1; i >= 0; i--) {
		if (messages[i].role === 'user') return contentText(messages[i].content);
	}
	return '';
}

/**
 * The follow-up turn's reply: the earlier assistant text, or the MCP reply when it had to run
 * the MCP tools again (`mcp`), then the client tools' results.
 */
export function followUpReply(
	plan: Extract<ClientToolPlan, { kind: 'answer' }>,
	mcp: ChatReply | undefined,
	promptChars: number,
): ChatReply {
	const parts = mcp?.toolResults.length ? [mcp.content] : plan.earlier;
	const text = [...parts, plan.toolText].join('\n\n');
	const prompt = tokens(promptChars);
	const completion = tokens(text.length);
	return {
		content: text,
		finishReason: 'stop',
		usage: {
			prompt_tokens: prompt,
			completion_tokens: completion,
			total_tokens: prompt + completion,
		},
		toolResults: mcp?.toolResults ?? [],
		serverErrors: mcp?.serverErrors ?? {},
	};
}

/** The first turn's answer: the MCP summary as content, the client tools as tool_calls. */
export function toolCallsBody(
	id: string,
	created: number,
	model: string,
	reply: ChatReply,
	calls: ClientToolCall[],
): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id,
		object: 'chat.completion',
		created,
		model,
		choices: [
			{
				index: 0,
				message: {
					role: 'assistant',
					content: reply.toolResults.length ? reply.content : null,
					tool_calls: calls.map((c) => ({
						id: c.id,
						type: 'function',
						function: { name: c.name, arguments: c.arguments },
					})),
				},
				finish_reason: 'tool_calls',
				logprobs: null,
			},
		],
		usage: reply.usage,
	};
	addDedalusFields(out, reply);
	return out;
}

/** The same as an SSE stream, in one go (streaming callers accumulate tool-call deltas). */
export function writeToolCallsStream(
	res: ServerResponse,
	id: string,
	created: number,
	model: string,
	reply: ChatReply,
	calls: ClientToolCall[],
): void {
	const base = { id, object: 'chat.completion.chunk', created, model };
	res.writeHead(200, {
		'content-type': 'text/event-stream; charset=utf-8',
		'cache-control': 'no-cache',
	});
	const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
	send({
		...base,
		choices: [
			{
				index: 0,
				delta: { role: 'assistant', content: reply.toolResults.length ? reply.content : '' },
				finish_reason: null,
			},
		],
	});
	calls.forEach((c, index) =>
		send({
			...base,
			choices: [
				{
					index: 0,
					delta: {
						tool_calls: [
							{
								index,
								id: c.id,
								type: 'function',
								function: { name: c.name, arguments: c.arguments },
							},
						],
					},
					finish_reason: null,
				},
			],
		}),
	);
	const last: Record<string, unknown> = {
		...base,
		choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }],
		usage: reply.usage,
	};
	addDedalusFields(last, reply);
	send(last);
	res.end('data: [DONE]\n\n');
}
