import type { INodeProperties } from 'n8n-workflow';

import * as extractText from './extract-text.operation';

export { extractText };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['document'] } },
		options: [
			{
				name: 'Extract Text (OCR)',
				value: 'extractText',
				action: 'Extract text from a document',
				description: 'Read a PDF or an image into markdown, page by page',
			},
		],
		default: 'extractText',
	},
	...extractText.description,
];
