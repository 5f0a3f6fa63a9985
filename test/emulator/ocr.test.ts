import { createHash } from 'crypto';
import { deflateSync } from 'zlib';

import { pdfPages } from '../../emulator/src/ocr';
import { makePdf } from '../../emulator/src/pdf-fixture';
import { MAX_PAD_BYTES, servedFile } from '../../emulator/src/served-files';
import { admin, BAD_KEY, call, useEmulator } from './helpers';

const bed = useEmulator();

const dataUri = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const ocr = (body: unknown, key?: string) => call(bed.emu.url, '/v1/ocr', { body, key });

const INVOICE = [
	['Invoice 2024-017', 'ACME GmbH, Berlin', 'Total: 1,250.00 EUR (incl. 19% VAT)'],
	['Page 2: terms (net 30) \\ no discounts', 'Bank: DE02 1203 0000 0000 2020 51'],
	'Café Müller, thank you!',
];

describe('makePdf', () => {
	it('writes a PDF whose xref points at every object', () => {
		const pdf = makePdf(INVOICE);
		const text = pdf.toString('latin1');
		expect(text.startsWith('%PDF-1.4\n')).toBe(true);
		expect(text.endsWith('%%EOF\n')).toBe(true);
		const startxref = Number(/startxref\n(\d+)\n/.exec(text)![1]);
		expect(text.slice(startxref, startxref + 4)).toBe('xref');
		const entries = text.slice(startxref).split('\n').slice(3);
		const count = Number(/\/Size (\d+)/.exec(text)![1]) - 1;
		expect(count).toBe(3 + 2 * INVOICE.length);
		for (let i = 0; i < count; i++) {
			const offset = Number(entries[i].slice(0, 10));
			expect(entries[i]).toHaveLength(19);
			expect(text.slice(offset, offset + `${i + 1} 0 obj`.length)).toBe(`${i + 1} 0 obj`);
		}
		expect(text).toContain('/Count 3');
	});
});

describe('POST /v1/ocr', () => {
	it.each([false, true])(
		'returns each page of a PDF as written (compressed: %s)',
		async (compress) => {
			const pdf = makePdf(INVOICE, { compress });
			const res = await ocr({
				document: { type: 'document_url', document_url: dataUri('application/pdf', pdf) },
			});
			expect(res.status).toBe(200);
			expect(res.body).toEqual({
				model: 'mistral/mistral-ocr-latest',
				pages: [
					{ index: 0, markdown: (INVOICE[0] as string[]).join('\n') },
					{ index: 1, markdown: (INVOICE[1] as string[]).join('\n') },
					{ index: 2, markdown: 'Café Müller, thank you!' },
				],
				usage: null,
			});
		},
	);

	it('reads 20 pages in order, with the bare model name and no type', async () => {
		const pages = Array.from({ length: 20 }, (_, i) => `Page ${i + 1} of 20`);
		const res = await ocr({
			model: 'mistral-ocr-latest',
			document: { document_url: dataUri('application/pdf', makePdf(pages, { compress: true })) },
		});
		expect(res.status).toBe(200);
		expect(res.body.pages.map((p: { markdown: string }) => p.markdown)).toEqual(pages);
		const pdf = makePdf(pages, { compress: true });
		expect(bed.emu.requests()[0]).toMatchObject({
			path: '/v1/ocr',
			status: 200,
			model: 'mistral-ocr-latest',
			files: [
				{
					type: 'document_url',
					mime: 'application/pdf',
					bytes: pdf.length,
					sha256: createHash('sha256').update(pdf).digest('hex'),
				},
			],
		});
	});

	it('answers an image data URI in document_url with one page of placeholder text', async () => {
		const png = Buffer.from('89504e470d0a1a0a', 'hex');
		const res = await ocr({ document: { document_url: dataUri('image/png', png) } });
		expect(res.status).toBe(200);
		expect(res.body.pages).toEqual([
			{ index: 0, markdown: 'Emulated OCR text of a image/png image (8 bytes)' },
		]);
		const typed = await ocr({
			document: { type: 'document_url', document_url: dataUri('image/jpeg', png) },
		});
		expect(typed.body.pages[0].markdown).toMatch(/image\/jpeg/);
		expect(bed.emu.requests().map((entry) => entry.files)).toEqual([
			[{ type: 'document_url', mime: 'image/png', bytes: 8, sha256: sha256(png) }],
			[{ type: 'document_url', mime: 'image/jpeg', bytes: 8, sha256: sha256(png) }],
		]);
	});

	it("refuses Mistral's image_url and links: the SDK documents a data URI in document_url only", async () => {
		const png = dataUri('image/png', Buffer.from('89504e470d0a1a0a', 'hex'));
		const imageUrl = await ocr({ document: { type: 'image_url', image_url: png } });
		expect(imageUrl.status).toBe(422);
		expect(imageUrl.body.detail).toEqual([
			{ loc: ['body', 'document', 'document_url'], msg: 'Field required', type: 'missing' },
		]);
		const link = await ocr({
			document: { document_url: 'https://files.example.com/invoice.pdf' },
		});
		expect(link).toMatchObject({
			status: 400,
			body: { detail: 'The document must be a data: URI (data:<mime>;base64,...)' },
		});
	});

	it('reads the text operators real PDFs use: TJ arrays, hex strings, quotes, octal escapes', () => {
		const content = [
			'BT /F1 12 Tf 72 720 Td',
			'[(Hel) -20 (lo) 120 (!)] TJ',
			'0 -14 Td <576f726c64> Tj',
			"(Next \\(line\\)) '",
			'T* (caf\\351) Tj 40 0 Td (x) Tj',
			'% a comment (not text) Tj',
			'ET',
		].join('\n');
		const stream = deflateSync(Buffer.from(content, 'latin1'));
		const pdf = Buffer.concat([
			Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n', 'latin1'),
			Buffer.from('2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n', 'latin1'),
			Buffer.from('3 0 obj << /Type /Page /Parent 2 0 R /Contents [4 0 R] >> endobj\n', 'latin1'),
			// An indirect /Length: the reader falls back to endstream.
			Buffer.from('4 0 obj << /Length 5 0 R /Filter /FlateDecode >>\nstream\r\n', 'latin1'),
			stream,
			Buffer.from('\r\nendstream\nendobj\n5 0 obj ' + stream.length + ' endobj\n', 'latin1'),
			Buffer.from('trailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'),
		]);
		expect(pdfPages(pdf)).toEqual(['Hello!\nWorld\nNext (line)\ncafé x']);
	});

	it.each([
		[{}, ['body', 'document'], 'missing'],
		[{ document: 'data:application/pdf;base64,AA==' }, ['body', 'document'], 'dict_type'],
		[
			{ document: { type: 3, document_url: 'data:,' } },
			['body', 'document', 'type'],
			'string_type',
		],
		[{ document: { type: 'document_url' } }, ['body', 'document', 'document_url'], 'missing'],
		[
			{ document: { document_url: { url: 'data:,' } } },
			['body', 'document', 'document_url'],
			'string_type',
		],
	])('refuses %j with a 422 naming the field', async (body, loc, type) => {
		const res = await ocr(body);
		expect(res.status).toBe(422);
		expect(res.body.detail).toEqual(
			expect.arrayContaining([expect.objectContaining({ loc, type })]),
		);
	});

	it.each([
		['http://example.com/invoice.pdf', /must be a data: URI/],
		['ftp://example.com/invoice.pdf', /must be a data: URI/],
		['data:application/pdf,%25PDF-1.4', /must be base64/],
		['data:application/pdf;base64,', /empty/],
		[dataUri('application/pdf', Buffer.from('hello, not a pdf')), /not a PDF/],
		[
			dataUri('application/pdf', Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n')),
			/no readable page tree/,
		],
		[dataUri('text/plain', Buffer.from('hello')), /Unsupported document type 'text\/plain'/],
	])('refuses %s with a clear 400', async (url, message) => {
		const res = await ocr({ document: { document_url: url } });
		expect(res.status).toBe(400);
		expect(res.body.detail).toMatch(message);
	});

	it('refuses other models and a bad key; faults and latency apply', async () => {
		const doc = { document_url: dataUri('application/pdf', makePdf(['x'])) };
		const wrong = await ocr({ model: 'openai/gpt-4.1', document: doc });
		expect(wrong).toMatchObject({
			status: 400,
			body: { detail: "Model 'openai/gpt-4.1' does not support OCR" },
		});
		expect((await ocr({ document: doc }, BAD_KEY)).status).toBe(401);
		await admin(bed.emu.url, 'faults', { faults: [{ status: 502, html: true, path: '/v1/ocr' }] });
		const proxy = await ocr({ document: doc });
		expect(proxy.status).toBe(502);
		expect(proxy.text).toContain('502 Bad Gateway');
		expect((await ocr({ document: doc })).status).toBe(200);
	});
});

describe('GET /files/<name>', () => {
	it('serves a PDF that reads back as its name, a PNG and an HTML page, without a key', async () => {
		const pdf = await fetch(`${bed.emu.url}/files/invoice-7.pdf`);
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		const bytes = Buffer.from(await pdf.arrayBuffer());
		expect(bytes.equals(makePdf(['invoice-7']))).toBe(true);
		expect(pdfPages(bytes)).toEqual(['invoice-7']);
		const png = await fetch(`${bed.emu.url}/files/scan.png`);
		expect(png.headers.get('content-type')).toBe('image/png');
		const pngBytes = Buffer.from(await png.arrayBuffer());
		expect(pngBytes.equals(servedFile('scan.png')!.bytes)).toBe(true);
		expect(pngBytes.subarray(1, 4).toString('latin1')).toBe('PNG');
		expect(servedFile('other.png')!.bytes.equals(pngBytes)).toBe(false);
		const html = await fetch(`${bed.emu.url}/files/login.html`);
		expect(html.headers.get('content-type')).toMatch(/^text\/html/);
		expect(await html.text()).toContain('<p>login</p>');
		expect(bed.emu.requests().map((entry) => [entry.path, entry.status, entry.keyId])).toEqual([
			['/files/invoice-7.pdf', 200, null],
			['/files/scan.png', 200, null],
			['/files/login.html', 200, null],
		]);
	});

	it('pads with zero bytes on ?pad=, and answers 404 for other names and too much padding', async () => {
		const padded = await fetch(`${bed.emu.url}/files/a.pdf?pad=1000`);
		const bytes = Buffer.from(await padded.arrayBuffer());
		const pdf = makePdf(['a']);
		expect(bytes.length).toBe(pdf.length + 1000);
		expect(bytes.subarray(0, pdf.length).equals(pdf)).toBe(true);
		expect(bytes.subarray(pdf.length).every((byte) => byte === 0)).toBe(true);
		for (const path of [
			'/files/a.txt',
			'/files/../a.pdf',
			'/files/a.pdf.pdf',
			`/files/a.pdf?pad=${MAX_PAD_BYTES + 1}`,
			'/files/a.pdf?pad=-1',
		]) {
			const res = await call(bed.emu.url, path, { key: null });
			expect([path, res.status]).toEqual([path, 404]);
		}
		expect((await call(bed.emu.url, '/files/a.pdf', { body: {} })).status).toBe(405);
	});

	it('takes faults aimed at /files/ only', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 500 }] });
		expect((await fetch(`${bed.emu.url}/files/a.pdf`)).status).toBe(200);
		await admin(bed.emu.url, 'faults', {
			faults: [{ status: 503, path: '/files/' }],
		});
		expect((await fetch(`${bed.emu.url}/files/a.pdf`)).status).toBe(503);
		expect((await fetch(`${bed.emu.url}/files/a.pdf`)).status).toBe(200);
	});
});
