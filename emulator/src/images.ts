import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

import type { Answer } from './embeddings';
import { optionalEnum, readMediaModel, resolveMediaModel } from './media';
import { numberInRange, type ValidationItem } from './validation';

/**
 * POST /v1/images/generations (docs/dedalus-api.md). Each image is a tiny solid-colour PNG whose
 * colour comes from sha256(prompt, index) and whose size is the requested size divided by 64
 * (1024x1024 -> 16x16; `auto` -> 16x16), so answers are small, valid and deterministic. The bytes
 * are PNG whatever `output_format` says. `url` answers point at GET /v1/images/files/<name>.png,
 * which serves the same PNG without a key (like the real API's signed links).
 */

export const IMAGE_FILES_PATH = '/v1/images/files/';
const DEFAULT_MODEL = 'openai/dall-e-3';
const SIZES = [
	'256x256',
	'512x512',
	'1024x1024',
	'1536x1024',
	'1024x1536',
	'1792x1024',
	'1024x1792',
	'auto',
] as const;
const RESPONSE_FORMATS = ['url', 'b64_json'] as const;
const OUTPUT_FORMATS = ['png', 'jpeg', 'webp'] as const;
const QUALITIES = ['auto', 'high', 'medium', 'low', 'hd', 'standard'] as const;
const BACKGROUNDS = ['transparent', 'opaque', 'auto'] as const;
const STYLES = ['vivid', 'natural'] as const;
const MODERATIONS = ['low', 'auto'] as const;
const MAX_PROMPT = 32_000;

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
	return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A valid RGB PNG of one colour (8 bits per channel, no interlace). */
export function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: RGB
	const row = Buffer.alloc(1 + width * 3); // filter byte 0, then pixels
	for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
	const raw = Buffer.concat(Array.from({ length: height }, () => row));
	return Buffer.concat([
		PNG_SIGNATURE,
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** The file name an image is served under: its colour and size, so the link needs no state. */
function imageName(prompt: string, index: number, size: string): string {
	const hex = createHash('sha256').update(`${index}\n${prompt}`).digest('hex').slice(0, 6);
	const [w, h] = size === 'auto' ? [1024, 1024] : size.split('x').map(Number);
	return `${hex}-${Math.max(1, Math.round(w / 64))}x${Math.max(1, Math.round(h / 64))}.png`;
}

/** The PNG behind a served name, or undefined when the name is not one this emulator makes. */
export function pngForName(name: string): Buffer | undefined {
	const m = /^([0-9a-f]{6})-(\d{1,2})x(\d{1,2})\.png$/.exec(name);
	if (!m) return undefined;
	const w = Number(m[2]);
	const h = Number(m[3]);
	if (w < 1 || h < 1 || w > 32 || h > 32) return undefined;
	const rgb: [number, number, number] = [0, 2, 4].map((i) =>
		parseInt(m[1].slice(i, i + 2), 16),
	) as [number, number, number];
	return solidPng(w, h, rgb);
}

export function imagesAnswer(body: Record<string, unknown>, base: string): Answer {
	const errors: ValidationItem[] = [];
	const prompt = body.prompt;
	if (prompt === undefined || prompt === null) {
		errors.push({ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' });
	} else if (typeof prompt !== 'string') {
		errors.push({
			loc: ['body', 'prompt'],
			msg: 'Input should be a valid string',
			type: 'string_type',
		});
	} else if (prompt.trim() === '' || prompt.length > MAX_PROMPT) {
		errors.push({
			loc: ['body', 'prompt'],
			msg: `String should have between 1 and ${MAX_PROMPT} characters`,
			type: prompt.trim() === '' ? 'string_too_short' : 'string_too_long',
		});
	}
	const n = body.n ?? 1;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10) {
		errors.push({
			loc: ['body', 'n'],
			msg: 'Input should be an integer from 1 to 10',
			type: 'int_range',
		});
	}
	const size = optionalEnum(body, 'size', SIZES, errors) ?? 'auto';
	const responseFormat = optionalEnum(body, 'response_format', RESPONSE_FORMATS, errors);
	optionalEnum(body, 'output_format', OUTPUT_FORMATS, errors);
	optionalEnum(body, 'quality', QUALITIES, errors);
	optionalEnum(body, 'background', BACKGROUNDS, errors);
	optionalEnum(body, 'style', STYLES, errors);
	optionalEnum(body, 'moderation', MODERATIONS, errors);
	numberInRange(body, 'output_compression', 0, 100, errors);
	const modelName = readMediaModel(body.model, errors, DEFAULT_MODEL);
	if (errors.length) return { status: 422, body: { detail: errors } };
	const model = resolveMediaModel(modelName!, 'images');
	if (!model.ok) return { status: model.status, body: model.body };
	if (body.stream === true) {
		return { status: 400, body: { detail: 'Streamed image generation is not supported here' } };
	}

	// OpenAI's defaults: dall-e answers links, gpt-image-1 base64.
	const format = responseFormat ?? (model.id === DEFAULT_MODEL ? 'url' : 'b64_json');
	const text = prompt as string;
	const data = Array.from({ length: n as number }, (_, index) => {
		const name = imageName(text, index, size);
		return {
			b64_json: format === 'b64_json' ? pngForName(name)!.toString('base64') : null,
			url: format === 'url' ? `${base}${IMAGE_FILES_PATH}${name}` : null,
			// dall-e-3 rewrites prompts; gpt-image-1 sends none (null, as the SDK's type allows).
			revised_prompt:
				model.id === DEFAULT_MODEL ? `${text} (emulated image ${index + 1} of ${n})` : null,
		};
	});
	return { status: 200, body: { created: Math.floor(Date.now() / 1000), data } };
}
