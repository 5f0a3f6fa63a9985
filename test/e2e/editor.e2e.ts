// What the n8n editor asks of the package, answered by a real n8n 2.41.1 with the built node
// loaded: the node types (and the AI-tool variant usableAsTool adds), the credential test with a
// good and a bad key, and the model list behind the Model field's search.
import { rmSync } from 'node:fs';

import { startEmulator } from '../../emulator/src';
import type { Emulator } from '../../emulator/src';
import { PACKAGE_NAME, startN8n, type N8nInstance } from '../../n8n-runner';

const GOOD = {
	id: 'e2eEditorGood001',
	name: 'Dedalus (good key)',
	apiKey: 'dsk-test-e2e-SECRET-0101',
};
const BAD = {
	id: 'e2eEditorBad0001',
	name: 'Dedalus (bad key)',
	apiKey: 'dsk-invalid-e2e-SECRET-0102',
};

interface NodeTypeDescription {
	name: string;
	credentials?: Array<{
		name: string;
		required?: boolean;
		displayOptions?: unknown;
		testedBy?: string;
	}>;
	webhooks?: Array<{ httpMethod: string; path: string; restartWebhook?: boolean }>;
	usableAsTool?: boolean;
}

describe('real n8n: the editor side of the Dedalus node', () => {
	let emulator: Emulator;
	let n8n: N8nInstance;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		const credential = (c: typeof GOOD) => ({
			id: c.id,
			name: c.name,
			type: 'dedalusApi',
			data: { apiKey: c.apiKey, baseUrl: emulator.url },
		});
		n8n = await startN8n({
			label: 'editor',
			credentials: [credential(GOOD), credential(BAD)],
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
	});

	it('loads the node and its credential, with the resume webhooks, and an AI-tool variant', async () => {
		const nodes = await n8n.rest.request<NodeTypeDescription[]>('GET', '/types/nodes.json');
		const dedalus = nodes.find((node) => node.name === `${PACKAGE_NAME}.dedalus`);
		expect(dedalus).toBeDefined();
		expect(dedalus?.credentials).toEqual([
			expect.objectContaining({ name: 'dedalusApi', required: true }),
			// Shown only when Use MCP Server Credential is on; tested by the node's own method
			// (test/shared/methods/credentialTest.test.ts runs it).
			expect.objectContaining({
				name: 'dedalusMcpCredentialsApi',
				displayOptions: { show: { useMcpServerCredential: [true] } },
				testedBy: 'testMcpCredential',
			}),
		]);
		expect(
			dedalus?.webhooks?.map((webhook) => [
				webhook.httpMethod,
				webhook.path,
				webhook.restartWebhook,
			]),
		).toEqual([
			['GET', '', true],
			['POST', '', true],
		]);
		expect(nodes.some((node) => node.name === `${PACKAGE_NAME}.dedalusTool`)).toBe(true);
		const credentials = await n8n.rest.request<Array<{ name: string }>>(
			'GET',
			'/types/credentials.json',
		);
		expect(credentials.map((credential) => credential.name)).toEqual(
			expect.arrayContaining(['dedalusApi', 'dedalusMcpCredentialsApi']),
		);
	});

	async function testCredential(c: typeof GOOD) {
		// The REST client unwraps n8n's `{ data }` envelope.
		return await n8n.rest.request<{ status: string; message: string }>(
			'POST',
			'/rest/credentials/test',
			{
				credentials: {
					id: c.id,
					name: c.name,
					type: 'dedalusApi',
					data: { apiKey: c.apiKey, baseUrl: emulator.url },
				},
			},
		);
	}

	it('tests a credential: a good key passes, a bad key gets a clear message', async () => {
		expect(await testCredential(GOOD)).toMatchObject({ status: 'OK' });
		const bad = await testCredential(BAD);
		expect(bad.status).toBe('Error');
		// 2.x and 1.85 show the credential's own 401 message; late 1.x (1.123) answers any 401 with
		// its generic one.
		expect(bad.message).toMatch(
			n8n.install.major >= 2
				? /^The API key was rejected by Dedalus \(401\)/
				: /^(The API key was rejected by Dedalus \(401\)|Authorization failed - please check your credentials)/,
		);
		expect(JSON.stringify(bad)).not.toContain('SECRET');
	});

	it('lists and filters models for the Model field', async () => {
		const search = async (filter: string) =>
			await n8n.rest.request<{ results: Array<{ name: string; value: string }> }>(
				'POST',
				'/rest/dynamic-node-parameters/resource-locator-results',
				{
					methodName: 'searchModels',
					filter,
					path: 'model',
					nodeTypeAndVersion: { name: `${PACKAGE_NAME}.dedalus`, version: 1 },
					currentNodeParameters: { resource: 'chat', operation: 'complete' },
					credentials: { dedalusApi: { id: GOOD.id, name: GOOD.name } },
				},
			);
		const all = (await search('')).results;
		expect(all.map((result) => result.value)).toContain('openai/gpt-4.1');
		const filtered = (await search('claude')).results;
		expect(filtered.length).toBeGreaterThan(0);
		expect(
			filtered.every((result) => `${result.name} ${result.value}`.toLowerCase().includes('claude')),
		).toBe(true);
	});

	it('never logged the keys', () => {
		expect(n8n.logs()).not.toContain('SECRET');
		rmSync(n8n.logFile, { force: true });
	});
});
