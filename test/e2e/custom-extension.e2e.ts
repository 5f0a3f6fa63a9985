// The one route that does not install the package: the built dist/ copied into the user folder's
// .n8n/custom/n8n-nodes-dedalus, as the README's Docker mount puts it there
// (`-v .../dist:/home/node/.n8n/custom/n8n-nodes-dedalus`), with no N8N_CUSTOM_EXTENSIONS set.
// n8n then names the node CUSTOM.dedalus, not n8n-nodes-dedalus.dedalus: this file proves it loads
// and runs that way, with a credential imported by fixed id. Every other e2e file installs the
// packed package (n8n-runner/package.ts).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../../emulator/src';
import {
	CUSTOM_PREFIX,
	DEDALUS_NODE_TYPE,
	DIST_DIR,
	SEARCH,
	dedalusCredential,
	fakeApiKey,
	httpCall,
	nodeOutputJson,
	startN8n,
	waitFinished,
	type N8nInstance,
} from '../../n8n-runner';
import { NODE, authorizationWorkflow } from './workflows/authorization';

const NODE_TYPE = `${CUSTOM_PREFIX}.dedalus`;
const API_KEY = fakeApiKey(70);
const CREDENTIAL = { id: 'e2eCustomCred001', name: 'Dedalus emulator (custom folder)' };
const PATH = 'e2e-custom-folder';
const INSTALLED = authorizationWorkflow({
	id: 'e2eCustomFlow001',
	name: 'E2E custom folder: complete',
	path: PATH,
	credential: CREDENTIAL,
});
/** The same workflow with the folder-loaded type name: what such a user's workflow files say. */
const WORKFLOW = {
	...INSTALLED,
	nodes: INSTALLED.nodes.map((node) =>
		node.type === DEDALUS_NODE_TYPE ? { ...node, type: NODE_TYPE } : node,
	),
};

describe('real n8n 2.41.1: dist/ in the custom folder (the Docker mount)', () => {
	let emulator: Emulator;
	let n8n: N8nInstance;
	let userFolder: string;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		userFolder = mkdtempSync(join(tmpdir(), 'n8n-e2e-custom-'));
		cpSync(DIST_DIR, join(userFolder, '.n8n', 'custom', 'n8n-nodes-dedalus'), { recursive: true });
		n8n = await startN8n({
			installPackage: false,
			userFolder,
			label: 'custom-extension',
			credentials: [dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url })],
			workflows: [WORKFLOW],
		});
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
		if (process.env.E2E_KEEP_N8N !== '1') rmSync(userFolder, { recursive: true, force: true });
	});

	it(`lists the node as ${NODE_TYPE} only, and its credential types`, async () => {
		const names = await n8n.rest.getNodeTypeNames();
		expect(names.filter((name) => name.endsWith('.dedalus'))).toEqual([NODE_TYPE]);
		expect(await n8n.rest.getCredentialTypeNames()).toEqual(
			expect.arrayContaining(['dedalusApi', 'dedalusMcpCredentialsApi']),
		);
	});

	it('runs a completion in a published workflow with the imported credential', async () => {
		const res = await httpCall(n8n.webhookUrl(PATH), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				items: [{ tag: 'x1', prompt: 'what is Dedalus', servers: [SEARCH] }],
			}),
		});
		expect(res.status).toBe(200);
		const { executionId } = res.json as { executionId: string };
		const done = await waitFinished(n8n, executionId);
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, NODE.downstream)).toEqual([
			expect.objectContaining({
				content: expect.stringContaining('Top results for "what is Dedalus"'),
				tools_executed: ['search'],
			}),
		]);
	});
});
