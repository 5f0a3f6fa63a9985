// Shared setup for tests that run the Dedalus node through n8n-core's real engine against the
// emulator over real HTTP.
import type { IConnections, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { startEmulator } from '../../../emulator/src';
import type { Emulator } from '../../../emulator/src';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { chain, createEngine, downstreamNode, triggerNode } from '../../engine-harness/engine';
import type { Engine, RunOptions, RunResult } from '../../engine-harness/engine';
import { TOOL_CONSUMER_TYPE } from '../../engine-harness/fixtures/ToolConsumer.node';

/** Distinctive, so a leak anywhere is easy to find. */
export const API_KEY = 'dsk-test-engine-SECRET-0001';

export const GMAIL = 'dedalus-labs/gmail';
export const SEARCH = 'dedalus-labs/brave-search';

export interface TestBed {
	emulator: Emulator;
	engine: Engine;
	admin(path: string, body?: unknown, method?: string): Promise<unknown>;
	completionRequests(): Array<{
		user?: string;
		status: number;
		mcp_servers?: string[];
		time: string;
		fault?: string;
	}>;
	grantConsent(server?: string): Promise<void>;
}

export function dedalusNode(parameters: IDataObject, extra: Partial<INode> = {}): INode {
	return {
		id: 'dedalus-node',
		name: 'Dedalus',
		type: 'CUSTOM.dedalus',
		typeVersion: 1,
		position: [200, 0],
		parameters: {
			resource: 'chat',
			operation: 'complete',
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
			prompt: '={{ $json.prompt }}',
			mcpServers: '={{ $json.servers ?? "" }}',
			...parameters,
			options: {
				user: '={{ "item-" + $itemIndex }}',
				...((parameters.options as IDataObject) ?? {}),
			},
		},
		credentials: { dedalusApi: { id: 'cred-1', name: 'Dedalus' } },
		...extra,
	};
}

export function items(...entries: IDataObject[]): INodeExecutionData[] {
	return entries.map((json) => ({ json }));
}

/** `credential`: more fields of the dedalusApi credential (provider, providerApiKey). */
export function createTestBed(
	apiKey = API_KEY,
	credential: IDataObject = {},
): {
	bed: TestBed;
	setUp(): Promise<void>;
	tearDown(): Promise<void>;
} {
	const bed = {} as TestBed;
	return {
		bed,
		async setUp() {
			bed.emulator = await startEmulator({ port: 0 });
			bed.engine = createEngine({
				nodeTypes: { 'CUSTOM.dedalus': new Dedalus() },
				credentialTypes: { dedalusApi: new DedalusApi() },
				credentials: { dedalusApi: { apiKey, baseUrl: bed.emulator.url, ...credential } },
			});
			bed.admin = async (path, body, method = body === undefined ? 'GET' : 'POST') => {
				const response = await fetch(`${bed.emulator.url}/__emulator/${path}`, {
					method,
					headers: { 'content-type': 'application/json' },
					...(body === undefined ? {} : { body: JSON.stringify(body) }),
				});
				return await response.json();
			};
			bed.completionRequests = () =>
				bed.emulator
					.requests()
					.filter((entry) => entry.path === '/v1/chat/completions')
					.map(
						(entry) =>
							entry as unknown as {
								user?: string;
								status: number;
								mcp_servers?: string[];
								time: string;
								fault?: string;
							},
					);
			bed.grantConsent = async (server = GMAIL) => {
				await bed.admin('consent', { server, apiKey, granted: true });
			};
		},
		async tearDown() {
			await bed.emulator.close();
		},
	};
}

/** Trigger -> Dedalus -> Downstream (and Timed Out when the node has two outputs). */
export async function runDedalus(
	bed: TestBed,
	node: INode,
	input: INodeExecutionData[],
	options: RunOptions = {},
): Promise<RunResult> {
	const twoOutputs = Boolean((node.parameters.options as IDataObject | undefined)?.limitWaitTime);
	const timedOut = downstreamNode('Timed Out', [400, -200]);
	const nodes = [triggerNode(), node, downstreamNode()];
	const connections = twoOutputs
		? {
				Trigger: { main: [[{ node: node.name, type: 'main' as const, index: 0 }]] },
				[node.name]: {
					main: [
						[{ node: 'Timed Out', type: 'main' as const, index: 0 }],
						[{ node: 'Downstream', type: 'main' as const, index: 0 }],
					],
				},
			}
		: chain('Trigger', node.name, 'Downstream');
	if (twoOutputs) nodes.push(timedOut);
	return await bed.engine.run({ nodes, connections }, { items: input, ...options });
}

export function jsonOf(data: INodeExecutionData[]): IDataObject[] {
	return data.map((item) => item.json);
}

/**
 * Trigger -> Agent (the tool-consumer fixture) with a Dedalus node attached as its tool, wired as
 * n8n wires an AI Agent's tools. Run it with the engine whose node types register the tool.
 */
export function agentWithDedalusTool(parameters: IDataObject): {
	nodes: INode[];
	connections: IConnections;
} {
	const tool: INode = {
		...dedalusNode(parameters),
		type: 'CUSTOM.dedalusTool',
		name: 'Dedalus Tool',
	};
	const agent: INode = {
		id: 'agent',
		name: 'Agent',
		type: TOOL_CONSUMER_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: {},
	};
	return {
		nodes: [triggerNode(), tool, agent],
		connections: {
			Trigger: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
			'Dedalus Tool': { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}
