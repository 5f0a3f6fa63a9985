import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { parseMcpServers } from '../../../../shared/mcp/servers';
import { readCompletionParameters } from '../../../../nodes/Dedalus/completion/parameters';
import type { ParameterSource } from '../../../../nodes/Dedalus/completion/parameters';
import { buildCompletionBody } from '../../../../nodes/Dedalus/completion/request';

const node: INode = {
	id: 'n1',
	name: 'Dedalus',
	type: 'dedalus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function source(values: Record<string, unknown>): ParameterSource {
	return (name, _itemIndex, fallback) => (name in values ? values[name] : fallback);
}

const base = { model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' }, prompt: 'Hello' };

function read(values: Record<string, unknown>, itemIndex = 0) {
	return readCompletionParameters(node, source({ ...base, ...values }), itemIndex);
}

function errorOf(fn: () => unknown): NodeOperationError {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(NodeOperationError);
		return error as NodeOperationError;
	}
	throw new Error('expected an error');
}

describe('MCP servers field', () => {
	it('splits on commas and new lines, trims, drops empties and duplicates', () => {
		expect(
			parseMcpServers(' a/b, c-d/e_f@1.2.0\n\nhttps://mcp.example.com/x , a/b', node, 0),
		).toEqual(['a/b', { slug: 'c-d/e_f', version: '1.2.0' }, 'https://mcp.example.com/x']);
	});

	it('sends a pinned version in object form, as the newest SDK does', () => {
		expect(parseMcpServers('owner/name@1.2.0, owner/name@1.2.0, owner/name', node, 0)).toEqual([
			{ slug: 'owner/name', version: '1.2.0' },
			'owner/name',
		]);
	});

	it('accepts an array from an expression and treats empty as none', () => {
		expect(parseMcpServers(['a/b', 'https://h.example/mcp'], node, 0)).toEqual([
			'a/b',
			'https://h.example/mcp',
		]);
		expect(parseMcpServers('', node, 0)).toEqual([]);
		expect(parseMcpServers(undefined, node, 0)).toEqual([]);
		expect(parseMcpServers(' , \n', node, 0)).toEqual([]);
	});

	it.each([
		['gmail', 'no owner'],
		['owner/name/extra', 'too many parts'],
		['http://mcp.example.com', 'plain http'],
		['ftp://x.example', 'other scheme'],
		['owner/na me', 'space'],
		['javascript:alert(1)', 'script URL'],
	])('rejects %s (%s) naming the item and the entry', (entry) => {
		const error = errorOf(() => parseMcpServers(`a/b, ${entry}`, node, 3));
		expect(error.message).toContain('MCP Servers in item 3');
		expect(error.message).toContain(entry.trim());
		expect(error.context.itemIndex).toBe(3);
	});

	it('rejects non-text entries and values', () => {
		expect(errorOf(() => parseMcpServers(['a/b', 42], node, 1)).message).toContain('not text');
		expect(errorOf(() => parseMcpServers({ a: 1 }, node, 1)).message).toContain(
			'must be text or a list',
		);
	});
});

describe('completion parameters', () => {
	it('builds a prompt conversation with an optional system message', () => {
		expect(read({ systemMessage: 'Be brief' }).messages).toEqual([
			{ role: 'system', content: 'Be brief' },
			{ role: 'user', content: 'Hello' },
		]);
		expect(read({}).messages).toEqual([{ role: 'user', content: 'Hello' }]);
	});

	it('reads the model from a resource locator or a plain string', () => {
		expect(read({}).model).toBe('openai/gpt-4.1');
		expect(read({ model: ' anthropic/claude-sonnet-4 ' }).model).toBe('anthropic/claude-sonnet-4');
	});

	it('takes a message list and JSON messages, from text or from an expression result', () => {
		const messages = [
			{ role: 'system', content: 'S' },
			{ role: 'user', content: 'U' },
		];
		expect(read({ inputType: 'messages', messages: { values: messages } }).messages).toEqual(
			messages,
		);
		expect(read({ inputType: 'json', messagesJson: JSON.stringify(messages) }).messages).toEqual(
			messages,
		);
		expect(read({ inputType: 'json', messagesJson: messages }).messages).toEqual(messages);
	});

	it.each([
		[{ prompt: '' }, 'Prompt in item 2 is empty'],
		[{ prompt: '   ' }, 'Prompt in item 2 is empty'],
		[{ model: '' }, 'Model in item 2 is empty'],
		[{ model: 'gpt-4.1' }, 'Model in item 2 "gpt-4.1" is not a provider-prefixed model ID'],
		[{ inputType: 'json', messagesJson: '[{' }, 'Messages (JSON) in item 2 is not valid JSON'],
		[
			{ inputType: 'json', messagesJson: '[]' },
			'Messages (JSON) in item 2 must be a non-empty list',
		],
		[{ inputType: 'json', messagesJson: '[{"role":"robot","content":"x"}]' }, 'with role "robot"'],
		[
			{ inputType: 'messages', messages: { values: [{ role: 'user', content: '' }] } },
			'Messages in item 2 has message 0 with empty',
		],
		[{ options: { temperature: 3 } }, 'Temperature in item 2 must be at most 2, not 3'],
		[{ options: { temperature: 'hot' } }, 'Temperature in item 2 must be a number'],
		[{ options: { topP: -0.1 } }, 'Top P in item 2 must be at least 0'],
		[{ options: { maxTokens: 1.5 } }, 'Maximum Tokens in item 2 must be a whole number'],
		[{ options: { maxTurns: 0 } }, 'Max Turns in item 2 must be at least 1'],
		[{ options: { maxRetries: 11 } }, 'Max Retries in item 2 must be at most 10'],
		[{ options: { timeout: 0 } }, 'Timeout in item 2 must be at least 1'],
		[{ options: { stop: 'a,b,c,d,e' } }, 'Stop Sequences in item 2 has more than 4 entries'],
		[
			{ options: { responseFormat: 'json_schema', jsonSchema: '[1]' } },
			'JSON Schema in item 2 must be a JSON object',
		],
		[{ options: { responseFormat: 'yaml' } }, 'Response Format in item 2 has an unknown value'],
		[{ options: { toolChoice: 'sometimes' } }, 'Tool Choice in item 2 has an unknown value'],
		[{ options: { metadata: '{"a": 1}' } }, 'Metadata in item 2 value of "a" must be text'],
		[{ options: { metadata: 'nope' } }, 'Metadata in item 2 is not valid JSON'],
		[{ mcpServers: 'gmail' }, 'MCP Servers in item 2 has an invalid entry "gmail"'],
	])('rejects %j with a message naming the item and field', (values, message) => {
		const error = errorOf(() => read(values, 2));
		expect(error.message).toContain(message);
		expect(error.context.itemIndex).toBe(2);
	});
});

describe('request body', () => {
	it('maps every option to the API field and leaves unset ones out', () => {
		const body = buildCompletionBody(
			read({
				systemMessage: 'S',
				mcpServers: 'dedalus-labs/gmail',
				options: {
					temperature: 0.2,
					topP: 0.9,
					maxTokens: 100,
					maxTurns: 3,
					stop: 'END, STOP',
					seed: 7,
					user: 'u-1',
					responseFormat: 'json_schema',
					jsonSchema: '{"type":"object","properties":{"a":{"type":"string"}}}',
					jsonSchemaName: 'answer',
					toolChoice: 'required',
					automaticToolExecution: false,
					metadata: '{"team":"ops"}',
					timeout: 5000,
					maxRetries: 1,
				},
			}),
		);
		expect(body).toEqual({
			model: 'openai/gpt-4.1',
			messages: [
				{ role: 'system', content: 'S' },
				{ role: 'user', content: 'Hello' },
			],
			mcp_servers: ['dedalus-labs/gmail'],
			temperature: 0.2,
			top_p: 0.9,
			max_tokens: 100,
			max_turns: 3,
			stop: ['END', 'STOP'],
			seed: 7,
			user: 'u-1',
			tool_choice: 'required',
			automatic_tool_execution: false,
			metadata: { team: 'ops' },
			response_format: {
				type: 'json_schema',
				json_schema: {
					name: 'answer',
					schema: { type: 'object', properties: { a: { type: 'string' } } },
				},
			},
		});
	});

	it('sends only model and messages by default', () => {
		expect(buildCompletionBody(read({}))).toEqual({
			model: 'openai/gpt-4.1',
			messages: [{ role: 'user', content: 'Hello' }],
		});
		expect(
			buildCompletionBody(read({ options: { responseFormat: 'json_object' } })).response_format,
		).toEqual({
			type: 'json_object',
		});
	});
});
