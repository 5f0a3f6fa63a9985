// Proves that n8n loads a package from an N8N_CUSTOM_EXTENSIONS folder, under which type name,
// and that a credential imported with a fixed id reaches the node: the path our own package's
// dist takes in the Dedalus e2e tests and in `npm run dev`.
import { rmSync } from 'node:fs';

import {
	CUSTOM_PREFIX,
	nodeOutputJson,
	startN8n,
	writeEchoExtension,
	type N8nInstance,
} from '../../n8n-runner';

const WORKFLOW_ID = 'e2eCustomEcho001';
const CREDENTIAL = { id: 'e2eEchoCred00001', name: 'E2E Echo (test)' };
const TOKEN = 'echo-secret-token';
const NODE_TYPE = `${CUSTOM_PREFIX}.e2eEcho`;

describe('real n8n 2.41.1: a node from a custom extensions folder', () => {
	let n8n: N8nInstance;
	let extensions: string;

	beforeAll(async () => {
		extensions = writeEchoExtension();
		n8n = await startN8n({
			customExtensions: extensions,
			label: 'custom-extension',
			credentials: [{ ...CREDENTIAL, type: 'e2eEchoApi', data: { token: TOKEN } }],
			workflows: [
				{
					id: WORKFLOW_ID,
					name: 'E2E custom node',
					nodes: [
						{
							id: 'c0ffee00-0000-4000-8000-000000000001',
							name: 'Webhook',
							type: 'n8n-nodes-base.webhook',
							typeVersion: 2,
							position: [0, 0],
							webhookId: 'c0ffee00-0000-4000-8000-00000000a001',
							parameters: {
								httpMethod: 'POST',
								path: 'e2e-echo',
								responseMode: 'lastNode',
								responseData: 'firstEntryJson',
								options: {},
							},
						},
						{
							id: 'c0ffee00-0000-4000-8000-000000000002',
							name: 'Echo',
							type: NODE_TYPE,
							typeVersion: 1,
							position: [220, 0],
							parameters: { greeting: '={{ "hi " + $json.body.who }}' },
							credentials: { e2eEchoApi: CREDENTIAL },
						},
					],
					connections: { Webhook: { main: [[{ node: 'Echo', type: 'main', index: 0 }]] } },
				},
			],
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		rmSync(extensions, { recursive: true, force: true });
	});

	it(`lists the node as ${NODE_TYPE} and its credential type`, async () => {
		const nodeTypes = await n8n.rest.getNodeTypeNames();
		expect(nodeTypes).toContain(NODE_TYPE);
		// Only the CUSTOM prefix: no package-name variant for folder-loaded nodes.
		expect(nodeTypes.filter((name) => name.endsWith('.e2eEcho'))).toEqual([NODE_TYPE]);
		expect(await n8n.rest.getCredentialTypeNames()).toContain('e2eEchoApi');
	});

	it('runs the node in a published workflow with the imported credential', async () => {
		const res = await fetch(n8n.webhookUrl('e2e-echo'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ who: 'n8n' }),
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({
			greeting: 'hi n8n',
			token: TOKEN,
			echo: { body: { who: 'n8n' } },
		});

		const execution = await n8n.rest.waitForExecution((e) => e.status === 'success', {
			workflowId: WORKFLOW_ID,
		});
		expect(nodeOutputJson(execution, 'Echo')?.[0]).toMatchObject({
			greeting: 'hi n8n',
			token: TOKEN,
		});
	});
});
