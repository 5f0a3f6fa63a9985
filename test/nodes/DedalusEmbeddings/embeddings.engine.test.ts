/**
 * The Dedalus Embeddings sub-node through n8n-core's engine: a consumer that does what n8n's
 * In-Memory Vector Store does with it (embedDocuments, then embedQuery) gets its vectors from the
 * emulator over HTTP, in batches, through the Dedalus client (no key in the run data, errors as
 * node errors in the sub-node's run).
 */
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { startEmulator } from '../../../emulator/src';
import type { Emulator } from '../../../emulator/src';
import { DedalusEmbeddings } from '../../../nodes/DedalusEmbeddings/DedalusEmbeddings.node';
import { createEngine, triggerNode } from '../../engine-harness/engine';
import type { Engine } from '../../engine-harness/engine';
import {
	EMBEDDINGS_CONSUMER_TYPE,
	EmbeddingsConsumer,
} from '../../engine-harness/fixtures/EmbeddingsConsumer.node';

const API_KEY = 'dsk-test-embeddings-SECRET-0003';

let emulator: Emulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	engine = createEngine({
		nodeTypes: {
			'CUSTOM.dedalusEmbeddings': new DedalusEmbeddings(),
			[EMBEDDINGS_CONSUMER_TYPE]: new EmbeddingsConsumer(),
		},
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url } },
	});
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());

async function run(
	options: IDataObject,
	texts: string[],
	query: string,
	modelId = 'openai/text-embedding-3-small',
) {
	const embeddings: INode = {
		id: 'embeddings',
		name: 'Dedalus Embeddings',
		type: 'CUSTOM.dedalusEmbeddings',
		typeVersion: 1,
		position: [200, 200],
		parameters: {
			model: { __rl: true, mode: 'id', value: modelId },
			options: options as INodeParameters,
		},
		credentials: { dedalusApi: { id: 'cred-1', name: 'Dedalus' } },
	};
	const store: INode = {
		id: 'store',
		name: 'Vector Store',
		type: EMBEDDINGS_CONSUMER_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: {},
	};
	const connections: IConnections = {
		Trigger: { main: [[{ node: 'Vector Store', type: 'main', index: 0 }]] },
		'Dedalus Embeddings': {
			ai_embedding: [[{ node: 'Vector Store', type: 'ai_embedding', index: 0 }]],
		},
	};
	return await engine.run(
		{ nodes: [triggerNode(), embeddings, store], connections },
		{ items: texts.map((text) => ({ json: { text, query } })) },
	);
}

describe('Dedalus Embeddings sub-node', () => {
	it('embeds the documents and the query, and the nearest document is the matching one', async () => {
		const texts = [
			'invoice from acme for printer paper',
			'weekly team lunch',
			'server outage report',
		];
		const result = await run({}, texts, 'acme invoice paper');
		expect(result.status).toBe('success');
		const [output] = result.outputOf('Vector Store');
		expect(output.json.nearest).toBe(texts[0]);
		expect(output.json.dimensions).toEqual([1536, 1536, 1536]);
		const requests = emulator.requests().filter((entry) => entry.path === '/v1/embeddings');
		expect(requests).toHaveLength(2);
		// The sub-node's run shows what it embedded, as n8n's own embeddings nodes do.
		const runs = result.runData['Dedalus Embeddings'];
		expect(runs).toHaveLength(2);
		expect(runs[0].inputOverride?.ai_embedding?.[0]?.[0]?.json).toEqual({ documents: texts });
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it("sends Batch Size texts per request and returns the emulator's vectors, base64 decoded", async () => {
		const texts = Array.from({ length: 5 }, (_, index) => `note ${index}`);
		const result = await run({ batchSize: 2, dimensions: 16 }, texts, 'note 3');
		expect(result.status).toBe('success');
		expect(emulator.requests().filter((entry) => entry.path === '/v1/embeddings')).toHaveLength(4);
		const [output] = result.outputOf('Vector Store');
		expect(output.json.nearest).toBe('note 3');
		const best = (output.json.ranked as Array<{ score: number }>)[0];
		expect(best.score).toBeCloseTo(1, 5);
		expect(output.json.dimensions).toEqual([16, 16, 16, 16, 16]);
	});

	it('an API error fails the run with the Dedalus error, the key redacted', async () => {
		const result = await run({}, ['a'], 'a', 'openai/gpt-4.1');
		expect(result.status).toBe('error');
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
		const runs = result.runData['Dedalus Embeddings'];
		expect(runs[0].error?.message).toBeDefined();
	});
});
