// The Dedalus Embeddings sub-node under n8n's own Simple (In-Memory) Vector Store in a real n8n
// 2.41.1: Webhook -> Code (one item per text) -> Simple Vector Store (insert, Default Data
// Loader) -> Simple Vector Store (load, the query), both stores fed by one Dedalus Embeddings
// node. The emulator's vectors are a stable hash of the words, so the nearest document is known.
import { startEmulator, type Emulator } from '../../emulator/src';
import {
	PACKAGE_NAME,
	LeakCheck,
	dedalusCredential,
	fakeApiKey,
	httpCall,
	nodeRuns,
	startN8n,
	type N8nInstance,
} from '../../n8n-runner';

const API_KEY = fakeApiKey(43);
const CREDENTIAL = { id: 'e2eEmbeddings001', name: 'Dedalus (embeddings)' };
const PATH = 'e2e-embeddings-store';
const MEMORY_KEY = { __rl: true, mode: 'list', value: 'dedalus_e2e' };

const WORKFLOW = {
	id: 'e2eEmbedStore001',
	name: 'E2E: Simple Vector Store + Dedalus Embeddings',
	nodes: [
		{
			id: '65326545-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '65326545-0000-4000-8000-000000000011',
			parameters: {
				httpMethod: 'POST',
				path: PATH,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
		},
		{
			id: '65326545-0000-4000-8000-000000000002',
			name: 'Texts',
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [200, 0],
			parameters: {
				jsCode: 'return $input.first().json.body.texts.map((text) => ({ json: { text } }));',
			},
		},
		{
			id: '65326545-0000-4000-8000-000000000003',
			name: 'Insert',
			type: '@n8n/n8n-nodes-langchain.vectorStoreInMemory',
			typeVersion: 1.3,
			position: [400, 0],
			parameters: { mode: 'insert', memoryKey: MEMORY_KEY, clearStore: true },
		},
		{
			id: '65326545-0000-4000-8000-000000000004',
			name: 'Data Loader',
			type: '@n8n/n8n-nodes-langchain.documentDefaultDataLoader',
			typeVersion: 1.1,
			position: [400, 220],
			parameters: {
				jsonMode: 'expressionData',
				jsonData: '={{ $json.text }}',
				textSplittingMode: 'simple',
				options: {},
			},
		},
		{
			id: '65326545-0000-4000-8000-000000000005',
			name: 'Dedalus Embeddings',
			type: `${PACKAGE_NAME}.dedalusEmbeddings`,
			typeVersion: 1,
			position: [600, 220],
			parameters: {
				model: { __rl: true, mode: 'list', value: 'openai/text-embedding-3-small' },
				options: {},
			},
			credentials: { dedalusApi: CREDENTIAL },
		},
		{
			id: '65326545-0000-4000-8000-000000000006',
			name: 'Search',
			type: '@n8n/n8n-nodes-langchain.vectorStoreInMemory',
			typeVersion: 1.3,
			position: [700, 0],
			executeOnce: true,
			parameters: {
				mode: 'load',
				memoryKey: MEMORY_KEY,
				prompt: "={{ $('Webhook').first().json.body.query }}",
				topK: 1,
			},
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Texts', type: 'main', index: 0 }]] },
		Texts: { main: [[{ node: 'Insert', type: 'main', index: 0 }]] },
		Insert: { main: [[{ node: 'Search', type: 'main', index: 0 }]] },
		'Data Loader': { ai_document: [[{ node: 'Insert', type: 'ai_document', index: 0 }]] },
		'Dedalus Embeddings': {
			ai_embedding: [
				[
					{ node: 'Insert', type: 'ai_embedding', index: 0 },
					{ node: 'Search', type: 'ai_embedding', index: 0 },
				],
			],
		},
	},
};

const AGENT_PATH = 'e2e-embeddings-agent';
const TOOL = 'knowledge_base';

/** Webhook -> AI Agent (Dedalus Chat Model) with the store as its tool, over the same memory key. */
const AGENT = {
	id: 'e2eEmbedAgent001',
	name: 'E2E: AI Agent retrieves through the Simple Vector Store + Dedalus Embeddings',
	nodes: [
		{
			id: '65326546-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: '65326546-0000-4000-8000-000000000011',
			parameters: {
				httpMethod: 'POST',
				path: AGENT_PATH,
				responseMode: 'lastNode',
				responseData: 'firstEntryJson',
				options: {},
			},
		},
		{
			id: '65326546-0000-4000-8000-000000000002',
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [240, 0],
			parameters: { promptType: 'define', text: '={{ $json.body.question }}', options: {} },
		},
		{
			id: '65326546-0000-4000-8000-000000000003',
			name: 'Dedalus Chat Model',
			type: `${PACKAGE_NAME}.dedalusChatModel`,
			typeVersion: 1,
			position: [160, 220],
			parameters: {
				model: { __rl: true, mode: 'list', value: 'openai/gpt-4.1' },
				mcpServers: '',
				options: {},
			},
			credentials: { dedalusApi: CREDENTIAL },
		},
		{
			id: '65326546-0000-4000-8000-000000000004',
			// n8n 2.41 names the store's tool after its node.
			name: TOOL,
			type: '@n8n/n8n-nodes-langchain.vectorStoreInMemory',
			typeVersion: 1.3,
			position: [360, 220],
			parameters: {
				mode: 'retrieve-as-tool',
				toolDescription: 'Finds notes about a topic',
				memoryKey: MEMORY_KEY,
				topK: 1,
			},
		},
		{
			id: '65326546-0000-4000-8000-000000000005',
			name: 'Dedalus Embeddings',
			type: `${PACKAGE_NAME}.dedalusEmbeddings`,
			typeVersion: 1,
			position: [360, 440],
			parameters: {
				model: { __rl: true, mode: 'list', value: 'openai/text-embedding-3-small' },
				options: {},
			},
			credentials: { dedalusApi: CREDENTIAL },
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'Dedalus Chat Model': {
			ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
		},
		[TOOL]: { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		'Dedalus Embeddings': { ai_embedding: [[{ node: TOOL, type: 'ai_embedding', index: 0 }]] },
	},
};

describe('Dedalus Embeddings with the Simple Vector Store (real n8n)', () => {
	let emulator: Emulator;
	let n8n: N8nInstance;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		n8n = await startN8n({
			label: 'embeddings',
			credentials: [dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url })],
			workflows: [WORKFLOW, AGENT],
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
	});

	it('inserts the documents and retrieves the nearest one with Dedalus vectors', async () => {
		const texts = [
			'invoice from acme for printer paper',
			'weekly team lunch on friday',
			'server outage report for the database',
		];
		const response = await httpCall(n8n.webhookUrl(PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ texts, query: 'database outage' }),
		});
		expect(response.status).toBe(200);
		const found = response.json as Array<{ document: { pageContent: string }; score: number }>;
		expect(found).toHaveLength(1);
		expect(found[0].document.pageContent).toBe(texts[2]);

		const embedded = emulator.requests().filter((entry) => entry.path === '/v1/embeddings');
		// One request for the three documents, one for the query.
		expect(embedded).toHaveLength(2);
		const [latest] = await n8n.rest.listExecutions(WORKFLOW.id, { limit: 1 });
		const execution = await n8n.rest.getExecution(latest.id);
		expect(execution.status).toBe('success');
		expect(nodeRuns(execution, 'Dedalus Embeddings').length).toBeGreaterThanOrEqual(2);
		const leaks = new LeakCheck([API_KEY]);
		leaks.add('execution', execution);
		expect(leaks.leaks()).toEqual([]);
	});

	it('an AI Agent retrieves the nearest document through the store as its tool', async () => {
		// The store keeps what the first test inserted (same memory key, shared across workflows).
		emulator.reset();
		const response = await httpCall(n8n.webhookUrl(AGENT_PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ question: `Use ${TOOL} to find the database outage` }),
		});
		expect(response.status).toBe(200);
		const { output } = response.json as { output: string };
		expect(output).toContain('server outage report for the database');
		expect(output).not.toContain('printer paper');
		// The query was embedded by Dedalus.
		expect(emulator.requests().filter((entry) => entry.path === '/v1/embeddings')).toHaveLength(1);
	});
});
