import type { IDataObject } from 'n8n-workflow';

import { parseIfString } from '../../../shared/transport';
import type { ChatCompletion } from '../../../shared/transport';
import type { CompletionParameters } from './parameters';

function content(response: ChatCompletion, parameters: CompletionParameters): unknown {
	const text = response.choices[0].message.content ?? '';
	if (parameters.options.responseFormat) {
		// As n8n's OpenAI node does for JSON output: hand the workflow an object, not a string to parse.
		const json = parseIfString(text);
		return json ? json.value : text;
	}
	return text;
}

/** The output item of one completed request. */
export function completionOutput(
	response: ChatCompletion,
	parameters: CompletionParameters,
): IDataObject {
	if (!parameters.simplifyOutput) return response as IDataObject;
	return {
		content: content(response, parameters) as IDataObject | string,
		mcp_tool_results: (response.mcp_tool_results ?? []) as IDataObject[],
		tools_executed: response.tools_executed ?? [],
		mcp_server_errors: (response.mcp_server_errors ?? {}) as IDataObject,
		model: response.model ?? parameters.model,
		usage: (response.usage ?? {}) as IDataObject,
		finish_reason: response.choices[0].finish_reason ?? null,
	};
}

/** Readable lines for each MCP server that failed inside an otherwise successful response. */
export function mcpServerErrorHints(response: ChatCompletion): string[] {
	return Object.entries(response.mcp_server_errors ?? {}).map(
		([server, error]) =>
			`MCP server "${server}" failed: ${error.message}${error.recommendation ? ` (${error.recommendation})` : ''}`,
	);
}
