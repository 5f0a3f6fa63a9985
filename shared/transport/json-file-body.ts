import type { UploadBody } from './multipart';

// Bytes of input per base64 step: a multiple of 3, so the pieces join into one valid base64 text.
const BASE64_STEP = 3 * 256 * 1024;

/** Stands for the data URI inside the JSON text until the bytes are written in its place. */
const FILE_MARKER = '\u0000n8n-dedalus-file\u0000';

/**
 * A JSON request body as bytes, one of whose string fields is a file as a data URI (the OCR
 * endpoint takes the document inline: docs/dedalus-api.md). The base64 is written piece by piece
 * straight into the body, so the only whole copies are the file and the body: no base64 string,
 * no JSON string of it, and no second Buffer made from that string by the HTTP client (which a
 * JSON object body costs). `build` receives the value to put where the data URI goes.
 */
export function jsonBodyWithFile(
	build: (dataUri: string) => object,
	file: { mimeType: string; data: Buffer },
): UploadBody {
	const text = JSON.stringify(build(FILE_MARKER));
	const markerJson = JSON.stringify(FILE_MARKER).slice(1, -1);
	const at = text.indexOf(markerJson);
	if (at < 0 || text.indexOf(markerJson, at + 1) >= 0) {
		throw new Error('The request body must hold the file exactly once');
	}
	const head = text.slice(0, at) + JSON.stringify(`data:${file.mimeType};base64,`).slice(1, -1);
	const tail = text.slice(at + markerJson.length);
	const { data } = file;
	const base64Length = 4 * Math.ceil(data.length / 3);
	const body = Buffer.allocUnsafe(Buffer.byteLength(head) + base64Length + Buffer.byteLength(tail));
	let offset = body.write(head);
	// Base64's alphabet needs no escaping in a JSON string.
	for (let start = 0; start < data.length; start += BASE64_STEP) {
		offset += body.write(
			data.subarray(start, start + BASE64_STEP).toString('base64'),
			offset,
			'latin1',
		);
	}
	offset += body.write(tail, offset);
	return { data: body.subarray(0, offset), contentType: 'application/json' };
}
