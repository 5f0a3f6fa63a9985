import { findModel, modelNotFound } from './models';
import type { ValidationItem } from './validation';

/** The non-chat endpoints, and which listed model serves which (models.ts). */
export type MediaEndpoint = 'embeddings' | 'images' | 'speech' | 'transcriptions' | 'ocr';

const SERVES: Record<string, MediaEndpoint> = {
	'openai/text-embedding-3-small': 'embeddings',
	'openai/text-embedding-3-large': 'embeddings',
	'openai/dall-e-3': 'images',
	'openai/gpt-image-1': 'images',
	'openai/tts-1': 'speech',
	'openai/gpt-4o-mini-tts': 'speech',
	'openai/whisper-1': 'transcriptions',
	'mistral/mistral-ocr-latest': 'ocr',
};

/** True for a model that serves one of the media endpoints, never chat. */
export function isMediaModel(id: string): boolean {
	return SERVES[id] !== undefined;
}

const WHAT: Record<MediaEndpoint, string> = {
	embeddings: 'embeddings',
	images: 'image generation',
	speech: 'speech',
	transcriptions: 'transcription and translation',
	ocr: 'OCR',
};

/**
 * The `model` field of a media request, checked in two steps so schema errors come out together:
 * `readMediaModel` pushes a 422 item for a missing or non-string value (a missing one is fine
 * when the endpoint has a default); `resolveMediaModel` then maps a listed id, or OpenAI's /
 * Mistral's bare name (`whisper-1`, the SDK's own literals), to the model, answering 404 for an
 * unknown id like chat and 400 for a model of another kind.
 */
export function readMediaModel(
	value: unknown,
	errors: ValidationItem[],
	fallback?: string,
): string | undefined {
	if (value === undefined || value === null) {
		if (!fallback) errors.push({ loc: ['body', 'model'], msg: 'Field required', type: 'missing' });
		return fallback;
	}
	if (typeof value === 'string' && value !== '') return value;
	errors.push({
		loc: ['body', 'model'],
		msg: 'Input should be a valid string',
		type: 'string_type',
	});
	return undefined;
}

export function resolveMediaModel(
	value: string,
	endpoint: MediaEndpoint,
): { ok: true; id: string } | { ok: false; status: number; body: { detail: string } } {
	const id = findModel(value)
		? value
		: [`openai/${value}`, `mistral/${value}`].find((candidate) => findModel(candidate));
	if (!id) return { ok: false, status: 404, body: modelNotFound(value) };
	if (SERVES[id] !== endpoint) {
		return {
			ok: false,
			status: 400,
			body: { detail: `Model '${id}' does not support ${WHAT[endpoint]}` },
		};
	}
	return { ok: true, id };
}

/** FastAPI's 422 item for a value outside an enumeration. */
export function enumError(field: string, allowed: readonly string[]): ValidationItem {
	return {
		loc: ['body', field],
		msg: `Input should be ${allowed.map((a) => `'${a}'`).join(', ')}`,
		type: 'enum',
	};
}

/** Reads an optional enum field; pushes a 422 item when it holds anything else. */
export function optionalEnum<T extends string>(
	body: Record<string, unknown>,
	field: string,
	allowed: readonly T[],
	errors: ValidationItem[],
): T | undefined {
	const v = body[field];
	if (v === undefined || v === null) return undefined;
	if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
	errors.push(enumError(field, allowed));
	return undefined;
}
