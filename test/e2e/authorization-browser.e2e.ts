// Scenario 10: the authorization page in a real browser (Debian's Chromium driven by
// playwright-core). A person opens the page, presses Connect, allows access in the tab that
// opens, and the first page, by its own polling and without another click, continues the run.
// Screenshots of both states, light and dark, land in test/e2e/artifacts/.
import { join } from 'node:path';

import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../../emulator/src';
import {
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	dedalusCredential,
	ensureArtifactsDir,
	fakeApiKey,
	keyIdOf,
	nodeOutput,
	nodeOutputJson,
	publishWorkflows,
	rawExecution,
	startN8n,
	startWaitingRun,
	waitFinished,
	type N8nInstance,
} from '../../n8n-runner';
import { launchChromium } from '../../n8n-runner/browser';
import { NODE, authorizationWorkflow } from './workflows/authorization';

const API_KEY = fakeApiKey(10);
const KEY_ID = keyIdOf(API_KEY);
const WORKFLOW = {
	id: 'e2eAuthFlow00010',
	name: 'E2E authorization 10: the page in a browser',
	path: 'e2e-auth-browser',
	credential: { id: 'e2eDedalusCred10', name: 'Dedalus emulator (scenario 10)' },
};
const VIEWPORT = { width: 900, height: 720 };

describe('authorization page in headless Chromium (real n8n 2.41.1, Dedalus emulator)', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let n8n: N8nInstance;
	let browser: Browser;
	const leak = new LeakCheck([API_KEY]);
	const artifacts = ensureArtifactsDir();

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		const started = Date.now();
		// The browser starts while n8n does.
		const [instance, launched] = await Promise.all([
			startN8n({
				label: 'authorization-browser',
				credentials: [
					dedalusCredential({ ...WORKFLOW.credential, apiKey: API_KEY, baseUrl: emulator.url }),
				],
				workflows: [authorizationWorkflow(WORKFLOW)],
				publish: false,
			}),
			launchChromium(),
		]);
		n8n = instance;
		browser = launched;
		await publishWorkflows(n8n.rest, n8n.workflowIds, { webhookPaths: [WORKFLOW.path] });
		process.stderr.write(
			`[e2e] authorization-browser: n8n and Chromium ready in ${Date.now() - started} ms\n`,
		);
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await emulator?.close();
	});

	/** Console errors and page errors (a CSP violation shows up as a console error). */
	function watchErrors(page: Page): string[] {
		const errors: string[] = [];
		page.on('console', (message: ConsoleMessage) => {
			if (message.type() === 'error') errors.push(message.text());
		});
		page.on('pageerror', (error) => errors.push(String(error)));
		return errors;
	}

	async function newContext(colorScheme: 'light' | 'dark'): Promise<BrowserContext> {
		return await browser.newContext({ colorScheme, viewport: VIEWPORT, deviceScaleFactor: 1 });
	}

	async function screenshot(page: Page, name: string): Promise<void> {
		await page.screenshot({ path: join(artifacts, name), fullPage: true });
	}

	it('10. Connect, Allow in the new tab, and the page continues the workflow by itself', async () => {
		const run = await startWaitingRun(n8n, WORKFLOW.path, {
			items: [{ tag: 's10', prompt: "Summarize yesterday's emails", servers: [GMAIL] }],
		});
		leak.add('execution while waiting', await rawExecution(n8n, run.executionId));
		const waitingItem = nodeOutput(run.waiting, NODE.dedalus)?.[0].json as {
			connect_url: string;
			authorization_url: string;
		};
		expect(waitingItem.authorization_url).toBe(run.resumeUrl);
		const logAtPause = await admin.completions({ keyId: KEY_ID });
		expect(logAtPause.map((e) => e.status)).toEqual([401]);

		// Dark first: a GET has no side effect, so the page can be looked at as often as one likes.
		const dark = await newContext('dark');
		const darkPage = await dark.newPage();
		const darkErrors = watchErrors(darkPage);
		await darkPage.goto(waitingItem.authorization_url);
		await expect(darkPage.locator('h1').textContent()).resolves.toBe('Authorization needed');
		await screenshot(darkPage, 'authorization-page-waiting-dark.png');
		leak.add('dark page while waiting', await darkPage.content());
		await dark.close();
		expect(darkErrors).toEqual([]);

		const light = await newContext('light');
		const page = await light.newPage();
		const errors = watchErrors(page);
		const response = await page.goto(waitingItem.authorization_url);
		expect(response?.status()).toBe(200);
		await expect(page.locator('h1').textContent()).resolves.toBe('Authorization needed');
		await expect(page.locator('main').getAttribute('data-state')).resolves.toBe('waiting');
		await expect(page.locator('#connect').getAttribute('href')).resolves.toBe(
			waitingItem.connect_url,
		);
		await expect(page.locator('dl').textContent()).resolves.toContain(WORKFLOW.name);
		await screenshot(page, 'authorization-page-waiting.png');
		leak.add('light page while waiting', await page.content());
		// Looking at the page (twice) asked Dedalus nothing and resumed nothing.
		expect(await admin.completions({ keyId: KEY_ID })).toEqual(logAtPause);
		expect((await n8n.rest.getExecution(run.executionId)).status).toBe('waiting');

		// Connect opens the emulator's consent page in a new tab.
		const [consentTab] = await Promise.all([
			light.waitForEvent('page'),
			page.locator('#connect').click(),
		]);
		const connectClickedAt = Date.now();
		await consentTab.waitForLoadState();
		expect(consentTab.url()).toBe(waitingItem.connect_url);
		await expect(consentTab.locator('#question').textContent()).resolves.toContain(GMAIL);
		await expect(page.locator('#status').textContent()).resolves.toBe(
			'Waiting for consent in the other tab…',
		);
		await Promise.all([consentTab.waitForLoadState(), consentTab.locator('#allow').click()]);
		await expect(consentTab.locator('#result').textContent()).resolves.toBe(
			'Connected. You can close this tab.',
		);
		leak.add('consent tab after Allow', await consentTab.content());
		await consentTab.close();

		// No further click: the page's own check (first after 3 s, then with backoff) continues the run.
		await page.bringToFront();
		await page
			.locator('h1', { hasText: 'Done: the workflow continued' })
			.waitFor({ timeout: 60_000 });
		const continuedAfterMs = Date.now() - connectClickedAt;
		process.stderr.write(
			`[e2e] scenario 10: the page continued the run ${continuedAfterMs} ms after Connect\n`,
		);
		expect(continuedAfterMs).toBeGreaterThanOrEqual(2900);
		await expect(page.locator('#status').textContent()).resolves.toBe('You can close this tab.');
		await screenshot(page, 'authorization-page-continued.png');
		await page.emulateMedia({ colorScheme: 'dark' });
		await screenshot(page, 'authorization-page-continued-dark.png');
		leak.add('page after continuing', await page.content());
		// Nothing left to press once the run continued.
		await expect(page.locator('#connect').isHidden()).resolves.toBe(true);
		await expect(page.locator('#continue-form').isHidden()).resolves.toBe(true);
		// Nor a stale "paused until you grant access" line.
		await expect(page.locator('#intro').isHidden()).resolves.toBe(true);
		await expect(page.locator('#nojs').isHidden()).resolves.toBe(true);

		const done = await waitFinished(n8n, run.executionId);
		leak.add('execution finished', await rawExecution(n8n, run.executionId));
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, NODE.downstream)?.[0].content).toContain(
			'Summary of 3 emails from yesterday:',
		);
		// The completion was sent once, after consent; any earlier check only met a 401.
		const log = await admin.completions({ keyId: KEY_ID });
		expect(log.filter((e) => e.status === 200)).toHaveLength(1);
		expect(log[log.length - 1].status).toBe(200);
		expect(log.slice(0, -1).every((e) => e.status === 401)).toBe(true);
		expect(errors).toEqual([]);
		await light.close();
	});

	it('no API key in the pages, executions, emulator log or n8n log', async () => {
		leak.add('emulator request log', await admin.rawLog());
		leak.add('n8n log', n8n.logs());
		expect(leak.count).toBeGreaterThanOrEqual(8);
		expect(leak.leaks()).toEqual([]);
	});
});
