// The package the way n8n users get it, by name from a registry (docs/installing.md), on n8n 2.21+
// (scripts/e2e.sh runs this file on the 2.x leg only: the environment-variable route is 2.21+):
//   1. published to a local registry by scripts/publish.sh, the release's guarded path minus provenance;
//   2. installed through the editor's Settings -> Community Nodes -> Install (the REST call it makes);
//   3. installed from N8N_COMMUNITY_PACKAGES with N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV=true.
// After each install the node type n8n-nodes-dedalus.dedalus is known and a workflow using it runs
// against the emulator. The by-hand route (`npm install` in nodes/) is install-by-hand.e2e.ts.
// n8n reaches the local registry under the name registry.npmjs.org through the stand-in of
// n8n-runner/registry.ts, which also refuses api.n8n.io at once (n8n asks it about each install).
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';

import {
	fakeApiKey,
	prepareN8n,
	publishWorkflows,
	startN8n,
	type N8nInstance,
} from '../../n8n-runner';
import {
	INSTALLED_ANSWER,
	INSTALLED_NODE_TYPE,
	installedPackageWorkflow,
	runInstalledPackageWorkflow,
	startInstallFixture,
	type InstallFixture,
	type InstalledPackageWorkflow,
} from './workflows/installed-package';

const API_KEY = fakeApiKey(160);

describe('installing n8n-nodes-dedalus by name from a registry (n8n 2.21+)', () => {
	let fixture: InstallFixture;
	const times: string[] = [];

	beforeAll(async () => {
		fixture = await startInstallFixture();
		times.push(`publish (scripts/publish.sh) ${fixture.published.seconds.toFixed(1)} s`);
	}, 1_200_000);

	afterAll(async () => {
		process.stderr.write(`[e2e] install routes: ${times.join('; ')}\n`);
		await fixture?.stop();
	});

	it('serves the published version under the public registry name, with https://registry.npmjs.org tarballs', async () => {
		const { name, version } = fixture.published;
		// Through the stand-in, as the npm that n8n runs asks for it.
		const answer = await new Promise<string>((resolve, reject) =>
			execFile(
				'npm',
				['view', `${name}@${version}`, 'dist.tarball', 'peerDependenciesMeta', '--json'],
				{ env: { ...process.env, ...fixture.registry.env } },
				(error, stdout) => (error ? reject(error) : resolve(stdout)),
			),
		);
		expect(JSON.parse(answer)).toEqual({
			'dist.tarball': `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
			peerDependenciesMeta: {
				'n8n-workflow': { optional: true },
				'@n8n/ai-node-sdk': { optional: true },
			},
		});
	});

	/** Imports the credential and the workflow (not yet published: the node type is unknown until the install). */
	async function prepare(tag: string) {
		const spec = installedPackageWorkflow(tag, {
			apiKey: API_KEY,
			emulatorUrl: fixture.emulator.url,
		});
		const { userFolder } = await prepareN8n({
			// The package must come from the route under test, not from the runner's own install.
			installPackage: false,
			credentials: [spec.credential],
			workflows: [spec.workflow],
			publish: false,
		});
		return { spec, userFolder };
	}

	/** Publishes the workflow, runs it and checks the installed node's answer. */
	async function expectWorkflowRuns(n8n: N8nInstance, spec: InstalledPackageWorkflow) {
		await publishWorkflows(n8n.rest, [String(spec.workflow.id)], { webhookPaths: [spec.path] });
		const res = await runInstalledPackageWorkflow(n8n, spec);
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject(INSTALLED_ANSWER);
		const execution = await n8n.rest.waitForExecution((e) => e.status === 'success', {
			workflowId: String(spec.workflow.id),
		});
		expect(execution.workflowData?.nodes.map((node) => node.type)).toContain(INSTALLED_NODE_TYPE);
	}

	/**
	 * n8n asked api.n8n.io about the package (and, at start, api-staging.n8n.io for its list of vetted
	 * packages) and was refused at once, as offline; it tried no host outside n8n.io. Returns what
	 * was refused.
	 */
	function expectOnlyN8nHostsRefused(before: number): string[] {
		const refused = fixture.registry.refused().slice(before);
		// Twice per install (POST /api/package), measured on 2.41.1.
		expect(refused.filter((target) => target === 'api.n8n.io:443')).toHaveLength(2);
		expect(refused.filter((target) => !/^[\w-]+\.n8n\.io:443$/.test(target))).toEqual([]);
		return refused;
	}

	describe('Settings -> Community Nodes -> Install (POST /rest/community-packages as the owner)', () => {
		let n8n: N8nInstance;
		let userFolder: string;

		afterAll(async () => {
			await n8n?.stop();
			if (userFolder) rmSync(userFolder, { recursive: true, force: true });
		});

		it('installs the package by name, then the node runs a workflow', async () => {
			const prepared = await prepare('rest');
			userFolder = prepared.userFolder;
			n8n = await startN8n({
				// The package must come from the route under test, not from the runner's own install.
				installPackage: false,
				userFolder,
				label: 'install-rest',
				env: fixture.registry.env,
				publish: false,
			});
			expect(await n8n.rest.getNodeTypeNames()).not.toContain(INSTALLED_NODE_TYPE);

			const refusedBefore = fixture.registry.refused().length;
			const requestsBefore = fixture.registry.requests().length;
			const started = Date.now();
			const installed = await n8n.rest.request<{
				packageName: string;
				installedVersion: string;
				installedNodes: Array<{ type: string }>;
			}>('POST', '/rest/community-packages', { name: fixture.published.name });
			times.push(`REST install ${((Date.now() - started) / 1000).toFixed(1)} s`);

			expect(installed).toMatchObject({
				packageName: fixture.published.name,
				installedVersion: fixture.published.version,
			});
			expect(installed.installedNodes.map((node) => node.type)).toEqual(
				expect.arrayContaining([INSTALLED_NODE_TYPE, 'n8n-nodes-dedalus.dedalusChatModel']),
			);
			expect(await n8n.rest.getNodeTypeNames()).toContain(INSTALLED_NODE_TYPE);
			expect(await n8n.rest.getCredentialTypeNames()).toEqual(
				expect.arrayContaining(['dedalusApi', 'dedalusMcpCredentialsApi']),
			);
			// The tarball came from the local registry under the public name.
			expect(fixture.registry.requests().slice(requestsBefore)).toContainEqual({
				method: 'GET',
				url: `/${fixture.published.name}/-/${fixture.published.name}-${fixture.published.version}.tgz`,
				status: 200,
			});
			const refused = expectOnlyN8nHostsRefused(refusedBefore);
			times.push(`REST install refused ${refused.join(', ')}`);

			await expectWorkflowRuns(n8n, prepared.spec);
		});
	});

	describe('N8N_COMMUNITY_PACKAGES with N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV=true', () => {
		let n8n: N8nInstance;
		let userFolder: string;

		afterAll(async () => {
			await n8n?.stop();
			if (userFolder) rmSync(userFolder, { recursive: true, force: true });
		});

		it('installs the listed version at start, then the node runs a workflow', async () => {
			const prepared = await prepare('env');
			userFolder = prepared.userFolder;
			const refusedBefore = fixture.registry.refused().length;
			const started = Date.now();
			n8n = await startN8n({
				// The package must come from the route under test, not from the runner's own install.
				installPackage: false,
				userFolder,
				label: 'install-env',
				publish: false,
				env: {
					...fixture.registry.env,
					N8N_COMMUNITY_PACKAGES: JSON.stringify([
						{ name: fixture.published.name, version: fixture.published.version },
					]),
					N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				},
			});
			times.push(
				`start with N8N_COMMUNITY_PACKAGES ${((Date.now() - started) / 1000).toFixed(1)} s`,
			);

			expect(n8n.logs()).toContain(
				`Installed community package '${fixture.published.name}@${fixture.published.version}' from env`,
			);
			expect(await n8n.rest.getNodeTypeNames()).toContain(INSTALLED_NODE_TYPE);
			const packages = await n8n.rest.request<
				Array<{ packageName: string; installedVersion: string }>
			>('GET', '/rest/community-packages');
			expect(packages).toEqual([
				expect.objectContaining({
					packageName: fixture.published.name,
					installedVersion: fixture.published.version,
				}),
			]);
			const refused = expectOnlyN8nHostsRefused(refusedBefore);
			times.push(`env install refused ${refused.join(', ')}`);

			await expectWorkflowRuns(n8n, prepared.spec);
		});
	});
});
