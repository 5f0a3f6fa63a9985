// Every workflow in examples/ imports into a real n8n 2.41.3 (the CLI import, as `n8n import:workflow`
// does it), with the node loaded from dist/ as CUSTOM.dedalus: the examples name the installed
// community package's type, n8n-nodes-dedalus.dedalus, so the test renames it first, exactly as
// `npm run demo` does (scripts/demo-lib.ts, forCustomFolder). Then the imported workflows are compared
// with the files, and the two webhook-triggered examples run against the emulator.
// The daily email summary runs end to end in `npm run demo -- --auto-consent`, which CI runs too.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { serverIdOf, startEmulator, type Emulator } from '../../emulator/src';
import {
	DIST_DIR,
	REPO_ROOT,
	dedalusCredential,
	grantConsentAsUser,
	httpCall,
	nodeOutputJson,
	publishWorkflows,
	startHttpListener,
	startN8n,
	waitFinished,
	type HttpListener,
	type N8nInstance,
	type WorkflowImport,
} from '../../n8n-runner';

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const COMMUNITY_TYPE = 'n8n-nodes-dedalus.dedalus';
const CUSTOM_TYPE = 'CUSTOM.dedalus';
const PLACEHOLDER_URL = 'https://hooks.slack.com/services/REPLACE/ME';
/** The credential name the examples refer to; n8n's import binds a credential of that name and type. */
const CREDENTIAL = { id: 'e2eExamplesCred1', name: 'Dedalus account' };
const API_KEY = 'dsk-test-examples-0001';

interface ExampleNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string | null; name: string }>;
	webhookId?: string;
	disabled?: boolean;
}

interface ExampleWorkflow {
	id?: string;
	name: string;
	nodes: ExampleNode[];
	connections: Record<
		string,
		{ main: Array<Array<{ node: string; type: string; index: number }>> }
	>;
	settings?: Record<string, unknown>;
}

interface Example {
	file: string;
	id: string;
	workflow: ExampleWorkflow;
}

const FILES = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort();

function loadExample(file: string, index: number): Example {
	const workflow = JSON.parse(
		readFileSync(join(EXAMPLES_DIR, file), 'utf8'),
	) as Example['workflow'];
	return { file, id: `e2eExample${String(index).padStart(6, '0')}`, workflow };
}

/** The import as a custom-folder n8n needs it: the community type renamed, nothing else. */
function forCustomFolder(example: Example): ExampleWorkflow {
	const copy = structuredClone(example.workflow);
	for (const node of copy.nodes) if (node.type === COMMUNITY_TYPE) node.type = CUSTOM_TYPE;
	return { ...copy, id: example.id };
}

const byFile = (examples: Example[], file: string) => {
	const found = examples.find((example) => example.file === file);
	if (!found) throw new Error(`examples/${file} is missing`);
	return found;
};

function webhookPath(workflow: ExampleWorkflow): string {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	if (!trigger) throw new Error(`${workflow.name} has no Webhook trigger`);
	return String(trigger.parameters.path);
}

describe('examples/*.json as files', () => {
	const examples = FILES.map(loadExample);

	it('has the three documented examples', () => {
		expect(FILES).toEqual([
			'ask-with-tools.json',
			'authorization-notifier.json',
			'daily-email-summary.json',
		]);
	});

	it.each(FILES)('%s is an n8n workflow export using the community package type names', (file) => {
		const { workflow } = byFile(examples, file);
		expect(typeof workflow.name).toBe('string');
		expect(Array.isArray(workflow.nodes)).toBe(true);
		const names = workflow.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(workflow.nodes.map((node) => node.id)).size).toBe(names.length);
		// Every connection joins two nodes that exist.
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const target of outputs.main.flat()) expect(names).toContain(target.node);
		}
		// Installed-package names only: CUSTOM.* is how a folder-loaded node is named, never in an example.
		expect(workflow.nodes.filter((node) => node.type.startsWith('CUSTOM.'))).toEqual([]);
		for (const node of workflow.nodes.filter((n) => n.type === COMMUNITY_TYPE)) {
			// Bound by name on import; no instance's credential id is baked in.
			expect(node.credentials).toEqual({ dedalusApi: { id: '', name: CREDENTIAL.name } });
		}
	});

	it('daily-email-summary pauses for Gmail with a notify URL placeholder and a 12-hour limit', () => {
		const { workflow } = byFile(examples, 'daily-email-summary.json');
		const dedalus = workflow.nodes.filter((node) => node.type === COMMUNITY_TYPE);
		expect(dedalus).toHaveLength(1);
		expect(dedalus[0].parameters).toMatchObject({
			resource: 'chat',
			operation: 'complete',
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
			mcpServers: 'dedalus-labs/gmail',
			options: { whenAuthorizationRequired: 'wait', notifyUrl: PLACEHOLDER_URL },
		});
		expect(String(dedalus[0].parameters.prompt)).toMatch(/^Summarize yesterday's emails/);
		const schedule = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
		expect(schedule?.parameters).toEqual({
			rule: { interval: [{ field: 'days', triggerAtHour: 7, triggerAtMinute: 0 }] },
		});
	});
});

describe('examples/*.json in a real n8n 2.41.3', () => {
	const examples = FILES.map(loadExample);
	let emulator: Emulator;
	let listener: HttpListener;
	let n8n: N8nInstance;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		listener = await startHttpListener();
		n8n = await startN8n({
			customExtensions: DIST_DIR,
			label: 'examples',
			credentials: [dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url })],
			workflows: examples.map((example) => forCustomFolder(example) as unknown as WorkflowImport),
			publish: false,
		});
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await listener?.close();
		await emulator?.close();
	});

	it.each(FILES)(
		'imported %s unchanged, with the Dedalus credential bound by name',
		async (file) => {
			const example = byFile(examples, file);
			const expected = forCustomFolder(example);
			const imported = (await n8n.rest.getWorkflow(example.id)) as unknown as ExampleWorkflow;
			expect(imported.name).toBe(expected.name);
			expect(imported.connections).toEqual(expected.connections);
			expect(imported.nodes.map((node) => node.name).sort()).toEqual(
				expected.nodes.map((node) => node.name).sort(),
			);
			for (const node of expected.nodes) {
				const got = imported.nodes.find((candidate) => candidate.name === node.name);
				expect({ name: got?.name, type: got?.type, typeVersion: got?.typeVersion }).toEqual({
					name: node.name,
					type: node.type,
					typeVersion: node.typeVersion,
				});
				expect(got?.parameters).toEqual(node.parameters);
				if (node.type === CUSTOM_TYPE) expect(got?.credentials).toEqual({ dedalusApi: CREDENTIAL });
			}
		},
	);

	it('knows every node type and version the examples use', async () => {
		const types = await n8n.rest.request<Array<{ name: string; version: number | number[] }>>(
			'GET',
			'/types/nodes.json',
		);
		const known = new Set(
			types.flatMap((type) => [type.version].flat().map((version) => `${type.name}@${version}`)),
		);
		const used = [
			...new Set(
				examples.flatMap((example) =>
					forCustomFolder(example).nodes.map((node) => `${node.type}@${node.typeVersion}`),
				),
			),
		];
		expect(used.filter((key) => !known.has(key))).toEqual([]);
	});

	it('ask-with-tools answers with the consent link, then with both MCP tools once consent is given', async () => {
		const example = byFile(examples, 'ask-with-tools.json');
		const path = webhookPath(example.workflow);
		await publishWorkflows(n8n.rest, [example.id], { webhookPaths: [path] });
		const ask = async () =>
			await httpCall(n8n.webhookUrl(path), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ question: 'What is the Model Context Protocol?' }),
			});

		const first = await ask();
		expect(first.status).toBe(200);
		const waiting = first.json as { status: string; connect_url: string; message: string };
		expect(waiting).toMatchObject({
			status: 'authorization_required',
			message: expect.stringContaining('connect_url'),
		});
		expect(
			waiting.connect_url.startsWith(
				`${emulator.url}/oauth/connect?server=${serverIdOf('dedalus-labs/gmail')}&`,
			),
		).toBe(true);

		await grantConsentAsUser(waiting.connect_url);
		const second = await ask();
		expect(second.status).toBe(200);
		const answer = second.json as { answer: string; tools: string[]; model: string };
		expect(answer.model).toBe('openai/gpt-4.1');
		expect(answer.tools).toEqual(['search', 'list_messages']);
		expect(answer.answer).toEqual(expect.any(String));
		expect(answer.answer.length).toBeGreaterThan(0);
	});

	it('authorization-notifier forwards a notice to the chat webhook', async () => {
		const example = byFile(examples, 'authorization-notifier.json');
		// The same workflow, with the chat URL pointed at a local listener and the email branch off
		// (it needs an SMTP server), imported next to the original.
		const local = forCustomFolder(example);
		local.id = 'e2eExampleLocal1';
		local.name = `${local.name} (local)`;
		for (const node of local.nodes) {
			if (node.parameters.url === PLACEHOLDER_URL) node.parameters.url = `${listener.url}/chat`;
			if (node.type === 'n8n-nodes-base.emailSend') node.disabled = true;
			if (node.type === 'n8n-nodes-base.webhook') {
				node.parameters.path = 'e2e-examples-notifier';
				node.webhookId = 'c4d5e6f7-0812-4a3b-9c4d-3e4f5a6b7cb2';
			}
		}
		const created = await n8n.rest.request<{ id: string }>('POST', '/rest/workflows', {
			name: local.name,
			nodes: local.nodes,
			connections: local.connections,
			settings: local.settings,
		});
		await publishWorkflows(n8n.rest, [created.id], { webhookPaths: ['e2e-examples-notifier'] });

		const notice = {
			text: 'Workflow "Daily email summary" is waiting: node "Summarize emails" needs your consent for MCP server dedalus-labs/gmail. Open https://n8n.example.com/webhook-waiting/42?signature=abc to connect and continue.',
			authorization_url: 'https://n8n.example.com/webhook-waiting/42?signature=abc',
			connect_url: 'https://example.com/connect',
			workflow: 'Daily email summary',
			node: 'Summarize emails',
			execution_id: '42',
			expires_at: null,
			servers: ['dedalus-labs/gmail'],
		};
		const res = await httpCall(n8n.webhookUrl('e2e-examples-notifier'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(notice),
		});
		expect(res.status).toBe(200);
		const forwarded = await listener.waitForRequest(
			(r) => r.method === 'POST' && r.path === '/chat',
			30_000,
		);
		expect(forwarded.json).toEqual({ text: notice.text });

		const [summary] = await n8n.rest.listExecutions(created.id);
		const execution = await waitFinished(n8n, summary.id);
		expect(execution.status).toBe('success');
		expect(nodeOutputJson(execution, 'Authorization notice')?.[0]).toMatchObject({ body: notice });
	});
});
