import { createHash } from 'node:crypto';

import { enumError, optionalEnum, readMediaModel, resolveMediaModel } from './media';
import type { Form } from './multipart';
import { numberInRange, type ValidationItem } from './validation';

/**
 * The audio endpoints (docs/dedalus-api.md).
 *
 * Speech: a short sine tone (0.2 s at speed 1, a pitch per voice) as a 24 kHz 16-bit mono WAV
 * whose LIST/INFO comment carries `DEDALUS-TRANSCRIPT:<input>`. `wav` is real WAV and `pcm` the
 * raw samples (OpenAI's pcm: 24 kHz, 16-bit little-endian, mono); mp3, opus, aac and flac answer
 * the same WAV bytes under their own content type (the emulator does not encode them).
 *
 * Transcription and translation: a file holding the marker (anywhere: a WAV from speech, or any
 * bytes a test writes) is transcribed as the marker's text, so speech -> transcription returns
 * the original input; any other file as `Emulated transcript of <name> (<bytes> bytes, sha256
 * <8 hex>)`. Translations prefix `English translation: `.
 */

export const TRANSCRIPT_MARKER = 'DEDALUS-TRANSCRIPT:';
/** The API's upload limit (OpenAI's 25 MB = 25 MiB). */
export const MAX_AUDIO_FILE_BYTES = 25 * 1024 * 1024;
export const AUDIO_FILE_TYPES = ['mp3', 'mp4', 'mpeg', 'mpga', 'm4a', 'wav', 'webm'] as const;
export const VOICES = [
	'alloy',
	'ash',
	'ballad',
	'coral',
	'echo',
	'fable',
	'onyx',
	'nova',
	'sage',
	'shimmer',
	'verse',
] as const;
const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
const CONTENT_TYPES: Record<(typeof SPEECH_FORMATS)[number], string> = {
	mp3: 'audio/mpeg',
	opus: 'audio/opus',
	aac: 'audio/aac',
	flac: 'audio/flac',
	wav: 'audio/wav',
	pcm: 'audio/pcm',
};
const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
const MAX_SPEECH_INPUT = 4096;
const SAMPLE_RATE = 24_000;

/** 16-bit mono samples of a sine tone at a quarter of full scale. */
function tone(seconds: number, frequency: number): Buffer {
	const count = Math.round(seconds * SAMPLE_RATE);
	const samples = Buffer.alloc(count * 2);
	for (let i = 0; i < count; i++)
		samples.writeInt16LE(
			Math.round(8192 * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE)),
			i * 2,
		);
	return samples;
}

function riffChunk(id: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.write(id, 0, 'latin1');
	head.writeUInt32LE(data.length, 4);
	// Chunks are word-aligned: an odd-sized chunk is followed by a pad byte.
	return Buffer.concat([head, data, Buffer.alloc(data.length % 2)]);
}

/**
 * A valid PCM WAV of `samples` (24 kHz 16-bit mono) carrying `text` in its LIST/INFO ICMT
 * comment after the marker, so transcribing it yields `text`. Tests use it to make uploads.
 */
export function markedWav(text: string, samples: Buffer = tone(0.2, 440)): Buffer {
	const fmt = Buffer.alloc(16);
	fmt.writeUInt16LE(1, 0); // PCM
	fmt.writeUInt16LE(1, 2); // mono
	fmt.writeUInt32LE(SAMPLE_RATE, 4);
	fmt.writeUInt32LE(SAMPLE_RATE * 2, 8); // byte rate
	fmt.writeUInt16LE(2, 12); // block align
	fmt.writeUInt16LE(16, 14); // bits per sample
	const comment = riffChunk('ICMT', Buffer.from(`${TRANSCRIPT_MARKER}${text}\0`, 'utf8'));
	const info = riffChunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), comment]));
	const body = Buffer.concat([
		Buffer.from('WAVE', 'latin1'),
		riffChunk('fmt ', fmt),
		info,
		riffChunk('data', samples),
	]);
	return riffChunk('RIFF', body);
}

export type BinaryAnswer =
	| { status: number; body: unknown }
	| { status: 200; bytes: Buffer; contentType: string };

export function speechAnswer(body: Record<string, unknown>): BinaryAnswer {
	const errors: ValidationItem[] = [];
	const input = body.input;
	if (input === undefined || input === null) {
		errors.push({ loc: ['body', 'input'], msg: 'Field required', type: 'missing' });
	} else if (typeof input !== 'string') {
		errors.push({
			loc: ['body', 'input'],
			msg: 'Input should be a valid string',
			type: 'string_type',
		});
	} else if (input === '' || input.length > MAX_SPEECH_INPUT) {
		errors.push({
			loc: ['body', 'input'],
			msg: `String should have between 1 and ${MAX_SPEECH_INPUT} characters`,
			type: input === '' ? 'string_too_short' : 'string_too_long',
		});
	}
	const voice = body.voice;
	if (voice === undefined || voice === null)
		errors.push({ loc: ['body', 'voice'], msg: 'Field required', type: 'missing' });
	else if (!(VOICES as readonly unknown[]).includes(voice)) errors.push(enumError('voice', VOICES));
	const format = optionalEnum(body, 'response_format', SPEECH_FORMATS, errors) ?? 'mp3';
	const streamFormat = optionalEnum(body, 'stream_format', ['sse', 'audio'] as const, errors);
	numberInRange(body, 'speed', 0.25, 4, errors);
	if (
		body.instructions !== undefined &&
		body.instructions !== null &&
		typeof body.instructions !== 'string'
	)
		errors.push({
			loc: ['body', 'instructions'],
			msg: 'Input should be a valid string',
			type: 'string_type',
		});
	const modelName = readMediaModel(body.model, errors);
	if (errors.length) return { status: 422, body: { detail: errors } };
	const model = resolveMediaModel(modelName!, 'speech');
	if (!model.ok) return { status: model.status, body: model.body };
	if (streamFormat === 'sse')
		return {
			status: 400,
			body: { detail: "stream_format 'sse' is not supported here; use 'audio'" },
		};

	const speed = typeof body.speed === 'number' ? body.speed : 1;
	const samples = tone(0.2 / speed, 220 + 40 * VOICES.indexOf(voice as (typeof VOICES)[number]));
	return {
		status: 200,
		bytes: format === 'pcm' ? samples : markedWav(input as string, samples),
		contentType: CONTENT_TYPES[format],
	};
}

/** The text after the marker, up to a NUL byte or 16 KB; undefined without a marker. */
function markerText(data: Buffer): string | undefined {
	const at = data.indexOf(TRANSCRIPT_MARKER, 0, 'latin1');
	if (at < 0) return undefined;
	const start = at + TRANSCRIPT_MARKER.length;
	let end = start;
	const limit = Math.min(data.length, start + 16 * 1024);
	while (end < limit && data[end] !== 0) end++;
	return data.toString('utf8', start, end);
}

/** Seconds of audio: exact for a PCM WAV, else as if the file were 128 kbit/s. */
function durationOf(data: Buffer): number {
	if (
		data.length >= 12 &&
		data.toString('latin1', 0, 4) === 'RIFF' &&
		data.toString('latin1', 8, 12) === 'WAVE'
	) {
		let byteRate = 0;
		for (let at = 12; at + 8 <= data.length; ) {
			const id = data.toString('latin1', at, at + 4);
			const size = data.readUInt32LE(at + 4);
			if (id === 'fmt ' && size >= 16 && at + 20 <= data.length)
				byteRate = data.readUInt32LE(at + 16);
			if (id === 'data' && byteRate > 0) return Math.round((size / byteRate) * 100) / 100;
			at += 8 + size + (size % 2);
		}
	}
	return Math.round((data.length / 16_000) * 100) / 100;
}

const LANGUAGES: Record<string, string> = {
	en: 'english',
	de: 'german',
	fr: 'french',
	es: 'spanish',
	it: 'italian',
	nl: 'dutch',
	pt: 'portuguese',
	ja: 'japanese',
	zh: 'chinese',
};

function timestamp(seconds: number, separator: ',' | '.'): string {
	const ms = Math.round(seconds * 1000);
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${separator}${pad(ms % 1000, 3)}`;
}

export type TextAnswer =
	| { status: number; body: unknown }
	| { status: 200; text: string; contentType: string };

/** POST /v1/audio/transcriptions and /v1/audio/translations, from the parsed form. */
export function transcriptAnswer(form: Form, task: 'transcribe' | 'translate'): TextAnswer {
	const errors: ValidationItem[] = [];
	const fields: Record<string, unknown> = Object.fromEntries(form.fields);
	const file = form.files.get('file');
	if (!file) errors.push({ loc: ['body', 'file'], msg: 'Field required', type: 'missing' });
	const format = optionalEnum(fields, 'response_format', TRANSCRIPT_FORMATS, errors) ?? 'json';
	if (fields.temperature !== undefined) {
		const t = Number(fields.temperature);
		fields.temperature = fields.temperature === '' ? NaN : t;
		numberInRange(fields, 'temperature', 0, 1, errors);
	}
	const language = fields.language as string | undefined;
	if (task === 'transcribe' && language !== undefined && !/^[a-z]{2}$/.test(language)) {
		errors.push({
			loc: ['body', 'language'],
			msg: 'Input should be an ISO-639-1 language code such as "en"',
			type: 'string_pattern_mismatch',
		});
	}
	const modelName = readMediaModel(fields.model, errors);
	if (errors.length) return { status: 422, body: { detail: errors } };
	const model = resolveMediaModel(modelName!, 'transcriptions');
	if (!model.ok) return { status: model.status, body: model.body };

	const upload = file!;
	if (upload.data.length > MAX_AUDIO_FILE_BYTES) {
		return {
			status: 413,
			body: {
				detail: `Maximum content size limit (${MAX_AUDIO_FILE_BYTES}) exceeded (${upload.data.length} bytes read)`,
			},
		};
	}
	const extension = /\.([A-Za-z0-9]+)$/.exec(upload.filename)?.[1].toLowerCase();
	if (!extension || !(AUDIO_FILE_TYPES as readonly string[]).includes(extension)) {
		return {
			status: 400,
			body: {
				detail: `Invalid file format '${upload.filename}'. Supported formats: ${AUDIO_FILE_TYPES.join(', ')}`,
			},
		};
	}
	if (upload.data.length === 0) return { status: 400, body: { detail: 'The audio file is empty' } };

	const heard =
		markerText(upload.data) ??
		`Emulated transcript of ${upload.filename} (${upload.data.length} bytes, sha256 ${createHash('sha256').update(upload.data).digest('hex').slice(0, 8)})`;
	const text = task === 'translate' ? `English translation: ${heard}` : heard;
	const duration = durationOf(upload.data);
	const usage = { type: 'duration', seconds: Math.max(1, Math.ceil(duration)) };
	const plain = (body: string) => ({
		status: 200 as const,
		text: body,
		contentType: 'text/plain; charset=utf-8',
	});
	switch (format) {
		case 'text':
			return plain(text);
		case 'srt':
			return plain(`1\n${timestamp(0, ',')} --> ${timestamp(duration, ',')}\n${text}\n\n`);
		case 'vtt':
			return plain(`WEBVTT\n\n${timestamp(0, '.')} --> ${timestamp(duration, '.')}\n${text}\n\n`);
		case 'verbose_json':
			return {
				status: 200,
				body: {
					task,
					language: task === 'translate' ? 'english' : (LANGUAGES[language ?? 'en'] ?? language),
					duration,
					text,
					segments: [
						{
							id: 0,
							seek: 0,
							start: 0,
							end: duration,
							text,
							tokens: [],
							temperature: typeof fields.temperature === 'number' ? fields.temperature : 0,
							avg_logprob: -0.2,
							compression_ratio: 1,
							no_speech_prob: 0.01,
						},
					],
					...(task === 'transcribe' ? { words: null, usage } : {}),
				},
			};
		default:
			return {
				status: 200,
				body: task === 'transcribe' ? { text, logprobs: null, usage } : { text },
			};
	}
}
