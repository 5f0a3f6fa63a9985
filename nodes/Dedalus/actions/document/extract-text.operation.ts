import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { BinaryInput, DOCUMENT_FILES, acceptedType, resultItem } from '../../completion';
import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import type { InputFileInfo } from '../../completion';
import type { RequestOptions } from '../../../../shared/parameters';
import {
	clipText,
	downloadFile,
	isHttpUrl,
	jsonBodyWithFile,
	jsonBodyWrittenBy,
	ocrSchema,
} from '../../../../shared/transport';
import type { DedalusClient, UploadBody } from '../../../../shared/transport';
import {
	binaryPropertyField,
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	timeoutOption,
} from '../../../../shared/descriptions';

const DEFAULT_TIMEOUT_MS = 300_000;

const properties: INodeProperties[] = [
	modelLocatorWithDefault('mistral/mistral-ocr-latest'),
	{
		displayName: 'Document Source',
		name: 'documentSource',
		type: 'options',
		options: [
			{ name: 'Binary File', value: 'binary', description: 'A PDF or image from the input item' },
			{
				name: 'URL',
				value: 'url',
				description: 'An https link to a PDF or image, which n8n downloads',
			},
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
		description:
			'Downloaded by n8n (without the Dedalus key, following no redirect) and sent to Dedalus as a file, so the link needs to work only from n8n. A PDF or image, up to 50 MB.',
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
		// Plain http passes here only for the Base URL's own address, which send() checks.
		if (!isHttpUrl(url)) {
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

export async function send(
	this: IExecuteFunctions,
	prepared: Prepared,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	// The API takes the file inline, PDFs and images alike, as a data URI in `document_url`, one
	// request per document. `type` is left out so the API's own default applies: the SDK declares
	// it as a free string and documents no value for it (docs/dedalus-api.md).
	const documentWith = (url: string) => ({
		model: prepared.model,
		document: { document_url: url },
	});
	const timeoutMs = prepared.request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const signal = this.getExecutionCancelSignal();
	const answer = await client.request({
		method: 'POST',
		path: '/v1/ocr',
		schema: ocrSchema,
		itemIndex,
		...prepared.request,
		timeoutMs,
		signal,
		upload: await documentBody.call(this, prepared, documentWith, itemIndex, client, {
			timeoutMs,
			signal,
		}),
	});
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

/**
 * The JSON body with the document inline, built as bytes with the base64 written straight in. A
 * binary input's base64 comes straight from where n8n keeps the file, so the body is its only
 * whole copy (no Buffer of the file beside it); when n8n's stored size was off or the inline base64
 * is not in n8n's plain form, the file is read as a whole (and checked again). A linked document
 * is downloaded first. Nothing of the file outlives this function: only the body stays while the
 * request is under way.
 */
async function documentBody(
	this: IExecuteFunctions,
	prepared: Prepared,
	build: (dataUri: string) => object,
	itemIndex: number,
	client: DedalusClient,
	options: { timeoutMs: number; signal?: AbortSignal },
): Promise<UploadBody> {
	const { file } = prepared;
	if (!file) {
		return jsonBodyWithFile(
			build,
			await downloadDocument(this, client, prepared.url as string, itemIndex, options),
		);
	}
	const input = new BinaryInput(this);
	return (
		(await jsonBodyWrittenBy(build, file.mimeType, file.bytes, (target) =>
			input.readBase64Into(file, target),
		)) ?? jsonBodyWithFile(build, await input.read(file, itemIndex))
	);
}

/**
 * The file behind Document URL, fetched by the node so that the request to Dedalus has only the
 * documented shape (a data URI: docs/dedalus-api.md) and links that only n8n can reach work. It
 * must pass the checks a binary input passes (DOCUMENT_FILES): its type by the answer's
 * Content-Type, or the link's extension when that says nothing; not empty; within the size limit.
 */
async function downloadDocument(
	context: IExecuteFunctions,
	client: DedalusClient,
	url: string,
	itemIndex: number,
	{ timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ mimeType: string; data: Buffer }> {
	const input: ItemInput = new ItemInput(context.getNode(), itemIndex);
	const rule = DOCUMENT_FILES;
	const { data, contentType } = await downloadFile(context, client, url, {
		itemIndex,
		timeoutMs,
		maxBytes: rule.maxBytes,
		signal,
		wording: {
			subject: `Document URL in item ${itemIndex}`,
			tooLargeHint: `Dedalus accepts ${rule.kind} of up to ${rule.maxBytes / 1024 / 1024} MB.`,
		},
	});
	const name = new URL(url).pathname.split('/').pop() ?? '';
	const mimeType = acceptedType(
		rule,
		contentType,
		name.includes('.') ? name.split('.').pop() : undefined,
	);
	if (!mimeType) {
		const declared = clipText((contentType ?? '').split(';')[0].trim(), 100);
		input.fail(
			'Document URL',
			`is ${declared || 'of unknown type'}, not ${rule.kind}`,
			`Accepted: ${rule.extensions.join(', ')} (by the Content-Type the link answers with, or by its extension when that is missing or application/octet-stream).`,
		);
	}
	if (data.length === 0) input.fail('Document URL', 'is an empty file');
	return { mimeType, data };
}
