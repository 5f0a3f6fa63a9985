import { createHash } from 'node:crypto';

import { isPlainObject } from './http';
import { documentOf } from './ocr';

/**
 * A file or link a request carried, as the request log keeps it: a data URI as its MIME type,
 * decoded size and sha256 (never the data), a link as it was sent. A test compares these with
 * the bytes it knows, so the log can show what arrived without holding whole files.
 */
export interface LoggedFile {
	/** The part's type: `image_url`, `file`, `input_audio` (chat), `document_url` (OCR). */
	type: string;
	filename?: string;
	/** A link (anything but a data URI), as sent. */
	url?: string;
	mime?: string;
	bytes?: number;
	sha256?: string;
}

function described(type: string, value: unknown, filename?: unknown): LoggedFile {
	const file: LoggedFile = { type };
	if (typeof filename === 'string') file.filename = filename;
	if (typeof value !== 'string') return file;
	const comma = value.indexOf(',');
	if (!value.startsWith('data:') || comma < 0) return { ...file, url: value };
	const meta = value.slice(5, comma).split(';');
	const data = value.slice(comma + 1);
	const bytes = meta.includes('base64') ? Buffer.from(data, 'base64') : percentDecoded(data);
	return {
		...file,
		mime: meta[0].toLowerCase(),
		bytes: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
	};
}

function percentDecoded(data: string): Buffer {
	try {
		return Buffer.from(decodeURIComponent(data));
	} catch {
		return Buffer.from(data);
	}
}

/** Chat: every content part that is not text, in message order. */
export function chatFiles(messages: unknown): LoggedFile[] {
	const files: LoggedFile[] = [];
	if (!Array.isArray(messages)) return files;
	for (const message of messages) {
		if (!isPlainObject(message) || !Array.isArray(message.content)) continue;
		for (const part of message.content) {
			if (!isPlainObject(part) || typeof part.type !== 'string' || part.type === 'text') continue;
			if (part.type === 'image_url') {
				const image = part.image_url;
				files.push(described(part.type, isPlainObject(image) ? image.url : image));
			} else if (part.type === 'file' && isPlainObject(part.file)) {
				const { file } = part;
				files.push(described(part.type, file.file_data ?? file.file_id, file.filename));
			} else if (part.type === 'input_audio' && isPlainObject(part.input_audio)) {
				const audio = part.input_audio;
				const format = typeof audio.format === 'string' ? audio.format : 'octet-stream';
				files.push(described(part.type, `data:audio/${format};base64,${String(audio.data)}`));
			} else files.push({ type: part.type });
		}
	}
	return files;
}

/** OCR: the document's `document_url`, as ocr.ts reads it. */
export function ocrFiles(document: unknown): LoggedFile[] {
	if (!isPlainObject(document)) return [];
	const { url } = documentOf(document);
	return url === undefined ? [] : [described('document_url', url)];
}
