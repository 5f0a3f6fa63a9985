// The by-hand install route (docs/installing.md), on every n8n the matrix gives this file (2.x and
// 1.123.x; scripts/e2e.sh): `npm install n8n-nodes-dedalus` in the user folder's nodes/ against the
// local registry (reached under the name registry.npmjs.org, n8n-runner/registry.ts), then n8n
// starts, loads the package as n8n-nodes-dedalus.dedalus and a workflow using it runs.
// npm 7+ installs peer dependencies: the package marks both peers (n8n-workflow, @n8n/ai-node-sdk)
// optional in peerDependenciesMeta, so npm must install neither. A copy of n8n-workflow beside the
// package would be a second n8n-workflow next to n8n's own; the SDK would be a 404 on a private registry.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { fakeApiKey, startN8n, type N8nInstance } from '../../n8n-runner';
import {
	INSTALLED_ANSWER,
	INSTALLED_NODE_TYPE,
	installedPackageWorkflow,
	runInstalledPackageWorkflow,
	startInstallFixture,
	type InstallFixture,
} from './workflows/installed-package';

const API_KEY = fakeApiKey(161);

/** Every package folder under node_modules, scoped ones as `@scope/name`. */
function installedPackages(nodeModules: string): string[] {
	return readdirSync(nodeModules)
		.filter((name) => !name.startsWith('.'))
		.flatMap((name) =>
			name.startsWith('@')
				? readdirSync(join(nodeModules, name)).map((inner) => `${name}/${inner}`)
				: [name],
		)
		.sort();
}

describe('installing n8n-nodes-dedalus by hand: npm install in the nodes folder', () => {
	let fixture: InstallFixture;
	let n8n: N8nInstance;
	let userFolder: string;

	beforeAll(async () => {
		fixture = await startInstallFixture();
		process.stderr.write(
			`[e2e] install by hand: publish (scripts/publish.sh) ${fixture.published.seconds.toFixed(1)} s\n`,
		);
	}, 1_200_000);

	afterAll(async () => {
		await n8n?.stop();
		await fixture?.stop();
		if (userFolder) rmSync(userFolder, { recursive: true, force: true });
	});

	it('installs the package and nothing else: no peer is fetched', async () => {
		userFolder = mkdtempSync(join(tmpdir(), 'n8n-e2e-by-hand-'));
		// N8N_USER_FOLDER=<folder> makes <folder>/.n8n what a default install calls ~/.n8n.
		const nodesDir = join(userFolder, '.n8n', 'nodes');
		mkdirSync(nodesDir, { recursive: true });
		const requestsBefore = fixture.registry.requests().length;
		const started = Date.now();
		const output = await new Promise<string>((resolve, reject) =>
			execFile(
				'npm',
				['install', fixture.published.name],
				{ cwd: nodesDir, env: { ...process.env, ...fixture.registry.env } },
				(error, stdout, stderr) =>
					error ? reject(new Error(`npm install failed: ${stderr}`)) : resolve(stdout + stderr),
			),
		);
		process.stderr.write(
			`[e2e] install by hand: npm install ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
		);
		expect(output).toMatch(/added 1 package/);

		expect(installedPackages(join(nodesDir, 'node_modules'))).toEqual([fixture.published.name]);
		const asked = fixture.registry.requests().slice(requestsBefore);
		expect(asked.map((request) => request.url)).toEqual(
			expect.arrayContaining([
				`/${fixture.published.name}`,
				`/${fixture.published.name}/-/${fixture.published.name}-${fixture.published.version}.tgz`,
			]),
		);
		// npm (11) still asks for the optional peers' metadata, gets the offline registry's 404 and
		// goes on; it downloads neither (no tarball request) and the tree above holds neither.
		const peerRequests = asked.filter((request) =>
			/^\/(@n8n%2fai-node-sdk|n8n-workflow)(\/|$)/i.test(request.url),
		);
		expect(peerRequests.filter((request) => request.url.includes('/-/'))).toEqual([]);
		expect(peerRequests.every((request) => request.status === 404)).toBe(true);
		expect(existsSync(join(nodesDir, 'node_modules', '@n8n'))).toBe(false);
	});

	it('n8n loads it as n8n-nodes-dedalus.dedalus and the node runs a workflow', async () => {
		const spec = installedPackageWorkflow('hand', {
			apiKey: API_KEY,
			emulatorUrl: fixture.emulator.url,
		});
		n8n = await startN8n({
			// The package must come from the route under test, not from the runner's own install.
			installPackage: false,
			userFolder,
			label: 'install-by-hand',
			env: fixture.registry.env,
			credentials: [spec.credential],
			workflows: [spec.workflow],
		});
		expect(await n8n.rest.getNodeTypeNames()).toContain(INSTALLED_NODE_TYPE);
		const res = await runInstalledPackageWorkflow(n8n, spec);
		expect(res.status).toBe(200);
		expect(res.json).toMatchObject(INSTALLED_ANSWER);
	});
});
