// The benchmark workflows: Webhook (answers when the last node is done) -> Split Out (one item
// per entry of the posted `items` array) -> the node under test. Every variant gets the same
// items, so only the last node differs.
import { randomUUID } from 'node:crypto';

import type { CredentialImport, WorkflowImport } from '../../n8n-runner/n8n';
import { DEDALUS_NODE_TYPE as INSTALLED_DEDALUS_TYPE } from '../../n8n-runner/package';

export const MODEL = 'openai/gpt-4.1';
/** Matches the emulator's key pattern; a fake key only. */
export const API_KEY = 'dsk-test-bench-0001';

/** The headers the node sends with a JSON request, for the floors that send the same requests. */
export function floorHeaders(): Record<string, string> {
	return {
		authorization: `Bearer ${API_KEY}`,
		'content-type': 'application/json',
		accept: 'application/json',
		'idempotency-key': `bench-${randomUUID()}`,
	};
}

export const DEDALUS_CREDENTIAL = { id: 'benchDedalusCred', name: 'Dedalus (bench emulator)' };
export const OPENAI_CREDENTIAL = { id: 'benchOpenAiCred1', name: 'OpenAI (bench emulator)' };

export function credentials(emulatorUrl: string): CredentialImport[] {
	return [
		{ ...DEDALUS_CREDENTIAL, type: 'dedalusApi', data: { apiKey: API_KEY, baseUrl: emulatorUrl } },
		// n8n's OpenAI credential takes the base URL with /v1 (its default is https://api.openai.com/v1).
		{
			...OPENAI_CREDENTIAL,
			type: 'openAiApi',
			data: { apiKey: API_KEY, url: `${emulatorUrl}/v1` },
		},
	];
}

/** The prompt of item `i`: what every variant, and the plain HTTP floor, sends. */
export function prompt(i: number): string {
	return `Item ${i}: write one sentence about the number ${i}.`;
}

export function itemsBody(count: number): { items: Array<{ prompt: string }> } {
	return { items: Array.from({ length: count }, (_, i) => ({ prompt: prompt(i) })) };
}

export type VariantKey = 'dedalusDefault' | 'dedalusSerial' | 'openAi' | 'openAiResponses' | 'noOp';

export interface Variant {
	key: VariantKey;
	workflowId: string;
	path: string;
	/** Name of the last node, whose run data the benchmark reads. */
	nodeName: string;
	node: Record<string, unknown>;
	/** Requests the node should make per item. */
	requestsPerItem: number;
	/** The emulator path the node calls. */
	endpoint: string;
}

/**
 * The node's type as n8n names it once the package is installed (n8n-runner/package.ts): the one
 * place in bench/src that names it.
 */
export const DEDALUS_NODE_TYPE = INSTALLED_DEDALUS_TYPE;

/** The node under test, as (a) and (b) run it in n8n and inprocess.ts runs it in n8n-core. */
export const dedalusNode = (options: Record<string, unknown>) => ({
	type: DEDALUS_NODE_TYPE,
	typeVersion: 1,
	parameters: {
		resource: 'chat',
		operation: 'complete',
		model: { __rl: true, mode: 'id', value: MODEL },
		inputType: 'prompt',
		prompt: '={{ $json.prompt }}',
		mcpServers: '',
		options,
	},
	credentials: { dedalusApi: DEDALUS_CREDENTIAL },
});

export const VARIANTS: Record<VariantKey, Variant> = {
	dedalusDefault: {
		key: 'dedalusDefault',
		workflowId: 'benchDedalusC5x1',
		path: 'bench-dedalus-default',
		nodeName: 'Dedalus',
		// Options left empty: the node's default concurrency (5) applies.
		node: dedalusNode({}),
		requestsPerItem: 1,
		endpoint: '/v1/chat/completions',
	},
	dedalusSerial: {
		key: 'dedalusSerial',
		workflowId: 'benchDedalusC1x1',
		path: 'bench-dedalus-serial',
		nodeName: 'Dedalus',
		node: dedalusNode({ concurrency: 1 }),
		requestsPerItem: 1,
		endpoint: '/v1/chat/completions',
	},
	openAi: {
		key: 'openAi',
		workflowId: 'benchOpenAiV18x1',
		path: 'bench-openai',
		nodeName: 'OpenAI',
		// Version 1.8 "Text -> Message a Model": one POST /chat/completions per item, one item after
		// the other (v1 router: for (i of items) await execute(i)), the same endpoint as our node.
		node: {
			type: '@n8n/n8n-nodes-langchain.openAi',
			typeVersion: 1.8,
			parameters: {
				resource: 'text',
				operation: 'message',
				modelId: { __rl: true, mode: 'id', value: MODEL },
				messages: { values: [{ content: '={{ $json.prompt }}', role: 'user' }] },
				simplify: true,
				jsonOutput: false,
				options: {},
			},
			credentials: { openAiApi: OPENAI_CREDENTIAL },
		},
		requestsPerItem: 1,
		endpoint: '/v1/chat/completions',
	},
	openAiResponses: {
		key: 'openAiResponses',
		workflowId: 'benchOpenAiV23x1',
		path: 'bench-openai-responses',
		nodeName: 'OpenAI',
		// The current default version 2.3 "Text -> Generate a Model Response": one POST /responses
		// per item, also one item after the other (v2 router).
		node: {
			type: '@n8n/n8n-nodes-langchain.openAi',
			typeVersion: 2.3,
			parameters: {
				resource: 'text',
				operation: 'response',
				modelId: { __rl: true, mode: 'id', value: MODEL },
				responses: { values: [{ type: 'text', role: 'user', content: '={{ $json.prompt }}' }] },
				simplify: true,
				options: {},
				builtInTools: {},
			},
			credentials: { openAiApi: OPENAI_CREDENTIAL },
		},
		requestsPerItem: 1,
		endpoint: '/v1/responses',
	},
	noOp: {
		key: 'noOp',
		workflowId: 'benchNoOpBase001',
		path: 'bench-noop',
		nodeName: 'No Operation',
		node: { type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
		requestsPerItem: 0,
		endpoint: '',
	},
};

let uuid = 0;
const nodeId = () => `b3c4e5f6-0000-4000-8000-${String(++uuid).padStart(12, '0')}`;

/**
 * The Webhook node every bench workflow starts with: a POST that answers once the whole execution
 * is done, with the last node's first item. `options` are the Webhook's own (e.g. binaryPropertyName).
 */
export function webhookNode(
	nodeId: () => string,
	path: string,
	options: Record<string, unknown> = {},
) {
	return {
		id: nodeId(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: nodeId(),
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: 'lastNode',
			responseData: 'firstEntryJson',
			options,
		},
	};
}

export function workflowOf(variant: Variant): WorkflowImport {
	return {
		id: variant.workflowId,
		name: `Bench: ${variant.key}`,
		nodes: [
			webhookNode(nodeId, variant.path),
			{
				id: nodeId(),
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
			},
			{ id: nodeId(), name: variant.nodeName, position: [440, 0], ...variant.node },
		],
		connections: {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: variant.nodeName, type: 'main', index: 0 }]] },
		},
	};
}
