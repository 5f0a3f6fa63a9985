// The Dedalus Chat Model under n8n's own AI Agent in a real n8n 2.41.1: Webhook -> AI Agent with
// the Dedalus Chat Model (an MCP server that Dedalus runs) and one n8n tool (a Code tool). The
// emulator's request log shows the MCP call on its side and the n8n tool's result coming back in
// the Agent's follow-up request. Consent: an error whose link only the execution shows the owner
// (its context, never its message or description), or (by option) an answer with the link.
import { startEmulator, type Emulator } from '../../emulator/src';
import {
	PACKAGE_NAME,
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	fakeApiKey,
	dedalusCredential,
	executionError,
	httpCall,
	keyIdOf,
	OWNER,
	nodeRan,
	nodeRuns,
	startN8n,
	type N8nInstance,
} from '../../n8n-runner';
import { WORD_COUNT_TOOL, agentWorkflow } from '../../n8n-runner/agent-workflows';
import { launchChromium } from '../../n8n-runner/browser';

const API_KEY = fakeApiKey(41);
const CREDENTIAL = { id: 'e2eChatModel0001', name: 'Dedalus (chat model)' };

const HYBRID_PATH = 'e2e-agent-hybrid';
const ANSWER_PATH = 'e2e-agent-answer';
const HYBRID = agentWorkflow({
	id: 'e2eAgentHybrid01',
	name: 'E2E: Agent + Dedalus Chat Model + n8n tool',
	path: HYBRID_PATH,
	credential: CREDENTIAL,
	mcpServers: GMAIL,
});
const ANSWER = agentWorkflow({
	id: 'e2eAgentAnswer01',
	name: 'E2E: Agent + Dedalus Chat Model, consent as an answer',
	path: ANSWER_PATH,
	credential: CREDENTIAL,
	mcpServers: GMAIL,
	onAuthorization: 'answer',
	withTool: false,
});

const STREAM_ERROR_PATH = 'e2e-agent-stream-error';
const STREAM_ANSWER_PATH = 'e2e-agent-stream-answer';
const STREAM_ERROR = agentWorkflow({
	id: 'e2eAgentStreamE1',
	name: 'E2E: streaming Agent + Dedalus Chat Model, consent as an error',
	path: STREAM_ERROR_PATH,
	credential: CREDENTIAL,
	mcpServers: GMAIL,
	withTool: false,
	streaming: true,
});
const STREAM_ANSWER = agentWorkflow({
	id: 'e2eAgentStreamA1',
	name: 'E2E: streaming Agent + Dedalus Chat Model, consent as an answer',
	path: STREAM_ANSWER_PATH,
	credential: CREDENTIAL,
	mcpServers: GMAIL,
	onAuthorization: 'answer',
	withTool: false,
	streaming: true,
});

/** n8n's streaming response: one JSON object per line ({ type: begin | item | end | error, content? }). */
function chunks(text: string): Array<{ type: string; content?: string }> {
	return text
		.split('\n')
		.filter((line) => line.trim().startsWith('{'))
		.map((line) => JSON.parse(line) as { type: string; content?: string });
}

describe('real n8n 2.41.1: the Dedalus Chat Model under the AI Agent', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let n8n: N8nInstance;
	const keyId = keyIdOf(API_KEY);

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		n8n = await startN8n({
			label: 'chat-model',
			credentials: [
				{ ...dedalusCredential({ ...CREDENTIAL, apiKey: API_KEY, baseUrl: emulator.url }) },
			],
			workflows: [HYBRID, ANSWER, STREAM_ERROR, STREAM_ANSWER],
		});
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
	});

	async function ask(path: string, question: string) {
		return await httpCall(n8n.webhookUrl(path), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ question }),
		});
	}

	it('appears as a language model for the Agent', async () => {
		const types = await n8n.rest.request<
			Array<{
				name: string;
				outputs: unknown;
				codex?: { subcategories?: Record<string, string[]> };
			}>
		>('GET', '/types/nodes.json');
		const model = types.find((type) => type.name === `${PACKAGE_NAME}.dedalusChatModel`);
		expect(model?.outputs).toEqual(['ai_languageModel']);
		expect(model?.codex?.subcategories?.AI).toContain('Language Models');
		expect(types.some((type) => type.name === `${PACKAGE_NAME}.dedalusChatModelTool`)).toBe(false);
	});

	it('answers with both: the MCP tool ran on Dedalus, the n8n tool ran in n8n', async () => {
		await admin.setConsent(GMAIL, keyId, true);
		const question = `Summarize yesterday's emails, then run ${WORD_COUNT_TOOL} on this question`;
		const response = await ask(HYBRID_PATH, question);
		expect(response.status).toBe(200);
		const { output } = response.json as { output: string };
		expect(output).toContain('Summary of 3 emails from yesterday');
		// n8n's Code tool answers `[{"response": ...}]`.
		expect(output).toContain(`- ${WORD_COUNT_TOOL}: [{"response":"9 words"}]`);

		const requests = await admin.completions({ keyId });
		expect(requests.map((entry) => entry.status)).toEqual([200, 200]);
		const [first, second] = requests as unknown as Array<Record<string, unknown>>;
		expect(first).toMatchObject({
			mcp_servers: [GMAIL],
			mcpToolsRun: [`${GMAIL}:list_messages`],
			toolCalls: [WORD_COUNT_TOOL],
		});
		// The Agent keeps only the tool_calls of a tool-calling turn, not its text: the MCP results
		// are not in the follow-up's history, so Dedalus runs the MCP tool again.
		expect(second).toMatchObject({
			mcp_servers: [GMAIL],
			toolResults: [{ name: WORD_COUNT_TOOL, content: '[{"response":"9 words"}]' }],
			mcpToolsRun: [`${GMAIL}:list_messages`],
		});

		const [latest] = await n8n.rest.listExecutions(HYBRID.id, { limit: 1 });
		const execution = await n8n.rest.getExecution(latest.id);
		expect(execution.status).toBe('success');
		expect(nodeRan(execution, WORD_COUNT_TOOL)).toBe(true);
		const leaks = new LeakCheck([API_KEY]);
		leaks.add('hybrid execution', execution);
		leaks.add('hybrid answer', response.text);
		expect(leaks.leaks()).toEqual([]);
	});

	it('without consent: the run fails; the link is only in what the execution shows the owner', async () => {
		await admin.setConsent(GMAIL, keyId, false);
		const response = await ask(HYBRID_PATH, 'Summarize my emails');
		expect(response.status).toBe(500);
		expect(response.json).toEqual({ message: 'Error in workflow' });

		const [latest] = await n8n.rest.listExecutions(HYBRID.id, { limit: 1 });
		const execution = await n8n.rest.getExecution(latest.id);
		expect(execution.status).toBe('error');
		type SavedError = {
			message?: string;
			description?: string;
			context?: { connectUrl?: string; descriptionTemplate?: string };
		};
		const link = `${emulator.url}/oauth/connect?server=`;
		// The chat model node's own run, which the owner opens in the failed execution: message and
		// description (what a caller may see) without the link; the link in the context, where the
		// editor's error view shows `descriptionTemplate` in place of the description.
		const [modelRun] = nodeRuns(execution, 'Dedalus Chat Model');
		const modelError = modelRun.error as unknown as SavedError;
		expect(modelError.message).toBe(
			`MCP server "${GMAIL}" needs authorization before the Agent can use it`,
		);
		expect(modelError.description).toBe(
			"The workflow's owner finds the link to connect it in this execution, on the Dedalus Chat Model node.",
		);
		expect(modelError.context?.connectUrl).toContain(link);
		expect(modelError.context?.descriptionTemplate).toContain(`href="${link}`);
		// Installed as a package, the Agent passes our error through as its own: same message and
		// description, and (an n8n error shares the context of the error it wraps) the same context.
		const error = executionError(execution) as SavedError;
		expect(error).toMatchObject({
			message: modelError.message,
			description: modelError.description,
			context: {
				connectUrl: modelError.context?.connectUrl,
				descriptionTemplate: modelError.context?.descriptionTemplate,
			},
		});
		expect(nodeRan(execution, WORD_COUNT_TOOL)).toBe(false);
	});

	it('the owner sees the link in the editor: the failed execution, on the chat model and the Agent', async () => {
		const [latest] = await n8n.rest.listExecutions(HYBRID.id, { limit: 1 });
		const execution = await n8n.rest.getExecution(latest.id);
		expect(execution.status).toBe('error');
		const [modelRun] = nodeRuns(execution, 'Dedalus Chat Model');
		const { context } = modelRun.error as unknown as { context?: { connectUrl?: string } };
		const connectUrl = context?.connectUrl ?? '';
		expect(connectUrl).toContain(`${emulator.url}/oauth/connect?server=`);

		const browser = await launchChromium();
		try {
			const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
			await page.goto(`${n8n.editorUrl}/signin`);
			await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
			await page.locator('input[name="password"]').fill(OWNER.password);
			await page.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
			await page.goto(`${n8n.editorUrl}/workflow/${HYBRID.id}/executions/${latest.id}`);
			await page.waitForLoadState('networkidle');
			// The editor's error view shows the error's context.descriptionTemplate in place of its
			// description: the link, as a link, on each node's output panel.
			for (const name of ['Dedalus Chat Model', 'AI Agent']) {
				// Closes whatever is open (a first-visit panel, the previous node).
				await page.keyboard.press('Escape');
				await page.locator('[data-test-id="canvas-node"]', { hasText: name }).first().dblclick();
				const ndv = page.locator('[data-test-id="ndv"]');
				await ndv.waitFor({ state: 'visible', timeout: 15_000 });
				const shown = ndv.locator('.node-error-view__header-description').first();
				await shown.waitFor({ timeout: 15_000 });
				expect(await shown.innerText()).toContain(
					`Open this link to connect the Dedalus account, then run again: ${connectUrl} .`,
				);
				expect(await shown.locator('a').getAttribute('href')).toBe(connectUrl);
			}
		} finally {
			await browser.close();
		}
	});

	it('with On Authorization "answer", the Agent answers with the link', async () => {
		await admin.setConsent(GMAIL, keyId, false);
		const response = await ask(ANSWER_PATH, 'Summarize my emails');
		expect(response.status).toBe(200);
		const { output } = response.json as { output: string };
		expect(output).toContain(`The MCP server "${GMAIL}" needs your authorization`);
		expect(output).toContain(`${emulator.url}/oauth/connect?server=`);
	});

	it('in a streaming Agent: "answer" streams the link; the error chunk never carries it', async () => {
		await admin.setConsent(GMAIL, keyId, false);
		const answered = await ask(STREAM_ANSWER_PATH, 'Summarize my emails');
		expect(answered.status).toBe(200);
		const text = chunks(answered.text)
			.filter((chunk) => chunk.type === 'item')
			.map((chunk) => chunk.content ?? '')
			.join('');
		expect(text).toContain(`${emulator.url}/oauth/connect?server=`);

		const failed = await ask(STREAM_ERROR_PATH, 'Summarize my emails');
		const errors = chunks(failed.text).filter((chunk) => chunk.type === 'error');
		expect(errors.length).toBeGreaterThan(0);
		// The link must not reach a streaming client (docs/chat-model.md): n8n streams the failed
		// node's description, which the Agent takes over from our error; the link is not in it.
		expect(errors.map((chunk) => chunk.content)).toEqual([
			"The workflow's owner finds the link to connect it in this execution, on the Dedalus Chat Model node.",
		]);
		for (const chunk of errors) expect(chunk.content ?? '').not.toContain('/oauth/connect');
		expect(failed.text).not.toContain('/oauth/connect');
		// The owner finds it in that execution, on the chat model node.
		const [latest] = await n8n.rest.listExecutions(STREAM_ERROR.id, { limit: 1 });
		const [modelRun] = nodeRuns(await n8n.rest.getExecution(latest.id), 'Dedalus Chat Model');
		const { context } = modelRun.error as unknown as { context?: { connectUrl?: string } };
		expect(context?.connectUrl).toContain(`${emulator.url}/oauth/connect?server=`);
	});
});
