import type { IDataObject, INode } from 'n8n-workflow';

import { clipText, isHttpUrl } from '../../../shared/transport';
import { parseMcpServers } from '../../../shared/mcp/servers';
import type { McpServerEntry } from '../../../shared/mcp/servers';
import {
	ItemInput,
	MODEL_ID_PATTERN,
	readModelId,
	readRequestOptions,
} from '../../../shared/parameters';

/**
 * Reads one parameter for one item, expressions resolved against that item.
 * In `execute()` this is `getNodeParameter(name, itemIndex)`; on the resume webhook it
 * evaluates the raw expression against the waiting node's input item (docs/architecture.md).
 */
export type ParameterSource = (name: string, itemIndex: number, fallback: unknown) => unknown;

/** OpenAI's content parts (docs/dedalus-api.md): text, an image by URL or data URI, a file. */
export type ContentPart =
	| { type: 'text'; text: string }
	| { type: 'image_url'; image_url: { url: string; detail?: string } }
	| { type: 'file'; file: { filename: string; file_data: string } };

export type ChatMessage = { role: string; content: string | ContentPart[] };

/** A file for the last user message: an input binary property, or an image link. */
export type Attachment =
	| { kind: 'binary'; property: string; accepts: 'image' | 'any' }
	| { kind: 'url'; url: string };

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'];

export interface CompletionOptions {
	temperature?: number;
	topP?: number;
	maxTokens?: number;
	maxTurns?: number;
	stop?: string[];
	seed?: number;
	user?: string;
	responseFormat?: 'text' | 'json_object' | 'json_schema';
	jsonSchema?: IDataObject;
	jsonSchemaName?: string;
	toolChoice?: 'auto' | 'none' | 'required';
	automaticToolExecution?: boolean;
	timeoutMs?: number;
	maxRetries?: number;
	maxResponseBytes?: number;
	metadata?: Record<string, string>;
	/** Models to try in order when the first fails: sent as the API's routing list. */
	fallbackModels?: string[];
	reasoningEffort?: string;
}

export interface CompletionParameters {
	model: string;
	messages: ChatMessage[];
	/** The `mcp_servers` wire form, before any credential is added. */
	mcpServers: McpServerEntry[];
	/** Whether the item's MCP servers get the secret of the selected MCP server credential. */
	useMcpCredential: boolean;
	simplifyOutput: boolean;
	options: CompletionOptions;
	/** Files for the last user message (Image → Analyze, Chat → Complete's Attachments). */
	attachments?: Attachment[];
	imageDetail?: string;
}

const ROLES = ['system', 'developer', 'user', 'assistant'];

function readMessages(
	input: ItemInput,
	read: (name: string, fallback: unknown) => unknown,
): ChatMessage[] {
	const inputType = read('inputType', 'prompt');
	if (inputType === 'messages') {
		const list = read('messages', {}) as { values?: unknown[] };
		return messageList(input, 'Messages', list.values ?? []);
	}
	if (inputType === 'json') {
		return messageList(
			input,
			'Messages (JSON)',
			input.json('Messages (JSON)', read('messagesJson', '')),
		);
	}
	const prompt = input.text('Prompt', read('prompt', ''), { required: true }) as string;
	const system = input.text('System Message', read('systemMessage', ''));
	return [
		...(system ? [{ role: 'system', content: system }] : []),
		{ role: 'user', content: prompt },
	];
}

/** A list of chat messages (Messages, Messages (JSON)), each with a known role and text. */
function messageList(input: ItemInput, field: string, value: unknown): ChatMessage[] {
	if (!Array.isArray(value) || value.length === 0)
		input.fail(field, 'must be a non-empty list of messages');
	return value.map((message: unknown, position) => {
		if (!message || typeof message !== 'object')
			input.fail(field, `has message ${position} that is not an object`);
		const { role, content } = message as IDataObject;
		if (typeof role !== 'string' || !ROLES.includes(role)) {
			input.fail(
				field,
				`has message ${position} with role ${JSON.stringify(role)}`,
				`Use one of: ${ROLES.join(', ')}.`,
			);
		}
		if (typeof content !== 'string' || content.trim() === '') {
			input.fail(field, `has message ${position} with empty or non-text content`);
		}
		return { role, content };
	});
}

function readOptions(input: ItemInput, raw: IDataObject): CompletionOptions {
	const options: CompletionOptions = {
		temperature: input.number('Temperature', raw.temperature, { min: 0, max: 2 }),
		topP: input.number('Top P', raw.topP, { min: 0, max: 1 }),
		maxTokens: input.number('Maximum Tokens', raw.maxTokens, { min: 1, integer: true }),
		maxTurns: input.number('Max Turns', raw.maxTurns, { min: 1, max: 100, integer: true }),
		seed: input.number('Seed', raw.seed, { integer: true }),
		user: input.text('User', raw.user),
		...readRequestOptions(input, raw),
	};
	const stop = input.text('Stop Sequences', raw.stop);
	if (stop) {
		options.stop = stop
			.split(/[\n,]/)
			.map((entry) => entry.trim())
			.filter((entry) => entry !== '');
		if (options.stop.length > 4) input.fail('Stop Sequences', 'has more than 4 entries');
	}
	if (raw.responseFormat !== undefined && raw.responseFormat !== 'text') {
		options.responseFormat = input.oneOf('Response Format', raw.responseFormat, [
			'json_object',
			'json_schema',
		]) as CompletionOptions['responseFormat'];
		if (raw.responseFormat === 'json_schema') {
			const schema = input.json('JSON Schema', raw.jsonSchema ?? '');
			if (!schema || typeof schema !== 'object' || Array.isArray(schema))
				input.fail('JSON Schema', 'must be a JSON object');
			options.jsonSchema = schema as IDataObject;
			options.jsonSchemaName = input.text('Schema Name', raw.jsonSchemaName) ?? 'response';
		}
	}
	if (raw.toolChoice !== undefined) {
		options.toolChoice = input.oneOf('Tool Choice', raw.toolChoice, [
			'auto',
			'none',
			'required',
		]) as CompletionOptions['toolChoice'];
	}
	const fallbacks = listOf(input.text('Fallback Models', raw.fallbackModels));
	if (fallbacks.length > 0) {
		options.fallbackModels = fallbacks.map((id) => {
			if (!new RegExp(MODEL_ID_PATTERN).test(id)) {
				input.fail('Fallback Models', `has "${id}", which is not a provider-prefixed model ID`);
			}
			return id;
		});
	}
	if (raw.reasoningEffort !== undefined && raw.reasoningEffort !== '') {
		options.reasoningEffort = input.oneOf(
			'Reasoning Effort',
			raw.reasoningEffort,
			REASONING_EFFORTS,
		);
	}
	if (raw.automaticToolExecution !== undefined)
		options.automaticToolExecution = Boolean(raw.automaticToolExecution);
	if (raw.metadata !== undefined && raw.metadata !== '') {
		const metadata = input.json('Metadata', raw.metadata);
		if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata))
			input.fail('Metadata', 'must be a JSON object');
		for (const [key, value] of Object.entries(metadata as IDataObject)) {
			if (typeof value !== 'string') input.fail('Metadata', `value of "${key}" must be text`);
		}
		options.metadata = metadata as Record<string, string>;
	}
	return options;
}

/** Entries of a list field: separated by commas or new lines, or a list from an expression. */
function listOf(value: unknown): string[] {
	const entries = Array.isArray(value) ? value.map(String) : String(value ?? '').split(/[\n,]/);
	return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/**
 * The files of one item: Image → Analyze's images (binary properties or links), or Chat →
 * Complete's Attachments option (binary properties: images and PDFs).
 */
function readAttachments(
	input: ItemInput,
	read: (name: string, fallback: unknown) => unknown,
	operation: unknown,
	rawOptions: IDataObject,
): Attachment[] {
	if (operation !== 'analyze') {
		return listOf(input.text('Attachments', rawOptions.attachments)).map((property) => ({
			kind: 'binary',
			property,
			accepts: 'any',
		}));
	}
	if (read('imageSource', 'binary') === 'url') {
		const urls = listOf(read('imageUrls', ''));
		if (urls.length === 0) input.fail('Image URLs', 'is empty');
		return urls.map((url) => {
			if (!isHttpUrl(url) || !url.startsWith('https://')) {
				input.fail('Image URLs', `has "${clipText(url, 100)}", which is not an https:// link`);
			}
			return { kind: 'url', url };
		});
	}
	const properties = listOf(read('binaryPropertyName', 'data'));
	if (properties.length === 0) input.fail('Input Binary Fields', 'is empty');
	return properties.map((property) => ({ kind: 'binary', property, accepts: 'image' }));
}

/** Reads and validates everything one completion needs. Throws a NodeOperationError naming the item and field. */
export function readCompletionParameters(
	node: INode,
	source: ParameterSource,
	itemIndex: number,
): CompletionParameters {
	const input = new ItemInput(node, itemIndex);
	const read = (name: string, fallback: unknown) => source(name, itemIndex, fallback);
	const model = readModelId(node, read('model', ''), itemIndex);
	const rawOptions = read('options', {});
	const options = (rawOptions && typeof rawOptions === 'object' ? rawOptions : {}) as IDataObject;
	const operation = read('operation', 'complete');
	const imageDetail =
		operation === 'analyze' && options.imageDetail !== undefined
			? input.oneOf('Image Detail', options.imageDetail, ['auto', 'low', 'high'])
			: undefined;
	return {
		model,
		messages: readMessages(input, read),
		attachments: readAttachments(input, read, operation, options),
		...(imageDetail !== undefined && imageDetail !== 'auto'
			? { imageDetail: imageDetail as string }
			: {}),
		mcpServers: parseMcpServers(read('mcpServers', ''), node, itemIndex),
		useMcpCredential: read('useMcpServerCredential', false) === true,
		simplifyOutput: read('simplifyOutput', true) !== false,
		options: readOptions(input, options),
	};
}
