import type { INodeProperties } from 'n8n-workflow';

import * as complete from './complete.operation';

export { complete };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['chat'] } },
		options: [
			{
				name: 'Complete',
				value: 'complete',
				action: 'Complete a chat with MCP tools',
				description: 'Send messages to a model that can use hosted MCP servers',
			},
		],
		default: 'complete',
	},
	...complete.description,
];
