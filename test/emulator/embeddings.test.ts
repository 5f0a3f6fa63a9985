import { admin, BAD_KEY, call, useEmulator } from './helpers';

const bed = useEmulator();
const MODEL = 'openai/text-embedding-3-small';

const embed = (body: unknown, key?: string) => call(bed.emu.url, '/v1/embeddings', { body, key });

function cosine(a: number[], b: number[]): number {
	let dot = 0;
	for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
	return dot;
}

describe('POST /v1/embeddings', () => {
	it('answers one unit vector per input in OpenAI shape, the same for the same text', async () => {
		const res = await embed({
			model: MODEL,
			input: ['Invoices are due on Friday', 'The cat sat on the mat', 'invoices due friday!'],
		});
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({
			object: 'list',
			model: MODEL,
			data: [
				{ object: 'embedding', index: 0 },
				{ object: 'embedding', index: 1 },
				{ object: 'embedding', index: 2 },
			],
		});
		const vectors = (res.body.data as Array<{ embedding: number[] }>).map((d) => d.embedding);
		for (const v of vectors) {
			expect(v).toHaveLength(1536);
			expect(Math.abs(cosine(v, v) - 1)).toBeLessThan(1e-6);
		}
		// Shared words point the same way: a vector store finds the invoice text for an invoice query.
		expect(cosine(vectors[0], vectors[2])).toBeGreaterThan(0.5);
		expect(Math.abs(cosine(vectors[0], vectors[1]))).toBeLessThan(0.2);
		// ceil(chars / 4) per input: 26, 22 and 19 characters.
		expect(res.body.usage).toEqual({ prompt_tokens: 7 + 6 + 5, total_tokens: 18 });

		const again = await embed({ model: MODEL, input: 'Invoices are due on Friday' });
		expect(again.body.data[0].embedding).toEqual(vectors[0]);
	});

	it('honours dimensions as a prefix of the full vector, renormalised, and base64 as float32', async () => {
		const full = (await embed({ model: MODEL, input: 'hello world' })).body.data[0]
			.embedding as number[];
		const short = await embed({
			model: MODEL,
			input: 'hello world',
			dimensions: 8,
			encoding_format: 'base64',
		});
		expect(short.status).toBe(200);
		const bytes = Buffer.from(short.body.data[0].embedding as string, 'base64');
		expect(bytes.length).toBe(8 * 4);
		const floats = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 8));
		const prefix = full.slice(0, 8);
		const norm = Math.sqrt(cosine(prefix, prefix));
		floats.forEach((f, i) => expect(f).toBeCloseTo(prefix[i] / norm, 5));
	});

	it('takes token arrays and the bare OpenAI model name', async () => {
		const one = await embed({ model: 'text-embedding-3-large', input: [1, 2, 3] });
		expect(one.status).toBe(200);
		expect(one.body.model).toBe('openai/text-embedding-3-large');
		expect(one.body.data).toHaveLength(1);
		expect(one.body.data[0].embedding).toHaveLength(3072);
		expect(one.body.usage.prompt_tokens).toBe(3);
		const two = await embed({ model: MODEL, input: [[1, 2, 3], [4]] });
		expect(two.body.data).toHaveLength(2);
		expect(two.body.data[0].embedding).toEqual(
			(await embed({ model: MODEL, input: [1, 2, 3] })).body.data[0].embedding,
		);
	});

	it('accepts 2048 inputs and refuses 2049', async () => {
		const inputs = Array.from({ length: 2049 }, (_, i) => `text ${i}`);
		const ok = await embed({ model: MODEL, input: inputs.slice(0, 2048), dimensions: 4 });
		expect(ok.status).toBe(200);
		expect(ok.body.data).toHaveLength(2048);
		expect(ok.body.data[2047].index).toBe(2047);
		const tooMany = await embed({ model: MODEL, input: inputs, dimensions: 4 });
		expect(tooMany.status).toBe(422);
		expect(tooMany.body.detail[0]).toMatchObject({ loc: ['body', 'input'], type: 'too_long' });
	});

	it.each([
		[{ model: MODEL }, ['body', 'input'], 'missing'],
		[{ model: MODEL, input: '' }, ['body', 'input'], 'string_too_short'],
		[{ model: MODEL, input: [] }, ['body', 'input'], 'too_short'],
		[{ model: MODEL, input: ['ok', ''] }, ['body', 'input', 1], 'string_type'],
		[{ model: MODEL, input: ['ok', 3] }, ['body', 'input', 1], 'string_type'],
		[{ model: MODEL, input: { text: 'x' } }, ['body', 'input'], 'union_type'],
		[{ model: MODEL, input: 'x', encoding_format: 'hex' }, ['body', 'encoding_format'], 'enum'],
		[{ model: MODEL, input: 'x', dimensions: 0 }, ['body', 'dimensions'], 'int_type'],
		[{ input: 'x' }, ['body', 'model'], 'missing'],
	])('refuses %j with a 422 naming the field', async (body, loc, type) => {
		const res = await embed(body);
		expect(res.status).toBe(422);
		expect(res.body.detail).toEqual(
			expect.arrayContaining([expect.objectContaining({ loc, type })]),
		);
	});

	it('refuses too many dimensions, oversized inputs, unknown and non-embedding models', async () => {
		const dims = await embed({ model: MODEL, input: 'x', dimensions: 1537 });
		expect(dims.status).toBe(400);
		expect(dims.body.detail).toMatch(/at most 1536/);
		const long = await embed({ model: MODEL, input: 'a'.repeat(4 * 8192 + 1) });
		expect(long.status).toBe(400);
		expect(long.body.detail).toMatch(/input\[0\].*8192/);
		const unknown = await embed({ model: 'openai/nope', input: 'x' });
		expect(unknown.status).toBe(404);
		const chatModel = await embed({ model: 'openai/gpt-4.1', input: 'x' });
		expect(chatModel.status).toBe(400);
		expect(chatModel.body.detail).toBe("Model 'openai/gpt-4.1' does not support embeddings");
	});

	it('lists the media models, which chat refuses', async () => {
		const ids = (await call(bed.emu.url, '/v1/models')).body.data.map((m: { id: string }) => m.id);
		expect(ids).toEqual(
			expect.arrayContaining([
				MODEL,
				'openai/text-embedding-3-large',
				'openai/dall-e-3',
				'openai/gpt-image-1',
				'openai/tts-1',
				'openai/gpt-4o-mini-tts',
				'openai/whisper-1',
				'mistral/mistral-ocr-latest',
			]),
		);
		const res = await call(bed.emu.url, '/v1/chat/completions', {
			body: { model: MODEL, messages: [{ role: 'user', content: 'hi' }] },
		});
		expect(res.status).toBe(400);
		expect(res.body.detail).toBe(`Model '${MODEL}' does not support chat completions`);
	});

	it('needs a valid key, and faults, latency and the request log apply', async () => {
		expect((await embed({ model: MODEL, input: 'x' }, BAD_KEY)).status).toBe(401);
		await admin(bed.emu.url, 'faults', { faults: [{ status: 429, path: '/v1/embeddings' }] });
		const limited = await embed({ model: MODEL, input: 'x' });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('1');
		const t0 = Date.now();
		const slow = await call(bed.emu.url, '/v1/embeddings', {
			body: { model: MODEL, input: 'x', dimensions: 2 },
			headers: { 'x-emulator-latency-ms': '150' },
		});
		expect(slow.status).toBe(200);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
		const log = bed.emu.requests().filter((r) => r.path === '/v1/embeddings');
		expect(log.map((r) => [r.status, r.fault])).toEqual([
			[401, undefined],
			[429, 'status:429'],
			[200, undefined],
		]);
		expect(log[2].model).toBe(MODEL);
	});
});
