// `npm run docs:screenshots`: regenerates docs/*.png in a real browser (Debian's chromium driven by
// playwright-core), from the same environment as `npm run demo`: the emulator, n8n 2.41.1 with the
// node, the example workflows, and one run of the daily email summary paused for Gmail consent.
//   docs/editor-node.png          the Dedalus node open in the editor
//   docs/waiting-execution.png    the paused execution in the Executions tab
//   docs/authorization-page.png   the node's authorization page (the resume URL)
//   docs/finished-run.png         the finished execution with the node's output, after Connect + Allow
//   docs/agent-chat-model.png     an AI Agent with the Dedalus Chat Model and an n8n tool
//   docs/agent-chat-model-node.png  the Dedalus Chat Model's parameters
//   docs/editor-ocr.png           Document → Extract Text (OCR) open in the editor
//   docs/editor-transcribe.png    Audio → Transcribe open in the editor
//   docs/editor-image-generate.png, editor-image-analyze.png, editor-speech.png, editor-embedding.png
//                                 Image → Generate / Analyze, Audio → Generate Speech, Embedding → Create
// `npm run docs:screenshots -- --only agent` takes only the agent and the operation screenshots.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { Browser, BrowserContext, Page } from 'playwright-core';

import { agentWorkflow } from '../n8n-runner/agent-workflows';
import { launchChromium } from '../n8n-runner/browser';
import { DEDALUS_NODE_TYPE } from '../n8n-runner/package';
import { REPO_ROOT } from '../n8n-runner/install';
import { freePort } from '../n8n-runner/n8n';
import { OWNER } from '../n8n-runner/rest';
import {
	CREDENTIAL_NAME,
	executionUrl,
	isDone,
	isPausedOrDone,
	say,
	seconds,
	setTag,
	startDemoEnvironment,
	startSummaryRun,
	waitForExecution,
	waitingItem,
	type DemoEnvironment,
} from './demo-lib';

const DOCS_DIR = join(REPO_ROOT, 'docs');
// launchChromium() (n8n-runner/browser.ts) adds the flags that keep it off the network it cannot reach.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWPORT = { width: 1440, height: 900 };

async function shoot(
	page: Page,
	file: string,
	options: { fullPage?: boolean } = {},
): Promise<void> {
	const path = join(DOCS_DIR, file);
	await page.screenshot({ path, fullPage: options.fullPage ?? false });
	say(`  wrote docs/${file}`);
}

/** n8n's editor sometimes opens a modal on first visit (what's new, a tip): close whatever is open. */
async function closeModals(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		const modal = page.locator('.el-dialog:visible, [role="dialog"]:visible').first();
		if (!(await modal.isVisible().catch(() => false))) return;
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

async function signIn(page: Page, env: DemoEnvironment): Promise<void> {
	await page.goto(`${env.n8n.editorUrl}/signin`);
	await page.locator('input[name="emailOrLdapLoginId"]').fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: 30_000 });
	await page.waitForLoadState('networkidle');
}

async function canvasNode(page: Page, name: string) {
	const node = page.locator('[data-test-id="canvas-node"]', { hasText: name }).first();
	await node.waitFor({ state: 'visible', timeout: 30_000 });
	return node;
}

async function editorNode(page: Page, env: DemoEnvironment): Promise<void> {
	await page.goto(`${env.n8n.editorUrl}/workflow/${env.summary.id}`);
	const node = await canvasNode(page, env.summary.dedalusNode);
	await page.waitForLoadState('networkidle');
	await closeModals(page);
	await node.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor({ state: 'visible', timeout: 15_000 });
	// The parameters show once the node's description has loaded; a taller window shows the options too.
	await ndv.getByText('MCP Servers', { exact: true }).first().waitFor({ timeout: 15_000 });
	await page.setViewportSize({ width: VIEWPORT.width, height: 1250 });
	await page.waitForTimeout(1000);
	await shoot(page, 'editor-node.png');
	await page.setViewportSize(VIEWPORT);
	await page.keyboard.press('Escape');
}

async function executionView(
	page: Page,
	env: DemoEnvironment,
	executionId: string,
	status: RegExp,
): Promise<void> {
	await page.goto(executionUrl(env, executionId));
	await page.getByText(status).first().waitFor({ timeout: 30_000 });
	await page.waitForLoadState('networkidle');
	await closeModals(page);
	await page.waitForTimeout(1500);
}

/** The AI Agent with the Dedalus Chat Model (Gmail on Dedalus) and a Code tool, then the model's parameters. */
async function agentScreenshots(page: Page, env: DemoEnvironment): Promise<void> {
	const workflow: Record<string, unknown> = agentWorkflow({
		id: 'docsAgent',
		name: 'AI Agent with the Dedalus Chat Model',
		path: 'docs-agent',
		credential: { id: env.credentialId, name: CREDENTIAL_NAME },
		mcpServers: 'dedalus-labs/gmail, dedalus-labs/google-calendar',
	});
	// n8n gives a workflow created through the REST API its own id.
	delete workflow.id;
	const created = await env.n8n.rest.request<{ id: string }>('POST', '/rest/workflows', workflow);
	await page.goto(`${env.n8n.editorUrl}/workflow/${created.id}`);
	const model = await canvasNode(page, 'Dedalus Chat Model');
	await page.waitForLoadState('networkidle');
	await closeModals(page);
	await page.waitForTimeout(1000);
	await shoot(page, 'agent-chat-model.png');
	await model.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor({ state: 'visible', timeout: 15_000 });
	await ndv.getByText('MCP Servers', { exact: true }).first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(1000);
	await shoot(page, 'agent-chat-model-node.png');
	await page.keyboard.press('Escape');
}

/** One of the node's operations open in the editor: a Manual Trigger and the Dedalus node set to it. */
async function operationScreenshot(
	page: Page,
	env: DemoEnvironment,
	title: string,
	parameters: Record<string, unknown>,
	waitFor: string,
	file: string,
): Promise<void> {
	const workflow = {
		name: title,
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'When clicking ‘Execute workflow’',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000002',
				name: title,
				type: DEDALUS_NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters,
				credentials: { dedalusApi: { id: env.credentialId, name: CREDENTIAL_NAME } },
			},
		],
		connections: {
			'When clicking ‘Execute workflow’': { main: [[{ node: title, type: 'main', index: 0 }]] },
		},
		settings: {},
	};
	const created = await env.n8n.rest.request<{ id: string }>('POST', '/rest/workflows', workflow);
	await page.goto(`${env.n8n.editorUrl}/workflow/${created.id}`);
	const node = await canvasNode(page, title);
	await page.waitForLoadState('networkidle');
	await closeModals(page);
	await node.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor({ state: 'visible', timeout: 15_000 });
	await ndv.getByText(waitFor, { exact: true }).first().waitFor({ timeout: 15_000 });
	await page.waitForTimeout(1000);
	await shoot(page, file);
	await page.keyboard.press('Escape');
}

/** The operations beyond chat, as a user first meets them: title, parameters, a label to wait for, file. */
const OPERATION_SCREENSHOTS: Array<[string, Record<string, unknown>, string, string]> = [
	[
		'Read the invoice',
		{ resource: 'document', operation: 'extractText', binaryPropertyName: 'data' },
		'Document Source',
		'editor-ocr.png',
	],
	[
		'Transcribe the voice note',
		{ resource: 'audio', operation: 'transcribe', binaryPropertyName: 'data' },
		'Input Binary Field',
		'editor-transcribe.png',
	],
	[
		'Draw the cover image',
		{ resource: 'image', operation: 'generate', prompt: '={{ $json.description }}' },
		'Prompt',
		'editor-image-generate.png',
	],
	[
		'Describe the screenshot',
		{ resource: 'image', operation: 'analyze', imageSource: 'binary' },
		'Image Source',
		'editor-image-analyze.png',
	],
	[
		'Read the answer aloud',
		{ resource: 'audio', operation: 'speech', input: '={{ $json.answer }}' },
		'Voice',
		'editor-speech.png',
	],
	[
		'Embed the documents',
		{ resource: 'embedding', operation: 'create', text: '={{ $json.text }}' },
		'Text',
		'editor-embedding.png',
	],
];

async function mediaScreenshots(page: Page, env: DemoEnvironment): Promise<void> {
	for (const [title, parameters, waitFor, file] of OPERATION_SCREENSHOTS)
		await operationScreenshot(page, env, title, parameters, waitFor, file);
}

async function main(): Promise<number> {
	const onlyAgent = process.argv.slice(2).join(' ').includes('--only agent');
	setTag('docs');
	const started = Date.now();
	mkdirSync(DOCS_DIR, { recursive: true });
	let stopEnvironment: DemoEnvironment['stop'] | undefined;
	let browser: Browser | undefined;
	let context: BrowserContext | undefined;
	const stopAll = async (keep = false) => {
		// Closing the browser also removes the temporary profile Playwright gave it.
		await browser?.close().catch(() => undefined);
		await stopEnvironment?.({ keep });
	};
	process.on('SIGINT', () => void stopAll().finally(() => process.exit(130)));
	process.on('SIGTERM', () => void stopAll().finally(() => process.exit(143)));

	try {
		const env = await startDemoEnvironment(
			{ port: await freePort() },
			(stop) => (stopEnvironment = stop),
		);
		say(`taking screenshots with ${CHROMIUM}...`);
		browser = await launchChromium(CHROMIUM);
		context = await browser.newContext({
			viewport: VIEWPORT,
			colorScheme: 'light',
			locale: 'en-US',
			timezoneId: 'UTC',
		});
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		await signIn(page, env);
		await agentScreenshots(page, env);
		await mediaScreenshots(page, env);
		if (onlyAgent) {
			say(`done in ${seconds(started)}`);
			await stopAll();
			return 0;
		}

		const executionId = await startSummaryRun(env);
		const paused = await waitForExecution(env, executionId, isPausedOrDone, 60_000);
		const item = waitingItem(paused, env.summary.dedalusNode);
		if (paused.status !== 'waiting' || !item)
			throw new Error(`expected a waiting execution, got "${paused.status}"`);

		await editorNode(page, env);
		await executionView(page, env, executionId, /Waiting/i);
		await shoot(page, 'waiting-execution.png');

		// The authorization page as the person sees it, then Connect -> Allow in the new tab.
		const authPage = await context.newPage();
		await authPage.setViewportSize({ width: 1100, height: 760 });
		await authPage.goto(item.authorization_url);
		await authPage.locator('#connect').waitFor();
		await shoot(authPage, 'authorization-page.png');
		const [consentTab] = await Promise.all([
			context.waitForEvent('page'),
			authPage.locator('#connect').click(),
		]);
		await consentTab.waitForLoadState();
		await consentTab.locator('#allow').click();
		await consentTab.locator('#result[data-ok="true"]').waitFor();
		await consentTab.close();
		// The page checks by itself (first check after 3 s) and continues the workflow.
		await authPage.getByText('Done: the workflow continued').waitFor({ timeout: 60_000 });
		const finished = await waitForExecution(env, executionId, isDone, 60_000);
		if (finished.status !== 'success')
			throw new Error(`the execution ended with status "${finished.status}"`);

		await page.bringToFront();
		await executionView(page, env, executionId, /Succeeded/i);
		// The node's output in that execution: the summary and the MCP tool calls.
		await (await canvasNode(page, env.summary.dedalusNode)).dblclick();
		const ndv = page.locator('[data-test-id="ndv"]');
		await ndv.waitFor({ state: 'visible', timeout: 15_000 });
		await ndv
			.getByText('mcp_tool_results')
			.first()
			.waitFor({ timeout: 15_000 })
			.catch(() => undefined);
		await page.waitForTimeout(1000);
		await shoot(page, 'finished-run.png');

		say(`done in ${seconds(started)}`);
		await stopAll();
		return 0;
	} catch (error) {
		process.stderr.write(`[docs] FAILED: ${(error as Error).stack ?? String(error)}\n`);
		const page = context?.pages().at(-1);
		if (page) {
			await page
				.screenshot({ path: join(tmpdir(), 'docs-screenshots-failure.png') })
				.catch(() => undefined);
			process.stderr.write(
				`[docs] the page at the failure: ${join(tmpdir(), 'docs-screenshots-failure.png')} (${page.url()})\n`,
			);
		}
		await stopAll(true);
		return 1;
	}
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
		process.exit(1);
	},
);
