import type { IncomingMessage, ServerResponse } from 'http';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

export class BodyTooLargeError extends Error {}

/** Audio upload forms: the 25 MB file (the API's limit) plus the other fields. */
export const MAX_AUDIO_FORM_BYTES = 25 * 1024 * 1024 + 64 * 1024;
/** OCR bodies: a 50 MB document (Mistral OCR's limit) as base64 in JSON. */
export const MAX_OCR_BODY_BYTES = 70 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > limit) {
				reject(new BodyTooLargeError('Request body too large'));
				// Keep draining so the 413 can still be written on this socket.
				chunks.length = 0;
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

export type Headers = Record<string, string | number>;

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers?: Headers,
): void {
	sendRaw(
		res,
		status,
		typeof body === 'string' ? body : JSON.stringify(body),
		'application/json',
		headers,
	);
}

export function sendRaw(
	res: ServerResponse,
	status: number,
	text: string,
	contentType: string,
	headers?: Headers,
): void {
	// A string, not bytes: the idempotency store (api.ts) keeps the string answers it sees.
	if (startAnswer(res, status, contentType, Buffer.byteLength(text), headers)) res.end(text);
}

export function sendBytes(
	res: ServerResponse,
	status: number,
	bytes: Buffer,
	contentType: string,
	headers?: Headers,
): void {
	if (startAnswer(res, status, contentType, bytes.length, headers)) res.end(bytes);
}

function startAnswer(
	res: ServerResponse,
	status: number,
	contentType: string,
	length: number,
	headers?: Headers,
): boolean {
	if (res.writableEnded || res.destroyed) return false;
	res.statusCode = status;
	res.setHeader('content-type', contentType);
	res.setHeader('content-length', length);
	if (headers) for (const name of Object.keys(headers)) res.setHeader(name, String(headers[name]));
	return true;
}

const HTML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
};

export function escapeHtml(value: unknown): string {
	return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
	sendRaw(res, status, html, 'text/html; charset=utf-8', {
		// The page holds a consent decision: never cache it, never frame it, post only to ourselves.
		'cache-control': 'no-store',
		'x-frame-options': 'DENY',
		'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
	});
}

/** Parses a body as JSON; `undefined` for an empty body, throws SyntaxError when broken. */
export function parseJsonBody(buf: Buffer): unknown {
	if (buf.length === 0) return undefined;
	return JSON.parse(buf.toString('utf8'));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isMultipart(req: IncomingMessage): boolean {
	return /^multipart\/form-data\s*;/i.test(headerValue(req, 'content-type') ?? '');
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
	const v = req.headers[name];
	if (Array.isArray(v)) return v[0];
	return v;
}

/** Base URL the client used to reach us, so links work whatever port or host alias was used. */
export function baseUrlOf(req: IncomingMessage, fallback: string): string {
	const host = headerValue(req, 'host');
	if (host && /^[A-Za-z0-9.\-:[\]]+$/.test(host)) return `http://${host}`;
	return fallback;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
