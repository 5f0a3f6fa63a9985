// The package on whichever n8n runs this file (DEDALUS_N8N_VERSION; scripts/e2e.sh runs it on
// 2.41.1, 1.123.81 and the declared floor 1.85.4): it loads, its credential test works, a
// completion runs, and a run pauses for consent and resumes. A call to a method that an older n8n
// lacks (e.g. isToolExecution(), 2.x only) fails the completion and the pause here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { startEmulator, type Emulator } from '../../emulator/src';
import {
	PACKAGE_NAME,
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	SEARCH,
	dedalusCredential,
	fakeApiKey,
	grantConsentAsUser,
	httpCall,
	keyIdOf,
	nodeOutput,
	nodeOutputJson,
	postResume,
	rawExecution,
	startN8n,
	startWaitingRun,
	statusesByUser,
	waitFinished,
	type N8nInstance,
} from '../../n8n-runner';
import { NODE, UPSTREAM_FIELD, authorizationWorkflow } from './workflows/authorization';

const API_KEY = fakeApiKey(60);
const CREDENTIAL = { id: 'e2eCompatCred001', name: 'Dedalus emulator (compat)' };
const WORKFLOW = authorizationWorkflow({
	id: 'e2eCompatFlow001',
	name: 'E2E compat: complete and pause',
	path: 'e2e-compat',
	credential: CREDENTIAL,
});

describe('the package on this n8n version', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let n8n: N8nInstance;
	const leak = new LeakCheck([API_KEY]);

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		const started = Date.now();
		n8n = await startN8n({
			label: 'compat',
			credentials: [dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url })],
			workflows: [WORKFLOW],
		});
		process.stderr.write(
			`[e2e] compat: n8n ${n8n.install.version} prepared and started in ${Date.now() - started} ms\n`,
		);
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
	});

	it('loads the node from the package installed in nodes/, under its package name', async () => {
		const names = await n8n.rest.getNodeTypeNames();
		expect(names.filter((name) => name.endsWith('.dedalus'))).toEqual([`${PACKAGE_NAME}.dedalus`]);
		expect(await n8n.rest.getCredentialTypeNames()).toContain('dedalusApi');
	});

	it('was installed from its tarball alone: no peer dependency fetched into nodes/', () => {
		// scripts/install-package.sh: n8n brings n8n-workflow and @n8n/ai-node-sdk itself.
		const nodeModules = join(n8n.userFolder, '.n8n', 'nodes', 'node_modules');
		expect(readdirSync(nodeModules).filter((name) => !name.startsWith('.'))).toEqual([
			PACKAGE_NAME,
		]);
		const manifest = JSON.parse(
			readFileSync(join(nodeModules, PACKAGE_NAME, 'package.json'), 'utf8'),
		) as { name: string; n8n: { nodes: string[] } };
		expect(manifest.name).toBe(PACKAGE_NAME);
		expect(manifest.n8n.nodes).toContain('dist/nodes/Dedalus/Dedalus.node.js');
	});

	it('tests the credential: a good key passes, a bad key fails without showing the key', async () => {
		const test = async (apiKey: string) =>
			await n8n.rest.request<{ status: string; message: string }>(
				'POST',
				'/rest/credentials/test',
				{
					credentials: {
						id: CREDENTIAL.id,
						name: CREDENTIAL.name,
						type: 'dedalusApi',
						data: { apiKey, baseUrl: emulator.url },
					},
				},
			);
		expect(await test(API_KEY)).toMatchObject({ status: 'OK' });
		const bad = leak.add('bad credential test', await test('dsk-invalid-e2e-SECRET-0061'));
		expect(bad.status).toBe('Error');
		// 2.x and 1.85 show the credential's own 401 message; late 1.x (1.123) answers any 401 with
		// its generic one.
		expect(bad.message).toMatch(
			n8n.install.major >= 2
				? /^The API key was rejected by Dedalus \(401\)/
				: /^(The API key was rejected by Dedalus \(401\)|Authorization failed - please check your credentials)/,
		);
	});

	it('runs a completion', async () => {
		const res = await httpCall(n8n.webhookUrl('e2e-compat'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				items: [{ tag: 'c1', prompt: 'what is Dedalus', servers: [SEARCH] }],
			}),
		});
		expect(res.status).toBe(200);
		const { executionId } = res.json as { executionId: string };
		const done = await waitFinished(n8n, executionId);
		leak.add('completion execution', await rawExecution(n8n, executionId));
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, NODE.downstream)).toEqual([
			expect.objectContaining({
				content: expect.stringContaining('Top results for "what is Dedalus"'),
				tools_executed: ['search'],
				[UPSTREAM_FIELD]: 'what is Dedalus',
			}),
		]);
	});

	it('pauses for consent and resumes on the resume URL, sending the held-back request once', async () => {
		const run = await startWaitingRun(n8n, 'e2e-compat', {
			items: [{ tag: 'c2', prompt: "Summarize yesterday's emails", servers: [GMAIL] }],
		});
		const waitingItem = (nodeOutput(run.waiting, NODE.dedalus) ?? [])[0]?.json as {
			status: string;
			connect_url: string;
			authorization_url: string;
		};
		expect(waitingItem).toMatchObject({
			status: 'authorization_required',
			authorization_url: run.resumeUrl,
		});
		// 2.x signs the resume URL; on 1.x, which does not, the node adds its own token and
		// refuses a request without it (nodes/Dedalus/authorization/access.ts).
		const param = n8n.install.major >= 2 ? 'signature' : 'token';
		expect(new URL(run.resumeUrl).searchParams.get(param)).toMatch(/^[0-9a-zA-Z]{32,64}$/);
		const unsigned = new URL(run.resumeUrl);
		unsigned.searchParams.delete(param);
		for (const method of ['GET', 'POST']) {
			const refused = await httpCall(unsigned.toString(), {
				method,
				headers: { accept: 'application/json' },
			});
			expect({ method, status: refused.status, body: refused.json }).toEqual({
				method,
				status: 401,
				body: { error: 'Invalid token' },
			});
		}
		expect(await admin.completions({ keyId: keyIdOf(API_KEY), user: 'c2-item-0' })).toHaveLength(1);

		const page = await httpCall(run.resumeUrl, { headers: { accept: 'text/html' } });
		expect(page.status).toBe(200);
		leak.add('authorization page', page.text);
		await grantConsentAsUser(waitingItem.connect_url);
		const resumed = await postResume(run.resumeUrl, { json: true });
		expect(resumed.json).toMatchObject({ state: 'continued' });

		const done = await waitFinished(n8n, run.executionId);
		leak.add('resumed execution', await rawExecution(n8n, run.executionId));
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, NODE.downstream)).toEqual([
			expect.objectContaining({
				content: expect.stringContaining('Summary of 3 emails from yesterday'),
				[UPSTREAM_FIELD]: "Summarize yesterday's emails",
			}),
		]);
		expect(statusesByUser(await admin.completions({ keyId: keyIdOf(API_KEY) }))).toMatchObject({
			'c2-item-0': [401, 200],
		});
	});

	it('no API key in any page, output, execution or n8n log', () => {
		leak.add('n8n log', n8n.logs());
		expect(leak.count).toBeGreaterThan(3);
		expect(leak.leaks()).toEqual([]);
	});
});
