import type {
	IDataObject,
	INodeExecutionData,
	ISupplyDataFunctions,
	SupplyData,
} from 'n8n-workflow';

import { ItemInput, readModelId, readRequestOptions } from '../../shared/parameters';
import { MAX_EMBEDDING_BATCH, embedBatch } from '../../shared/embeddings';
import type { RequestOptions } from '../../shared/parameters';
import { DedalusClient, asNodeError } from '../../shared/transport';

/** The connection type's plain value: n8n-workflow below 1.85 has no NodeConnectionTypes. */
const AI_EMBEDDING = 'ai_embedding' as const;

interface EmbeddingSettings {
	body: IDataObject;
	batchSize: number;
	request: RequestOptions;
}

/**
 * What n8n's vector stores call on an embeddings sub-node (n8n 2.41.1,
 * `@n8n/ai-utilities` createVectorStoreNode and MemoryVectorStoreManager: they only call these two
 * methods, with no LangChain type check; docs/architecture.md). The requests go through the
 * Dedalus node's client: credential, Base URL, retries, no redirects, size cap, redaction.
 */
export class DedalusEmbeddingsProvider {
	constructor(
		private readonly context: ISupplyDataFunctions,
		private readonly client: DedalusClient,
		private readonly settings: EmbeddingSettings,
	) {}

	async embedDocuments(texts: string[]): Promise<number[][]> {
		return await this.logged({ documents: texts }, async () => await this.embed(texts));
	}

	async embedQuery(text: string): Promise<number[]> {
		const [vector] = await this.logged({ query: text }, async () => await this.embed([text]));
		return vector;
	}

	private async embed(texts: string[]): Promise<number[][]> {
		const vectors: number[][] = [];
		const signal =
			typeof this.context.getExecutionCancelSignal === 'function'
				? this.context.getExecutionCancelSignal()
				: undefined;
		for (let start = 0; start < texts.length; start += this.settings.batchSize) {
			const batch = texts.slice(start, start + this.settings.batchSize);
			// The API refuses empty strings; a document with no text still needs its vector slot.
			const { vectors: answer } = await embedBatch(this.client, {
				body: this.settings.body,
				texts: batch.map((text) => (text === '' ? ' ' : text)),
				request: this.settings.request,
				signal,
			});
			vectors.push(...answer);
		}
		return vectors;
	}

	/**
	 * Shows the call in the sub-node's run data, as n8n's own embeddings nodes do (their LangChain
	 * wrapper does it there): the input, then the vectors or the error.
	 */
	private async logged<T>(input: IDataObject, call: () => Promise<T>): Promise<T> {
		const context = this.context;
		if (typeof context.addInputData !== 'function' || typeof context.addOutputData !== 'function') {
			return await call();
		}
		const { index } = context.addInputData(AI_EMBEDDING as never, [[{ json: input }]]);
		try {
			const result = await call();
			const output: INodeExecutionData[] = [
				{ json: { response: result as unknown as IDataObject } },
			];
			context.addOutputData(AI_EMBEDDING as never, index, [output]);
			return result;
		} catch (error) {
			const nodeError = asNodeError(context.getNode(), error);
			context.addOutputData(AI_EMBEDDING as never, index, nodeError);
			throw nodeError;
		}
	}
}

export async function supplyDedalusEmbeddings(
	context: ISupplyDataFunctions,
	itemIndex: number,
): Promise<SupplyData> {
	const node = context.getNode();
	const input = new ItemInput(node, itemIndex);
	const model = readModelId(node, context.getNodeParameter('model', itemIndex, ''), itemIndex);
	const raw = context.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const dimensions = input.number('Dimensions', raw.dimensions, { min: 1, integer: true });
	const batchSize =
		input.number('Batch Size', raw.batchSize, {
			min: 1,
			max: MAX_EMBEDDING_BATCH,
			integer: true,
		}) ?? 512;
	const body: IDataObject = { model, encoding_format: 'base64' };
	if (dimensions !== undefined) body.dimensions = dimensions;
	const client = await DedalusClient.fromCredentials(context);
	return {
		response: new DedalusEmbeddingsProvider(context, client, {
			body,
			batchSize,
			request: readRequestOptions(input, raw),
		}),
	};
}
