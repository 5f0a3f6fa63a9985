/**
 * Chat → Complete's new options through n8n-core's engine against the emulator over HTTP (a
 * recording proxy shows the bodies): Attachments (images as image_url, PDFs as file parts, both
 * sent again after consent), Fallback Models (the routing list) and Reasoning Effort.
 */
import type { IDataObject } from 'n8n-workflow';

import { makePdf } from '../../../../../emulator/src/pdf-fixture';
import { solidPng } from '../../../../../emulator/src/images';
import type { RunResult } from '../../../../engine-harness/engine';
import { API_KEY, GMAIL, createTestBed, dedalusNode, items, runDedalus } from '../../engine-setup';
import { binaryFile, fileItems, recordRequests, sentUserParts } from '../media-setup';
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

const PNG = solidPng(2, 2, [0, 128, 0]);
const PDF = makePdf(['Invoice 7: 99 EUR']);

function sentBodies(): IDataObject[] {
	return recorded
		.filter((entry) => entry.path === '/v1/chat/completions')
		.map((entry) => entry.body as IDataObject);
}

function withFiles(json: IDataObject) {
	return {
		json,
		binary: {
			photo: binaryFile(PNG, 'photo.png', 'image/png'),
			invoice: binaryFile(PDF, 'invoice.pdf', 'application/pdf'),
		},
	};
}

describe('Chat → Complete: Attachments', () => {
	it('adds images and PDFs to the user message as content parts, after the prompt', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { attachments: 'photo, invoice' } }),
			fileItems(withFiles({ prompt: 'summarize the invoice' })),
		);
		expect(result.status).toBe('success');
		expect(result.outputOf('Dedalus')[0].json.content).toContain('summarize the invoice');
		expect(sentUserParts(recorded)).toEqual([
			[
				{ type: 'text', text: 'summarize the invoice' },
				{
					type: 'image_url',
					image_url: { url: `data:image/png;base64,${PNG.toString('base64')}` },
				},
				{
					type: 'file',
					file: {
						filename: 'invoice.pdf',
						file_data: `data:application/pdf;base64,${PDF.toString('base64')}`,
					},
				},
			],
		]);
	});

	it('without Attachments the message content stays a plain string', async () => {
		await runDedalus(bed, dedalusNode({}), fileItems(withFiles({ prompt: 'hi' })));
		const [body] = sentBodies();
		expect((body.messages as IDataObject[]).at(-1)).toEqual({ role: 'user', content: 'hi' });
	});

	it('refuses a file of another type before any request', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { attachments: 'notes' } }),
			fileItems({
				json: { prompt: 'x' },
				binary: { notes: binaryFile(Buffer.from('hello'), 'notes.txt', 'text/plain') },
			}),
		);
		expect(result.error?.message).toBe(
			'Input Binary Field "notes" in item 0 is text/plain, not an image or a PDF',
		);
		expect(sentBodies()).toHaveLength(0);
	});

	it('a PDF over 32 MB fails before any request', async () => {
		const big = { ...binaryFile(PDF, 'big.pdf', 'application/pdf'), bytes: 33 * 1024 * 1024 };
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { attachments: 'invoice' } }),
			fileItems({ json: { prompt: 'x' }, binary: { invoice: big } }),
		);
		expect(result.error?.message).toBe(
			'Input Binary Field "invoice" in item 0 is 33 MB, more than the 32 MB Dedalus accepts for a PDF',
		);
		expect(sentBodies()).toHaveLength(0);
	});

	it('after consent the resume sends the same attachments again', async () => {
		const waiting = await runDedalus(
			bed,
			dedalusNode({ options: { attachments: 'invoice' } }),
			fileItems(withFiles({ prompt: 'mail this invoice', servers: GMAIL })),
		);
		expect(waiting.status).toBe('waiting');
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		expect((resumed.result as RunResult).status).toBe('success');
		const parts = sentUserParts(recorded);
		expect(parts).toHaveLength(2);
		expect(parts[1]).toEqual(parts[0]);
		expect(parts[0][1]).toMatchObject({ type: 'file', file: { filename: 'invoice.pdf' } });
		expect(JSON.stringify((resumed.result as RunResult).data)).not.toContain(API_KEY);
	});
});

describe('Chat → Complete: Fallback Models and Reasoning Effort', () => {
	it('sends the model list and reasoning_effort', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({
				options: {
					fallbackModels: 'anthropic/claude-sonnet-4-20250514,\ngoogle/gemini-2.5-flash',
					reasoningEffort: 'low',
				},
			}),
			items({ prompt: 'hi' }),
		);
		expect(result.status).toBe('success');
		const [body] = sentBodies();
		expect(body.model).toEqual([
			'openai/gpt-4.1',
			'anthropic/claude-sonnet-4-20250514',
			'google/gemini-2.5-flash',
		]);
		expect(body.reasoning_effort).toBe('low');
		expect(result.outputOf('Dedalus')[0].json.model).toBe('openai/gpt-4.1');
	});

	it('refuses a fallback that is not a model ID before any request', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({ options: { fallbackModels: 'gpt4' } }),
			items({ prompt: 'hi' }),
		);
		expect(result.error?.message).toBe(
			'Fallback Models in item 0 has "gpt4", which is not a provider-prefixed model ID',
		);
		expect(sentBodies()).toHaveLength(0);
	});
});
