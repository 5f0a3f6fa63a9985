import type { INodeProperties } from 'n8n-workflow';

import { MODEL_ID_PATTERN } from '../completion';

export const modelLocator: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'resourceLocator',
	default: { mode: 'list', value: 'openai/gpt-4.1' },
	required: true,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a model...',
			typeOptions: { searchListMethod: 'searchModels', searchable: true },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. openai/gpt-4.1',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: MODEL_ID_PATTERN,
						errorMessage: 'Use a provider-prefixed ID such as openai/gpt-4.1',
					},
				},
			],
		},
	],
};

/** The MCP Servers field of Chat → Complete and of the Dedalus Chat Model: one name, one parser (completion/mcp-servers.ts). */
export function mcpServersProperty(description: string): INodeProperties {
	return {
		displayName: 'MCP Servers',
		name: 'mcpServers',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. dedalus-labs/brave-search, dedalus-labs/gmail',
		description,
	};
}
