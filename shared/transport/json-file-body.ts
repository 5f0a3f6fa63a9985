import type { UploadBody } from './multipart';

// Bytes of input per base64 piece: a multiple of 3, so the pieces join into one valid base64 text,
// and small enough that each piece is an ordinary young string (64 KB of text), not one of V8's
// external strings, which live outside the heap until a full collection.
const BASE64_STEP = 3 * 16 * 1024;

/** Stands for the data URI inside the JSON text until the bytes are written in its place. */
const FILE_MARKER = '\u0000n8n-dedalus-file\u0000';

/** Characters of base64 for `bytes` bytes of input (padded). */
export const base64Size = (bytes: number) => 4 * Math.ceil(bytes / 3);

/**
 * Writes the base64 of a file of `size` bytes that arrives in pieces of any size (its stream) into
 * `target` (base64Size(size) long), piece by piece: at most two bytes wait for the next piece, so
 * no whole copy is made.
 */
export class Base64Writer {
	private carry = Buffer.alloc(0);
	private offset = 0;
	private received = 0;

	constructor(
		private readonly target: Buffer,
		private readonly size: number,
	) {
		if (target.length !== base64Size(size)) throw new Error('The base64 slot has the wrong size');
	}

	/** False once more bytes came than the file has. */
	write(bytes: Buffer): boolean {
		this.received += bytes.length;
		if (this.received > this.size) return false;
		let rest = bytes;
		if (this.carry.length > 0) {
			const joined = Buffer.concat([this.carry, rest.subarray(0, 3 - this.carry.length)]);
			rest = rest.subarray(3 - this.carry.length);
			if (joined.length < 3) {
				this.carry = joined;
				return true;
			}
			this.put(joined);
		}
		const whole = rest.length - (rest.length % 3);
		for (let start = 0; start < whole; start += BASE64_STEP) {
			this.put(rest.subarray(start, Math.min(whole, start + BASE64_STEP)));
		}
		this.carry = Buffer.from(rest.subarray(whole));
		return true;
	}

	/** Writes what waits (with padding); true when exactly the file's bytes came. */
	end(): boolean {
		if (this.received !== this.size) return false;
		if (this.carry.length > 0) this.put(this.carry);
		this.carry = Buffer.alloc(0);
		return this.offset === this.target.length;
	}

	private put(bytes: Buffer): void {
		// Base64's alphabet is ASCII: one byte per character.
		this.offset += this.target.write(bytes.toString('base64'), this.offset, 'latin1');
	}
}

/**
 * The body's bytes: the JSON text of `build(dataUri)` around a slot for the base64 of a file of
 * `size` bytes, which the caller fills.
 */
function bodyWithSlot(
	build: (dataUri: string) => object,
	mimeType: string,
	size: number,
): { body: Buffer; slot: Buffer } {
	const text = JSON.stringify(build(FILE_MARKER));
	const markerJson = JSON.stringify(FILE_MARKER).slice(1, -1);
	const at = text.indexOf(markerJson);
	if (at < 0 || text.indexOf(markerJson, at + 1) >= 0) {
		throw new Error('The request body must hold the file exactly once');
	}
	const head = Buffer.from(
		text.slice(0, at) + JSON.stringify(`data:${mimeType};base64,`).slice(1, -1),
	);
	const tail = Buffer.from(text.slice(at + markerJson.length));
	const slotLength = base64Size(size);
	const body = Buffer.allocUnsafe(head.length + slotLength + tail.length);
	head.copy(body, 0);
	tail.copy(body, head.length + slotLength);
	return { body, slot: body.subarray(head.length, head.length + slotLength) };
}

/**
 * A JSON request body as bytes, one of whose string fields is a file of `size` bytes as a data URI
 * (the OCR endpoint takes the document inline: docs/dedalus-api.md). `write` fills the base64 slot
 * (base64 needs no escaping in a JSON string) and returns false when its source did not hold
 * exactly that file; then the result is undefined. The body is the only whole copy: no Buffer of
 * the file, no base64 string, no JSON string of it, and no second Buffer made from that string by
 * the HTTP client (which a JSON object body costs). `build` receives the value to put where the
 * data URI goes.
 */
export async function jsonBodyWrittenBy(
	build: (dataUri: string) => object,
	mimeType: string,
	size: number,
	write: (target: Buffer) => Promise<boolean>,
): Promise<UploadBody | undefined> {
	const { body, slot } = bodyWithSlot(build, mimeType, size);
	if (!(await write(slot))) return undefined;
	return { data: body, contentType: 'application/json' };
}

/** The same body from a file already in memory (when its source could not be written in directly). */
export function jsonBodyWithFile(
	build: (dataUri: string) => object,
	file: { mimeType: string; data: Buffer },
): UploadBody {
	const { body, slot } = bodyWithSlot(build, file.mimeType, file.data.length);
	const writer = new Base64Writer(slot, file.data.length);
	writer.write(file.data);
	writer.end();
	return { data: body, contentType: 'application/json' };
}
