import { isPlainObject } from './http';
import type { McpServerDef } from './mcp';
import type { ChatRequest, ResponseFormat, ResponsesRequest } from './validation';

export interface McpToolResult {
	tool_name: string;
	server_name: string;
	arguments: Record<string, unknown>;
	is_error: boolean;
	duration_ms: number;
	result: unknown;
}

export interface McpServerError {
	message: string;
	code: string;
	recommendation: string;
}

export interface ChatReply {
	content: string;
	finishReason: 'stop' | 'length';
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
	toolResults: McpToolResult[];
	serverErrors: Record<string, McpServerError>;
}

export function tokens(chars: number): number {
	return Math.max(1, Math.ceil(chars / 4));
}

function lastUserText(req: ChatRequest): string {
	for (let i = req.messages.length - 1; i >= 0; i--) {
		if (req.messages[i].role === 'user') return req.messages[i].text;
	}
	return '';
}

function systemPrefix(text: string | undefined): string {
	if (!text) return '';
	const head = text.length > 40 ? text.slice(0, 40) : text;
	return `(system: ${head}) `;
}

/**
 * The "fake model": a pure function of the request and the tool results, so tests can assert
 * on exact text. MCP tools run once each, in the order the servers were listed.
 */
export function buildChatReply(req: ChatRequest, now: Date): ChatReply {
	const lastUser = lastUserText(req);
	const system = req.messages.find((m) => m.role === 'system' || m.role === 'developer');
	const toolResults: McpToolResult[] = [];
	const serverErrors: Record<string, McpServerError> = {};
	const sections: string[] = [];
	const seen = new Set<McpServerDef>();

	for (const sel of req.mcp) {
		if (!sel.server) {
			serverErrors[sel.label] = {
				message: 'MCP server not found',
				code: 'server_not_found',
				recommendation: 'Check the slug in the marketplace',
			};
			continue;
		}
		if (sel.server.connection && sel.credentialCheck?.status !== 'ok') {
			const missing = (sel.credentialCheck?.status ?? 'missing') === 'missing';
			serverErrors[sel.label] = missing
				? {
						message: `Credentials required for connection '${sel.server.connection}'`,
						code: 'credentials_required',
						recommendation:
							'Send an encrypted credential for this connection in mcp_servers[].credentials',
					}
				: {
						message: `Credentials for connection '${sel.server.connection}' could not be decrypted`,
						code: 'credentials_invalid',
						recommendation: 'Encrypt with the current key from the JWKS (use: enc)',
					};
			continue;
		}
		if (!req.automaticToolExecution || seen.has(sel.server)) continue;
		seen.add(sel.server);
		const run = sel.server.run({ lastUserMessage: lastUser, now });
		toolResults.push({
			tool_name: sel.server.tool,
			server_name: sel.server.slug,
			arguments: run.arguments,
			is_error: false,
			duration_ms: sel.server.durationMs,
			result: run.result,
		});
		sections.push(sel.server.summarize(run));
	}

	const text =
		systemPrefix(system?.text) +
		(sections.length ? sections.join('\n\n') : `Echo from ${req.model}: ${lastUser}`);
	let content = formatContent(text, req.responseFormat);
	let finishReason: 'stop' | 'length' = 'stop';
	const cut = firstStop(content, req.stop);
	if (cut >= 0) content = content.slice(0, cut);
	if (req.maxTokens !== undefined && content.length > req.maxTokens * 4) {
		content = content.slice(0, req.maxTokens * 4);
		finishReason = 'length';
	}

	let promptChars = 0;
	for (const m of req.messages) promptChars += m.text.length;
	const prompt = tokens(promptChars);
	const completion = tokens(content.length);
	return {
		content,
		finishReason,
		usage: {
			prompt_tokens: prompt,
			completion_tokens: completion,
			total_tokens: prompt + completion,
		},
		toolResults,
		serverErrors,
	};
}

function firstStop(content: string, stops: string[]): number {
	let best = -1;
	for (const s of stops) {
		const i = content.indexOf(s);
		if (i >= 0 && (best < 0 || i < best)) best = i;
	}
	return best;
}

function formatContent(text: string, format: ResponseFormat): string {
	if (format.type === 'json_object') return JSON.stringify({ reply: text });
	if (format.type === 'json_schema') {
		const value = fillSchema(format.schema, 'reply', text, 0);
		return JSON.stringify(isPlainObject(value) ? value : { reply: text });
	}
	return text;
}

function schemaType(schema: Record<string, unknown>): string | undefined {
	const t = schema.type;
	if (typeof t === 'string') return t;
	if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
	if (isPlainObject(schema.properties)) return 'object';
	if (schema.items !== undefined) return 'array';
	return undefined;
}

function plausibleString(key: string, schema: Record<string, unknown>, text: string): string {
	const k = key.toLowerCase();
	const format = typeof schema.format === 'string' ? schema.format : '';
	if (format === 'date-time' || /(^|_)(time|timestamp|datetime)$|_at$/.test(k))
		return '2025-01-15T09:30:00Z';
	if (format === 'date' || /date/.test(k)) return '2025-01-15';
	if (format === 'email' || /email/.test(k)) return 'alice.chen@example.com';
	if (format === 'uri' || format === 'url' || /url|link/.test(k)) return 'https://example.com/';
	if (/(^|_)id$/.test(k)) return `${k.replace(/_?id$/, '') || 'item'}_1`;
	if (/name|author|sender|from/.test(k)) return 'Alice Chen';
	if (/title|subject|heading/.test(k)) return 'Q3 report: final numbers';
	if (/lang/.test(k)) return 'en';
	return text;
}

/** Fills a JSON schema with plausible values by type: enough for structured-output plumbing tests. */
function fillSchema(schema: unknown, key: string, text: string, depth: number): unknown {
	if (!isPlainObject(schema) || depth > 6) return null;
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
	for (const alt of ['anyOf', 'oneOf', 'allOf'] as const) {
		const opts = schema[alt];
		if (Array.isArray(opts) && opts.length) {
			const pick = opts.find((o) => !(isPlainObject(o) && o.type === 'null')) ?? opts[0];
			return fillSchema(pick, key, text, depth + 1);
		}
	}
	switch (schemaType(schema)) {
		case 'object': {
			const out: Record<string, unknown> = {};
			const props = isPlainObject(schema.properties) ? schema.properties : {};
			for (const name of Object.keys(props))
				out[name] = fillSchema(props[name], name, text, depth + 1);
			return out;
		}
		case 'array':
			return [
				fillSchema(schema.items ?? { type: 'string' }, key.replace(/s$/, ''), text, depth + 1),
			];
		case 'string':
			return plausibleString(key, schema, text);
		case 'integer':
			return typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : 3;
		case 'number':
			return typeof schema.minimum === 'number' ? schema.minimum : 0.5;
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return text;
	}
}

export function chatCompletionBody(
	id: string,
	created: number,
	model: string,
	reply: ChatReply,
): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id,
		object: 'chat.completion',
		created,
		model,
		choices: [
			{
				index: 0,
				message: { role: 'assistant', content: reply.content },
				finish_reason: reply.finishReason,
				logprobs: null,
			},
		],
		usage: reply.usage,
	};
	addDedalusFields(out, reply);
	return out;
}

/**
 * Dedalus extras carry something or are `null`, as a FastAPI gateway sends an absent optional
 * field (the OpenAPI marks them nullable). Streams (sse.ts) leave them out instead.
 */
export function addDedalusFields(
	target: Record<string, unknown>,
	reply: ChatReply,
	absent: null | undefined = null,
): void {
	const has = reply.toolResults.length > 0;
	const errors = Object.keys(reply.serverErrors).length > 0;
	if (has || absent === null) {
		target.mcp_tool_results = has ? reply.toolResults : absent;
		target.tools_executed = has ? reply.toolResults.map((r) => r.tool_name) : absent;
	}
	if (errors || absent === null) target.mcp_server_errors = errors ? reply.serverErrors : absent;
}

export function responsesBody(
	ids: { response: string; message: string },
	createdAt: number,
	req: ResponsesRequest,
): Record<string, unknown> {
	let text = systemPrefix(req.instructions) + `Echo from ${req.model}: ${req.inputText}`;
	let truncated = false;
	if (req.maxOutputTokens !== undefined && text.length > req.maxOutputTokens * 4) {
		text = text.slice(0, req.maxOutputTokens * 4);
		truncated = true;
	}
	const input = tokens(req.inputChars + (req.instructions?.length ?? 0));
	const output = tokens(text.length);
	return {
		id: ids.response,
		object: 'response',
		created_at: createdAt,
		model: req.model,
		status: truncated ? 'incomplete' : 'completed',
		incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
		output: [
			{
				type: 'message',
				id: ids.message,
				role: 'assistant',
				status: truncated ? 'incomplete' : 'completed',
				content: [{ type: 'output_text', text, annotations: [] }],
			},
		],
		output_text: text,
		usage: { input_tokens: input, output_tokens: output, total_tokens: input + output },
	};
}
