// Every workflow in examples/ imports as it is, both ways a user imports one, into a real n8n with
// the package installed from its tarball (types n8n-nodes-dedalus.*):
// - `n8n import:workflow --input=examples/<file>`, the file itself, before n8n starts;
// - the editor's Import from File: the file's content POSTed to /rest/workflows, as the editor
//   saves it (under a new workflow id of its own: the CLI import already holds the file's id).
// The credential the examples name (EXAMPLE_CREDENTIAL, what demo and dev create) exists, so both
// imports bind to it. Then every example that can run unattended runs against the emulator, with
// consent given over HTTP as the demo's --auto-consent gives it; only runtime URLs change (the chat
// webhook and Notify URL placeholders point at a local listener, as in `npm run demo`). The two
// upload examples get their file as a browser or `curl -F` sends it: a PDF the emulator's OCR reads
// back (emulator/src/pdf-fixture.ts), a WAV whose transcript it knows (markedWav).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { makePdf, markedWav, serverIdOf, startEmulator, type Emulator } from '../../emulator/src';
import {
	DEDALUS_CHAT_MODEL_TYPE,
	DEDALUS_NODE_TYPE,
	EXAMPLE_CREDENTIAL,
	EmulatorAdmin,
	GMAIL,
	REPO_ROOT,
	dedalusCredential,
	grantConsentAsUser,
	httpCall,
	keyIdOf,
	nodeOutputJson,
	postResume,
	prepareN8n,
	publishWorkflows,
	runN8nCli,
	startHttpListener,
	startN8n,
	waitFinished,
	type HttpListener,
	type N8nInstance,
} from '../../n8n-runner';
import {
	PLACEHOLDER_URL,
	bindForDemo,
	summaryForDemo,
	waitingItem,
	type ExampleWorkflow,
} from '../../scripts/demo-lib';

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const API_KEY = 'dsk-test-examples-0001';
const DEDALUS_TYPES = [DEDALUS_NODE_TYPE, DEDALUS_CHAT_MODEL_TYPE];

const FILES = readdirSync(EXAMPLES_DIR)
	.filter((file) => file.endsWith('.json'))
	.sort();
const text = (file: string) => readFileSync(join(EXAMPLES_DIR, file), 'utf8');
const example = (file: string) => JSON.parse(text(file)) as ExampleWorkflow & { id: string };

function webhookPath(workflow: ExampleWorkflow): string {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	if (!trigger) throw new Error(`${workflow.name} has no Webhook trigger`);
	return String(trigger.parameters.path);
}

/** The Dedalus node of `workflow` named `name`, with its parameters. */
function dedalusNode(workflow: ExampleWorkflow, name: string) {
	const node = workflow.nodes.find(
		(candidate) => candidate.name === name && candidate.type === DEDALUS_NODE_TYPE,
	);
	if (!node) throw new Error(`${workflow.name} has no Dedalus node "${name}"`);
	return node;
}

/** What `curl -F data=@<fileName>` sends: one file in the form field `data`. */
function upload(bytes: Buffer, fileName: string, mimeType: string): FormData {
	const form = new FormData();
	form.append('data', new Blob([bytes], { type: mimeType }), fileName);
	return form;
}

/** What must survive an import unchanged: every node as in the file, and the connections. */
function expectSameWorkflow(imported: ExampleWorkflow, file: ExampleWorkflow) {
	expect(imported.name).toBe(file.name);
	expect(imported.connections).toEqual(file.connections);
	expect(imported.nodes.map((node) => node.name).sort()).toEqual(
		file.nodes.map((node) => node.name).sort(),
	);
	for (const node of file.nodes) {
		const got = imported.nodes.find((candidate) => candidate.name === node.name);
		expect({
			type: got?.type,
			typeVersion: got?.typeVersion,
			parameters: got?.parameters,
			credentials: got?.credentials,
		}).toEqual({
			type: node.type,
			typeVersion: node.typeVersion,
			parameters: node.parameters,
			credentials: node.credentials,
		});
	}
}

describe('examples/*.json as files', () => {
	it('has the six documented examples', () => {
		expect(FILES).toEqual([
			'agent-chat-model-hybrid.json',
			'ask-with-tools.json',
			'authorization-notifier.json',
			'daily-email-summary.json',
			'invoice-ocr-summary.json',
			'voice-note-answer.json',
		]);
	});

	it('gives every example its own stable id (n8n import:workflow needs one)', () => {
		const ids = FILES.map((file) => example(file).id);
		for (const id of ids) expect(id).toMatch(/^[0-9a-zA-Z]{16}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});

	it.each(FILES)('%s uses the installed package types and the shared credential', (file) => {
		const workflow = example(file);
		const names = workflow.nodes.map((node) => node.name);
		expect(new Set(names).size).toBe(names.length);
		expect(new Set(workflow.nodes.map((node) => node.id)).size).toBe(names.length);
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const target of Object.values(outputs).flat(2)) expect(names).toContain(target.node);
		}
		// CUSTOM.* is how a folder-loaded node is named (test/e2e/custom-extension.e2e.ts), never here.
		expect(workflow.nodes.filter((node) => node.type.startsWith('CUSTOM.'))).toEqual([]);
		const dedalus = workflow.nodes.filter((node) => DEDALUS_TYPES.includes(node.type));
		for (const node of dedalus)
			expect(node.credentials).toEqual({ dedalusApi: EXAMPLE_CREDENTIAL });
	});

	it('agent-chat-model-hybrid: a chat, the AI Agent, the Dedalus Chat Model with Gmail and an n8n tool', () => {
		const workflow = example('agent-chat-model-hybrid.json');
		expect(workflow.nodes.map((node) => node.type).sort()).toEqual(
			[
				'@n8n/n8n-nodes-langchain.chatTrigger',
				'@n8n/n8n-nodes-langchain.agent',
				DEDALUS_CHAT_MODEL_TYPE,
				'@n8n/n8n-nodes-langchain.toolCode',
				'n8n-nodes-base.stickyNote',
			].sort(),
		);
		const model = workflow.nodes.find((node) => node.type === DEDALUS_CHAT_MODEL_TYPE);
		expect(model?.parameters.mcpServers).toBe(GMAIL);
		expect(Object.keys(workflow.connections).sort()).toEqual(
			['Dedalus Chat Model', 'When chat message received', 'word_count'].sort(),
		);
	});

	it('daily-email-summary pauses for Gmail with a notify URL placeholder and a 12-hour limit', () => {
		const workflow = example('daily-email-summary.json');
		const dedalus = workflow.nodes.filter((node) => node.type === DEDALUS_NODE_TYPE);
		expect(dedalus).toHaveLength(1);
		expect(dedalus[0].parameters).toMatchObject({
			resource: 'chat',
			operation: 'complete',
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
			mcpServers: GMAIL,
			options: { whenAuthorizationRequired: 'wait', notifyUrl: PLACEHOLDER_URL },
		});
		expect(String(dedalus[0].parameters.prompt)).toMatch(/^Summarize yesterday's emails/);
		const schedule = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.scheduleTrigger');
		expect(schedule?.parameters).toEqual({
			rule: { interval: [{ field: 'days', triggerAtHour: 7, triggerAtMinute: 0 }] },
		});
	});

	it('invoice-ocr-summary: an uploaded PDF -> Extract Text (OCR) -> Complete with Brave Search', () => {
		const workflow = example('invoice-ocr-summary.json');
		expect(webhookPath(workflow)).toBe('invoice');
		expect(dedalusNode(workflow, 'Extract invoice text').parameters).toMatchObject({
			resource: 'document',
			operation: 'extractText',
			documentSource: 'binary',
			binaryPropertyName: 'data',
		});
		const summarize = dedalusNode(workflow, 'Summarize invoice').parameters;
		expect(summarize).toMatchObject({
			resource: 'chat',
			operation: 'complete',
			mcpServers: 'dedalus-labs/brave-search',
		});
		expect(String(summarize.prompt)).toContain('{{ $json.text }}');
		expect(workflow.connections['Invoice upload'].main[0][0].node).toBe('Extract invoice text');
		expect(workflow.connections['Extract invoice text'].main[0][0].node).toBe('Summarize invoice');
	});

	it('voice-note-answer: an uploaded recording -> Transcribe -> Complete', () => {
		const workflow = example('voice-note-answer.json');
		expect(webhookPath(workflow)).toBe('voice-note');
		expect(dedalusNode(workflow, 'Transcribe').parameters).toMatchObject({
			resource: 'audio',
			operation: 'transcribe',
			binaryPropertyName: 'data',
		});
		expect(dedalusNode(workflow, 'Answer').parameters).toMatchObject({
			resource: 'chat',
			operation: 'complete',
			prompt: '={{ $json.text }}',
		});
		expect(workflow.connections['Voice note upload'].main[0][0].node).toBe('Transcribe');
		expect(workflow.connections.Transcribe.main[0][0].node).toBe('Answer');
	});
});

describe('examples/*.json imported as they are into a real n8n', () => {
	let emulator: Emulator;
	let listener: HttpListener;
	let n8n: N8nInstance;
	let userFolder: string;
	/** file -> id of the copy the REST import (the editor's Import from File) created. */
	const restIds = new Map<string, string>();

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		listener = await startHttpListener();
		// The package and the credential first, then each file with n8n's own CLI, unmodified.
		({ userFolder } = await prepareN8n({
			credentials: [
				dedalusCredential({ ...EXAMPLE_CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url }),
			],
		}));
		for (const file of FILES) {
			await runN8nCli(['import:workflow', `--input=${join(EXAMPLES_DIR, file)}`], {
				userFolder,
				logFile: join(userFolder, 'import.log'),
				env: { N8N_CUSTOM_EXTENSIONS: undefined },
			});
		}
		n8n = await startN8n({ userFolder, label: 'examples' });
		for (const file of FILES) {
			// The editor reads the file, puts it on a new workflow's canvas and saves that workflow.
			const content = JSON.parse(text(file)) as Record<string, unknown>;
			delete content.id;
			const created = await n8n.rest.request<{ id: string }>('POST', '/rest/workflows', content);
			restIds.set(file, created.id);
		}
	}, 300_000);

	afterAll(async () => {
		await n8n?.stop();
		await listener?.close();
		await emulator?.close();
		if (userFolder && process.env.E2E_KEEP_N8N !== '1')
			rmSync(userFolder, { recursive: true, force: true });
	});

	it.each(FILES)('n8n import:workflow took %s unchanged, under its own id', async (file) => {
		const workflow = example(file);
		const imported = (await n8n.rest.getWorkflow(workflow.id)) as unknown as ExampleWorkflow;
		expectSameWorkflow(imported, workflow);
	});

	it.each(FILES)('Import from File (POST /rest/workflows) took %s unchanged', async (file) => {
		const imported = (await n8n.rest.getWorkflow(
			restIds.get(file) ?? '',
		)) as unknown as ExampleWorkflow;
		expectSameWorkflow(imported, example(file));
	});

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
				FILES.flatMap((file) =>
					example(file).nodes.map((node) => `${node.type}@${node.typeVersion}`),
				),
			),
		];
		expect(used.filter((key) => !known.has(key))).toEqual([]);
	});

	it('ask-with-tools answers with the consent link, then with both MCP tools once consent is given', async () => {
		const workflow = example('ask-with-tools.json');
		const path = webhookPath(workflow);
		await publishWorkflows(n8n.rest, [workflow.id], { webhookPaths: [path] });
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
			waiting.connect_url.startsWith(`${emulator.url}/oauth/connect?server=${serverIdOf(GMAIL)}&`),
		).toBe(true);

		await grantConsentAsUser(waiting.connect_url);
		const second = await ask();
		expect(second.status).toBe(200);
		const answer = second.json as { answer: string; tools: string[]; model: string };
		expect(answer.model).toBe('openai/gpt-4.1');
		expect(answer.tools).toEqual(['search', 'list_messages']);
		expect(answer.answer.length).toBeGreaterThan(0);
	});

	it('agent-chat-model-hybrid answers in its chat: Gmail on Dedalus, word_count in n8n', async () => {
		const workflow = example('agent-chat-model-hybrid.json');
		const trigger = workflow.nodes.find(
			(node) => node.type === '@n8n/n8n-nodes-langchain.chatTrigger',
		);
		const chatPath = `${String(trigger?.webhookId)}/chat`;
		await publishWorkflows(n8n.rest, [workflow.id], { webhookPaths: [chatPath] });
		// What the hosted chat page sends for each message.
		const say = async (chatInput: string) =>
			await httpCall(n8n.webhookUrl(chatPath), {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ action: 'sendMessage', sessionId: 'e2e-examples', chatInput }),
			});
		const question = "Summarize yesterday's emails, then run word_count on this question";

		// Without Gmail consent (revoked, whatever ran before) the Agent answers with the link.
		await new EmulatorAdmin(emulator.url).setConsent(GMAIL, keyIdOf(API_KEY), false);
		const first = await say(question);
		expect(first.status).toBe(200);
		const link = /https?:\/\/[^\s)"]+\/oauth\/connect\?[^\s)"]+/.exec(
			(first.json as { output: string }).output,
		)?.[0];
		expect(link?.startsWith(`${emulator.url}/oauth/connect?server=${serverIdOf(GMAIL)}&`)).toBe(
			true,
		);
		await grantConsentAsUser(link ?? '');
		const reply = await say(question);
		expect(reply.status).toBe(200);
		const { output } = reply.json as { output: string };
		expect(output).toContain('Summary of 3 emails from yesterday');
		expect(output).toContain('- word_count: [{"response":"9 words"}]');
	});

	it('daily-email-summary pauses for Gmail, resumes after consent and posts the summary', async () => {
		// As `npm run demo` runs it: the chat and Notify URLs point at the listener, and a Webhook
		// trigger starts it now instead of at 07:00 (scripts/demo-lib.ts).
		const { workflow, dedalusNode } = summaryForDemo(example('daily-email-summary.json'), {
			chatUrl: `${listener.url}/chat`,
			notifyUrl: `${listener.url}/notify`,
			webhookPath: 'e2e-examples-summary',
		});
		const created = await n8n.rest.request<{ id: string }>('POST', '/rest/workflows', {
			name: `${workflow.name} (local)`,
			nodes: workflow.nodes,
			connections: workflow.connections,
			settings: workflow.settings,
		});
		await publishWorkflows(n8n.rest, [created.id], { webhookPaths: ['e2e-examples-summary'] });
		// The consent for Gmail may exist from the tests above: revoke it so the run pauses.
		await new EmulatorAdmin(emulator.url).setConsent(GMAIL, keyIdOf(API_KEY), false);

		const started = await httpCall(n8n.webhookUrl('e2e-examples-summary'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		expect(started.status).toBe(200);
		const waiting = await n8n.rest.waitForExecution((execution) => execution.status === 'waiting', {
			workflowId: created.id,
			timeoutMs: 60_000,
		});
		const item = waitingItem(waiting, dedalusNode);
		if (!item) throw new Error(`no waiting item on ${dedalusNode}`);
		expect(item.status).toBe('authorization_required');
		const notice = await listener.waitForRequest((r) => r.path === '/notify', 30_000);
		expect(JSON.stringify(notice.json)).toContain(item.authorization_url);

		await grantConsentAsUser(item.connect_url);
		const resumed = await postResume(item.authorization_url, { json: true });
		expect(resumed.status).toBe(200);
		const done = await waitFinished(n8n, waiting.id, 60_000);
		expect(done.status).toBe('success');
		const posted = await listener.waitForRequest((r) => r.path.startsWith('/chat'), 30_000);
		expect((posted.json as { text: string }).text).toMatch(/^Yesterday's emails\n/);
	});

	it('invoice-ocr-summary reads an uploaded PDF and summarizes its text with Brave Search', async () => {
		const workflow = example('invoice-ocr-summary.json');
		const path = webhookPath(workflow);
		await publishWorkflows(n8n.rest, [workflow.id], { webhookPaths: [path] });
		const pdf = makePdf(
			[
				['ACME Supplies Ltd', 'Invoice INV-2041', 'Date: 2026-11-30'],
				['Total due: EUR 1,280.00', 'Due date: 2026-12-30'],
			],
			{ compress: true },
		);
		const since = emulator.requests().length;

		const res = await httpCall(n8n.webhookUrl(path), {
			method: 'POST',
			body: upload(pdf, 'invoice-inv-2041.pdf', 'application/pdf'),
		});
		expect(res.status).toBe(200);
		const answer = res.json as { summary: string; tools: string[]; pages: number; file: string };
		expect(answer).toMatchObject({ tools: ['search'], pages: 2, file: 'invoice-inv-2041.pdf' });
		// The emulator's model quotes what it searched for: the prompt with both pages' OCR text.
		for (const line of ['Invoice INV-2041', 'Date: 2026-11-30', 'Total due: EUR 1,280.00'])
			expect(answer.summary).toContain(line);
		const calls = emulator
			.requests()
			.slice(since)
			.map((entry) => `${entry.path} ${entry.status}`);
		expect(calls).toEqual(['/v1/ocr 200', '/v1/chat/completions 200']);
	});

	it('voice-note-answer transcribes an uploaded recording and answers it', async () => {
		const workflow = example('voice-note-answer.json');
		const path = webhookPath(workflow);
		await publishWorkflows(n8n.rest, [workflow.id], { webhookPaths: [path] });
		const question = 'When does the team offsite start on Thursday?';
		const since = emulator.requests().length;

		const res = await httpCall(n8n.webhookUrl(path), {
			method: 'POST',
			body: upload(markedWav(question), 'voice-note.wav', 'audio/wav'),
		});
		expect(res.status).toBe(200);
		const answer = res.json as { transcript: string; answer: string; model: string };
		expect(answer.transcript).toBe(question);
		expect(answer.model).toBe('openai/gpt-4.1');
		// The emulator's model echoes the last user message: the transcript reached the chat.
		expect(answer.answer).toContain(`Echo from openai/gpt-4.1: ${question}`);
		const calls = emulator
			.requests()
			.slice(since)
			.map((entry) => `${entry.path} ${entry.status}`);
		expect(calls).toEqual(['/v1/audio/transcriptions 200', '/v1/chat/completions 200']);
	});

	it('authorization-notifier forwards a notice to the chat webhook', async () => {
		// The chat URL pointed at the listener, the email branch off (it needs an SMTP server) and
		// the secret path placeholder filled in: what a user edits before publishing it.
		const local = bindForDemo(example('authorization-notifier.json'), {
			chatUrl: `${listener.url}/chat`,
		});
		for (const node of local.nodes) {
			if (node.type === 'n8n-nodes-base.emailSend') node.disabled = true;
			if (node.type === 'n8n-nodes-base.webhook') node.parameters.path = 'e2e-examples-notifier';
		}
		const created = await n8n.rest.request<{ id: string }>('POST', '/rest/workflows', {
			name: `${local.name} (local)`,
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
			servers: [GMAIL],
		};
		const since = Date.now();
		const res = await httpCall(n8n.webhookUrl('e2e-examples-notifier'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(notice),
		});
		expect(res.status).toBe(200);
		const forwarded = await listener.waitForRequest(
			(r) => r.method === 'POST' && r.path.startsWith('/chat') && r.receivedAt >= since,
			30_000,
		);
		expect(forwarded.json).toEqual({ text: notice.text });

		const [summary] = await n8n.rest.listExecutions(created.id);
		const execution = await waitFinished(n8n, summary.id);
		expect(execution.status).toBe('success');
		expect(nodeOutputJson(execution, 'Authorization notice')?.[0]).toMatchObject({ body: notice });
	});
});
