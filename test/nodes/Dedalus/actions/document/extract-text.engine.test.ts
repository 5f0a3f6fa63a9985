/**
 * Document → Extract Text (OCR) through n8n-core's engine against the emulator over HTTP (behind a
 * recording proxy, so the exact bodies are seen): a PDF from a binary property comes back as
 * markdown per page plus the joined text; images go the same way; a link is downloaded by the
 * node and sent as a data URI; bad input fails before any request.
 */
import { createHash } from 'node:crypto';
import { BinaryDataService } from 'n8n-core';

import { makePdf } from '../../../../../emulator/src/pdf-fixture';
import { imagePlaceholder } from '../../../../../emulator/src/ocr';
import { servedFile } from '../../../../../emulator/src/served-files';
import { Container } from '../../../../engine-harness/n8n-internals';
import { API_KEY, createTestBed, items, runDedalus } from '../../engine-setup';
import {
	binaryFile,
	fileItems,
	model,
	operationNode,
	recordRequests,
	requestsTo,
} from '../media-setup';
import type { RecordedRequest } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
let recorded: RecordedRequest[];
let baseUrl: string;
let closeProxy: () => Promise<void>;
beforeAll(async () => {
	await setUp();
	({ recorded, url: baseUrl, close: closeProxy } = await recordRequests(bed));
});
afterAll(async () => {
	await closeProxy();
	await tearDown();
});
beforeEach(() => {
	bed.emulator.reset();
	recorded.length = 0;
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const sentBodies = () =>
	recorded.filter((entry) => entry.path === '/v1/ocr').map((entry) => entry.body);
const MB = 1024 * 1024;

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
			const dataUri = `data:application/pdf;base64,${pdf.toString('base64')}`;
			expect(sentBodies()).toEqual([
				{ model: 'mistral/mistral-ocr-latest', document: { document_url: dataUri } },
				{ model: 'mistral/mistral-ocr-latest', document: { document_url: dataUri } },
			]);
		} finally {
			getAsBuffer.mockRestore();
		}
	});

	it('sends an image as a data URI in document_url, as a PDF goes, with no type', async () => {
		const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
		const result = await runDedalus(
			bed,
			ocrNode({ binaryPropertyName: 'scan' }),
			fileItems({ binary: { scan: binaryFile(png, 'scan.png', 'image/png') } }),
		);
		expect(result.outputOf('Dedalus')[0].json.text).toBe(imagePlaceholder('image/png', png.length));
		expect(sentBodies()).toEqual([
			{
				model: 'mistral/mistral-ocr-latest',
				document: { document_url: `data:image/png;base64,${png.toString('base64')}` },
			},
		]);
	});

	it('downloads a linked PDF and image without the key and sends the exact bytes as data URIs', async () => {
		const links = [`${baseUrl}/files/invoice-77.pdf`, `${baseUrl}/files/scan.png`];
		const result = await runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: '={{ $json.url }}' }),
			items(...links.map((url) => ({ url }))),
		);
		expect(result.status).toBe('success');
		const pdf = servedFile('invoice-77.pdf')!.bytes;
		const png = servedFile('scan.png')!.bytes;
		expect(result.outputOf('Dedalus').map((item) => [item.json.text, item.pairedItem])).toEqual([
			['invoice-77', { item: 0 }],
			[imagePlaceholder('image/png', png.length), { item: 1 }],
		]);
		const log = bed.emulator.requests();
		expect(log.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
			['GET', '/files/invoice-77.pdf', 200],
			['POST', '/v1/ocr', 200],
			['GET', '/files/scan.png', 200],
			['POST', '/v1/ocr', 200],
		]);
		const downloads = log.filter((entry) => entry.method === 'GET');
		expect(
			downloads.map((entry) => [entry.keyId, entry.hasProvider, entry.hasProviderKey]),
		).toEqual([
			[null, false, false],
			[null, false, false],
		]);
		expect(log.filter((entry) => entry.method === 'POST').map((entry) => entry.files)).toEqual([
			[{ type: 'document_url', mime: 'application/pdf', bytes: pdf.length, sha256: sha256(pdf) }],
			[{ type: 'document_url', mime: 'image/png', bytes: png.length, sha256: sha256(png) }],
		]);
		expect(
			sentBodies().map((body) => Object.keys((body as { document: object }).document)),
		).toEqual([['document_url'], ['document_url']]);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('refuses a plain http link to another address before any request', async () => {
		const result = await runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: '={{ $json.url }}' }),
			items({ url: 'http://example.com/a.pdf' }),
		);
		expect(result.error?.message).toBe(
			'Document URL in item 0 is not an https:// link (http://example.com/a.pdf), so it was not fetched',
		);
		expect(bed.emulator.requests()).toHaveLength(0);
		expect(recorded).toHaveLength(0);
	});

	it('refuses a link with a user name and password without showing them', async () => {
		const result = await runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: '={{ $json.url }}' }),
			items({ url: 'https://ann:s3cret-pw@files.example.com/a.pdf?sig=t0ken' }),
		);
		expect(result.error?.message).toBe(
			'Document URL in item 0 is not an https:// link (https://files.example.com/a.pdf), so it was not fetched',
		);
		// The input item holds the link; the error the node adds must not repeat its secrets.
		const error = result.error as unknown as Record<string, unknown>;
		expect(JSON.stringify([error, error.description, error.message])).not.toMatch(
			/s3cret-pw|t0ken/,
		);
		expect(bed.emulator.requests()).toHaveLength(0);
	});

	it('refuses a link that is not http(s) at all while checking the items', async () => {
		const result = await runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: '={{ $json.url }}' }),
			items({ url: 'file:///etc/passwd' }),
		);
		expect(result.error?.message).toBe('Document URL in item 0 must be an https:// link');
		expect(bed.emulator.requests()).toHaveLength(0);
	});

	it('fails a link answering 404 or a redirect, a web page or a file over 50 MB as its item, and keeps the others with continue-on-fail', async () => {
		const tooBig = 50 * MB + 1 - makePdf(['big']).length;
		await bed.admin('faults', {
			faults: [
				{
					path: '/files/moved.pdf',
					status: 302,
					headers: { location: `${baseUrl}/files/target.pdf` },
				},
			],
		});
		const result = await runDedalus(
			bed,
			ocrNode(
				{ documentSource: 'url', documentUrl: '={{ $json.url }}' },
				{ onError: 'continueRegularOutput' },
			),
			items(
				{ url: `${baseUrl}/files/missing.txt` },
				{ url: `${baseUrl}/files/login.html` },
				{ url: `${baseUrl}/files/big.pdf?pad=${tooBig}` },
				{ url: `${baseUrl}/files/ok.pdf` },
				{ url: `${baseUrl}/files/moved.pdf` },
			),
		);
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => [item.json.error ?? item.json.text, item.pairedItem])).toEqual([
			['Document URL in item 0 could not be fetched (HTTP 404)', { item: 0 }],
			['Document URL in item 1 is text/html, not a PDF or an image', { item: 1 }],
			['Document URL in item 2 is larger than 50 MB, so it was not read', { item: 2 }],
			['ok', { item: 3 }],
			['Document URL in item 4 answered with a redirect (302), which is not followed', { item: 4 }],
		]);
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(1);
		expect(requestsTo(bed, '/files/target.pdf')).toHaveLength(0);
	}, 30_000);

	it('gives up a download after the Request Timeout, before any OCR request', async () => {
		await bed.admin('faults', { faults: [{ path: '/files/', delayMs: 2000 }] });
		const started = Date.now();
		const result = await runDedalus(
			bed,
			ocrNode({
				documentSource: 'url',
				documentUrl: `${baseUrl}/files/slow.pdf`,
				options: { timeout: 500 },
			}),
			items({}),
		);
		expect(result.error?.message).toBe(
			'Document URL in item 0 could not be fetched: the request timed out (no complete answer within 500 ms)',
		);
		expect(Date.now() - started).toBeLessThan(1800);
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(0);
	}, 20_000);

	it('stops a download when the execution is canceled', async () => {
		await bed.admin('faults', { faults: [{ path: '/files/', delayMs: 3000 }] });
		const controller = new AbortController();
		const started = Date.now();
		const running = runDedalus(
			bed,
			ocrNode({ documentSource: 'url', documentUrl: `${baseUrl}/files/slow.pdf` }),
			items({}),
			{ abortSignal: controller.signal },
		);
		await new Promise((resolve) => setTimeout(resolve, 300));
		controller.abort();
		const result = await running;
		expect(result.status).toBe('canceled');
		expect(Date.now() - started).toBeLessThan(2500);
		// The node closed its connection: the emulator logs the download as unanswered (status 0)
		// long before its 3 s delay is over.
		const download = () => requestsTo(bed, '/files/slow.pdf')[0];
		for (let tries = 0; tries < 20 && download().durationMs === 0; tries++) {
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		expect(download()).toMatchObject({ status: 0, keyId: null });
		expect(download().durationMs).toBeLessThan(2500);
		expect(requestsTo(bed, '/v1/ocr')).toHaveLength(0);
	}, 30_000);

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
