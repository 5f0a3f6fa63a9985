// The smallest workflow that proves an installed n8n-nodes-dedalus works: a Webhook answered by the
// Dedalus node's first item (Chat -> Complete against the emulator, one MCP server). Used by the
// install tests (install-routes.e2e.ts, install-by-hand.e2e.ts), whatever route put the package in.
import { startEmulator, type Emulator } from '../../../emulator/src';
import {
	MODEL_ID,
	SEARCH,
	dedalusCredential,
	httpCall,
	type HttpResult,
} from '../../../n8n-runner/dedalus';
import type { CredentialImport, N8nInstance, WorkflowImport } from '../../../n8n-runner/n8n';
import {
	publishToLocalRegistry,
	startLocalRegistry,
	type LocalRegistry,
	type PublishedPackage,
} from '../../../n8n-runner/registry';

/** The node's type once n8n installed the package by name: `<package name>.<node name>`. */
export const INSTALLED_NODE_TYPE = 'n8n-nodes-dedalus.dedalus';

/** What the workflow asks; the emulator's search server answers `Top results for "<prompt>"`. */
export const INSTALLED_PROMPT = 'what is Dedalus';

/** What the installed node answers for INSTALLED_PROMPT (toMatchObject). */
export const INSTALLED_ANSWER = {
	content: expect.stringContaining(`Top results for "${INSTALLED_PROMPT}"`),
	tools_executed: ['search'],
};

/** Everything an install test needs before n8n starts: the registry with the package in it. */
export interface InstallFixture {
	registry: LocalRegistry;
	published: PublishedPackage;
	emulator: Emulator;
	stop(): Promise<void>;
}

/**
 * Starts the local registry (n8n-runner/registry.ts) and the emulator, and publishes the package
 * through scripts/publish.sh: its checks take minutes unless .ci/run already passed them on this
 * checkout, so give the calling hook a long timeout.
 */
export async function startInstallFixture(): Promise<InstallFixture> {
	const registry = await startLocalRegistry();
	let emulator: Emulator | undefined;
	const stop = async () => {
		await emulator?.close();
		await registry.stop();
	};
	try {
		emulator = await startEmulator({ port: 0 });
		const published = await publishToLocalRegistry(registry);
		return { registry, published, emulator, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

export interface InstalledPackageWorkflow {
	workflow: WorkflowImport;
	credential: CredentialImport;
	path: string;
}

/** The workflow and its credential (id and webhook path derived from `tag`: at most 12 characters). */
export function installedPackageWorkflow(
	tag: string,
	{ apiKey, emulatorUrl }: { apiKey: string; emulatorUrl: string },
): InstalledPackageWorkflow {
	const id = `inst${tag}`.padEnd(16, '0').slice(0, 16);
	const credential = dedalusCredential({
		id: `cred${tag}`.padEnd(16, '0').slice(0, 16),
		name: `Dedalus emulator (${tag})`,
		apiKey,
		baseUrl: emulatorUrl,
	});
	const path = `e2e-installed-${tag}`;
	const uuid = (n: number) => `1a5e${String(n).padStart(4, '0')}-0000-4000-8000-${id.slice(-12)}`;
	return {
		credential,
		path,
		workflow: {
			id,
			name: `Installed package (${tag})`,
			nodes: [
				{
					id: uuid(1),
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: uuid(101),
					parameters: {
						httpMethod: 'POST',
						path,
						responseMode: 'lastNode',
						responseData: 'firstEntryJson',
						options: {},
					},
				},
				{
					id: uuid(2),
					name: 'Dedalus',
					type: INSTALLED_NODE_TYPE,
					typeVersion: 1,
					position: [220, 0],
					parameters: {
						resource: 'chat',
						operation: 'complete',
						model: { __rl: true, mode: 'id', value: MODEL_ID },
						inputType: 'prompt',
						prompt: '={{ $json.body.prompt }}',
						systemMessage: '',
						mcpServers: `={{ ["${SEARCH}"] }}`,
						simplifyOutput: true,
						options: {},
					},
					credentials: { dedalusApi: { id: credential.id, name: credential.name } },
				},
			],
			connections: { Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
		},
	};
}

/** Triggers the published workflow and returns the Dedalus node's first item as the webhook answers it. */
export async function runInstalledPackageWorkflow(
	n8n: N8nInstance,
	{ path }: InstalledPackageWorkflow,
): Promise<HttpResult> {
	return await httpCall(n8n.webhookUrl(path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ prompt: INSTALLED_PROMPT }),
	});
}
