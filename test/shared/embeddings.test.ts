import { decodeEmbedding } from '../../shared/embeddings';

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
