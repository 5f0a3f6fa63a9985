import { createHash } from 'crypto';
import { deflateSync } from 'zlib';

import { linkPlaceholder, pdfPages } from '../../emulator/src/ocr';
import { makePdf } from '../../emulator/src/pdf-fixture';
import { admin, BAD_KEY, call, useEmulator } from './helpers';

const bed = useEmulator();

const dataUri = (mime: string, bytes: Buffer) => `data:${mime};base64,${bytes.toString('base64')}`;
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

	it('answers images with one page of placeholder text', async () => {
		const png = Buffer.from('89504e470d0a1a0a', 'hex');
		const res = await ocr({
			document: { type: 'image_url', image_url: dataUri('image/png', png) },
		});
		expect(res.status).toBe(200);
		expect(res.body.pages).toEqual([
			{ index: 0, markdown: 'Emulated OCR text of a image/png image (8 bytes)' },
		]);
		const objectForm = await ocr({
			document: { type: 'image_url', image_url: { url: dataUri('image/jpeg', png) } },
		});
		expect(objectForm.body.pages[0].markdown).toMatch(/image\/jpeg/);
		const asDocument = await ocr({ document: { document_url: dataUri('image/webp', png) } });
		expect(asDocument.status).toBe(200);
	});

	it('answers an https link with one page of placeholder text naming it, and logs the link', async () => {
		const pdfLink = 'https://files.example.com/invoice.pdf?sig=abc';
		const res = await ocr({ document: { type: 'document_url', document_url: pdfLink } });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			model: 'mistral/mistral-ocr-latest',
			pages: [{ index: 0, markdown: `Emulated OCR text of the document at ${pdfLink}` }],
			usage: null,
		});
		const imageLink = 'https://files.example.com/scan.png';
		const image = await ocr({ document: { type: 'image_url', image_url: { url: imageLink } } });
		expect(image.body.pages).toEqual([
			{ index: 0, markdown: linkPlaceholder('image_url', imageLink) },
		]);
		expect(bed.emu.requests().map((entry) => entry.files)).toEqual([
			[{ type: 'document_url', url: pdfLink }],
			[{ type: 'image_url', url: imageLink }],
		]);
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
		[{ document: { type: 'file', document_url: 'data:,' } }, ['body', 'document', 'type'], 'enum'],
		[{ document: { type: 'document_url' } }, ['body', 'document', 'document_url'], 'missing'],
		[
			{ document: { type: 'image_url', image_url: { url: 3 } } },
			['body', 'document', 'image_url'],
			'missing',
		],
	])('refuses %j with a 422 naming the field', async (body, loc, type) => {
		const res = await ocr(body);
		expect(res.status).toBe(422);
		expect(res.body.detail).toEqual(
			expect.arrayContaining([expect.objectContaining({ loc, type })]),
		);
	});

	it.each([
		['http://example.com/invoice.pdf', /data: URI .* or an https:\/\/ link/],
		['ftp://example.com/invoice.pdf', /data: URI .* or an https:\/\/ link/],
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
