// Bounds on what a hostile or broken server can make the node hold or show (docs/security.md).

/** setTimeout and AbortSignal.timeout cannot wait longer than this; longer timeouts are refused as input. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** A response body larger than this fails the item unless the Max Response Size option raises it. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** API-supplied text in an error, a hint or on the page is cut to this many characters. */
export const MAX_SHOWN_TEXT = 1000;

/** A connect_url longer than this is not shown or followed: no real OAuth link comes close. */
export const MAX_LINK_LENGTH = 8192;

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
 * Reads a response stream to text, never holding more than `maxBytes`: past the limit the stream
 * is destroyed and ResponseTooLargeError is thrown. When `signal` aborts (timeout, Stop), the
 * stream is destroyed too: the request helper stops watching the signal once headers arrived.
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
	if (Buffer.isBuffer(stream)) {
		if (stream.length > maxBytes) throw new ResponseTooLargeError(maxBytes);
		return stream.toString('utf8');
	}
	if (!stream || typeof (stream as ByteStream)[Symbol.asyncIterator] !== 'function') {
		// Already parsed by the request helper (no stream support): nothing left to bound.
		return stream === undefined || stream === null ? '' : JSON.stringify(stream);
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
	return Buffer.concat(chunks).toString('utf8');
}
