import { createHash } from 'node:crypto';

import { optionalEnum, readMediaModel, resolveMediaModel } from './media';
import { positiveInt, type ValidationItem } from './validation';

/**
 * POST /v1/embeddings in OpenAI's shape (docs/dedalus-api.md). A vector is a stable hash of its
 * input: every word (lower-cased letters and digits; a token id for token inputs) seeds a
 * pseudo-random direction, the input's vector is the sum of its words' directions, normalised.
 * Equal inputs get equal vectors and inputs that share words point the same way, so a vector
 * store fed by the emulator retrieves the document that shares the query's words.
 * Token counts are estimated as ceil(characters / 4) (one per id for token inputs).
 */

export const NATIVE_DIMENSIONS: Record<string, number> = {
	'openai/text-embedding-3-small': 1536,
	'openai/text-embedding-3-large': 3072,
};

export const MAX_INPUTS = 2048;
const MAX_TOKENS_PER_INPUT = 8192;
const MAX_TOKENS_PER_REQUEST = 300_000;
const ENCODINGS = ['float', 'base64'] as const;

type Input = { kind: 'text'; text: string } | { kind: 'tokens'; tokens: number[] };

export type Answer = { status: number; body: unknown };

function isTokenId(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function readInputs(value: unknown, errors: ValidationItem[]): Input[] {
	const loc = ['body', 'input'];
	if (value === undefined || value === null) {
		errors.push({ loc, msg: 'Field required', type: 'missing' });
		return [];
	}
	if (typeof value === 'string') {
		if (value === '')
			errors.push({
				loc,
				msg: 'String should have at least 1 character',
				type: 'string_too_short',
			});
		return [{ kind: 'text', text: value }];
	}
	if (!Array.isArray(value)) {
		errors.push({
			loc,
			msg: 'Input should be a string, a list of strings, a list of token ids or a list of token lists',
			type: 'union_type',
		});
		return [];
	}
	if (value.length === 0 || value.length > MAX_INPUTS) {
		errors.push({
			loc,
			msg:
				value.length === 0
					? 'List should have at least 1 item after validation, not 0'
					: `List should have at most ${MAX_INPUTS} items after validation, not ${value.length}`,
			type: value.length === 0 ? 'too_short' : 'too_long',
		});
		return [];
	}
	// One token list (the whole request is one input) when every element is a token id.
	if (value.every(isTokenId)) return [{ kind: 'tokens', tokens: value }];
	const out: Input[] = [];
	const kind = typeof value[0] === 'string' ? 'text' : 'tokens';
	value.forEach((item: unknown, i) => {
		if (kind === 'text' && typeof item === 'string' && item !== '') {
			out.push({ kind: 'text', text: item });
		} else if (
			kind === 'tokens' &&
			Array.isArray(item) &&
			item.length > 0 &&
			item.every(isTokenId)
		) {
			out.push({ kind: 'tokens', tokens: item });
		} else {
			errors.push({
				loc: [...loc, i],
				msg:
					kind === 'text'
						? 'Input should be a non-empty string (every item of a list of strings)'
						: 'Input should be a non-empty list of token ids (every item of a list of token lists)',
				type: kind === 'text' ? 'string_type' : 'list_type',
			});
		}
	});
	return out;
}

function tokenCount(input: Input): number {
	return input.kind === 'tokens'
		? input.tokens.length
		: Math.max(1, Math.ceil(input.text.length / 4));
}

function featuresOf(input: Input): Map<string, number> {
	const counts = new Map<string, number>();
	const words =
		input.kind === 'tokens'
			? input.tokens.map((t) => `#${t}`)
			: (input.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [input.text]);
	for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
	return counts;
}

/** A word's direction: `dimensions` values in [-1, 1) from sfc32 seeded by sha256(word). */
function direction(word: string, dimensions: number): Float32Array {
	const seed = createHash('sha256').update(word).digest();
	let a = seed.readUInt32LE(0);
	let b = seed.readUInt32LE(4);
	let c = seed.readUInt32LE(8);
	let d = seed.readUInt32LE(12);
	const out = new Float32Array(dimensions);
	for (let i = 0; i < dimensions; i++) {
		const t = (((a + b) | 0) + d) | 0;
		d = (d + 1) | 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) | 0;
		c = (c << 21) | (c >>> 11);
		c = (c + t) | 0;
		out[i] = (t >>> 0) / 2147483648 - 1;
	}
	return out;
}

// Words repeat across a batch (benchmarks send 10,000 texts), so directions are kept, up to
// 32 MB; the values are the same whether they come from here or are made afresh.
const CACHE_LIMIT_FLOATS = 8 * 1024 * 1024;
const cache = new Map<string, Float32Array>();
let cachedFloats = 0;

function cachedDirection(word: string, dimensions: number): Float32Array {
	const key = `${dimensions}\n${word}`;
	let found = cache.get(key);
	if (!found) {
		found = direction(word, dimensions);
		if (cachedFloats + dimensions > CACHE_LIMIT_FLOATS) {
			cache.clear();
			cachedFloats = 0;
		}
		cache.set(key, found);
		cachedFloats += dimensions;
	}
	return found;
}

/** The input's unit vector, each component rounded to 8 decimals (what the JSON carries). */
export function embed(input: Input, dimensions: number): Float64Array {
	const sum = new Float64Array(dimensions);
	for (const [word, count] of featuresOf(input)) {
		const dir = cachedDirection(word, dimensions);
		for (let i = 0; i < dimensions; i++) sum[i] += count * dir[i];
	}
	let norm = 0;
	for (let i = 0; i < dimensions; i++) norm += sum[i] * sum[i];
	norm = Math.sqrt(norm) || 1;
	for (let i = 0; i < dimensions; i++) sum[i] = Math.round((sum[i] / norm) * 1e8) / 1e8;
	return sum;
}

export function embeddingsAnswer(body: Record<string, unknown>): Answer {
	const errors: ValidationItem[] = [];
	const inputs = readInputs(body.input, errors);
	const encoding = optionalEnum(body, 'encoding_format', ENCODINGS, errors) ?? 'float';
	const dimensions = positiveInt(body, 'dimensions', errors);
	if (body.user !== undefined && body.user !== null && typeof body.user !== 'string') {
		errors.push({
			loc: ['body', 'user'],
			msg: 'Input should be a valid string',
			type: 'string_type',
		});
	}
	const modelName = readMediaModel(body.model, errors);
	if (errors.length) return { status: 422, body: { detail: errors } };
	const model = resolveMediaModel(modelName!, 'embeddings');
	if (!model.ok) return { status: model.status, body: model.body };

	const native = NATIVE_DIMENSIONS[model.id];
	if (dimensions !== undefined && dimensions > native) {
		return {
			status: 400,
			body: {
				detail: `dimensions must be at most ${native} for ${model.id}, got ${dimensions}`,
			},
		};
	}
	let total = 0;
	for (let i = 0; i < inputs.length; i++) {
		const tokens = tokenCount(inputs[i]);
		if (tokens > MAX_TOKENS_PER_INPUT) {
			return {
				status: 400,
				body: {
					detail: `input[${i}] has about ${tokens} tokens; ${model.id} accepts at most ${MAX_TOKENS_PER_INPUT} per input`,
				},
			};
		}
		total += tokens;
	}
	if (total > MAX_TOKENS_PER_REQUEST) {
		return {
			status: 400,
			body: {
				detail: `The request has about ${total} tokens; at most ${MAX_TOKENS_PER_REQUEST} are accepted across all inputs`,
			},
		};
	}

	const size = dimensions ?? native;
	const data = inputs.map((input, index) => {
		const vector = embed(input, size);
		return {
			object: 'embedding',
			index,
			embedding:
				encoding === 'base64'
					? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
					: Array.from(vector),
		};
	});
	return {
		status: 200,
		body: {
			object: 'list',
			data,
			model: model.id,
			usage: { prompt_tokens: total, total_tokens: total },
		},
	};
}
