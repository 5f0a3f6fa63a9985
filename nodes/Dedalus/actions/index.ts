import type { INodeProperties } from 'n8n-workflow';

import * as audio from './audio';
import * as chat from './chat';
import * as document from './document';
import * as embedding from './embedding';
import * as image from './image';
import * as model from './model';

export { router } from './router';

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Audio', value: 'audio' },
			{ name: 'Chat', value: 'chat' },
			{ name: 'Document', value: 'document' },
			{ name: 'Embedding', value: 'embedding' },
			{ name: 'Image', value: 'image' },
			{ name: 'Model', value: 'model' },
		],
		default: 'chat',
	},
	...chat.description,
	...model.description,
	...embedding.description,
	...image.description,
	...audio.description,
	...document.description,
];
