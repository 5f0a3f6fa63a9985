/*
 * Drives the official `dedalus-labs` SDK (0.1.0-alpha.8) against the emulator.
 *
 * Where the SDK and docs/dedalus-api.md differ (the emulator follows the SDK
 * on the wire, and accepts the variants docs/dedalus-api.md lists too):
 * - `Completion` has `tools_executed` and `mcp_server_errors` but no `mcp_tool_results` field, so
 *   this test reads it through a cast: older SDKs lack it, exactly as docs/dedalus-api.md warns.
 * - `mcp_servers` is typed `string | string[]` only; the object form in docs/dedalus-api.md
 *   `{ name, slug | url, version? }` is not in the SDK types (the emulator accepts it anyway).
 * - `models.retrieve('openai/gpt-4.1')` sends `/v1/models/openai%2Fgpt-4.1` (the slash is
 *   percent-encoded), so the server must decode the id.
 * - Message roles include `developer`, and `messages` is optional in the SDK types ("OpenAI:
 *   messages, Google: contents, Responses: input"); the emulator accepts `developer` but still
 *   requires a non-empty `messages`.
 * - `Model.provider` is a closed union without "dedalus": the emulator's `dedalus/echo` model is
 *   emulator-only.
 * - The SDK has no `responses` resource (docs/dedalus-api.md: newest SDK only).
 * - The SDK's docstring lists 402 Payment Required next to 429 (docs/dedalus-api.md: balance or quota).
 * - The SDK sends `Idempotency-Key: stainless-node-retry-<uuid>` on POSTs, the same across retries,
 *   and `X-Stainless-Retry-Count`; the 401 error object is the parsed body, so
 *   `err.error.connect_url` is the top-level field.
 * - Media: the SDK has `embeddings`, `images` (generate, edit, createVariation; the emulator serves
 *   generate only) and `audio` (speech, transcriptions, translations), but no `ocr` resource, so the
 *   OCR test below posts with fetch. `audio.speech.create` answers a fetch `Response` (binary) and
 *   sends `Accept: audio/mpeg`; transcriptions and translations upload multipart forms;
 *   `CreateEmbeddingResponse.usage` is typed as a plain number map.
 */
import Dedalus, { AuthenticationError, toFile } from 'dedalus-labs';

import { startEmulator, type Emulator } from '../../emulator/src';
import { TRANSCRIPT_MARKER } from '../../emulator/src/audio';
import { makePdf } from '../../emulator/src/pdf-fixture';
import { admin, call, decide, GMAIL, SEARCH } from './helpers';

const API_KEY = 'dsk-test-sdk-0001';

let emu: Emulator;
let client: Dedalus;

beforeAll(async () => {
	emu = await startEmulator({ port: 0 });
	client = new Dedalus({ apiKey: API_KEY, baseURL: emu.url, logLevel: 'off' });
});

afterAll(async () => {
	await emu.close();
});

beforeEach(() => emu.reset());

const messages = [{ role: 'user' as const, content: 'What came in yesterday?' }];

describe('official SDK against the emulator', () => {
	it('completes a chat call that uses brave-search', async () => {
		const completion = await client.chat.completions.create({
			model: 'openai/gpt-4.1',
			messages,
			mcp_servers: [SEARCH],
		});
		expect(completion.choices[0].message.content).toMatch(
			/^Top results for "What came in yesterday\?":/,
		);
		expect(completion.tools_executed).toEqual(['search']);
		const results = (completion as unknown as { mcp_tool_results: Array<Record<string, unknown>> })
			.mcp_tool_results;
		expect(results).toEqual([
			expect.objectContaining({ tool_name: 'search', server_name: SEARCH, is_error: false }),
		]);
		const [entry] = emu.requests();
		expect(entry.idempotencyKey).toMatch(/^stainless-node-retry-/);
		expect(entry.hasProvider).toBe(false);
	});

	it('lists and retrieves models', async () => {
		const list = await client.models.list();
		expect(list.data.map((m) => m.id)).toContain('openai/gpt-4.1');
		const model = await client.models.retrieve('openai/gpt-4.1');
		expect(model.id).toBe('openai/gpt-4.1');
		expect(emu.requests()[1].path).toBe('/v1/models/openai%2Fgpt-4.1');
	});

	it('raises AuthenticationError with connect_url, and succeeds after consent', async () => {
		const params = { model: 'openai/gpt-4.1', messages, mcp_servers: [GMAIL] };
		const err = await client.chat.completions.create(params).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(err).toBeInstanceOf(AuthenticationError);
		const body = (err as AuthenticationError).error as {
			connect_url?: string;
			detail?: { connect_url?: string };
		};
		const url = body.connect_url ?? body.detail?.connect_url;
		expect(url).toMatch(new RegExp(`^${emu.url.replace(/\./g, '\\.')}/oauth/connect\\?`));
		expect(url).not.toContain(API_KEY);
		// A 401 is not retried by the SDK: exactly one attempt reached the emulator.
		expect(emu.requests()).toHaveLength(1);

		expect((await decide(url!, 'allow')).html).toContain('Connected');

		const completion = await client.chat.completions.create(params);
		expect(completion.choices[0].message.content).toMatch(/^Summary of 3 emails from yesterday:/);
		expect(completion.tools_executed).toEqual(['list_messages']);
	});

	it('a bad key raises AuthenticationError without connect_url', async () => {
		const bad = new Dedalus({ apiKey: 'dsk-invalid-sdk-0002', baseURL: emu.url, logLevel: 'off' });
		const err = await bad.models.list().then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(err).toBeInstanceOf(AuthenticationError);
		expect((err as AuthenticationError).error).toEqual({ detail: 'Invalid API key' });
	});

	it('retries a 429 that carries retry-after-ms and then succeeds', async () => {
		await admin(emu.url, 'faults', {
			faults: [{ status: 429, path: '/v1/chat/completions', headers: { 'retry-after-ms': '50' } }],
		});
		const t0 = Date.now();
		const completion = await client.chat.completions.create({ model: 'dedalus/echo', messages });
		expect(completion.choices[0].message.content).toBe(
			'Echo from dedalus/echo: What came in yesterday?',
		);
		expect(Date.now() - t0).toBeLessThan(450);
		const log = emu.requests().filter((r) => r.path === '/v1/chat/completions');
		expect(log.map((r) => r.status)).toEqual([429, 200]);
		expect(log[0].fault).toBe('status:429');
		expect(log[1].idempotencyKey).toBe(log[0].idempotencyKey);
	});

	it('retries a dropped connection', async () => {
		await admin(emu.url, 'faults', { faults: [{ drop: true }] });
		const list = await client.models.list();
		expect(list.data.length).toBeGreaterThan(0);
		expect(emu.requests().map((r) => r.status)).toEqual([0, 200]);
	});

	it('does not retry when x-should-retry is false', async () => {
		await admin(emu.url, 'faults', {
			faults: [{ status: 503, headers: { 'x-should-retry': 'false' } }],
		});
		await expect(client.models.list()).rejects.toMatchObject({ status: 503 });
		expect(emu.requests()).toHaveLength(1);
	});

	it('streams', async () => {
		const stream = await client.chat.completions.create({
			model: 'openai/gpt-4.1',
			messages,
			mcp_servers: [SEARCH],
			stream: true,
		});
		let text = '';
		let last: Record<string, unknown> | undefined;
		for await (const chunk of stream) {
			text += chunk.choices[0]?.delta?.content ?? '';
			last = chunk as unknown as Record<string, unknown>;
		}
		expect(text).toMatch(/^Top results for "What came in yesterday\?":/);
		expect(last).toMatchObject({
			tools_executed: ['search'],
			choices: [{ finish_reason: 'stop' }],
		});
	});

	it('creates embeddings', async () => {
		const res = await client.embeddings.create({
			model: 'openai/text-embedding-3-small',
			input: ['first text', 'second text'],
			dimensions: 64,
		});
		expect(res.object).toBe('list');
		expect(res.model).toBe('openai/text-embedding-3-small');
		expect(res.data.map((d) => [d.index, (d.embedding as number[]).length])).toEqual([
			[0, 64],
			[1, 64],
		]);
		expect(res.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
		const b64 = await client.embeddings.create({
			model: 'text-embedding-3-small',
			input: 'first text',
			dimensions: 64,
			encoding_format: 'base64',
		});
		// A copy: Buffer.from may hand back a view into a shared, unaligned pool.
		const bytes = Uint8Array.from(Buffer.from(b64.data[0].embedding as string, 'base64'));
		const floats = new Float32Array(bytes.buffer);
		expect(Array.from(floats)).toEqual(
			(res.data[0].embedding as number[]).map((v) => Math.fround(v)),
		);
	});

	it('generates images as base64 and as links', async () => {
		const b64 = await client.images.generate({
			model: 'openai/gpt-image-1',
			prompt: 'A lighthouse',
			n: 2,
			size: '1024x1024',
		});
		expect(b64.data).toHaveLength(2);
		expect(Buffer.from(b64.data[0].b64_json!, 'base64').subarray(1, 4).toString()).toBe('PNG');
		expect(b64.data[0].url).toBeNull();
		const linked = await client.images.generate({ prompt: 'A lighthouse', response_format: 'url' });
		const image = await fetch(linked.data[0].url!);
		expect(image.headers.get('content-type')).toBe('image/png');
		expect(linked.data[0].revised_prompt).toMatch(/^A lighthouse/);
	});

	it('makes speech, and transcribes and translates it back', async () => {
		const speech = await client.audio.speech.create({
			model: 'openai/tts-1',
			input: 'Remind me to call Anna',
			voice: 'alloy',
			response_format: 'wav',
			speed: 1.5,
		});
		expect(speech.headers.get('content-type')).toBe('audio/wav');
		const wav = Buffer.from(await speech.arrayBuffer());
		expect(wav.toString('latin1', 8, 12)).toBe('WAVE');
		expect(wav.includes(`${TRANSCRIPT_MARKER}Remind me to call Anna`)).toBe(true);

		const transcript = await client.audio.transcriptions.create({
			file: await toFile(wav, 'note.wav', { type: 'audio/wav' }),
			model: 'openai/whisper-1',
			language: 'en',
		});
		expect(transcript.text).toBe('Remind me to call Anna');
		const verbose = await client.audio.transcriptions.create({
			file: await toFile(wav, 'note.wav'),
			model: 'openai/whisper-1',
			response_format: 'verbose_json',
		});
		expect(verbose).toMatchObject({
			language: 'english',
			duration: 0.13,
			text: 'Remind me to call Anna',
		});
		const translation = await client.audio.translations.create({
			file: await toFile(wav, 'note.wav'),
			model: 'openai/whisper-1',
		});
		expect(translation.text).toBe('English translation: Remind me to call Anna');
		const speechEntry = emu.requests().find((r) => r.path === '/v1/audio/speech');
		expect(speechEntry?.idempotencyKey).toMatch(/^stainless-node-retry-/);
	});

	it('retries a 503 on a multipart upload and then succeeds', async () => {
		await admin(emu.url, 'faults', {
			faults: [
				{ status: 503, path: '/v1/audio/transcriptions', headers: { 'retry-after-ms': '10' } },
			],
		});
		const transcript = await client.audio.transcriptions.create({
			file: await toFile(Buffer.from(`${TRANSCRIPT_MARKER}retried\0`), 'clip.mp3'),
			model: 'openai/whisper-1',
		});
		expect(transcript.text).toBe('retried');
		expect(emu.requests().map((r) => r.status)).toEqual([503, 200]);
	});

	it('has no OCR resource: OCR goes over plain HTTP', async () => {
		expect((client as unknown as Record<string, unknown>).ocr).toBeUndefined();
		const pdf = makePdf(['Invoice 7', 'Total 12.00 EUR']);
		const res = await call(emu.url, '/v1/ocr', {
			key: API_KEY,
			body: {
				document: {
					type: 'document_url',
					document_url: `data:application/pdf;base64,${pdf.toString('base64')}`,
				},
			},
		});
		expect(res.body.pages).toEqual([
			{ index: 0, markdown: 'Invoice 7' },
			{ index: 1, markdown: 'Total 12.00 EUR' },
		]);
	});
});
