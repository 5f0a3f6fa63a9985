import type { INodeProperties } from 'n8n-workflow';

import * as analyze from './analyze.operation';
import * as generate from './generate.operation';

export { analyze, generate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['image'] } },
		options: [
			{
				name: 'Analyze',
				value: 'analyze',
				action: 'Analyze an image',
				description:
					'Ask a model about images from binary fields or links, with MCP tools as in Chat → Complete',
			},
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate an image',
				description: 'Make images from a prompt; they come out as binary data',
			},
		],
		default: 'generate',
	},
	...analyze.description,
	...generate.description,
];
