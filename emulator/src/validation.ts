import { isPlainObject } from './http';
import { parseMcpServers, type McpSelection } from './mcp';

/** One FastAPI/pydantic validation error, as found in a 422 `detail` list. */
export interface ValidationItem {
	loc: Array<string | number>;
	msg: string;
	type: string;
}

export interface ChatMessage {
	role: string;
	text: string;
}

export interface ResponseFormat {
	type: 'text' | 'json_object' | 'json_schema';
	schema?: unknown;
}

export interface ChatRequest {
	model: string;
	messages: ChatMessage[];
	mcp: McpSelection[];
	automaticToolExecution: boolean;
	maxTokens?: number;
	stop: string[];
	responseFormat: ResponseFormat;
	stream: boolean;
}

// The SDK's message union includes "developer" (OpenAI's newer name for system), so accept it.
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: ValidationItem[] };

/** Flattens OpenAI content (a string or a list of parts) into plain text. */
export function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) {
		let out = '';
		for (const part of content) {
			if (typeof part === 'string') out += part;
			else if (isPlainObject(part) && typeof part.text === 'string') out += part.text;
		}
		return out;
	}
	return '';
}

/** Model may be a string, a routing list (first wins) or `{ model, settings }`. */
export function resolveModel(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) return value.length ? resolveModel(value[0]) : undefined;
	if (isPlainObject(value) && typeof value.model === 'string') return value.model;
	return undefined;
}

export function positiveInt(
	body: Record<string, unknown>,
	field: string,
	errors: ValidationItem[],
): number | undefined {
	const v = body[field];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
		errors.push({
			loc: ['body', field],
			msg: 'Input should be a positive integer',
			type: 'int_type',
		});
		return undefined;
	}
	return v;
}

export function numberInRange(
	body: Record<string, unknown>,
	field: string,
	min: number,
	max: number,
	errors: ValidationItem[],
): void {
	const v = body[field];
	if (v === undefined || v === null) return;
	if (typeof v !== 'number' || Number.isNaN(v)) {
		errors.push({
			loc: ['body', field],
			msg: 'Input should be a valid number',
			type: 'float_type',
		});
	} else if (v < min) {
		errors.push({
			loc: ['body', field],
			msg: `Input should be greater than or equal to ${min}`,
			type: 'greater_than_equal',
		});
	} else if (v > max) {
		errors.push({
			loc: ['body', field],
			msg: `Input should be less than or equal to ${max}`,
			type: 'less_than_equal',
		});
	}
}

function parseMessages(value: unknown, errors: ValidationItem[]): ChatMessage[] {
	if (value === undefined || value === null) {
		errors.push({ loc: ['body', 'messages'], msg: 'Field required', type: 'missing' });
		return [];
	}
	if (!Array.isArray(value)) {
		errors.push({
			loc: ['body', 'messages'],
			msg: 'Input should be a valid list',
			type: 'list_type',
		});
		return [];
	}
	if (value.length === 0) {
		errors.push({
			loc: ['body', 'messages'],
			msg: 'List should have at least 1 item after validation, not 0',
			type: 'too_short',
		});
		return [];
	}
	const out: ChatMessage[] = [];
	value.forEach((m, i) => {
		if (!isPlainObject(m)) {
			errors.push({
				loc: ['body', 'messages', i],
				msg: 'Input should be a valid dictionary',
				type: 'dict_type',
			});
			return;
		}
		if (typeof m.role !== 'string' || !ROLES.has(m.role)) {
			errors.push({
				loc: ['body', 'messages', i, 'role'],
				msg: "Input should be 'system', 'developer', 'user', 'assistant' or 'tool'",
				type: 'literal_error',
			});
			return;
		}
		const c = m.content;
		const contentOk =
			typeof c === 'string' ||
			Array.isArray(c) ||
			((c === null || c === undefined) && m.role === 'assistant');
		if (!contentOk) {
			errors.push({
				loc: ['body', 'messages', i, 'content'],
				msg:
					c === undefined
						? 'Field required'
						: 'Input should be a valid string or list of content parts',
				type: c === undefined ? 'missing' : 'string_type',
			});
			return;
		}
		out.push({ role: m.role, text: contentText(c) });
	});
	return out;
}

function parseStop(value: unknown, errors: ValidationItem[]): string[] {
	if (value === undefined || value === null) return [];
	if (typeof value === 'string') return value ? [value] : [];
	if (Array.isArray(value) && value.every((s) => typeof s === 'string'))
		return (value as string[]).filter(Boolean);
	errors.push({
		loc: ['body', 'stop'],
		msg: 'Input should be a string or a list of strings',
		type: 'string_type',
	});
	return [];
}

function parseResponseFormat(value: unknown, errors: ValidationItem[]): ResponseFormat {
	if (value === undefined || value === null) return { type: 'text' };
	if (!isPlainObject(value) || typeof value.type !== 'string') {
		errors.push({
			loc: ['body', 'response_format'],
			msg: 'Input should be a valid dictionary with a type',
			type: 'dict_type',
		});
		return { type: 'text' };
	}
	if (value.type === 'text' || value.type === 'json_object') return { type: value.type };
	if (value.type === 'json_schema') {
		const js = value.json_schema;
		if (!isPlainObject(js) || typeof js.name !== 'string') {
			errors.push({
				loc: ['body', 'response_format', 'json_schema'],
				msg: 'Field required: json_schema.name',
				type: 'missing',
			});
			return { type: 'text' };
		}
		return { type: 'json_schema', schema: js.schema };
	}
	errors.push({
		loc: ['body', 'response_format', 'type'],
		msg: "Input should be 'text', 'json_object' or 'json_schema'",
		type: 'literal_error',
	});
	return { type: 'text' };
}

export function validateChat(body: Record<string, unknown>): Validated<ChatRequest> {
	const errors: ValidationItem[] = [];
	const model = resolveModel(body.model);
	if (body.model === undefined)
		errors.push({ loc: ['body', 'model'], msg: 'Field required', type: 'missing' });
	else if (model === undefined) {
		errors.push({
			loc: ['body', 'model'],
			msg: 'Input should be a string, a list of model ids or {model, settings}',
			type: 'model_type',
		});
	}
	const messages = parseMessages(body.messages, errors);
	numberInRange(body, 'temperature', 0, 2, errors);
	numberInRange(body, 'top_p', 0, 1, errors);
	const maxTokens = positiveInt(body, 'max_tokens', errors);
	const maxCompletionTokens = positiveInt(body, 'max_completion_tokens', errors);
	positiveInt(body, 'max_turns', errors);
	const stop = parseStop(body.stop, errors);
	const responseFormat = parseResponseFormat(body.response_format, errors);
	if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
		errors.push({
			loc: ['body', 'stream'],
			msg: 'Input should be a valid boolean',
			type: 'bool_type',
		});
	}
	const ate = body.automatic_tool_execution;
	if (ate !== undefined && ate !== null && typeof ate !== 'boolean') {
		errors.push({
			loc: ['body', 'automatic_tool_execution'],
			msg: 'Input should be a valid boolean',
			type: 'bool_type',
		});
	}
	if (body.metadata !== undefined && body.metadata !== null && !isPlainObject(body.metadata)) {
		errors.push({
			loc: ['body', 'metadata'],
			msg: 'Input should be a valid dictionary',
			type: 'dict_type',
		});
	}
	if (body.user !== undefined && body.user !== null && typeof body.user !== 'string') {
		errors.push({
			loc: ['body', 'user'],
			msg: 'Input should be a valid string',
			type: 'string_type',
		});
	}
	const mcp = parseMcpServers(body.mcp_servers);
	if (!mcp.ok) errors.push(...mcp.errors);
	if (errors.length) return { ok: false, errors };
	return {
		ok: true,
		value: {
			model: model!,
			messages,
			mcp: mcp.ok ? mcp.selections : [],
			automaticToolExecution: ate !== false,
			// When both are sent, the stricter limit wins, as with OpenAI.
			maxTokens:
				maxTokens !== undefined && maxCompletionTokens !== undefined
					? Math.min(maxTokens, maxCompletionTokens)
					: (maxCompletionTokens ?? maxTokens),
			stop,
			responseFormat,
			stream: body.stream === true,
		},
	};
}

export interface ResponsesRequest {
	model: string;
	instructions?: string;
	inputText: string;
	inputChars: number;
	maxOutputTokens?: number;
}

export function validateResponses(body: Record<string, unknown>): Validated<ResponsesRequest> {
	const errors: ValidationItem[] = [];
	const model = resolveModel(body.model);
	if (model === undefined) {
		errors.push({
			loc: ['body', 'model'],
			msg: body.model === undefined ? 'Field required' : 'Input should be a valid string',
			type: body.model === undefined ? 'missing' : 'string_type',
		});
	}
	let inputText = '';
	let inputChars = 0;
	const input = body.input;
	if (typeof input === 'string') {
		inputText = input;
		inputChars = input.length;
	} else if (Array.isArray(input) && input.length > 0) {
		input.forEach((item, i) => {
			if (!isPlainObject(item)) {
				errors.push({
					loc: ['body', 'input', i],
					msg: 'Input should be a valid dictionary',
					type: 'dict_type',
				});
				return;
			}
			const text = contentText(item.content);
			inputChars += text.length;
			if (item.role === undefined || item.role === 'user') inputText = text;
		});
	} else {
		errors.push({
			loc: ['body', 'input'],
			msg:
				input === undefined
					? 'Field required'
					: 'Input should be a string or a non-empty list of items',
			type: input === undefined ? 'missing' : 'string_type',
		});
	}
	const maxOutputTokens = positiveInt(body, 'max_output_tokens', errors);
	numberInRange(body, 'temperature', 0, 2, errors);
	if (errors.length) return { ok: false, errors };
	const instructions = typeof body.instructions === 'string' ? body.instructions : undefined;
	return {
		ok: true,
		value: { model: model!, instructions, inputText, inputChars, maxOutputTokens },
	};
}
