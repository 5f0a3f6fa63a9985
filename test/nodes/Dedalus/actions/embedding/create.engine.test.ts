/**
 * Embedding → Create through n8n-core's engine against the emulator over HTTP: one vector per
 * item, batches of at most Batch Size inputs, dimensions and base64 decoding, bad input before
 * any request, continue-on-fail.
 */
import { Expression } from 'n8n-workflow';

import { textFieldPath } from '../../../../../nodes/Dedalus/actions/embedding/create.operation';
import { embed as emulatorEmbed } from '../../../../../emulator/src/embeddings';
import { API_KEY, createTestBed, items, jsonOf, runDedalus } from '../../engine-setup';
import { model, operationNode, requestsTo } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

function embeddingNode(
	options: Record<string, unknown> = {},
	extra = {},
	text = '={{ $json.text }}',
) {
	return operationNode(
		'embedding',
		'create',
		{ model: model('openai/text-embedding-3-small'), text, options },
		extra,
	);
}

/** The vector the emulator gives a text: a stable hash of its words (emulator/src/embeddings.ts). */
function embed(text: string, dimensions: number) {
	return emulatorEmbed({ kind: 'text', text }, dimensions);
}

function close(actual: number[], expected: Float64Array) {
	expect(actual).toHaveLength(expected.length);
	actual.forEach((value, index) => expect(value).toBeCloseTo(expected[index], 5));
}

describe('Embedding → Create', () => {
	it('returns one vector per item, in order, with pairedItem, in one request', async () => {
		const result = await runDedalus(
			bed,
			embeddingNode(),
			items({ text: 'invoice from acme' }, { text: 'voice note' }, { text: 'hello' }),
		);
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const json = jsonOf(output);
		close(json[0].embedding as number[], embed('invoice from acme', 1536));
		close(json[2].embedding as number[], embed('hello', 1536));
		expect(json[1]).toMatchObject({ dimensions: 1536, model: 'openai/text-embedding-3-small' });
		expect(requestsTo(bed, '/v1/embeddings')).toHaveLength(1);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('sends Batch Size inputs per request and keeps each vector with its item', async () => {
		const texts = Array.from({ length: 7 }, (_, index) => ({ text: `text number ${index}` }));
		const result = await runDedalus(bed, embeddingNode({ batchSize: 3 }), items(...texts));
		expect(requestsTo(bed, '/v1/embeddings')).toHaveLength(3);
		const json = jsonOf(result.outputOf('Dedalus'));
		json.forEach((entry, index) =>
			close(entry.embedding as number[], embed(`text number ${index}`, 1536)),
		);
	});

	it('asks for fewer dimensions and decodes base64 answers to the same numbers', async () => {
		const result = await runDedalus(
			bed,
			embeddingNode({ dimensions: 8, encodingFormat: 'base64' }),
			items({ text: 'short' }),
		);
		const [json] = jsonOf(result.outputOf('Dedalus'));
		expect(json.dimensions).toBe(8);
		close(json.embedding as number[], embed('short', 8));
	});

	it('refuses an empty text before any request, naming the item and the field', async () => {
		const result = await runDedalus(bed, embeddingNode(), items({ text: 'fine' }, { text: '' }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Text in item 1 is empty');
		expect(requestsTo(bed, '/v1/embeddings')).toHaveLength(0);
	});

	it('with continue-on-fail, a bad item becomes an error item and the others get vectors', async () => {
		const result = await runDedalus(
			bed,
			embeddingNode({}, { onError: 'continueRegularOutput' }),
			items({ text: 'one' }, { text: '' }, { text: 'three' }),
		);
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json).toEqual({ error: 'Text in item 1 is empty' });
		close(output[2].json.embedding as number[], embed('three', 1536));
		expect(requestsTo(bed, '/v1/embeddings')).toHaveLength(1);
	});

	it('an API error fails the items of that batch only (continue-on-fail)', async () => {
		// More dimensions than the model has: the emulator answers 400 for that batch.
		const node = embeddingNode(
			{ batchSize: 1, dimensions: '={{ $json.dimensions }}' },
			{ onError: 'continueRegularOutput' },
		);
		const result = await runDedalus(
			bed,
			node,
			items({ text: 'a', dimensions: 4 }, { text: 'b', dimensions: 99999 }),
		);
		const output = jsonOf(result.outputOf('Dedalus'));
		expect(output[0].dimensions).toBe(4);
		expect(String(output[1].error)).toMatch(/dimensions|Bad request/i);
	});

	describe('Text as one field of the item (`{{ $json.text }}`) is read from the item', () => {
		const inputs = [
			{ text: 'plain' },
			{ text: 42 },
			{ text: { nested: true } },
			{},
			{ text: '' },
			{ text: null },
			{ other: 'x' },
		];

		async function outputs(text: string) {
			const result = await runDedalus(
				bed,
				embeddingNode({ dimensions: 4 }, { onError: 'continueRegularOutput' }, text),
				items(...inputs),
			);
			return jsonOf(result.outputOf('Dedalus'));
		}

		it('gives what n8n evaluating the same expression gives, errors included', async () => {
			// `($json.text)` is the same expression in a form the node leaves to n8n.
			const direct = await outputs('={{ $json.text }}');
			const evaluated = await outputs('={{ ($json.text) }}');
			expect(direct).toEqual(evaluated);
			expect(direct[0].dimensions).toBe(4);
			expect(direct[1].dimensions).toBe(4); // 42 → "42", as n8n gives it
			expect(direct[2].error).toMatch(/^Text in item 2 must be text/);
			expect(direct[3].error).toBe('Text in item 3 is empty');
		});

		it('asks n8n to evaluate only the items whose field is not a string', async () => {
			const evaluate = jest.spyOn(Expression.prototype, 'resolveSimpleParameterValue');
			try {
				await outputs('={{ $json.text }}');
				const ofText = evaluate.mock.calls.filter(([value]) => value === '={{ $json.text }}');
				// Items 1-6 are not strings (or missing): n8n decides what they are.
				expect(ofText).toHaveLength(inputs.length - 2);
			} finally {
				evaluate.mockRestore();
			}
		});

		it('reads nested and quoted paths, and leaves every other expression to n8n', () => {
			expect(textFieldPath('={{ $json.text }}')).toEqual(['text']);
			expect(textFieldPath('={{$json.body.message}}')).toEqual(['body', 'message']);
			expect(textFieldPath(`={{ $json["a b"]['c'] }}`)).toEqual(['a b', 'c']);
			expect(textFieldPath('={{ $json.text.trim() }}')).toBeUndefined();
			expect(textFieldPath('={{ $json.text }} and more')).toBeUndefined();
			expect(textFieldPath('={{ $("Other").item.json.text }}')).toBeUndefined();
			expect(textFieldPath('={{ $json[0] }}')).toBeUndefined();
			expect(textFieldPath('$json.text')).toBeUndefined();
			expect(textFieldPath(7)).toBeUndefined();
		});
	});
});
