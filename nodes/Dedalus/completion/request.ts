import type { IDataObject } from 'n8n-workflow';

import type { CompletionParameters } from './parameters';

/** The one place a chat completion body is built, for the first send and for the send after consent. */
export function buildCompletionBody(parameters: CompletionParameters): IDataObject {
	const { options } = parameters;
	const body: IDataObject = {
		// The API's routing form: a list of models, tried in order (docs/dedalus-api.md).
		model: options.fallbackModels
			? [parameters.model, ...options.fallbackModels]
			: parameters.model,
		messages: parameters.messages,
	};
	if (parameters.mcpServers.length > 0) body.mcp_servers = parameters.mcpServers;
	const fields: IDataObject = {
		temperature: options.temperature,
		top_p: options.topP,
		max_tokens: options.maxTokens,
		max_turns: options.maxTurns,
		stop: options.stop,
		seed: options.seed,
		user: options.user,
		tool_choice: options.toolChoice,
		automatic_tool_execution: options.automaticToolExecution,
		metadata: options.metadata,
		reasoning_effort: options.reasoningEffort,
	};
	for (const [key, value] of Object.entries(fields)) {
		if (value !== undefined) body[key] = value;
	}
	if (options.responseFormat === 'json_object') {
		body.response_format = { type: 'json_object' };
	} else if (options.responseFormat === 'json_schema') {
		body.response_format = {
			type: 'json_schema',
			json_schema: { name: options.jsonSchemaName ?? 'response', schema: options.jsonSchema ?? {} },
		};
	}
	return body;
}
