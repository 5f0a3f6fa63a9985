import { NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';

import { Base64Writer } from '../../../shared/transport';
import type { DedalusContext } from '../../../shared/transport';

/** What an endpoint accepts as a file: the MIME types (or `type/*` families) and the largest size. */
export interface FileRule {
	/** Named in errors, with its article: "an audio file". */
	kind: string;
	mimeTypes: string[];
	/** File name extensions accepted when the MIME type says nothing (application/octet-stream). */
	extensions: string[];
	maxBytes: number;
}

const MB = 1024 * 1024;

export const AUDIO_FILES: FileRule = {
	kind: 'an audio file',
	mimeTypes: [
		'audio/mpeg',
		'audio/mp3',
		'audio/mp4',
		'audio/m4a',
		'audio/x-m4a',
		'audio/mpga',
		'audio/wav',
		'audio/x-wav',
		'audio/wave',
		'audio/webm',
		'video/mp4',
		'video/mpeg',
		'video/webm',
	],
	extensions: ['mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'wav', 'webm'],
	// The transcription endpoint's limit (docs/dedalus-api.md).
	maxBytes: 25 * MB,
};

export const IMAGE_FILES: FileRule = {
	kind: 'an image',
	mimeTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp'],
	extensions: ['png', 'jpg', 'jpeg', 'gif', 'webp'],
	maxBytes: 20 * MB,
};

export const PDF_FILES: FileRule = {
	kind: 'a PDF',
	mimeTypes: ['application/pdf'],
	extensions: ['pdf'],
	maxBytes: 32 * MB,
};

export const DOCUMENT_FILES: FileRule = {
	kind: 'a PDF or an image',
	mimeTypes: [...PDF_FILES.mimeTypes, ...IMAGE_FILES.mimeTypes, 'image/avif'],
	extensions: [...PDF_FILES.extensions, ...IMAGE_FILES.extensions, 'avif'],
	maxBytes: 50 * MB,
};

/** A checked input file, before its bytes are read. */
export interface InputFileInfo {
	property: string;
	mimeType: string;
	fileName: string;
	bytes: number;
	binary: IBinaryData;
	/** The rule the file matched: read() holds the bytes to its limit. */
	rule: FileRule;
}

export interface InputFile extends InputFileInfo {
	data: Buffer;
}

/**
 * Reads an input item's binary property in execute() (n8n's binary helpers) and in webhook()
 * (the resume after consent), where the waiting node's input items are reached through
 * `$input.item` and the bytes through the binary data service (an id) or the item itself.
 */
export class BinaryInput {
	constructor(private readonly context: DedalusContext) {}

	private get node(): INode {
		return this.context.getNode();
	}

	private binaryOf(itemIndex: number): Record<string, IBinaryData> | undefined {
		const context = this.context as Partial<IExecuteFunctions>;
		if (typeof context.getInputData === 'function') {
			return context.getInputData()[itemIndex]?.binary;
		}
		const webhook = this.context as IWebhookFunctions;
		const item = webhook.evaluateExpression('{{ $input.item }}', itemIndex) as
			| { binary?: Record<string, IBinaryData> }
			| undefined;
		return item?.binary;
	}

	private fail(property: string, itemIndex: number, problem: string, description?: string): never {
		throw new NodeOperationError(
			this.node,
			`Input Binary Field "${property}" in item ${itemIndex} ${problem}`,
			{ itemIndex, description },
		);
	}

	/** Finds the property and checks its type and size; reads no bytes. */
	async check(
		itemIndex: number,
		property: string,
		accepted: FileRule | FileRule[],
	): Promise<InputFileInfo> {
		const rules = Array.isArray(accepted) ? accepted : [accepted];
		const binary = this.binaryOf(itemIndex)?.[property];
		if (!binary) {
			const present = Object.keys(this.binaryOf(itemIndex) ?? {});
			this.fail(
				property,
				itemIndex,
				'does not exist',
				present.length > 0
					? `The item has binary fields ${present.map((name) => `"${name}"`).join(', ')}.`
					: 'The item has no binary data: make sure the node before this one outputs a file.',
			);
		}
		const fileName =
			binary.fileName ?? `${property}${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
		let mimeType: string | undefined;
		const rule = rules.find((candidate) => (mimeType = mimeTypeOf(binary, fileName, candidate)));
		if (!rule || !mimeType) {
			this.fail(
				property,
				itemIndex,
				`is ${binary.mimeType || 'of unknown type'}, not ${rules.map((candidate) => candidate.kind).join(' or ')}`,
				`Accepted: ${rules.flatMap((candidate) => candidate.extensions).join(', ')}.`,
			);
		}
		const bytes = await this.sizeOf(binary);
		if (bytes === 0) this.fail(property, itemIndex, 'is an empty file');
		if (bytes > rule.maxBytes) {
			this.fail(
				property,
				itemIndex,
				`is ${megabytes(bytes)} MB, more than the ${megabytes(rule.maxBytes)} MB Dedalus accepts for ${rule.kind}`,
			);
		}
		return { property, mimeType, fileName, bytes, binary, rule };
	}

	/** Reads the bytes of a checked file; a file that grew past the limit since check() still fails. */
	async read(info: InputFileInfo, itemIndex: number): Promise<InputFile> {
		const { rule } = info;
		const data = await this.bytesOf(info, itemIndex);
		if (data.length === 0) this.fail(info.property, itemIndex, 'is an empty file');
		if (data.length > rule.maxBytes) {
			this.fail(
				info.property,
				itemIndex,
				`is ${megabytes(data.length)} MB, more than the ${megabytes(rule.maxBytes)} MB Dedalus accepts for ${rule.kind}`,
			);
		}
		return { ...info, data };
	}

	/**
	 * Writes the bytes of a checked file into `target` (as long as the size check() found) straight
	 * from where n8n keeps them (its binary data stream, or the item's inline base64), without a
	 * Buffer of the whole file. False when the source does not hold exactly that many bytes: the
	 * caller then falls back to read(), which checks again.
	 */
	async readInto(info: InputFileInfo, target: Buffer): Promise<boolean> {
		const { binary } = info;
		if (!binary.id) {
			const data = binary.data ?? '';
			return base64Length(data) === target.length && target.write(data, 'base64') === target.length;
		}
		let offset = 0;
		const streamed = await this.eachStoredChunk(binary.id, (bytes) => {
			if (offset + bytes.length > target.length) return false;
			bytes.copy(target, offset);
			offset += bytes.length;
			return true;
		});
		return streamed && offset === target.length;
	}

	/**
	 * Writes the base64 of a checked file into `target` (base64Size of the size check() found)
	 * without a Buffer of the whole file: an item's inline base64 is copied as it is when it is the
	 * plain padded form n8n writes, a stored file is encoded piece by piece from n8n's binary data
	 * stream. False when the source is not exactly that (other inline forms, a size that changed):
	 * the caller then falls back to read(), which checks again.
	 */
	async readBase64Into(info: InputFileInfo, target: Buffer): Promise<boolean> {
		const { binary } = info;
		if (!binary.id) {
			const data = binary.data ?? '';
			const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
			return (
				data.length === target.length &&
				padding === (3 - (info.bytes % 3)) % 3 &&
				PLAIN_BASE64.test(data) &&
				target.write(data, 'latin1') === target.length
			);
		}
		const writer = new Base64Writer(target, info.bytes);
		return (await this.eachStoredChunk(binary.id, (bytes) => writer.write(bytes))) && writer.end();
	}

	/**
	 * Hands the chunks of a file n8n stores to `take` until it returns false; false then, or when
	 * this n8n has no binary data stream (the caller falls back to read()).
	 */
	private async eachStoredChunk(id: string, take: (bytes: Buffer) => boolean): Promise<boolean> {
		const helpers = this.context.helpers as Partial<IWebhookFunctions['helpers']>;
		if (typeof helpers.getBinaryStream !== 'function') return false;
		for await (const chunk of await helpers.getBinaryStream(id)) {
			// Leaving the loop early destroys the stream.
			if (!take(chunk as Buffer)) return false;
		}
		return true;
	}

	private async bytesOf(info: InputFileInfo, itemIndex: number): Promise<Buffer> {
		const context = this.context as Partial<IExecuteFunctions>;
		if (typeof context.getInputData === 'function' && context.helpers?.getBinaryDataBuffer) {
			return await context.helpers.getBinaryDataBuffer(itemIndex, info.property);
		}
		const { helpers } = this.context as IWebhookFunctions;
		if (info.binary.id) {
			return await helpers.binaryToBuffer(await helpers.getBinaryStream(info.binary.id));
		}
		return Buffer.from(info.binary.data, 'base64');
	}

	private async sizeOf(binary: IBinaryData): Promise<number> {
		const bytes = (binary as { bytes?: unknown }).bytes;
		if (typeof bytes === 'number') return bytes;
		if (binary.id) {
			const helpers = this.context.helpers as Partial<IWebhookFunctions['helpers']>;
			if (typeof helpers.getBinaryMetadata === 'function') {
				return (await helpers.getBinaryMetadata(binary.id)).fileSize;
			}
		}
		return base64Length(binary.data ?? '');
	}
}

/** Base64 as n8n writes it (Buffer.toString('base64')): no line breaks, `=` only as padding. */
const PLAIN_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes that a base64 string decodes to, without decoding it (or copying it when it has no spaces). */
function base64Length(data: string): number {
	const length = /\s/.test(data) ? data.replace(/\s/g, '').length : data.length;
	const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
	return Math.max(0, Math.floor((length * 3) / 4) - padding);
}

function megabytes(bytes: number): number {
	return Math.round((bytes / MB) * 100) / 100;
}

/** The file's MIME type if the rule accepts it; the type from the extension when n8n only knew octet-stream. */
function mimeTypeOf(binary: IBinaryData, fileName: string, rule: FileRule): string | undefined {
	return acceptedType(rule, binary.mimeType, binary.fileExtension ?? fileName.split('.').pop());
}

/**
 * The MIME type `rule` accepts a file as: the declared one (a Content-Type, parameters allowed),
 * else, when it says nothing (empty or application/octet-stream), the type of the extension.
 * Undefined when the rule does not accept the file.
 */
export function acceptedType(
	rule: FileRule,
	declaredType: string | undefined,
	extension: string | undefined,
): string | undefined {
	const declared = (declaredType ?? '').split(';')[0].trim().toLowerCase();
	if (rule.mimeTypes.includes(declared)) return declared;
	if (declared !== '' && declared !== 'application/octet-stream') return undefined;
	const known = (extension ?? '').toLowerCase();
	if (!rule.extensions.includes(known)) return undefined;
	return EXTENSION_TYPES[known] ?? declared;
}

const EXTENSION_TYPES: Record<string, string> = {
	mp3: 'audio/mpeg',
	mpga: 'audio/mpeg',
	mpeg: 'audio/mpeg',
	mp4: 'audio/mp4',
	m4a: 'audio/mp4',
	wav: 'audio/wav',
	webm: 'audio/webm',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	avif: 'image/avif',
	pdf: 'application/pdf',
};

/**
 * The file name with an extension its rule accepts: upload endpoints decide the format by the
 * name (the transcription endpoint refuses `data` or `note.bin`), so one that lacks it gets the
 * extension of its MIME type.
 */
export function uploadName(info: InputFileInfo): string {
	const extension = info.fileName.includes('.') ? info.fileName.split('.').pop() : undefined;
	if (extension && info.rule.extensions.includes(extension.toLowerCase())) return info.fileName;
	const fromType = Object.entries(EXTENSION_TYPES).find(
		([candidate, mimeType]) =>
			mimeType === info.mimeType && info.rule.extensions.includes(candidate),
	)?.[0];
	return fromType ? `${info.fileName}.${fromType}` : info.fileName;
}

/** A data URI of a file, the form the chat and OCR endpoints take files in. */
export function dataUri(file: InputFile): string {
	return `data:${file.mimeType};base64,${file.data.toString('base64')}`;
}
