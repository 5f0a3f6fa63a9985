/**
 * Document → Extract Text (OCR) through n8n-core's engine against the emulator over HTTP: a PDF
 * from a binary property comes back as markdown per page plus the joined text; images; URLs;
 * bad input before any request.
 */
import { BinaryDataService } from 'n8n-core';

import { makePdf } from '../../../../../emulator/src/pdf-fixture';
import { imagePlaceholder } from '../../../../../emulator/src/ocr';
import { Container } from '../../../../engine-harness/n8n-internals';
import { API_KEY, createTestBed, items, runDedalus } from '../../engine-setup';
import { binaryFile, fileItems, model, operationNode, requestsTo } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

function ocrNode(parameters: Record<string, unknown> = {}, extra = {}) {
	return operationNode(
		'document',
		'extractText',
		{ model: model('mistral/mistral-ocr-latest'), ...parameters },
		extra,
	);
}

describe('Document → Extract Text (OCR)', () => {
	it('reads a PDF page by page and joins the text', async () => {
		const pdf = makePdf(['Invoice 2024-17', ['Total: 120 EUR', 'Due: 30 days']], {
			compress: true,
		});
		const result = await runDedalus(
			bed,
			ocrNode(),
			fileItems({ binary: { data: binaryFile(pdf, 'invoice.pdf', 'application/pdf') } }),
		);
		expect(result.status).toBe('success');
		const [item] = result.outputOf('Dedalus');
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			page_count: 2,
			file_name: 'invoice.pdf',
			model: 'mistral/mistral-ocr-latest',
			usage: null,
		});
		const pages = item.json.pages as Array<{ index: number; markdown: string }>;
		expect(pages.map((page) => page.index)).toEqual([0, 1]);
		expect(pages[0].markdown).toContain('Invoice 2024-17');
		expect(pages[1].markdown).toContain('Due: 30 days');
		expect(item.json.text).toBe(`${pages[0].markdown}\n\n${pages[1].markdown}`);
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(1);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('writes the item’s base64 straight into the body: n8n is never asked for the file as one Buffer', async () => {
		const pdf = makePdf(['Scanned page'], { compress: true });
		const file = binaryFile(pdf, 'scan.pdf', 'application/pdf');
		// Watches n8n's own service (getBinaryDataBuffer ends there); it still does the work.
		const getAsBuffer = jest.spyOn(Container.get(BinaryDataService), 'getAsBuffer');
		try {
			const plain = await runDedalus(bed, ocrNode(), fileItems({ binary: { data: file } }));
			expect(plain.outputOf('Dedalus')[0].json.text).toContain('Scanned page');
			expect(getAsBuffer).not.toHaveBeenCalled();

			// Base64 in another form (line breaks) is decoded whole, and still sent right.
			const wrapped = { ...file, data: file.data.replace(/(.{76})/g, '$1\r\n') };
			const other = await runDedalus(bed, ocrNode(), fileItems({ binary: { data: wrapped } }));
			expect(other.outputOf('Dedalus')[0].json.text).toContain('Scanned page');
			expect(getAsBuffer).toHaveBeenCalledTimes(1);
			expect(requestsTo(bed, '/v1/ocr')).toHaveLength(2);
		} finally {
			getAsBuffer.mockRestore();
		}
	});

	it('sends an image as image_url', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const result = await runDedalus(
			bed,
			ocrNode({ binaryPropertyName: 'scan' }),
			fileItems({ binary: { scan: binaryFile(png, 'scan.png', 'image/png') } }),
		);
		expect(result.outputOf('Dedalus')[0].json.text).toBe(imagePlaceholder('image/png', png.length));
	});

	it('refuses a link that is not https before any request', async () => {
		const result = await runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: '={{ $json.url }}' }),
			items({ url: 'http://example.com/a.pdf' }),
		);
		expect(result.error?.message).toBe('Document URL in item 0 must be an https:// link');
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(0);
	});

	it('refuses a file that is neither PDF nor image, and keeps the other items with continue-on-fail', async () => {
		const pdf = makePdf(['ok']);
		const result = await runDedalus(
			bed,
			ocrNode({}, { onError: 'continueRegularOutput' }),
			fileItems(
				{ binary: { data: binaryFile(Buffer.from('a,b'), 'table.csv', 'text/csv') } },
				{ binary: { data: binaryFile(pdf, 'ok.pdf', 'application/pdf') } },
			),
		);
		const output = result.outputOf('Dedalus');
		expect(output[0].json.error).toBe(
			'Input Binary Field "data" in item 0 is text/csv, not a PDF or an image',
		);
		expect(output[1].json.text).toContain('ok');
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(1);
	});
});
