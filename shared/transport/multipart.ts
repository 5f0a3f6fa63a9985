import { randomString } from 'n8n-workflow';

export interface UploadBody {
	data: Buffer;
	contentType: string;
}

export interface MultipartFile {
	field: string;
	fileName: string;
	mimeType: string;
	data: Buffer;
}

/** Quotes a value for a Content-Disposition parameter: no quote or line break can end it early. */
function quoted(value: string): string {
	return `"${value.replace(/[\r\n"\\]/g, (character) => encodeURIComponent(character))}"`;
}

/** The text around the file's bytes in a multipart/form-data body (RFC 7578). */
function frame(
	fields: Record<string, string | number | undefined>,
	file: Omit<MultipartFile, 'data'>,
): { head: Buffer; tail: Buffer; contentType: string } {
	const boundary = `----n8n-dedalus-${randomString(24)}`;
	let head = '';
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${String(value)}\r\n`;
	}
	head +=
		`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.fileName)}\r\n` +
		`Content-Type: ${file.mimeType.replace(/[\r\n]/g, '')}\r\n\r\n`;
	return {
		head: Buffer.from(head),
		tail: Buffer.from(`\r\n--${boundary}--\r\n`),
		contentType: `multipart/form-data; boundary=${boundary}`,
	};
}

/**
 * A multipart/form-data body with text fields and one file, built here because n8n's request
 * helper only recognises the `form-data` package's FormData, which the package may not depend on.
 * The file's bytes are copied once, into the body.
 */
export function multipartBody(
	fields: Record<string, string | number | undefined>,
	file: MultipartFile,
): UploadBody {
	const { head, tail, contentType } = frame(fields, file);
	return { data: Buffer.concat([head, file.data, tail]), contentType };
}

/**
 * The same body with the file's `size` bytes written in place by `write` (it returns false when
 * the source did not hold exactly that many), so the body is the only whole copy of the file: no
 * Buffer of the file beside it. Undefined when `write` returned false.
 */
export async function multipartBodyWrittenBy(
	fields: Record<string, string | number | undefined>,
	file: Omit<MultipartFile, 'data'>,
	size: number,
	write: (target: Buffer) => Promise<boolean>,
): Promise<UploadBody | undefined> {
	const { head, tail, contentType } = frame(fields, file);
	const body = Buffer.allocUnsafe(head.length + size + tail.length);
	head.copy(body, 0);
	if (!(await write(body.subarray(head.length, head.length + size)))) return undefined;
	tail.copy(body, head.length + size);
	return { data: body, contentType };
}
