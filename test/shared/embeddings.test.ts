import { decodeEmbedding } from '../../shared/embeddings';
import { embeddingListSchema } from '../../shared/transport';

describe('decodeEmbedding', () => {
	it('decodes base64 little-endian float32 into the numbers', () => {
		const vector = [0.5, -1.25, 3];
		const base64 = Buffer.from(Float32Array.from(vector).buffer).toString('base64');
		expect(decodeEmbedding(base64)).toEqual(vector);
	});

	it('keeps a list of numbers as it is', () => {
		expect(decodeEmbedding([0.1, 0.2])).toEqual([0.1, 0.2]);
	});
});

describe('embeddingListSchema', () => {
	const answer = (embedding: unknown) => ({ data: [{ index: 0, embedding }] });

	it('takes a list of numbers or a base64 string', () => {
		expect(embeddingListSchema.safeParse(answer([0.1, -2, 3])).success).toBe(true);
		expect(embeddingListSchema.safeParse(answer('AAAAPw==')).success).toBe(true);
	});

	it('refuses a missing vector and one with an element that is not a number', () => {
		for (const embedding of [undefined, null, [0.1, '0.2'], [0.1, null], { 0: 1 }, 5]) {
			const parsed = embeddingListSchema.safeParse(answer(embedding));
			expect(parsed.success).toBe(false);
			expect(parsed.error?.issues[0].path).toEqual(['data', 0, 'embedding']);
		}
	});
});
