/**
 * The node as an AI Agent tool, through n8n-core's real tool path (getInputConnectionData ->
 * createNodeAsTool -> the node's execute() in a SupplyDataContext): it never pauses; it hands the
 * connect_url to the agent.
 */

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { serverIdOf, startEmulator } from '../../../emulator/src';
import type { Emulator } from '../../../emulator/src';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { createEngine } from '../../engine-harness/engine';
import type { Engine } from '../../engine-harness/engine';
import {
	TOOL_CONSUMER_TYPE,
	ToolConsumer,
	asToolNodeType,
} from '../../engine-harness/fixtures/ToolConsumer.node';
import { API_KEY, GMAIL, SEARCH, agentWithDedalusTool } from './engine-setup';

let emulator: Emulator;
let engine: Engine;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	engine = createEngine({
		nodeTypes: {
			'CUSTOM.dedalusTool': asToolNodeType(new Dedalus()),
			[TOOL_CONSUMER_TYPE]: new ToolConsumer(),
		},
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url } },
	});
});
afterAll(async () => await emulator.close());

async function runAsTool(servers: string) {
	return await engine.run(
		agentWithDedalusTool({ prompt: 'What is new?', mcpServers: servers, options: {} }),
		{
			items: [{ json: {} }],
		},
	);
}

describe('as an AI Agent tool', () => {
	it('answers the agent with the completion', async () => {
		const result = await runAsTool(SEARCH);
		expect(result.status).toBe('success');
		const [answer] = result.outputOf('Agent');
		expect(answer.json.result).toEqual([
			expect.objectContaining({
				content: expect.stringContaining('What is new?'),
				tools_executed: ['search'],
			}),
		]);
	});

	it('never pauses: the agent gets the connect_url and what to tell the user', async () => {
		const result = await runAsTool(GMAIL);
		expect(result.status).toBe('success');
		expect(result.waitTill).toBeUndefined();
		const [answer] = result.outputOf('Agent');
		expect(answer.json.result).toEqual([
			{
				server_id: serverIdOf(GMAIL),
				status: 'authorization_required',
				connect_url: expect.stringMatching(
					new RegExp(`^http://127\\.0\\.0\\.1:\\d+/oauth/connect\\?server=${serverIdOf(GMAIL)}&`),
				),
				server: GMAIL,
				message: expect.stringMatching(
					/^Authorization is needed for MCP server dedalus-labs\/gmail before this tool can answer\. Ask the user to open http/,
				),
			},
		]);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});
});
