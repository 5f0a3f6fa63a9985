import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { AUDIO_FILES, BinaryInput, resultItem, uploadName } from '../../completion';
import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import type { InputFileInfo } from '../../completion';
import type { RequestOptions } from '../../../../shared/parameters';
import {
	DedalusClient,
	multipartBody,
	multipartBodyWrittenBy,
	transcriptionSchema,
} from '../../../../shared/transport';
import {
	binaryPropertyField,
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	timeoutOption,
} from '../../../../shared/descriptions';

const DEFAULT_TIMEOUT_MS = 300_000;
const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'];

/** Transcribe (in the spoken language) and Translate (into English) share fields and sending. */
function properties(operation: 'transcribe' | 'translate'): INodeProperties[] {
	const fields: INodeProperties[] = [
		modelLocatorWithDefault('openai/whisper-1'),
		binaryPropertyField('The audio file: mp3, mp4, mpeg, mpga, m4a, wav or webm, up to 25 MB'),
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				...(operation === 'transcribe'
					? [
							{
								displayName: 'Language',
								name: 'language',
								type: 'string' as const,
								default: '',
								placeholder: 'e.g. de',
								description: 'The spoken language as an ISO-639-1 code; helps accuracy and speed',
							},
						]
					: []),
				maxResponseSizeOption,
				maxRetriesOption,
				{
					displayName: 'Prompt',
					name: 'prompt',
					type: 'string',
					default: '',
					description: 'Text that guides the style or continues a previous segment',
				},
				{ ...timeoutOption, default: DEFAULT_TIMEOUT_MS },
				{
					displayName: 'Response Format',
					name: 'responseFormat',
					type: 'options',
					options: [
						{ name: 'JSON', value: 'json', description: 'The text' },
						{ name: 'SRT', value: 'srt', description: 'Subtitles, as text' },
						{ name: 'Text', value: 'text' },
						{
							name: 'Verbose JSON',
							value: 'verbose_json',
							description: 'The text with language, duration and segments',
						},
						{ name: 'VTT', value: 'vtt', description: 'Web subtitles, as text' },
					],
					default: 'json',
				},
				{
					displayName: 'Temperature',
					name: 'temperature',
					type: 'number',
					typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
					default: 0,
					description: 'Higher values give more varied output',
				},
			],
		},
	];
	return updateDisplayOptions({ show: { resource: ['audio'], operation: [operation] } }, fields);
}

export const transcribeDescription = properties('transcribe');
export const translateDescription = properties('translate');

interface Prepared {
	file: InputFileInfo;
	fields: Record<string, string | number | undefined>;
	responseFormat: string;
	request: RequestOptions;
}

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<Prepared> {
	const node = this.getNode();
	const input = new ItemInput(node, itemIndex);
	const operation = this.getNodeParameter('operation', 0) as string;
	const model = readModelId(node, this.getNodeParameter('model', itemIndex, ''), itemIndex);
	const property = input.text(
		'Input Binary Field',
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
		{ required: true },
	) as string;
	const raw = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const responseFormat = input.oneOf(
		'Response Format',
		raw.responseFormat ?? 'json',
		RESPONSE_FORMATS,
	);
	const language = operation === 'transcribe' ? input.text('Language', raw.language) : undefined;
	if (language !== undefined && !/^[a-z]{2}$/i.test(language.trim())) {
		input.fail('Language', `must be a two-letter ISO-639-1 code such as "de", not "${language}"`);
	}
	const fields = {
		model,
		language: language?.trim().toLowerCase(),
		prompt: input.text('Prompt', raw.prompt),
		response_format: responseFormat,
		temperature: input.number('Temperature', raw.temperature, { min: 0, max: 1 }),
	};
	const request = readRequestOptions(input, raw);
	const file = await new BinaryInput(this).check(itemIndex, property, AUDIO_FILES);
	return { file, fields, responseFormat, request };
}

export async function send(
	this: IExecuteFunctions,
	prepared: Prepared,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const path = operation === 'translate' ? '/v1/audio/translations' : '/v1/audio/transcriptions';
	const input = new BinaryInput(this);
	const part = {
		field: 'file',
		fileName: uploadName(prepared.file),
		mimeType: prepared.file.mimeType,
	};
	// The file is written straight into the body, so the body is its only whole copy; when n8n's
	// stored size was off, it is read as a whole (and checked again) and copied in.
	const upload =
		(await multipartBodyWrittenBy(prepared.fields, part, prepared.file.bytes, (target) =>
			input.readInto(prepared.file, target),
		)) ??
		multipartBody(prepared.fields, {
			...part,
			data: (await input.read(prepared.file, itemIndex)).data,
		});
	const request = {
		method: 'POST' as const,
		path,
		upload,
		itemIndex,
		...prepared.request,
		timeoutMs: prepared.request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
		signal: this.getExecutionCancelSignal(),
	};
	if (prepared.responseFormat === 'json' || prepared.responseFormat === 'verbose_json') {
		const answer = await client.request({ ...request, schema: transcriptionSchema });
		return [resultItem(answer as IDataObject, itemIndex)];
	}
	const text = await client.requestText({ ...request, accept: 'text/plain' });
	return [resultItem({ text }, itemIndex)];
}
