import type { INodeProperties } from 'n8n-workflow';

import * as chat from './chat';
import * as model from './model';

export { router } from './router';

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Chat', value: 'chat' },
			{ name: 'Model', value: 'model' },
		],
		default: 'chat',
	},
	...chat.description,
	...model.description,
];
