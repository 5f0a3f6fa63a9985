/**
 * The node on n8n-core's real engine with the context methods that n8n 1.x lacks taken away
 * (read off n8n-core 1.84.0, which n8n 1.85 ships): `isToolExecution()` everywhere, and
 * `addExecutionHints()` in a tool's SupplyDataContext. A call to either that is not guarded
 * (nodes/Dedalus/actions/n8n-compat.ts) fails these runs with "is not a function". Without
 * isToolExecution() the node also knows it runs on n8n 1.x, whose resume drops all but the first
 * output, and refuses a wait limit. The real
 * n8n 1.x runs are in test/e2e/compat.e2e.ts.
 */
import { ExecuteContext, SupplyDataContext } from 'n8n-core';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { createEngine } from '../../engine-harness/engine';
import type { Engine } from '../../engine-harness/engine';
import {
	TOOL_CONSUMER_TYPE,
	ToolConsumer,
	asToolNodeType,
} from '../../engine-harness/fixtures/ToolConsumer.node';
import {
	API_KEY,
	GMAIL,
	SEARCH,
	agentWithDedalusTool,
	createTestBed,
	dedalusNode,
	items,
	jsonOf,
	runDedalus,
} from './engine-setup';

/** Methods n8n 2.x added to the contexts a node's execute() runs in, per context class. */
const ADDED_IN_2X: Array<[{ prototype: object }, string]> = [
	[ExecuteContext, 'isToolExecution'],
	[SupplyDataContext, 'isToolExecution'],
	[SupplyDataContext, 'addExecutionHints'],
];
const removed: Array<[object, string, PropertyDescriptor]> = [];

const { bed, setUp, tearDown } = createTestBed();
let toolEngine: Engine;

beforeAll(async () => {
	await setUp();
	toolEngine = createEngine({
		nodeTypes: {
			'CUSTOM.dedalusTool': asToolNodeType(new Dedalus()),
			[TOOL_CONSUMER_TYPE]: new ToolConsumer(),
		},
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: bed.emulator.url } },
	});
	for (const [cls, name] of ADDED_IN_2X) {
		const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
		if (!descriptor) throw new Error(`n8n-core has no ${name} any more: update this test`);
		delete (cls.prototype as Record<string, unknown>)[name];
		removed.push([cls.prototype, name, descriptor]);
	}
});
afterAll(async () => {
	for (const [prototype, name, descriptor] of removed)
		Object.defineProperty(prototype, name, descriptor);
	await tearDown();
});
beforeEach(() => bed.emulator.reset());

async function runAsTool(servers: string) {
	return await toolEngine.run(
		agentWithDedalusTool({ prompt: 'What is new?', mcpServers: servers, options: {} }),
		{
			items: [{ json: {} }],
		},
	);
}

describe('on contexts without the methods n8n 2.x added', () => {
	it('the methods are really gone for these runs', () => {
		for (const [cls, name] of ADDED_IN_2X) expect(name in cls.prototype).toBe(false);
	});

	it('completes, with the MCP server error hint, in a workflow', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items(
				{ prompt: 'n8n news', servers: SEARCH },
				{ prompt: 'x', servers: 'acme/unknown-server' },
			),
		);
		expect(result.status).toBe('success');
		const [search, unknown] = jsonOf(result.outputOf('Downstream'));
		expect(search.tools_executed).toEqual(['search']);
		expect(unknown.mcp_server_errors).toHaveProperty(['acme/unknown-server', 'message']);
		expect((result.runData.Dedalus[0].hints ?? []).map((hint) => hint.message)).toEqual([
			expect.stringContaining('MCP server "acme/unknown-server" failed'),
		]);
	});

	it('pauses for consent in a workflow', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({}),
			items({ prompt: 'mail', servers: GMAIL }),
		);
		expect(result.status).toBe('waiting');
		expect(result.waitTill?.getUTCFullYear()).toBe(3000);
		expect(jsonOf(result.outputOf('Dedalus'))[0]).toMatchObject({
			status: 'authorization_required',
		});
	});

	it('refuses Limit Wait Time before sending anything: n8n 1.x would drop the results after consent', async () => {
		const result = await runDedalus(
			bed,
			dedalusNode({
				options: {
					limitWaitTime: {
						values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'hours' },
					},
				},
			}),
			items({ prompt: 'mail', servers: GMAIL }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Limit Wait Time needs n8n 2.39 or newer');
		expect(bed.completionRequests()).toEqual([]);
	});

	it('as an AI tool: answers, drops the hint, and hands the connect_url on instead of pausing', async () => {
		const answered = await runAsTool(`${SEARCH}, acme/unknown-server`);
		expect(answered.status).toBe('success');
		expect(answered.outputOf('Agent')[0].json.result).toEqual([
			expect.objectContaining({ tools_executed: ['search'] }),
		]);

		const needsConsent = await runAsTool(GMAIL);
		expect(needsConsent.status).toBe('success');
		expect(needsConsent.waitTill).toBeUndefined();
		expect(needsConsent.outputOf('Agent')[0].json.result).toEqual([
			expect.objectContaining({ status: 'authorization_required', server: GMAIL }),
		]);
	});
});
