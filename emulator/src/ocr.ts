import { inflateSync } from 'node:zlib';

import type { Answer } from './embeddings';
import { isPlainObject } from './http';
import { readMediaModel, resolveMediaModel } from './media';
import type { ValidationItem } from './validation';

/**
 * POST /v1/ocr (docs/dedalus-api.md), as the SDK defines it: `{document: {document_url, type?},
 * model?}` with `document_url` a base64 data URI. A PDF's pages come back with the text its
 * content streams draw (`Tj`, `TJ`, `'`, `"`; plain or /FlateDecode streams), one line per text
 * line, which is what pdf-fixture.ts writes; an image comes back as one page of fixed placeholder
 * text. Anything but a data URI (links included: the SDK documents none) is refused. PDFs whose
 * objects sit in compressed object streams (PDF 1.5+) are not read.
 */

const DEFAULT_MODEL = 'mistral/mistral-ocr-latest';
const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
const MAX_PAGES = 1000;
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
const IMAGE_TYPES = [
	'image/png',
	'image/jpeg',
	'image/webp',
	'image/gif',
	'image/avif',
	'image/tiff',
	'image/bmp',
];

export function imagePlaceholder(mime: string, bytes: number): string {
	return `Emulated OCR text of a ${mime} image (${bytes} bytes)`;
}

/** The document's `document_url` and `type` (the SDK's OcrDocument), unchecked. */
export function documentOf(doc: Record<string, unknown>): { type: unknown; url: unknown } {
	return { type: doc.type, url: doc.document_url };
}

function bad(detail: string): Answer {
	return { status: 400, body: { detail } };
}

export function ocrAnswer(body: Record<string, unknown>): Answer {
	const errors: ValidationItem[] = [];
	const doc = body.document;
	let url: unknown;
	if (doc === undefined || doc === null) {
		errors.push({ loc: ['body', 'document'], msg: 'Field required', type: 'missing' });
	} else if (!isPlainObject(doc)) {
		errors.push({
			loc: ['body', 'document'],
			msg: 'Input should be a valid dictionary',
			type: 'dict_type',
		});
	} else {
		const { type, url: link } = documentOf(doc);
		if (type !== undefined && type !== null && typeof type !== 'string') {
			errors.push({
				loc: ['body', 'document', 'type'],
				msg: 'Input should be a valid string',
				type: 'string_type',
			});
		}
		url = link;
		if (url === undefined || url === null) {
			errors.push({
				loc: ['body', 'document', 'document_url'],
				msg: 'Field required',
				type: 'missing',
			});
		} else if (typeof url !== 'string') {
			errors.push({
				loc: ['body', 'document', 'document_url'],
				msg: 'Input should be a valid string',
				type: 'string_type',
			});
		}
	}
	const modelName = readMediaModel(body.model, errors, DEFAULT_MODEL);
	if (errors.length) return { status: 422, body: { detail: errors } };
	const model = resolveMediaModel(modelName!, 'ocr');
	if (!model.ok) return { status: model.status, body: model.body };

	const text = url as string;
	if (!text.startsWith('data:')) {
		return bad('The document must be a data: URI (data:<mime>;base64,...)');
	}
	const comma = text.indexOf(',');
	const meta = comma > 0 ? text.slice(5, comma).split(';') : [];
	if (comma < 0 || !meta.includes('base64'))
		return bad('The data URI must be base64: data:<mime>;base64,<data>');
	const mime = meta[0].toLowerCase();
	const bytes = Buffer.from(text.slice(comma + 1), 'base64');
	if (bytes.length === 0) return bad('The document is empty');
	if (bytes.length > MAX_DOCUMENT_BYTES)
		return bad(`The document is over ${MAX_DOCUMENT_BYTES} bytes`);

	let pages: string[];
	if (mime === 'application/pdf') {
		const read = pdfPages(bytes);
		if (typeof read === 'string') return bad(read);
		pages = read;
	} else if (IMAGE_TYPES.includes(mime)) {
		pages = [imagePlaceholder(mime, bytes.length)];
	} else {
		return bad(`Unsupported document type '${mime}': send a PDF (application/pdf) or an image`);
	}
	return ok(model.id, pages);
}

function ok(model: string, pages: string[]): Answer {
	return {
		status: 200,
		body: { model, pages: pages.map((markdown, index) => ({ index, markdown })), usage: null },
	};
}

interface PdfObject {
	dict: string;
	stream?: Buffer;
}

/** Every `N G obj ... endobj` in file order; stream bytes are views into the file. */
function readObjects(pdf: Buffer): Map<number, PdfObject> {
	const text = pdf.toString('latin1');
	const objects = new Map<number, PdfObject>();
	const header = /(\d+)\s+\d+\s+obj\b/g;
	for (let m = header.exec(text); m; m = header.exec(text)) {
		const start = m.index + m[0].length;
		const streamAt = text.indexOf('stream', start);
		const endAt = text.indexOf('endobj', start);
		if (endAt < 0) break;
		const obj: PdfObject = { dict: text.slice(start, endAt) };
		if (streamAt >= 0 && streamAt < endAt && text[streamAt - 1] !== 'd') {
			obj.dict = text.slice(start, streamAt);
			let dataAt = streamAt + 'stream'.length;
			if (text[dataAt] === '\r') dataAt++;
			if (text[dataAt] === '\n') dataAt++;
			const length = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(obj.dict);
			let dataEnd = length ? dataAt + Number(length[1]) : -1;
			if (
				dataEnd < 0 ||
				text
					.slice(dataEnd, dataEnd + 12)
					.trim()
					.slice(0, 9) !== 'endstream'
			) {
				dataEnd = text.indexOf('endstream', dataAt);
				while (dataEnd > dataAt && (text[dataEnd - 1] === '\n' || text[dataEnd - 1] === '\r'))
					dataEnd--;
			}
			obj.stream = pdf.subarray(dataAt, Math.max(dataAt, dataEnd));
			const after = text.indexOf('endobj', Math.max(dataAt, dataEnd));
			header.lastIndex = after < 0 ? text.length : after;
		} else {
			header.lastIndex = endAt;
		}
		objects.set(Number(m[1]), obj);
	}
	return objects;
}

function refs(value: string): number[] {
	return Array.from(value.matchAll(/(\d+)\s+\d+\s+R/g), (m) => Number(m[1]));
}

/** The text of each page in page-tree order, or why the PDF cannot be read. */
export function pdfPages(pdf: Buffer): string[] | string {
	if (!pdf.subarray(0, 1024).toString('latin1').includes('%PDF-'))
		return 'The document is not a PDF';
	const objects = readObjects(pdf);
	const root = /\/Root\s+(\d+)\s+\d+\s+R/.exec(
		pdf.toString('latin1', Math.max(0, pdf.length - 4096)),
	);
	const catalog =
		(root && objects.get(Number(root[1]))) ??
		[...objects.values()].find((o) => /\/Type\s*\/Catalog\b/.test(o.dict));
	const pagesRef = catalog && /\/Pages\s+(\d+)\s+\d+\s+R/.exec(catalog.dict);
	if (!pagesRef) return 'The PDF has no readable page tree';
	const pages: PdfObject[] = [];
	const walk = (id: number, depth: number): void => {
		const node = objects.get(id);
		if (!node || depth > 32 || pages.length >= MAX_PAGES) return;
		if (/\/Type\s*\/Page\b/.test(node.dict)) {
			pages.push(node);
			return;
		}
		const kids = /\/Kids\s*\[([^\]]*)\]/.exec(node.dict);
		if (kids) for (const kid of refs(kids[1])) walk(kid, depth + 1);
	};
	walk(Number(pagesRef[1]), 0);
	if (pages.length === 0) return 'The PDF has no readable pages';
	return pages.map((page) => {
		const contents = /\/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)/.exec(page.dict);
		const streams = contents ? refs(contents[1]).map((id) => objects.get(id)) : [];
		const lines: string[] = [];
		for (const obj of streams) {
			if (!obj?.stream) continue;
			let data = obj.stream;
			if (/\/Filter\s*\/FlateDecode\b/.test(obj.dict)) {
				try {
					data = inflateSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
				} catch {
					continue;
				}
			} else if (/\/Filter\b/.test(obj.dict)) continue;
			lines.push(...contentLines(data.toString('latin1')));
		}
		return lines.join('\n');
	});
}

/** Reads a literal string `( ... )` starting at `at`; returns its text and the index after it. */
function literalString(src: string, at: number): [string, number] {
	let out = '';
	let depth = 1;
	let i = at + 1;
	while (i < src.length) {
		const c = src[i];
		if (c === '\\') {
			const n = src[i + 1];
			const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
			if (n in simple) out += simple[n];
			else if (/[0-7]/.test(n)) {
				const oct = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4))![0];
				out += String.fromCharCode(parseInt(oct, 8));
				i += oct.length + 1;
				continue;
			} else if (n === '\r' || n === '\n') {
				i += n === '\r' && src[i + 2] === '\n' ? 3 : 2;
				continue;
			} else out += n;
			i += 2;
			continue;
		}
		if (c === '(') depth++;
		if (c === ')' && --depth === 0) return [out, i + 1];
		out += c;
		i++;
	}
	return [out, i];
}

/** The text lines a content stream draws (latin1 text operators only). */
function contentLines(src: string): string[] {
	const lines: string[] = [];
	let line = '';
	let operands: Array<string | number | string[]> = [];
	let array: string[] | undefined;
	const breakLine = () => {
		if (line !== '') lines.push(line);
		line = '';
	};
	let i = 0;
	while (i < src.length) {
		const c = src[i];
		if (c === '(') {
			const [s, next] = literalString(src, i);
			if (array) array.push(s);
			else operands.push(s);
			i = next;
		} else if (c === '<' && src[i + 1] !== '<') {
			const end = src.indexOf('>', i);
			const hex = src.slice(i + 1, end < 0 ? src.length : end).replace(/\s+/g, '');
			const s = Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex').toString('latin1');
			if (array) array.push(s);
			else operands.push(s);
			i = end < 0 ? src.length : end + 1;
		} else if (c === '[') {
			array = [];
			i++;
		} else if (c === ']') {
			if (array) operands.push(array);
			array = undefined;
			i++;
		} else if (c === '%') {
			while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
		} else if (/[\s<>{}/]/.test(c)) {
			if (c === '/') while (i + 1 < src.length && !/[\s/[\]()<>{}%]/.test(src[i + 1])) i++;
			i++;
		} else {
			let end = i;
			while (end < src.length && !/[\s/[\]()<>{}%]/.test(src[end])) end++;
			const word = src.slice(i, end);
			i = end;
			const number = Number(word);
			if (!Number.isNaN(number)) {
				if (!array) operands.push(number);
				continue;
			}
			const last = operands[operands.length - 1];
			switch (word) {
				case 'Tj':
					if (typeof last === 'string') line += last;
					break;
				case 'TJ':
					if (Array.isArray(last)) line += last.join('');
					break;
				case "'":
				case '"':
					breakLine();
					if (typeof last === 'string') line += last;
					break;
				case 'T*':
				case 'ET':
					breakLine();
					break;
				case 'Td':
				case 'TD':
					// A move to another line starts a new one; a move along the line is a gap.
					if (operands[operands.length - 1] !== 0) breakLine();
					else if (line !== '') line += ' ';
					break;
			}
			operands = [];
		}
	}
	breakLine();
	return lines;
}
