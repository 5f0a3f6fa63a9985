import { NodeApiError, updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';

import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import type { RequestOptions } from '../../../../shared/parameters';
import { DedalusClient, downloadFile, imageListSchema } from '../../../../shared/transport';
import {
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	outputBinaryField,
	timeoutOption,
} from '../../../../shared/descriptions';
import { fileItem, imageTypeOf } from '../files';

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

const properties: INodeProperties[] = [
	modelLocatorWithDefault('openai/gpt-image-1'),
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. A watercolor lighthouse at dawn',
	},
	outputBinaryField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Format',
				name: 'outputFormat',
				type: 'options',
				options: [
					{ name: 'JPEG', value: 'jpeg' },
					{ name: 'PNG', value: 'png' },
					{ name: 'WebP', value: 'webp' },
				],
				default: 'png',
				description: 'File format of the images, for models that offer a choice',
			},
			maxResponseSizeOption,
			maxRetriesOption,
			{
				displayName: 'Number of Images',
				name: 'n',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10 },
				default: 1,
				description: 'How many images to make; each becomes an output item',
			},
			{
				displayName: 'Quality',
				name: 'quality',
				type: 'options',
				options: [
					{ name: 'Auto', value: 'auto' },
					{ name: 'HD', value: 'hd' },
					{ name: 'High', value: 'high' },
					{ name: 'Low', value: 'low' },
					{ name: 'Medium', value: 'medium' },
					{ name: 'Standard', value: 'standard' },
				],
				default: 'auto',
			},
			{
				displayName: 'Size',
				name: 'size',
				type: 'options',
				options: [
					{ name: '1024x1024', value: '1024x1024' },
					{ name: '1024x1536 (Portrait)', value: '1024x1536' },
					{ name: '1024x1792 (Portrait)', value: '1024x1792' },
					{ name: '1536x1024 (Landscape)', value: '1536x1024' },
					{ name: '1792x1024 (Landscape)', value: '1792x1024' },
					{ name: '256x256', value: '256x256' },
					{ name: '512x512', value: '512x512' },
					{ name: 'Auto', value: 'auto' },
				],
				default: 'auto',
			},
			{ ...timeoutOption, default: DEFAULT_TIMEOUT_MS },
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['image'], operation: ['generate'] } },
	properties,
);

interface Prepared {
	body: IDataObject;
	field: string;
	format?: string;
	request: RequestOptions;
}

const CHOICES: Record<string, string[]> = {
	outputFormat: ['png', 'jpeg', 'webp'],
	quality: ['auto', 'standard', 'hd', 'low', 'medium', 'high'],
	size: [
		'auto',
		'256x256',
		'512x512',
		'1024x1024',
		'1024x1536',
		'1536x1024',
		'1024x1792',
		'1792x1024',
	],
};

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<Prepared> {
	const node = this.getNode();
	const input = new ItemInput(node, itemIndex);
	const model = readModelId(node, this.getNodeParameter('model', itemIndex, ''), itemIndex);
	const prompt = input.text('Prompt', this.getNodeParameter('prompt', itemIndex, ''), {
		required: true,
	}) as string;
	const field = input.text(
		'Put Output File in Field',
		this.getNodeParameter('outputBinaryPropertyName', itemIndex, 'data'),
		{ required: true },
	) as string;
	const raw = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body: IDataObject = { model, prompt };
	const n = input.number('Number of Images', raw.n, { min: 1, max: 10, integer: true });
	if (n !== undefined) body.n = n;
	for (const [option, wire, label] of [
		['size', 'size', 'Size'],
		['quality', 'quality', 'Quality'],
		['outputFormat', 'output_format', 'Format'],
	] as const) {
		const value = raw[option];
		if (value === undefined || value === '') continue;
		input.oneOf(label, value, CHOICES[option]);
		// "auto" is each model's own default: leaving it out keeps models that lack the field working.
		if (value !== 'auto') body[wire] = value;
	}
	const request = readRequestOptions(input, raw);
	return { body, field, format: body.output_format as string | undefined, request };
}

export async function send(
	this: IExecuteFunctions,
	prepared: Prepared,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const signal = this.getExecutionCancelSignal();
	const timeoutMs = prepared.request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const maxBytes = prepared.request.maxResponseBytes ?? DEFAULT_MAX_BYTES;
	const answer = await client.request({
		method: 'POST',
		path: '/v1/images/generations',
		body: prepared.body,
		schema: imageListSchema,
		itemIndex,
		...prepared.request,
		timeoutMs,
		maxResponseBytes: maxBytes,
		signal,
	});
	if (answer.data.length === 0) {
		throw new NodeApiError(node, {} as JsonObject, {
			message: 'Dedalus returned no image',
			itemIndex,
		});
	}
	const output: INodeExecutionData[] = [];
	for (const [index, image] of answer.data.entries()) {
		let data: Buffer;
		let contentType: string | undefined;
		if (image.b64_json) {
			data = Buffer.from(image.b64_json, 'base64');
		} else if (image.url) {
			({ data, contentType } = await downloadFile(this, client, image.url, {
				itemIndex,
				timeoutMs,
				maxBytes,
				signal,
				wording: {
					subject: 'The file Dedalus linked to',
					tooLargeHint: 'Raise Max Response Size in the options if such a large image is expected.',
				},
			}));
		} else {
			throw new NodeApiError(node, {} as JsonObject, {
				message: `Dedalus returned image ${index} with neither data nor a link`,
				itemIndex,
			});
		}
		const mimeType = imageTypeOf(data, contentType, prepared.format);
		const extension = mimeType.split('/')[1] === 'jpeg' ? 'jpg' : mimeType.split('/')[1];
		output.push(
			await fileItem(
				this,
				{
					revised_prompt: image.revised_prompt ?? null,
					index,
					model: prepared.body.model as string,
					...(answer.created ? { created: answer.created } : {}),
				},
				{
					field: prepared.field,
					data,
					fileName: `image${answer.data.length > 1 ? `-${index + 1}` : ''}.${extension}`,
					mimeType,
				},
				itemIndex,
			),
		);
	}
	return output;
}
