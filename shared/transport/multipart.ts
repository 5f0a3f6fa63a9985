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

/**
 * A multipart/form-data body (RFC 7578) with text fields and one file, built here because n8n's
 * request helper only recognises the `form-data` package's FormData, which the package may not
 * depend on. The file's bytes are copied once, into the body.
 */
export function multipartBody(
	fields: Record<string, string | number | undefined>,
	file: MultipartFile,
): UploadBody {
	const boundary = `----n8n-dedalus-${randomString(24)}`;
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		parts.push(
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${String(value)}\r\n`,
			),
		);
	}
	parts.push(
		Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name=${quoted(file.field)}; filename=${quoted(file.fileName)}\r\n` +
				`Content-Type: ${file.mimeType.replace(/[\r\n]/g, '')}\r\n\r\n`,
		),
		file.data,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { data: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
