/**
 * Issue 9, point 12 in tool mode, through n8n-core's real tool path: with "tell the agent it is
 * pending and notify the owner", the agent never sees connect_url; the owner gets it.
 */
import type { IDataObject } from 'n8n-workflow';

import { DedalusApi } from '../../../../credentials/DedalusApi.credentials';
import { startEmulator } from '../../../../emulator/src';
import type { Emulator } from '../../../../emulator/src';
import { Dedalus } from '../../../../nodes/Dedalus/Dedalus.node';
import { createEngine } from '../../../engine-harness/engine';
import type { Engine } from '../../../engine-harness/engine';
import {
	TOOL_CONSUMER_TYPE,
	ToolConsumer,
	asToolNodeType,
} from '../../../engine-harness/fixtures/ToolConsumer.node';
import { API_KEY, GMAIL, agentWithDedalusTool } from '../engine-setup';
import { startHostileServer } from './hostile-server';
import type { HostileServer } from './hostile-server';

let emulator: Emulator;
let engine: Engine;
let owner: HostileServer;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	owner = await startHostileServer();
	owner.answer((_, response) => response.writeHead(200).end('ok'));
	engine = createEngine({
		nodeTypes: {
			'CUSTOM.dedalusTool': asToolNodeType(new Dedalus()),
			[TOOL_CONSUMER_TYPE]: new ToolConsumer(),
		},
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url } },
	});
});
afterAll(async () => {
	await emulator.close();
	await owner.close();
});
beforeEach(() => {
	emulator.reset();
	owner.received.length = 0;
});

async function runAsTool(options: IDataObject) {
	return await engine.run(
		agentWithDedalusTool({ prompt: 'Read my mail', mcpServers: GMAIL, options }),
		{
			items: [{ json: {} }],
		},
	);
}

describe('12. tool mode keeps the link away from the agent', () => {
	it('"notify the owner": the agent hears it is pending, the owner gets the link', async () => {
		const result = await runAsTool({
			toolAuthorization: 'notifyOwner',
			notifyUrl: `${owner.url}/hook`,
		});
		expect(result.status).toBe('success');
		const [answer] = result.outputOf('Agent');
		const told = JSON.stringify(answer.json);
		expect(told).not.toContain('/oauth/connect');
		expect(answer.json.result).toEqual([
			{
				status: 'authorization_required',
				server: GMAIL,
				message: expect.stringMatching(/pending.*owner/i),
			},
		]);
		expect(owner.received).toHaveLength(1);
		const notice = JSON.parse(owner.received[0].body) as IDataObject;
		expect(notice.connect_url).toMatch(/\/oauth\/connect\?server=srv_/);
		expect(notice.text).toContain('/oauth/connect');
		expect(JSON.stringify(result.data)).not.toContain('/oauth/connect');
	});

	it('"notify the owner" without a Notify URL fails before any request, naming it', async () => {
		const result = await runAsTool({ toolAuthorization: 'notifyOwner' });
		expect(result.status).toBe('error');
		expect(JSON.stringify(result.error)).toContain('Notify URL is empty');
		expect(emulator.requests()).toEqual([]);
	});

	it('the default still gives the agent the link', async () => {
		const result = await runAsTool({});
		expect(JSON.stringify(result.outputOf('Agent')[0].json)).toContain('/oauth/connect');
		expect(owner.received).toEqual([]);
	});
});
