import { createHash } from 'crypto';
import { request } from 'http';

import {
	markedWav,
	MAX_AUDIO_FILE_BYTES,
	TRANSCRIPT_MARKER,
	VOICES,
} from '../../emulator/src/audio';
import { parseMultipart } from '../../emulator/src/multipart';
import { admin, BAD_KEY, call, KEY_A, useEmulator } from './helpers';

const bed = useEmulator();

async function speech(body: Record<string, unknown>, key = KEY_A) {
	const res = await fetch(`${bed.emu.url}/v1/audio/speech`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return {
		status: res.status,
		type: res.headers.get('content-type'),
		bytes: Buffer.from(await res.arrayBuffer()),
	};
}

async function upload(
	path: 'transcriptions' | 'translations',
	file: { data: Buffer; name: string } | undefined,
	fields: Record<string, string> = { model: 'openai/whisper-1' },
	key = KEY_A,
) {
	const form = new FormData();
	if (file) form.append('file', new Blob([file.data], { type: 'audio/wav' }), file.name);
	for (const [k, v] of Object.entries(fields)) form.append(k, v);
	const res = await fetch(`${bed.emu.url}/v1/audio/${path}`, {
		method: 'POST',
		headers: { authorization: `Bearer ${key}` },
		body: form,
	});
	const text = await res.text();
	let body: any;
	try {
		body = JSON.parse(text);
	} catch {
		body = undefined;
	}
	return { status: res.status, type: res.headers.get('content-type'), text, body };
}

/** Reads a PCM WAV's chunks: format, samples and the LIST/INFO comment. */
function readWav(wav: Buffer) {
	expect(wav.toString('latin1', 0, 4)).toBe('RIFF');
	expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
	expect(wav.toString('latin1', 8, 12)).toBe('WAVE');
	const chunks: Record<string, Buffer> = {};
	for (let at = 12; at < wav.length; ) {
		const size = wav.readUInt32LE(at + 4);
		chunks[wav.toString('latin1', at, at + 4)] = wav.subarray(at + 8, at + 8 + size);
		at += 8 + size + (size % 2);
	}
	const fmt = chunks['fmt '];
	return {
		format: fmt.readUInt16LE(0),
		channels: fmt.readUInt16LE(2),
		rate: fmt.readUInt32LE(4),
		bits: fmt.readUInt16LE(14),
		samples: chunks.data,
		comment: chunks.LIST?.toString('utf8'),
	};
}

describe('POST /v1/audio/speech', () => {
	it('answers a short WAV tone that carries the input, for every voice', async () => {
		const res = await speech({
			model: 'openai/tts-1',
			input: 'Hello from n8n',
			voice: 'alloy',
			response_format: 'wav',
		});
		expect(res.status).toBe(200);
		expect(res.type).toBe('audio/wav');
		const wav = readWav(res.bytes);
		expect(wav).toMatchObject({ format: 1, channels: 1, rate: 24000, bits: 16 });
		expect(wav.samples.length).toBe(0.2 * 24000 * 2);
		expect(wav.samples.some((b) => b !== 0)).toBe(true);
		expect(wav.comment).toContain(`${TRANSCRIPT_MARKER}Hello from n8n`);
		const voices = await Promise.all(
			VOICES.map((voice) => speech({ model: 'tts-1', input: 'x', voice, response_format: 'wav' })),
		);
		expect(new Set(voices.map((v) => v.bytes.toString('base64'))).size).toBe(VOICES.length);
	});

	it('answers mp3 content type by default, raw samples for pcm, and a shorter tone when faster', async () => {
		const mp3 = await speech({
			model: 'openai/gpt-4o-mini-tts',
			input: 'Hi',
			voice: 'coral',
			instructions: 'cheerful',
		});
		expect(mp3.type).toBe('audio/mpeg');
		expect(mp3.bytes.toString('latin1', 0, 4)).toBe('RIFF');
		const pcm = await speech({
			model: 'openai/tts-1',
			input: 'Hi',
			voice: 'coral',
			response_format: 'pcm',
			speed: 2,
		});
		expect(pcm.type).toBe('audio/pcm');
		expect(pcm.bytes.length).toBe(0.1 * 24000 * 2);
		// The same voice's tone, half as long: the first half of the mp3 answer's samples.
		expect(pcm.bytes).toEqual(readWav(mp3.bytes).samples.subarray(0, pcm.bytes.length));
	});

	it.each([
		[{ model: 'openai/tts-1', voice: 'alloy' }, ['body', 'input'], 'missing'],
		[
			{ model: 'openai/tts-1', voice: 'alloy', input: 'x'.repeat(4097) },
			['body', 'input'],
			'string_too_long',
		],
		[{ model: 'openai/tts-1', voice: 'robot', input: 'x' }, ['body', 'voice'], 'enum'],
		[{ model: 'openai/tts-1', input: 'x' }, ['body', 'voice'], 'missing'],
		[
			{ model: 'openai/tts-1', voice: 'alloy', input: 'x', speed: 5 },
			['body', 'speed'],
			'less_than_equal',
		],
		[
			{ model: 'openai/tts-1', voice: 'alloy', input: 'x', speed: 0.1 },
			['body', 'speed'],
			'greater_than_equal',
		],
		[
			{ model: 'openai/tts-1', voice: 'alloy', input: 'x', response_format: 'ogg' },
			['body', 'response_format'],
			'enum',
		],
		[{ voice: 'alloy', input: 'x' }, ['body', 'model'], 'missing'],
	])('refuses bad input #%# with a 422 naming the field', async (body, loc, type) => {
		const res = await speech(body);
		expect(res.status).toBe(422);
		expect(JSON.parse(res.bytes.toString()).detail).toEqual(
			expect.arrayContaining([expect.objectContaining({ loc, type })]),
		);
	});

	it('refuses sse streaming, non-speech models and a bad key', async () => {
		const base = { model: 'openai/tts-1', input: 'x', voice: 'alloy' };
		expect((await speech({ ...base, stream_format: 'sse' })).status).toBe(400);
		expect((await speech({ ...base, model: 'openai/whisper-1' })).status).toBe(400);
		expect((await speech(base, BAD_KEY)).status).toBe(401);
	});
});

describe('POST /v1/audio/transcriptions and /translations', () => {
	it('round-trips speech: the transcript of a generated WAV is the spoken input', async () => {
		const spoken = await speech({
			model: 'openai/tts-1',
			input: 'Call Anna at noon, ünïcode too',
			voice: 'nova',
			response_format: 'wav',
		});
		const res = await upload('transcriptions', { data: spoken.bytes, name: 'note.wav' });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			text: 'Call Anna at noon, ünïcode too',
			logprobs: null,
			usage: { type: 'duration', seconds: 1 },
		});
		const log = bed.emu.requests();
		expect(log[1]).toMatchObject({
			path: '/v1/audio/transcriptions',
			status: 200,
			model: 'openai/whisper-1',
		});
	});

	it('answers every response_format', async () => {
		const file = { data: markedWav('Meeting moved to Friday'), name: 'memo.WAV' };
		const verbose = await upload('transcriptions', file, {
			model: 'whisper-1',
			response_format: 'verbose_json',
			language: 'de',
			temperature: '0.3',
			prompt: 'names: Anna',
		});
		expect(verbose.body).toEqual({
			task: 'transcribe',
			language: 'german',
			duration: 0.2,
			text: 'Meeting moved to Friday',
			segments: [
				expect.objectContaining({
					id: 0,
					start: 0,
					end: 0.2,
					text: 'Meeting moved to Friday',
					temperature: 0.3,
				}),
			],
			words: null,
			usage: { type: 'duration', seconds: 1 },
		});
		const text = await upload('transcriptions', file, {
			model: 'openai/whisper-1',
			response_format: 'text',
		});
		expect(text.type).toBe('text/plain; charset=utf-8');
		expect(text.text).toBe('Meeting moved to Friday');
		const srt = await upload('transcriptions', file, {
			model: 'openai/whisper-1',
			response_format: 'srt',
		});
		expect(srt.text).toBe('1\n00:00:00,000 --> 00:00:00,200\nMeeting moved to Friday\n\n');
		const vtt = await upload('transcriptions', file, {
			model: 'openai/whisper-1',
			response_format: 'vtt',
		});
		expect(vtt.text).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:00.200\nMeeting moved to Friday\n\n');
	});

	it('translates into English, and transcribes unmarked files from their hash', async () => {
		const translated = await upload('translations', {
			data: markedWav('Guten Morgen'),
			name: 'a.wav',
		});
		expect(translated.body).toEqual({ text: 'English translation: Guten Morgen' });
		const verbose = await upload(
			'translations',
			{ data: markedWav('Hola'), name: 'a.m4a' },
			{
				model: 'openai/whisper-1',
				response_format: 'verbose_json',
			},
		);
		expect(verbose.body).toMatchObject({
			task: 'translate',
			language: 'english',
			text: 'English translation: Hola',
		});
		expect(verbose.body).not.toHaveProperty('usage');

		const mp3 = Buffer.from('ID3 not really an mp3, but bytes all the same');
		const a = await upload('transcriptions', { data: mp3, name: 'voice.mp3' });
		const hash = createHash('sha256').update(mp3).digest('hex').slice(0, 8);
		expect(a.body.text).toBe(`Emulated transcript of voice.mp3 (45 bytes, sha256 ${hash})`);
		const b = await upload('transcriptions', { data: mp3, name: 'voice.mp3' });
		expect(b.body.text).toBe(a.body.text);
		// A test can put the marker into any file type.
		const marked = await upload('transcriptions', {
			data: Buffer.concat([
				Buffer.from([0xff, 0xfb, 0x90]),
				Buffer.from(`${TRANSCRIPT_MARKER}From a webm\0rest`),
			]),
			name: 'clip.webm',
		});
		expect(marked.body.text).toBe('From a webm');
	});

	it('refuses a missing, empty or wrongly typed file and bad fields', async () => {
		const wav = { data: markedWav('x'), name: 'x.wav' };
		const missing = await upload('transcriptions', undefined);
		expect(missing.status).toBe(422);
		expect(missing.body.detail).toEqual([
			expect.objectContaining({ loc: ['body', 'file'], type: 'missing' }),
		]);
		const empty = await upload('transcriptions', { data: Buffer.alloc(0), name: 'x.wav' });
		expect(empty).toMatchObject({ status: 400, body: { detail: 'The audio file is empty' } });
		const pdf = await upload('transcriptions', {
			data: Buffer.from('%PDF-1.4'),
			name: 'invoice.pdf',
		});
		expect(pdf.status).toBe(400);
		expect(pdf.body.detail).toBe(
			"Invalid file format 'invoice.pdf'. Supported formats: mp3, mp4, mpeg, mpga, m4a, wav, webm",
		);
		const noModel = await upload('transcriptions', wav, {});
		expect(noModel.body.detail).toEqual([expect.objectContaining({ loc: ['body', 'model'] })]);
		const bad = await upload('transcriptions', wav, {
			model: 'openai/whisper-1',
			response_format: 'xml',
			temperature: '2',
			language: 'english',
		});
		expect(bad.status).toBe(422);
		expect(bad.body.detail.map((d: { loc: string[] }) => d.loc[1]).sort()).toEqual([
			'language',
			'response_format',
			'temperature',
		]);
		const chatModel = await upload('transcriptions', wav, { model: 'openai/gpt-4.1' });
		expect(chatModel.status).toBe(400);
		const json = await call(bed.emu.url, '/v1/audio/transcriptions', {
			body: { model: 'openai/whisper-1' },
		});
		expect(json.status).toBe(400);
		expect(json.body.detail).toMatch(/multipart\/form-data/);
		expect((await upload('translations', wav, undefined, BAD_KEY)).status).toBe(401);
	});

	it('refuses a file over 25 MB with 413, and a body far over it before reading it all', async () => {
		const over = await upload('transcriptions', {
			data: Buffer.alloc(MAX_AUDIO_FILE_BYTES + 1),
			name: 'big.wav',
		});
		expect(over.status).toBe(413);
		expect(over.body.detail).toMatch(/^Maximum content size limit \(26214400\) exceeded/);
		const exact = await upload('transcriptions', {
			data: Buffer.alloc(MAX_AUDIO_FILE_BYTES),
			name: 'big.wav',
		});
		expect(exact.status).toBe(200);

		// 30 MB: the emulator answers 413 and closes the connection.
		const status = await new Promise<number | string>((resolve) => {
			const req = request(`${bed.emu.url}/v1/audio/transcriptions`, {
				method: 'POST',
				headers: {
					authorization: `Bearer ${KEY_A}`,
					'content-type': 'multipart/form-data; boundary=xyz',
					'content-length': 30 * 1024 * 1024,
				},
			});
			req.on('response', (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', (err) => resolve(err.message));
			req.end(Buffer.alloc(30 * 1024 * 1024));
		});
		expect(status).toBe(413);
	});

	it('lets faults and latency through', async () => {
		await admin(bed.emu.url, 'faults', { faults: [{ status: 500, path: '/v1/audio/' }] });
		const wav = { data: markedWav('x'), name: 'x.wav' };
		expect((await upload('transcriptions', wav)).status).toBe(500);
		expect((await upload('transcriptions', wav)).status).toBe(200);
		expect(bed.emu.requests().map((r) => r.fault ?? null)).toEqual(['status:500', null]);
	});
});

describe('parseMultipart', () => {
	const type = 'multipart/form-data; boundary="b"';
	it('reads fields and files without copying', () => {
		const body = Buffer.from(
			'preamble\r\n--b\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n' +
				'--b\r\nContent-Disposition: form-data; name="file"; filename="a \\"q\\".wav"\r\nContent-Type: audio/wav\r\n\r\n\r\n--x\r\n--b--\r\n',
		);
		const form = parseMultipart(body, type);
		if (typeof form === 'string') throw new Error(form);
		expect(form.fields.get('model')).toBe('whisper-1');
		const file = form.files.get('file')!;
		expect(file).toMatchObject({ filename: 'a "q".wav', contentType: 'audio/wav' });
		expect(file.data.toString()).toBe('\r\n--x');
		expect(file.data.buffer).toBe(body.buffer);
	});

	it.each([
		['multipart/form-data', '--b--', /no boundary/],
		[type, 'nothing', /no part/],
		[type, '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue', /no closing delimiter/],
		[type, '--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--', /Content-Disposition/],
		[
			type,
			`${'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n'.repeat(33)}--b--`,
			/more than 32 parts/,
		],
		[type, `--b\r\n${'X-Pad: y\r\n'.repeat(2000)}\r\nv\r\n--b--`, /headers/],
	])('refuses a malformed form (%s, %#)', (contentType, text, message) => {
		expect(parseMultipart(Buffer.from(text), contentType)).toMatch(message);
	});
});
