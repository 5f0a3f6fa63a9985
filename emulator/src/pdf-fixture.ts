import { deflateSync } from 'node:zlib';

/**
 * Makes a small valid PDF with known text per page, for OCR tests: one page per entry, each
 * line drawn with `(text) Tj` in Helvetica. The emulator's OCR (ocr.ts) reads those strings back,
 * so a test knows exactly what every page must say. Text is written in Latin-1 (WinAnsi);
 * characters outside it become `?`. `compress` deflates the content streams (/FlateDecode), as
 * most real PDFs do.
 */
export function makePdf(
	pages: Array<string | string[]>,
	options: { compress?: boolean } = {},
): Buffer {
	const objects: Buffer[] = [];
	const add = (body: string | Buffer): number => {
		objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
		return objects.length;
	};
	// Numbers are fixed up front so the tree can refer forwards: 1 catalog, 2 pages, 3 font.
	add('<< /Type /Catalog /Pages 2 0 R >>');
	add(''); // the page tree, filled in once the kids are known
	add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
	const kids: number[] = [];
	for (const page of pages) {
		const lines = Array.isArray(page) ? page : page.split('\n');
		const ops = lines.map((line, i) => `${i ? 'T* ' : ''}(${pdfString(line)}) Tj`).join('\n');
		let content = Buffer.from(`BT\n/F1 12 Tf\n14 TL\n72 720 Td\n${ops}\nET\n`, 'latin1');
		let filter = '';
		if (options.compress) {
			content = deflateSync(content);
			filter = ' /Filter /FlateDecode';
		}
		const stream = Buffer.concat([
			Buffer.from(`<< /Length ${content.length}${filter} >>\nstream\n`, 'latin1'),
			content,
			Buffer.from('\nendstream', 'latin1'),
		]);
		const contents = add(stream);
		kids.push(
			add(
				`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contents} 0 R >>`,
			),
		);
	}
	objects[1] = Buffer.from(
		`<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
		'latin1',
	);

	const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
	let offset = parts[0].length;
	const offsets: number[] = [];
	objects.forEach((body, i) => {
		offsets.push(offset);
		const obj = Buffer.concat([
			Buffer.from(`${i + 1} 0 obj\n`, 'latin1'),
			body,
			Buffer.from('\nendobj\n', 'latin1'),
		]);
		parts.push(obj);
		offset += obj.length;
	});
	const xref = [
		'xref',
		`0 ${objects.length + 1}`,
		'0000000000 65535 f ',
		...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `),
		'trailer',
		`<< /Size ${objects.length + 1} /Root 1 0 R >>`,
		'startxref',
		String(offset),
		'%%EOF',
		'',
	].join('\n');
	parts.push(Buffer.from(xref, 'latin1'));
	return Buffer.concat(parts);
}

/** A PDF literal string's inside: Latin-1, with `\`, `(` and `)` escaped. */
function pdfString(text: string): string {
	return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?').replace(/[\\()]/g, (c) => `\\${c}`);
}
