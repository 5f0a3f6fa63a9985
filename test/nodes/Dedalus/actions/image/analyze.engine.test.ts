/**
 * Image → Analyze through n8n-core's engine against the emulator over HTTP (a recording proxy
 * in front of it shows the bodies sent): images as image_url parts (data URIs for binary files,
 * links as given), MCP servers and the consent pause exactly as Chat → Complete, and the images
 * read again from the waiting node's input items when the run resumes.
 */
import type { IDataObject } from 'n8n-workflow';

import { makePdf } from '../../../../../emulator/src/pdf-fixture';
import { solidPng } from '../../../../../emulator/src/images';
import type { RunResult } from '../../../../engine-harness/engine';
import { API_KEY, GMAIL, createTestBed, items, runDedalus } from '../../engine-setup';
import {
	binaryFile,
	fileItems,
	model,
	operationNode,
	recordRequests,
	sentUserParts,
} from '../media-setup';
import type { RecordedRequest } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
let recorded: RecordedRequest[];
let closeProxy: () => Promise<void>;
beforeAll(async () => {
	await setUp();
	({ recorded, close: closeProxy } = await recordRequests(bed));
});
afterAll(async () => {
	await closeProxy();
	await tearDown();
});
beforeEach(() => {
	bed.emulator.reset();
	recorded.length = 0;
});

const RED = solidPng(2, 2, [255, 0, 0]);
const BLUE = solidPng(2, 2, [0, 0, 255]);
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

function analyzeNode(parameters: Record<string, unknown> = {}, extra = {}) {
	return operationNode(
		'image',
		'analyze',
		{
			model: model('openai/gpt-4.1'),
			prompt: '={{ $json.prompt }}',
			mcpServers: '={{ $json.servers ?? "" }}',
			binaryPropertyName: 'data',
			...parameters,
		},
		extra,
	);
}

function photos(json: IDataObject, ...pngs: Buffer[]) {
	const names = ['data', 'second'];
	return {
		json,
		binary: Object.fromEntries(
			pngs.map((png, index) => [names[index], binaryFile(png, `photo-${index}.png`, 'image/png')]),
		),
	};
}

describe('Image → Analyze', () => {
	it('sends the prompt and each image as an image_url data URI, one request per item', async () => {
		const result = await runDedalus(
			bed,
			analyzeNode({
				binaryPropertyName: '={{ $json.fields }}',
				options: { imageDetail: 'low', concurrency: 1 },
			}),
			fileItems(
				photos({ prompt: 'what colours?', fields: 'data, second' }, RED, BLUE),
				photos({ prompt: 'and this?', fields: 'data' }, BLUE),
			),
		);
		expect(result.error?.message).toBeUndefined();
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].json.content).toContain('what colours?');
		expect(sentUserParts(recorded)).toEqual([
			[
				{ type: 'text', text: 'what colours?' },
				{ type: 'image_url', image_url: { url: dataUri(RED), detail: 'low' } },
				{ type: 'image_url', image_url: { url: dataUri(BLUE), detail: 'low' } },
			],
			[
				{ type: 'text', text: 'and this?' },
				{ type: 'image_url', image_url: { url: dataUri(BLUE), detail: 'low' } },
			],
		]);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('passes image links as they are', async () => {
		await runDedalus(
			bed,
			analyzeNode({ imageSource: 'url', imageUrls: '={{ $json.links }}' }),
			items({ prompt: 'compare', links: 'https://example.com/a.png,\nhttps://example.com/b.jpg' }),
		);
		expect(sentUserParts(recorded)[0].slice(1)).toEqual([
			{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
			{ type: 'image_url', image_url: { url: 'https://example.com/b.jpg' } },
		]);
	});

	describe('bad input fails before any request', () => {
		it.each([
			['a missing field', {}, 'Input Binary Field "data" in item 1 does not exist'],
			[
				'a PDF where an image is expected',
				{ binary: { data: binaryFile(makePdf(['x']), 'a.pdf', 'application/pdf') } },
				'Input Binary Field "data" in item 1 is application/pdf, not an image',
			],
			[
				'an empty image',
				{ binary: { data: binaryFile(Buffer.alloc(0), 'a.png', 'image/png') } },
				'Input Binary Field "data" in item 1 is an empty file',
			],
			[
				'an image over 20 MB',
				{ binary: { data: { ...binaryFile(RED, 'a.png', 'image/png'), bytes: 21 * 1024 * 1024 } } },
				'Input Binary Field "data" in item 1 is 21 MB, more than the 20 MB Dedalus accepts for an image',
			],
		])('%s', async (_name, bad, message) => {
			const result = await runDedalus(
				bed,
				analyzeNode(),
				fileItems(photos({ prompt: 'fine' }, RED), { json: { prompt: 'bad' }, ...bad }),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(message);
			expect(sentUserParts(recorded)).toHaveLength(0);
		});

		it('an http:// image link', async () => {
			const result = await runDedalus(
				bed,
				analyzeNode({ imageSource: 'url', imageUrls: 'http://example.com/a.png' }),
				items({ prompt: 'x' }),
			);
			expect(result.error?.message).toBe(
				'Image URLs in item 0 has "http://example.com/a.png", which is not an https:// link',
			);
			expect(sentUserParts(recorded)).toHaveLength(0);
		});

		it('continue-on-fail: the bad item is an error item, the other is answered', async () => {
			const result = await runDedalus(
				bed,
				analyzeNode({}, { onError: 'continueRegularOutput' }),
				fileItems({ json: { prompt: 'no file' } }, photos({ prompt: 'has file' }, RED)),
			);
			const output = result.outputOf('Dedalus');
			expect(output[0].json.error).toBe('Input Binary Field "data" in item 0 does not exist');
			expect(output[1].json.content).toContain('has file');
			expect(sentUserParts(recorded)).toHaveLength(1);
		});
	});

	describe('consent, exactly as Chat → Complete', () => {
		async function pause(): Promise<RunResult> {
			const result = await runDedalus(
				bed,
				analyzeNode({ options: { concurrency: 1 } }),
				fileItems(
					photos({ prompt: 'describe' }, RED),
					photos({ prompt: 'file it in mail', servers: GMAIL }, BLUE),
				),
			);
			expect(result.status).toBe('waiting');
			return result;
		}

		it('pauses on the 401, and after consent the resume sends the images again', async () => {
			const waiting = await pause();
			expect(waiting.outputOf('Dedalus').map((item) => item.json.status)).toEqual([
				'authorization_required',
			]);
			await bed.grantConsent();
			const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(resumed.resumed).toBe(true);
			const result = resumed.result as RunResult;
			expect(result.status).toBe('success');
			const output = result.outputOf('Dedalus');
			expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			// The emulator's Gmail server answers with its mail summary.
			expect(output[1].json.content).toContain('emails');
			// Item 0 was answered before the pause and is not sent again; item 1 went twice,
			// with its own image both times (read on resume from the waiting node's input).
			const parts = sentUserParts(recorded);
			expect(parts).toHaveLength(3);
			expect(parts[0][1]).toEqual({ type: 'image_url', image_url: { url: dataUri(RED) } });
			expect(parts[1][1]).toEqual({ type: 'image_url', image_url: { url: dataUri(BLUE) } });
			expect(parts[2]).toEqual(parts[1]);
			expect(JSON.stringify(result.data)).not.toContain(API_KEY);
		});
	});
});
