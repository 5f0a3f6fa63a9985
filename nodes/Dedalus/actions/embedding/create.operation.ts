import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { errorItem, resultItem } from '../../completion';
import { ItemInput, readModelId, readRequestOptions } from '../../../../shared/parameters';
import { MAX_EMBEDDING_BATCH, embedBatch } from '../../../../shared/embeddings';
import type { RequestOptions } from '../../../../shared/parameters';
import { DedalusClient, asNodeError } from '../../../../shared/transport';
import {
	maxResponseSizeOption,
	maxRetriesOption,
	modelLocatorWithDefault,
	timeoutOption,
} from '../../../../shared/descriptions';

const MAX_BATCH_SIZE = MAX_EMBEDDING_BATCH;

const properties: INodeProperties[] = [
	modelLocatorWithDefault('openai/text-embedding-3-small'),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.text }}',
		description: 'The text to embed: one vector per item',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_BATCH_SIZE },
				default: MAX_BATCH_SIZE,
				description: 'How many items go into one request (at most 2048)',
			},
			{
				displayName: 'Dimensions',
				name: 'dimensions',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1536,
				description: 'Length of the vectors, for models that can shorten them',
			},
			{
				displayName: 'Encoding',
				name: 'encodingFormat',
				type: 'options',
				options: [
					{ name: 'Float', value: 'float', description: 'Numbers as JSON' },
					{
						name: 'Base64',
						value: 'base64',
						description:
							'Smaller on the wire; the node decodes it, so the output is the same list of numbers',
					},
				],
				default: 'float',
			},
			maxResponseSizeOption,
			maxRetriesOption,
			timeoutOption,
			{
				displayName: 'User',
				name: 'user',
				type: 'string',
				default: '',
				description: 'An ID for the end user, passed to the provider',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['embedding'], operation: ['create'] } },
	properties,
);

/** Everything of a request but the texts: the same for items that can share a request. */
interface EmbeddingSettings {
	/** Items with the same key can share a request. */
	key: string;
	body: IDataObject;
	request: RequestOptions;
}

interface EmbeddingItem extends EmbeddingSettings {
	itemIndex: number;
	text: string;
}

/** A raw parameter value that n8n evaluates per item (an expression, or one inside it). */
function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

function readSettings(context: IExecuteFunctions, itemIndex: number): EmbeddingSettings {
	const node = context.getNode();
	const input = new ItemInput(node, itemIndex);
	const model = readModelId(node, context.getNodeParameter('model', itemIndex, ''), itemIndex);
	const raw = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const dimensions = input.number('Dimensions', raw.dimensions, { min: 1, integer: true });
	const encoding = input.oneOf('Encoding', raw.encodingFormat ?? 'float', ['float', 'base64']);
	const user = input.text('User', raw.user);
	const body: IDataObject = { model, encoding_format: encoding };
	if (dimensions !== undefined) body.dimensions = dimensions;
	if (user !== undefined) body.user = user;
	const request = readRequestOptions(input, raw);
	return { key: JSON.stringify([body, request]), body, request };
}

// `{{ $json.text }}`, `{{ $json.a.b }}`, `{{ $json["a b"] }}`: the whole parameter one field of the item.
const FIELD_EXPRESSION =
	/^=\{\{\s*\$json((?:\.[A-Za-z_$][\w$]*|\[(?:"[^"\\]*"|'[^'\\]*')\])+)\s*\}\}$/;
const PATH_SEGMENT = /\.([A-Za-z_$][\w$]*)|\["([^"\\]*)"\]|\['([^'\\]*)'\]/g;

/**
 * The field path when Text is nothing but one field of the item (`{{ $json.text }}`, the usual
 * setting), else undefined. n8n evaluates an expression per item at about 0.2 ms each (two thirds
 * of a 10,000-text run in the benchmark, docs/benchmarks.md), while the field itself is right there.
 */
export function textFieldPath(raw: unknown): string[] | undefined {
	if (typeof raw !== 'string') return undefined;
	const match = FIELD_EXPRESSION.exec(raw);
	if (!match) return undefined;
	return [...match[1].matchAll(PATH_SEGMENT)].map(
		(segment) => segment[1] ?? segment[2] ?? segment[3],
	);
}

/**
 * The item's field at `path` when it is a string (what n8n's expression would give for it),
 * else undefined: anything else (missing, a number, an object) goes through n8n's evaluation, so
 * its result and error stay n8n's.
 */
function stringField(json: IDataObject, path: string[]): string | undefined {
	let value: unknown = json;
	for (const key of path) {
		if (
			value === null ||
			typeof value !== 'object' ||
			!Object.prototype.hasOwnProperty.call(value, key)
		)
			return undefined;
		value = (value as IDataObject)[key];
	}
	return typeof value === 'string' ? value : undefined;
}

function readText(
	context: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	fieldPath: string[] | undefined,
): string {
	const direct = fieldPath && stringField(item.json, fieldPath);
	return new ItemInput(context.getNode(), itemIndex).text(
		'Text',
		direct ?? context.getNodeParameter('text', itemIndex, ''),
		{ required: true },
	) as string;
}

/** Consecutive items that share model and options, at most `size` per batch. */
function batches(items: EmbeddingItem[], size: number): EmbeddingItem[][] {
	const result: EmbeddingItem[][] = [];
	for (const item of items) {
		const last = result[result.length - 1];
		if (last && last.length < size && last[0].key === item.key) last.push(item);
		else result.push([item]);
	}
	return result;
}

/**
 * One vector per item, the items sent in batches (up to 2048 inputs per request, the API's
 * limit). Every item is checked before the first request; a failed batch fails its items only.
 */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const items = this.getInputData();
	const output: Array<INodeExecutionData | undefined> = new Array(items.length);
	const valid: EmbeddingItem[] = [];
	// Model and options without an expression are the same for every item: read (and checked)
	// once, as n8n's per-item parameter resolution was a third of the node's own time for 1,000
	// items. A failed read is not kept, so each item still fails with its own index.
	const settingsPerItem = ['model', 'options'].some((name) => hasExpression(node.parameters[name]));
	let sharedSettings: EmbeddingSettings | undefined;
	const fieldPath = textFieldPath(node.parameters.text);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const settings = settingsPerItem
				? readSettings(this, itemIndex)
				: (sharedSettings ??= readSettings(this, itemIndex));
			valid.push({
				...settings,
				itemIndex,
				text: readText(this, items[itemIndex], itemIndex, fieldPath),
			});
		} catch (error) {
			const itemError = asNodeError(node, error, itemIndex);
			if (!continueOnFail) throw itemError;
			output[itemIndex] = errorItem(itemError, itemIndex);
		}
	}
	const batchSize = new ItemInput(node, 0).number(
		'Batch Size',
		(this.getNodeParameter('options', 0, {}) as IDataObject).batchSize,
		{ min: 1, max: MAX_BATCH_SIZE, integer: true },
	);
	const signal = this.getExecutionCancelSignal();

	if (valid.length > 0) {
		const client = await DedalusClient.fromCredentials(this);
		for (const batch of batches(valid, batchSize ?? MAX_BATCH_SIZE)) {
			const first = batch[0];
			try {
				const { vectors, model } = await embedBatch(client, {
					body: first.body,
					texts: batch.map((item) => item.text),
					request: first.request,
					itemIndex: first.itemIndex,
					signal,
				});
				batch.forEach((item, position) => {
					const vector = vectors[position];
					output[item.itemIndex] = resultItem(
						{
							embedding: vector,
							dimensions: vector.length,
							model: model ?? (first.body.model as string),
						},
						item.itemIndex,
					);
				});
			} catch (error) {
				if (!continueOnFail) throw asNodeError(node, error, first.itemIndex);
				for (const item of batch) {
					output[item.itemIndex] = errorItem(
						asNodeError(node, error, item.itemIndex),
						item.itemIndex,
					);
				}
			}
		}
	}
	return [output.filter((item): item is INodeExecutionData => item !== undefined)];
}
