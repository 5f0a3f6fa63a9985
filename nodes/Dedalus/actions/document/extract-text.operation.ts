import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { BinaryInput, DOCUMENT_FILES, resultItem } from '../../completion';
import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import type { InputFileInfo } from '../../completion';
import type { RequestOptions } from '../../../../shared/parameters';
import {
	isHttpUrl,
	jsonBodyWithFile,
	jsonBodyWrittenBy,
	ocrSchema,
} from '../../../../shared/transport';
import type { DedalusClient } from '../../../../shared/transport';
import {
	binaryPropertyField,
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	timeoutOption,
} from '../../../../shared/descriptions';

const DEFAULT_TIMEOUT_MS = 300_000;
const IMAGE_LINK = /\.(png|jpe?g|gif|webp|avif)$/i;

const properties: INodeProperties[] = [
	modelLocatorWithDefault('mistral/mistral-ocr-latest'),
	{
		displayName: 'Document Source',
		name: 'documentSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A PDF or image from the input item' },
			{ name: 'URL', value: 'url', description: 'A public https link to a PDF or image' },
		],
		default: 'binary',
	},
	{
		...binaryPropertyField('The PDF or image (PNG, JPEG, GIF, WebP, AVIF), up to 50 MB'),
		displayOptions: { show: { documentSource: ['binary'] } },
	},
	{
		displayName: 'Document URL',
		name: 'documentUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/invoice.pdf',
		displayOptions: { show: { documentSource: ['url'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			maxResponseSizeOption,
			maxRetriesOption,
			{ ...timeoutOption, default: DEFAULT_TIMEOUT_MS },
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['extractText'] } },
	properties,
);

interface Prepared {
	model: string;
	file?: InputFileInfo;
	url?: string;
	request: RequestOptions;
}

export async function prepare(this: IExecuteFunctions, itemIndex: number): Promise<Prepared> {
	const node = this.getNode();
	const input = new ItemInput(node, itemIndex);
	const model = readModelId(node, this.getNodeParameter('model', itemIndex, ''), itemIndex);
	const raw = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const request = readRequestOptions(input, raw);
	if (this.getNodeParameter('documentSource', itemIndex, 'binary') === 'url') {
		const url = (
			input.text('Document URL', this.getNodeParameter('documentUrl', itemIndex, ''), {
				required: true,
			}) as string
		).trim();
		if (!isHttpUrl(url) || !url.startsWith('https://')) {
			input.fail(
				'Document URL',
				'must be an https:// link',
				'Or choose Binary File as the source.',
			);
		}
		return { model, url, request };
	}
	const property = input.text(
		'Input Binary Field',
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
		{ required: true },
	) as string;
	const file = await new BinaryInput(this).check(itemIndex, property, DOCUMENT_FILES);
	return { model, file, request };
}

/**
 * The JSON body with the file's base64 written straight in from where n8n keeps the file, so the
 * body is the only whole copy (no Buffer of the file beside it); when n8n's stored size was off or
 * the inline base64 is not in n8n's plain form, the file is read as a whole (and checked again).
 */
async function fileBody(
	this: IExecuteFunctions,
	file: InputFileInfo,
	build: (dataUri: string) => object,
	itemIndex: number,
) {
	const input = new BinaryInput(this);
	return (
		(await jsonBodyWrittenBy(build, file.mimeType, file.bytes, (target) =>
			input.readBase64Into(file, target),
		)) ?? jsonBodyWithFile(build, await input.read(file, itemIndex))
	);
}

export async function send(
	this: IExecuteFunctions,
	prepared: Prepared,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	// The API takes the file inline as a data URI (docs/dedalus-api.md): one request per document.
	// Images go as image_url, PDFs as document_url (Mistral OCR's two document kinds).
	const isImage = prepared.file
		? prepared.file.mimeType.startsWith('image/')
		: IMAGE_LINK.test(new URL(prepared.url as string).pathname);
	const kind = isImage ? 'image_url' : 'document_url';
	const documentWith = (url: string) => ({
		model: prepared.model,
		document: { type: kind, [kind]: url },
	});
	const request = {
		method: 'POST' as const,
		path: '/v1/ocr',
		schema: ocrSchema,
		itemIndex,
		...prepared.request,
		timeoutMs: prepared.request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
		signal: this.getExecutionCancelSignal(),
	};
	const answer = prepared.file
		? await client.request({
				...request,
				upload: await fileBody.call(this, prepared.file, documentWith, itemIndex),
			})
		: await client.request({ ...request, body: documentWith(prepared.url as string) });
	const pages = [...answer.pages].sort((a, b) => a.index - b.index);
	return [
		resultItem(
			{
				text: pages.map((page) => page.markdown).join('\n\n'),
				pages: pages as IDataObject[],
				page_count: pages.length,
				model: answer.model ?? prepared.model,
				usage: (answer.usage ?? null) as IDataObject | null,
				...(prepared.file ? { file_name: prepared.file.fileName } : {}),
			},
			itemIndex,
		),
	];
}
