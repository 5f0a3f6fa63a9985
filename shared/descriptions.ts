import type { INodeProperties } from 'n8n-workflow';

import { MODEL_ID_PATTERN } from './parameters';

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

/** The Model field with another default, for operations whose models are not chat models. */
export function modelLocatorWithDefault(id: string): INodeProperties {
	return {
		...modelLocator,
		default: { mode: 'id', value: id },
		modes: modelLocator.modes?.map((mode) =>
			mode.name === 'id' ? { ...mode, placeholder: `e.g. ${id}` } : mode,
		),
	};
}

/** The name of the input item's binary property that holds the file. */
export function binaryPropertyField(description: string): INodeProperties {
	return {
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		hint: 'The name of the input binary field containing the file',
		description,
	};
}

/** Where an output file goes on the item. */
export const outputBinaryField: INodeProperties = {
	displayName: 'Put Output File in Field',
	name: 'outputBinaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	hint: 'The name of the output binary field to put the file in',
};

/** The MCP Servers field of Chat → Complete and of the Dedalus Chat Model: one name, one parser (shared/mcp/servers.ts). */
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

// Request options every operation offers under Options (read by completion/parameters.ts readRequestOptions).

export const maxResponseSizeOption: INodeProperties = {
	displayName: 'Max Response Size',
	name: 'maxResponseSize',
	type: 'number',
	typeOptions: { minValue: 0.001, maxValue: 500, numberPrecision: 3 },
	default: 10,
	description:
		'Largest answer to accept, in MB. A larger one fails the item instead of filling memory.',
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 10 },
	default: 2,
	description:
		'How often to retry a request after a rate limit, a server error or a connection error',
};

export const timeoutOption: INodeProperties = {
	displayName: 'Request Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 2147483647 },
	default: 60000,
	description:
		'Milliseconds one attempt may take as a whole, from connecting to the last byte of the answer, before it is given up',
};
