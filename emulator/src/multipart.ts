/**
 * A small multipart/form-data reader for the audio uploads (RFC 7578). It works on the body
 * already read (bounded by readBody's limit), never copies a part (each one is a view into the
 * body), and caps what a hostile form can make it do: the number of parts, the size of a part's
 * headers and of a plain (non-file) field.
 */

export interface FormFile {
	filename: string;
	contentType: string;
	data: Buffer;
}

export interface Form {
	fields: Map<string, string>;
	files: Map<string, FormFile>;
}

const MAX_PARTS = 32;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const MAX_FIELD_BYTES = 64 * 1024;

export function boundaryOf(contentType: string): string | undefined {
	const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
	return m ? (m[1] ?? m[2]) : undefined;
}

function dispositionParam(header: string, name: string): string | undefined {
	const m =
		new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(header) ??
		new RegExp(`;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
	return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
}

/** The form, or a message saying why the body is not a well-formed form. */
export function parseMultipart(body: Buffer, contentType: string): Form | string {
	const boundary = boundaryOf(contentType);
	if (!boundary) return 'The multipart/form-data content type has no boundary';
	const delimiter = Buffer.from(`--${boundary}`, 'latin1');
	const next = Buffer.from(`\r\n--${boundary}`, 'latin1');
	const form: Form = { fields: new Map(), files: new Map() };
	let at = body.indexOf(delimiter);
	if (at < 0) return 'The body holds no part of the multipart form';
	at += delimiter.length;
	for (let parts = 0; ; parts++) {
		if (body[at] === 0x2d && body[at + 1] === 0x2d) return form; // "--": the closing delimiter
		if (parts >= MAX_PARTS) return `The form has more than ${MAX_PARTS} parts`;
		if (body[at] !== 0x0d || body[at + 1] !== 0x0a)
			return 'A form delimiter is not followed by CRLF';
		at += 2;
		const headerEnd = body.indexOf('\r\n\r\n', at, 'latin1');
		if (headerEnd < 0 || headerEnd - at > MAX_PART_HEADER_BYTES)
			return 'A form part has no end of headers (or headers over 16 KB)';
		const headers = new Map<string, string>();
		for (const line of body.toString('utf8', at, headerEnd).split('\r\n')) {
			const colon = line.indexOf(':');
			if (colon > 0)
				headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
		}
		const start = headerEnd + 4;
		const end = body.indexOf(next, start);
		if (end < 0) return 'The form has no closing delimiter';
		const disposition = headers.get('content-disposition') ?? '';
		const name = dispositionParam(disposition, 'name');
		if (!/^form-data\b/i.test(disposition) || name === undefined)
			return 'A form part has no Content-Disposition: form-data with a name';
		const filename = dispositionParam(disposition, 'filename');
		const data = body.subarray(start, end);
		if (filename !== undefined) {
			form.files.set(name, {
				filename,
				contentType: headers.get('content-type') ?? 'application/octet-stream',
				data,
			});
		} else {
			if (data.length > MAX_FIELD_BYTES) return `Form field '${name}' is over 64 KB`;
			form.fields.set(name, data.toString('utf8'));
		}
		at = end + next.length;
	}
}
