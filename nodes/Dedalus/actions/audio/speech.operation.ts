import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import type { RequestOptions } from '../../../../shared/parameters';
import type { DedalusClient } from '../../../../shared/transport';
import {
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	outputBinaryField,
	timeoutOption,
} from '../../../../shared/descriptions';
import { fileItem } from '../files';

/** The speech endpoint reads at most this many characters (docs/dedalus-api.md). */
const MAX_INPUT_CHARACTERS = 4096;
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

const VOICES = [
	'alloy',
	'ash',
	'ballad',
	'coral',
	'echo',
	'fable',
	'nova',
	'onyx',
	'sage',
	'shimmer',
	'verse',
];

const FORMATS: Record<string, { mimeType: string; extension: string }> = {
	mp3: { mimeType: 'audio/mpeg', extension: 'mp3' },
	opus: { mimeType: 'audio/ogg', extension: 'opus' },
	aac: { mimeType: 'audio/aac', extension: 'aac' },
	flac: { mimeType: 'audio/flac', extension: 'flac' },
	wav: { mimeType: 'audio/wav', extension: 'wav' },
	pcm: { mimeType: 'audio/pcm', extension: 'pcm' },
};

const properties: INodeProperties[] = [
	modelLocatorWithDefault('openai/gpt-4o-mini-tts'),
	{
		displayName: 'Text',
		name: 'input',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		description: 'The text to speak, up to 4096 characters',
	},
	{
		displayName: 'Voice',
		name: 'voice',
		type: 'options',
		options: VOICES.map((voice) => ({
			name: voice.charAt(0).toUpperCase() + voice.slice(1),
			value: voice,
		})),
		default: 'alloy',
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
				name: 'responseFormat',
				type: 'options',
				options: [
					{ name: 'AAC', value: 'aac' },
					{ name: 'FLAC', value: 'flac' },
					{ name: 'MP3', value: 'mp3' },
					{ name: 'Opus', value: 'opus' },
					{ name: 'PCM', value: 'pcm' },
					{ name: 'WAV', value: 'wav' },
				],
				default: 'mp3',
			},
			{
				displayName: 'Instructions',
				name: 'instructions',
				type: 'string',
				default: '',
				placeholder: 'e.g. Speak calmly, like a news reader',
				description: 'How to speak, for models that take instructions',
			},
			maxResponseSizeOption,
			maxRetriesOption,
			timeoutOption,
			{
				displayName: 'Speed',
				name: 'speed',
				type: 'number',
				typeOptions: { minValue: 0.25, maxValue: 4, numberPrecision: 2 },
				default: 1,
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['audio'], operation: ['speech'] } },
	properties,
);

interface Prepared {
	body: IDataObject;
	format: string;
	field: string;
	request: RequestOptions;
}

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<Prepared> {
	const node = this.getNode();
	const input = new ItemInput(node, itemIndex);
	const model = readModelId(node, this.getNodeParameter('model', itemIndex, ''), itemIndex);
	const text = input.text('Text', this.getNodeParameter('input', itemIndex, ''), {
		required: true,
	}) as string;
	if (text.length > MAX_INPUT_CHARACTERS) {
		input.fail(
			'Text',
			`has ${text.length} characters, more than the ${MAX_INPUT_CHARACTERS} allowed`,
		);
	}
	const voice = input.oneOf(
		'Voice',
		this.getNodeParameter('voice', itemIndex, 'alloy'),
		VOICES,
		`Use one of: ${VOICES.join(', ')}.`,
	);
	const field = input.text(
		'Put Output File in Field',
		this.getNodeParameter('outputBinaryPropertyName', itemIndex, 'data'),
		{ required: true },
	) as string;
	const raw = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const format = input.oneOf('Format', raw.responseFormat ?? 'mp3', Object.keys(FORMATS));
	const body: IDataObject = { model, input: text, voice, response_format: format };
	const speed = input.number('Speed', raw.speed, { min: 0.25, max: 4 });
	if (speed !== undefined) body.speed = speed;
	const instructions = input.text('Instructions', raw.instructions);
	if (instructions !== undefined) body.instructions = instructions;
	return { body, format, field, request: readRequestOptions(input, raw) };
}

export async function send(
	this: IExecuteFunctions,
	prepared: Prepared,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	const { mimeType, extension } = FORMATS[prepared.format];
	const answer = await client.requestBinary({
		method: 'POST',
		path: '/v1/audio/speech',
		body: prepared.body,
		accept: mimeType,
		itemIndex,
		...prepared.request,
		maxResponseBytes: prepared.request.maxResponseBytes ?? DEFAULT_MAX_BYTES,
		signal: this.getExecutionCancelSignal(),
	});
	return [
		await fileItem(
			this,
			{
				model: prepared.body.model as string,
				voice: prepared.body.voice as string,
				format: prepared.format,
				bytes: answer.data.length,
			},
			{ field: prepared.field, data: answer.data, fileName: `speech.${extension}`, mimeType },
			itemIndex,
		),
	];
}
