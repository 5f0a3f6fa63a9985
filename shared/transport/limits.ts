// Bounds on what a hostile or broken server can make the node hold or show (docs/security.md).

/** setTimeout and AbortSignal.timeout cannot wait longer than this; longer timeouts are refused as input. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A response body larger than this fails the item unless the Max Response Size option raises it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** API-supplied text in an error, a hint or on the page is cut to this many characters. */
export const MAX_SHOWN_TEXT = 1000;

/** A connect_url longer than this is not shown or followed: no real OAuth link comes close. */
export const MAX_LINK_LENGTH = 8192;

/**
 * A value that may arrive as JSON text (a response body, a parameter) parsed if it is a string,
 * else as it is; undefined when the string is not JSON, so each caller says what that means.
 */
export function parseIfString(value: unknown): { value: unknown } | undefined {
	if (typeof value !== 'string') return { value };
	try {
		return { value: JSON.parse(value) as unknown };
	} catch {
		return undefined;
	}
}

/** Cuts `text` to `max` characters and says how much was left out. */
export function clipText(text: string, max = MAX_SHOWN_TEXT): string {
	if (text.length <= max) return text;
	return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export class ResponseTooLargeError extends Error {
	constructor(readonly limitBytes: number) {
		super(`The response is larger than ${limitBytes} bytes`);
	}
}

/** The part of a Node.js Readable this module uses (no node:stream import in node code). */
interface ByteStream extends AsyncIterable<unknown> {
	destroy(error?: Error): void;
}

/**
 * Reads a response stream to text, never holding more than `maxBytes` (see readBoundedBytes).
 */
export async function readBoundedText(
	stream: unknown,
	maxBytes: number,
	signal: AbortSignal,
): Promise<string> {
	if (typeof stream === 'string') {
		if (Buffer.byteLength(stream) > maxBytes) throw new ResponseTooLargeError(maxBytes);
		return stream;
	}
	return (await readBoundedBytes(stream, maxBytes, signal)).toString('utf8');
}

/**
 * Reads a response stream to bytes, never holding more than `maxBytes`: past the limit the stream
 * is destroyed and ResponseTooLargeError is thrown. When `signal` aborts (timeout, Stop), the
 * stream is destroyed too: the request helper stops watching the signal once headers arrived.
 */
export async function readBoundedBytes(
	stream: unknown,
	maxBytes: number,
	signal: AbortSignal,
): Promise<Buffer> {
	if (Buffer.isBuffer(stream) || typeof stream === 'string') {
		const buffer = Buffer.isBuffer(stream) ? stream : Buffer.from(stream);
		if (buffer.length > maxBytes) throw new ResponseTooLargeError(maxBytes);
		return buffer;
	}
	if (!stream || typeof (stream as ByteStream)[Symbol.asyncIterator] !== 'function') {
		// Already parsed by the request helper (no stream support): nothing left to bound.
		return Buffer.from(stream === undefined || stream === null ? '' : JSON.stringify(stream));
	}
	const readable = stream as ByteStream;
	const stop = () => readable.destroy(new Error('The request was aborted'));
	if (signal.aborted) stop();
	signal.addEventListener('abort', stop, { once: true });
	const chunks: Buffer[] = [];
	let total = 0;
	try {
		for await (const chunk of readable) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
			total += buffer.length;
			if (total > maxBytes) {
				readable.destroy();
				throw new ResponseTooLargeError(maxBytes);
			}
			chunks.push(buffer);
		}
	} finally {
		signal.removeEventListener('abort', stop);
	}
	return Buffer.concat(chunks, total);
}
