import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';

import { MAX_TIMEOUT_MS, parseIfString } from './transport';

// What every Dedalus node checks in its parameters before the first request: one item's input
// (ItemInput names the item and the field in every error), the Model field, and the request
// options (shared/descriptions.ts declares them).

/** Max Response Size is in MB; more than this would not fit in one JavaScript string anyway. */
const MAX_RESPONSE_MB = 500;

/**
 * Model IDs carry a provider prefix (`openai/gpt-4.1`); the editor's ID mode checks the same
 * pattern. Every `/`-separated segment is non-empty and never `.` or `..`: Model → Get puts the ID
 * in the URL path, where such a segment would walk out of /v1/models with the API key.
 */
export const MODEL_ID_PATTERN = '^(?!\\.{1,2}(?:/|$))[^\\s/]+(?:/(?!\\.{1,2}(?:/|$))[^\\s/]+)+$';

/** The Model field of one item, as a checked ID. */
export function readModelId(node: INode, value: unknown, itemIndex: number): string {
	const input = new ItemInput(node, itemIndex);
	const model = (input.text('Model', modelId(value), { required: true }) as string).trim();
	if (!new RegExp(MODEL_ID_PATTERN).test(model)) {
		input.fail(
			'Model',
			`"${model}" is not a provider-prefixed model ID`,
			'Use an ID such as openai/gpt-4.1, or pick one from the list. Parts between slashes cannot be empty, "." or "..".',
		);
	}
	return model;
}

/** Reads one item's fields, failing with the item and the field named. */
export class ItemInput {
	constructor(
		private readonly node: INode,
		readonly itemIndex: number,
	) {}

	fail(field: string, problem: string, description?: string): never {
		throw new NodeOperationError(this.node, `${field} in item ${this.itemIndex} ${problem}`, {
			itemIndex: this.itemIndex,
			description,
		});
	}

	text(field: string, value: unknown, { required = false } = {}): string | undefined {
		if (value === undefined || value === null || value === '') {
			if (required) this.fail(field, 'is empty');
			return undefined;
		}
		if (typeof value === 'number' || typeof value === 'boolean') return String(value);
		if (typeof value !== 'string') this.fail(field, `must be text, not ${describe(value)}`);
		if (required && value.trim() === '') this.fail(field, 'is empty');
		return value;
	}

	number(
		field: string,
		value: unknown,
		{ min, max, integer = false }: { min?: number; max?: number; integer?: boolean },
	): number | undefined {
		if (value === undefined || value === null || value === '') return undefined;
		const number = typeof value === 'string' ? Number(value) : value;
		if (typeof number !== 'number' || !Number.isFinite(number))
			this.fail(field, `must be a number, not ${describe(value)}`);
		if (integer && !Number.isInteger(number))
			this.fail(field, `must be a whole number, not ${number}`);
		if (min !== undefined && number < min)
			this.fail(field, `must be at least ${min}, not ${number}`);
		if (max !== undefined && number > max)
			this.fail(field, `must be at most ${max}, not ${number}`);
		return number;
	}

	/** A value from a fixed list (an options parameter, a JSON field): anything else names the field. */
	oneOf(field: string, value: unknown, allowed: readonly string[], description?: string): string {
		if (typeof value !== 'string' || !allowed.includes(value)) {
			this.fail(field, `has an unknown value ${JSON.stringify(value)}`, description);
		}
		return value;
	}

	json(field: string, value: unknown): unknown {
		const json = parseIfString(value);
		return json ? json.value : this.fail(field, 'is not valid JSON');
	}
}

function describe(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

function modelId(value: unknown): unknown {
	// A resource locator holds `{ __rl, mode, value }`; list and ID modes both keep the plain ID in `value`.
	if (value && typeof value === 'object' && '__rl' in value)
		return (value as unknown as { value: unknown }).value;
	return value;
}

export interface RequestOptions {
	timeoutMs?: number;
	maxRetries?: number;
	maxResponseBytes?: number;
}

/** Request Timeout, Max Retries and Max Response Size (shared/descriptions.ts), checked. */
export function readRequestOptions(input: ItemInput, raw: IDataObject): RequestOptions {
	const options: RequestOptions = {
		timeoutMs: input.number('Timeout', raw.timeout, {
			min: 1,
			max: MAX_TIMEOUT_MS,
			integer: true,
		}),
		maxRetries: input.number('Max Retries', raw.maxRetries, { min: 0, max: 10, integer: true }),
	};
	const maxResponseMb = input.number('Max Response Size', raw.maxResponseSize, {
		min: 0.001,
		max: MAX_RESPONSE_MB,
	});
	if (maxResponseMb !== undefined)
		options.maxResponseBytes = Math.round(maxResponseMb * 1024 * 1024);
	return options;
}
