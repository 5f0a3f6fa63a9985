import type { INodeProperties } from 'n8n-workflow';

import * as create from './create.operation';

export { create };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['embedding'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create embeddings',
				description: 'Turn text into vectors, one per item, sent in batches',
			},
		],
		default: 'create',
	},
	...create.description,
];
