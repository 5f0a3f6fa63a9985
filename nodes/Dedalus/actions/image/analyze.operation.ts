import { updateDisplayOptions } from 'n8n-workflow';
import type { INodeProperties } from 'n8n-workflow';

import { completionOptions, toolProperties } from '../chat/complete.operation';
import { modelLocator } from '../../../../shared/descriptions';

// A chat completion whose user message carries images: the same sending, MCP servers, consent
// pause and resume as Chat → Complete (completion/ reads the images: completion/attachments.ts).
export { execute } from '../chat/complete.operation';

const imageDetailOption: INodeProperties = {
	displayName: 'Image Detail',
	name: 'imageDetail',
	type: 'options',
	options: [
		{ name: 'Auto', value: 'auto' },
		{ name: 'High', value: 'high', description: 'Sharper reading, more tokens' },
		{ name: 'Low', value: 'low', description: 'Faster and cheaper' },
	],
	default: 'auto',
};

const properties: INodeProperties[] = [
	modelLocator,
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: "What's in this image?",
		required: true,
	},
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'Images from the input item' },
			{ name: 'URL', value: 'url', description: 'Public https links to images' },
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Fields',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data, photo',
		hint: 'The input binary fields containing the images (PNG, JPEG, GIF, WebP), separated by commas',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	{
		displayName: 'Image URLs',
		name: 'imageUrls',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/photo.jpg',
		description: 'Links to the images, separated by commas or new lines',
		displayOptions: { show: { imageSource: ['url'] } },
	},
	{
		displayName: 'System Message',
		name: 'systemMessage',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'e.g. You read receipts and answer with the total',
	},
	...toolProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			...completionOptions.filter((option) => option.name !== 'attachments'),
			imageDetailOption,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['image'], operation: ['analyze'] } },
	properties,
);
