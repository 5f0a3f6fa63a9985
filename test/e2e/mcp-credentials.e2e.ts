// An API-key MCP server in a real n8n 2.41.1: the secret lives in a "Dedalus MCP Server
// Credentials" credential, the node encrypts it with the emulator's JWKS key (the emulator plays
// the authorization server too), and the emulator's weather server opens it with its private key.
// The run also needs Gmail consent, so the secret must travel again on the resume. Every page,
// output, stored execution, emulator log and n8n log is checked for the secret and the API key.
import { createHash } from 'node:crypto';

import { serverIdOf, startEmulator, type Emulator } from '../../emulator/src';
import {
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	dedalusCredential,
	fakeApiKey,
	grantConsentAsUser,
	httpCall,
	keyIdOf,
	nodeOutputJson,
	postResume,
	publishWorkflows,
	rawExecution,
	startN8n,
	startWaitingRun,
	waitFinished,
	type N8nInstance,
} from '../../n8n-runner';
import { NODE, authorizationWorkflow } from './workflows/authorization';

const WEATHER = 'dedalus-labs/weather';
/** Carries the marker every e2e secret has, so LeakCheck finds it anywhere. */
const MCP_SECRET = 'wx-e2e-SECRET-mcp-5c2e91';
const API_KEY = fakeApiKey(21);

describe('API-key MCP server with credentials from an n8n credential, on a real n8n', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let n8n: N8nInstance;
	const leak = new LeakCheck([API_KEY, MCP_SECRET]);
	const spec = {
		id: 'e2eMcpCredFlow01',
		name: 'E2E MCP server credentials',
		path: 'e2e-mcp-credentials',
		credential: { id: 'e2eDedalusCred21', name: 'Dedalus emulator (MCP credentials)' },
		mcpCredential: { id: 'e2eMcpSecret0001', name: 'Weather API key' },
	};

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		n8n = await startN8n({
			label: 'mcp-credentials',
			credentials: [
				dedalusCredential({ ...spec.credential, apiKey: API_KEY, baseUrl: emulator.url }),
				{
					...spec.mcpCredential,
					type: 'dedalusMcpCredentialsApi',
					data: {
						server: WEATHER,
						connectionName: '',
						apiKey: MCP_SECRET,
						headerName: 'Authorization',
						headerTemplate: 'Bearer {api_key}',
						providerBaseUrl: '',
					},
				},
			],
			workflows: [authorizationWorkflow(spec)],
			publish: false,
		});
		await publishWorkflows(n8n.rest, n8n.workflowIds, { webhookPaths: [spec.path] });
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
	});

	it('encrypts the secret into both attempts, the emulator decrypts it, and it leaks nowhere', async () => {
		const run = await startWaitingRun(n8n, spec.path, {
			items: [{ tag: 'm1', prompt: 'Mail and weather', servers: [GMAIL, WEATHER] }],
		});
		leak.add('execution while waiting', await rawExecution(n8n, run.executionId));
		const page = leak.add('GET page', await httpCall(run.resumeUrl));
		// Two servers requested and the 401 names an id: the page shows the id (README, the consent answer).
		expect(page.text).toContain(`<dt>MCP servers</dt><dd>${serverIdOf(GMAIL)}</dd>`);

		const connectUrl = /id="connect" href="([^"]+)"/.exec(page.text)?.[1]?.replace(/&amp;/g, '&');
		leak.add('consent pages', await grantConsentAsUser(connectUrl as string));
		const resumed = leak.add('POST page', await postResume(run.resumeUrl));
		expect(resumed.text).toContain('Done: the workflow continued');
		const done = await waitFinished(n8n, run.executionId);
		leak.add('execution finished', await rawExecution(n8n, run.executionId));
		expect(done.status).toBe('success');
		const [result] = nodeOutputJson(done, NODE.downstream) ?? [];
		expect(result.tools_executed).toEqual(['list_messages', 'get_forecast']);
		expect(result.content).toContain('Forecast for Berlin');
		expect(result.mcp_server_errors).toEqual({});

		// Both attempts (the 401 before consent, the 200 after) carried a credential that opened.
		const log = await admin.completions({ keyId: keyIdOf(API_KEY) });
		const fingerprint = createHash('sha256').update(MCP_SECRET).digest('hex').slice(0, 16);
		expect(log.map((entry) => [entry.status, entry.mcp_credentials])).toEqual([
			[
				401,
				[expect.objectContaining({ server: WEATHER, status: 'ok', keyFingerprint: fingerprint })],
			],
			[
				200,
				[expect.objectContaining({ server: WEATHER, status: 'ok', keyFingerprint: fingerprint })],
			],
		]);

		leak.add('emulator log', await admin.rawLog());
		leak.add('n8n credentials (REST)', await n8n.rest.request('GET', '/rest/credentials'));
		leak.add('n8n log', n8n.logs());
		expect(leak.count).toBe(8);
		expect(leak.leaks()).toEqual([]);
	});
});
