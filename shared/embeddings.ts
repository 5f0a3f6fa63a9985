import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, JsonObject } from 'n8n-workflow';

import { embeddingListSchema } from './transport';
import type { DedalusClient } from './transport';
import type { RequestOptions } from './parameters';

/** The API takes at most this many inputs in one request (docs/dedalus-api.md). */
export const MAX_EMBEDDING_BATCH = 2048;

/** base64 little-endian float32, as OpenAI-compatible APIs encode vectors. */
export function decodeEmbedding(embedding: number[] | string): number[] {
	if (Array.isArray(embedding)) return embedding;
	const bytes = Buffer.from(embedding, 'base64');
	const vector: number[] = [];
	for (let offset = 0; offset + 4 <= bytes.length; offset += 4) {
		vector.push(bytes.readFloatLE(offset));
	}
	return vector;
}

export interface EmbeddingBatch {
	/** model, dimensions, encoding_format, user: everything but `input`. */
	body: IDataObject;
	texts: string[];
	request: RequestOptions;
	itemIndex?: number;
	signal?: AbortSignal;
}

/**
 * One request to /v1/embeddings for up to 2048 texts: the vectors in the order of the texts
 * (the answer's `index`, not its order, decides), base64 answers decoded, a missing one an error.
 * Used by Embedding → Create and by the Dedalus Embeddings sub-node.
 */
export async function embedBatch(
	client: DedalusClient,
	batch: EmbeddingBatch,
): Promise<{ vectors: number[][]; model?: string }> {
	const answer = await client.request({
		method: 'POST',
		path: '/v1/embeddings',
		body: { ...batch.body, input: batch.texts },
		schema: embeddingListSchema,
		itemIndex: batch.itemIndex,
		...batch.request,
		signal: batch.signal,
	});
	const byIndex = new Map(answer.data.map((entry) => [entry.index, entry.embedding]));
	const vectors = batch.texts.map((_, position) => {
		const embedding = byIndex.get(position);
		if (embedding === undefined) {
			throw new NodeApiError(client.node, {} as JsonObject, {
				message: `Dedalus returned no embedding for input ${position} of ${batch.texts.length}`,
				itemIndex: batch.itemIndex,
			});
		}
		return decodeEmbedding(embedding);
	});
	return { vectors, model: answer.model ?? undefined };
}
