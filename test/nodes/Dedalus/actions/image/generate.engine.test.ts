/**
 * Image → Generate through n8n-core's engine against the emulator over HTTP: base64 answers
 * decoded, `url` answers fetched without any key and without following redirects, one binary
 * output item per image with file name and MIME type, revised_prompt in the JSON.
 */
import { API_KEY, createTestBed, items, runDedalus } from '../../engine-setup';
import { bytesOf, model, operationNode, requestsTo } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function imageNode(modelId: string, options: Record<string, unknown> = {}, extra = {}) {
	return operationNode(
		'image',
		'generate',
		{ model: model(modelId), prompt: '={{ $json.prompt }}', options },
		extra,
	);
}

describe('Image → Generate', () => {
	it('decodes base64 images into binary items, one per image, with pairedItem', async () => {
		const result = await runDedalus(
			bed,
			imageNode('openai/gpt-image-1', { n: 2, size: '1024x1024', quality: 'low' }),
			items({ prompt: 'a lighthouse' }, { prompt: 'a fox' }),
		);
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
		]);
		for (const item of output) {
			expect(bytesOf(item).subarray(0, 8)).toEqual(PNG_SIGNATURE);
			expect(item.binary?.data).toMatchObject({ mimeType: 'image/png', fileExtension: 'png' });
		}
		expect(output[0].binary?.data.fileName).toBe('image-1.png');
		expect(output[1].binary?.data.fileName).toBe('image-2.png');
		expect(output[0].json).toMatchObject({ index: 0, revised_prompt: null });
		// Different prompts give different images (the emulator colours them by prompt).
		expect(bytesOf(output[0]).equals(bytesOf(output[2]))).toBe(false);
		const sent = requestsTo(bed, '/v1/images/generations');
		expect(sent).toHaveLength(2);
	});

	it('fetches a url answer without the API key and keeps revised_prompt', async () => {
		const result = await runDedalus(
			bed,
			imageNode('openai/dall-e-3', {}, {}),
			items({ prompt: 'a red door' }),
		);
		expect(result.status).toBe('success');
		const [item] = result.outputOf('Dedalus');
		expect(bytesOf(item).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		expect(item.binary?.data.fileName).toBe('image.png');
		expect(item.json.revised_prompt).toContain('a red door');
		const downloads = bed.emulator
			.requests()
			.filter((entry) => entry.path.startsWith('/v1/images/files/'));
		expect(downloads).toHaveLength(1);
		expect(downloads[0].keyId).toBeNull();
		expect(downloads[0].hasProviderKey).toBe(false);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('does not follow a redirect from an image link', async () => {
		await bed.admin('faults', {
			faults: [
				{
					path: '/v1/images/files/',
					status: 302,
					headers: { location: 'http://example.invalid/elsewhere.png' },
				},
			],
		});
		const result = await runDedalus(bed, imageNode('openai/dall-e-3'), items({ prompt: 'x' }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/redirect \(302\), which is not followed/);
	});

	it('refuses an empty prompt before any request; continue-on-fail keeps the other items', async () => {
		const result = await runDedalus(
			bed,
			imageNode('openai/gpt-image-1', {}, { onError: 'continueRegularOutput' }),
			items({ prompt: '' }, { prompt: 'ok' }),
		);
		const output = result.outputOf('Dedalus');
		expect(output[0].json).toEqual({ error: 'Prompt in item 0 is empty' });
		expect(output[0].pairedItem).toEqual({ item: 0 });
		expect(output[1].binary?.data.mimeType).toBe('image/png');
		expect(requestsTo(bed, '/v1/images/generations')).toHaveLength(1);
	});

	it('an answer larger than Max Response Size fails the item instead of filling memory', async () => {
		await bed.admin('faults', {
			faults: [
				{
					path: '/v1/images/generations',
					status: 200,
					body: { created: 1, data: [{ b64_json: 'A'.repeat(4000) }] },
				},
			],
		});
		const result = await runDedalus(
			bed,
			imageNode('openai/gpt-image-1', { maxResponseSize: 0.001 }),
			items({ prompt: 'big' }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/larger than/);
	});
});
