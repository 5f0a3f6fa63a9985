import { createHash } from 'node:crypto';

import { solidPng } from './images';
import { makePdf } from './pdf-fixture';

/**
 * GET /files/<name>.<pdf|png|html>: files on the web for a test to link to (Document → Extract
 * Text's URL source downloads them), made from the name alone so a test knows every byte: a PDF
 * whose one page says `<name>` (makePdf), a 4x4 PNG coloured by sha256(name) (solidPng), and an
 * HTML page for a link that leads to a web page instead of a file. `?pad=<bytes>` (at most
 * MAX_PAD_BYTES) appends that many zero bytes, for size limits. Like a public link, no key is
 * needed; the request log shows whether one was sent anyway.
 */

export const SERVED_FILES_PATH = '/files/';
export const MAX_PAD_BYTES = 64 * 1024 * 1024;

const TYPES: Record<string, string> = {
	pdf: 'application/pdf',
	png: 'image/png',
	html: 'text/html; charset=utf-8',
};

export interface ServedFile {
	bytes: Buffer;
	contentType: string;
}

/** The file served under `name` (such as `invoice.pdf`), or undefined when there is none. */
export function servedFile(name: string, pad = 0): ServedFile | undefined {
	const m = /^([A-Za-z0-9_-]{1,64})\.(pdf|png|html)$/.exec(name);
	if (!m || !Number.isInteger(pad) || pad < 0 || pad > MAX_PAD_BYTES) return undefined;
	const [, stem, extension] = m;
	let content: Buffer;
	if (extension === 'pdf') content = makePdf([stem]);
	else if (extension === 'png') {
		const hash = createHash('sha256').update(stem).digest();
		content = solidPng(4, 4, [hash[0], hash[1], hash[2]]);
	} else content = Buffer.from(`<!doctype html><title>${stem}</title><p>${stem}</p>\n`);
	const bytes = Buffer.alloc(content.length + pad);
	content.copy(bytes);
	return { bytes, contentType: TYPES[extension] };
}
