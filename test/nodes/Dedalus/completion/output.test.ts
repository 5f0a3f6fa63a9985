import { completionOutput, mcpServerErrorHints } from '../../../../nodes/Dedalus/completion/output';
import type { CompletionParameters } from '../../../../nodes/Dedalus/completion/parameters';
import { chatCompletionSchema } from '../../../../shared/transport';

const parameters: CompletionParameters = {
	model: 'openai/gpt-4.1',
	messages: [{ role: 'user', content: 'hi' }],
	mcpServers: [],
	useMcpCredential: false,
	simplifyOutput: true,
	options: {},
};

const full = chatCompletionSchema.parse({
	id: 'chatcmpl-1',
	object: 'chat.completion',
	created: 1,
	model: 'openai/gpt-4.1',
	choices: [{ index: 0, message: { role: 'assistant', content: 'Answer' }, finish_reason: 'stop' }],
	usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
	mcp_tool_results: [
		{
			tool_name: 'search',
			server_name: 'dedalus-labs/brave-search',
			arguments: { query: 'x' },
			is_error: false,
			duration_ms: 12,
			result: [1],
		},
	],
	tools_executed: ['search'],
	mcp_server_errors: {
		'a/b': { message: 'MCP server not found', recommendation: 'Check the slug' },
	},
	correlation_id: 'corr-1',
});

describe('output shaping', () => {
	it('simplifies to the documented fields', () => {
		expect(completionOutput(full, parameters)).toEqual({
			content: 'Answer',
			mcp_tool_results: [
				{
					tool_name: 'search',
					server_name: 'dedalus-labs/brave-search',
					arguments: { query: 'x' },
					is_error: false,
					duration_ms: 12,
					result: [1],
				},
			],
			tools_executed: ['search'],
			mcp_server_errors: {
				'a/b': { message: 'MCP server not found', recommendation: 'Check the slug' },
			},
			model: 'openai/gpt-4.1',
			usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
			finish_reason: 'stop',
		});
	});

	it('returns the whole response, unknown fields included, when simplify is off', () => {
		expect(completionOutput(full, { ...parameters, simplifyOutput: false })).toMatchObject({
			id: 'chatcmpl-1',
			correlation_id: 'corr-1',
		});
	});

	it('treats every Dedalus field as optional', () => {
		const bare = chatCompletionSchema.parse({ choices: [{ message: { content: null } }] });
		expect(completionOutput(bare, parameters)).toEqual({
			content: '',
			mcp_tool_results: [],
			tools_executed: [],
			mcp_server_errors: {},
			model: 'openai/gpt-4.1',
			usage: {},
			finish_reason: null,
		});
	});

	it('parses JSON answers when a JSON response format was asked for, and keeps text otherwise', () => {
		const json = chatCompletionSchema.parse({ choices: [{ message: { content: '{"a":1}' } }] });
		expect(
			completionOutput(json, { ...parameters, options: { responseFormat: 'json_object' } }).content,
		).toEqual({ a: 1 });
		expect(completionOutput(json, parameters).content).toBe('{"a":1}');
		const broken = chatCompletionSchema.parse({ choices: [{ message: { content: 'not json' } }] });
		expect(
			completionOutput(broken, { ...parameters, options: { responseFormat: 'json_object' } })
				.content,
		).toBe('not json');
	});

	it('turns MCP server errors into readable hints', () => {
		expect(mcpServerErrorHints(full)).toEqual([
			'MCP server "a/b" failed: MCP server not found (Check the slug)',
		]);
	});
});
