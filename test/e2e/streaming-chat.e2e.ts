// Streaming and consent inside n8n Chat, end to end in a real n8n 2.41.1 with the built node and
// the emulator in this process:
// 1. a Webhook with Response Mode Streaming: the caller reads n8n's JSON-lines stream and sees the
//    answer arrive in pieces while the emulator is still writing it (it streams slowly on purpose);
// 2. a hosted chat (Chat Trigger, "Using Response Nodes") driven through the chat's own webhook and
//    websocket API, as @n8n/chat does: the consent message, consent, a reply, the answer;
// 3. the same in Chromium on the hosted chat page, its widget served from the @n8n/chat npm
//    package (n8n-runner/chat-widget.ts), with screenshots of both states.
import { join } from 'node:path';

import type { Browser } from 'playwright-core';
import { WebSocket } from 'undici';

import { startEmulator, type Emulator, type RequestLogEntry } from '../../emulator/src';
import {
	EmulatorAdmin,
	GMAIL,
	LeakCheck,
	SEARCH,
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
	waitFinished,
	ensureArtifactsDir,
	type N8nInstance,
} from '../../n8n-runner';
import { launchChromium } from '../../n8n-runner/browser';
import { CHAT_WIDGET_VERSION, serveChatWidget } from '../../n8n-runner/chat-widget';
import {
	chatConsentWorkflow,
	chatStreamingWorkflow,
	streamingWebhookWorkflow,
} from './workflows/streaming';

const STREAM_PATH = 'e2e-streaming';
const CHAT_WEBHOOK_ID = '5e2c4a11-0000-4000-8000-00000000c4a7';
const STREAMING_CHAT_WEBHOOK_ID = '5e2c4a11-0000-4000-8000-00000000c4a8';

interface Chunk {
	type: string;
	content?: string;
	metadata?: { nodeName?: string; itemIndex?: number };
	receivedAt: number;
}

/** POSTs to a streaming webhook and reads n8n's answer line by line, timing each line. */
async function readStreamingWebhook(url: string, body: unknown): Promise<Chunk[]> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (res.status !== 200 || !res.body) throw new Error(`POST ${url}: HTTP ${res.status}`);
	const chunks: Chunk[] = [];
	const decoder = new TextDecoder();
	let buffer = '';
	for await (const bytes of res.body) {
		const receivedAt = Date.now();
		buffer += decoder.decode(bytes, { stream: true });
		let newline: number;
		while ((newline = buffer.indexOf('\n')) >= 0) {
			const line = buffer.slice(0, newline).trim();
			buffer = buffer.slice(newline + 1);
			if (line) chunks.push({ ...(JSON.parse(line) as Omit<Chunk, 'receivedAt'>), receivedAt });
		}
	}
	return chunks;
}

/** The chat widget's side of n8n's chat websocket (/chat?sessionId&executionId&isPublic&token). */
class ChatSocket {
	readonly messages: string[] = [];
	private readonly socket: WebSocket;
	private waiters: Array<() => void> = [];

	constructor(url: string) {
		this.socket = new WebSocket(url);
		this.socket.addEventListener('message', (event) => {
			const data = String(event.data);
			if (data === 'n8n|heartbeat') {
				this.socket.send('n8n|heartbeat-ack');
				return;
			}
			if (data === 'n8n|continue') return;
			this.messages.push(data);
			for (const wake of this.waiters.splice(0)) wake();
		});
	}

	async opened(): Promise<void> {
		if (this.socket.readyState === WebSocket.OPEN) return;
		await new Promise<void>((resolve, reject) => {
			this.socket.addEventListener('open', () => resolve(), { once: true });
			this.socket.addEventListener('error', () => reject(new Error('chat websocket error')), {
				once: true,
			});
		});
	}

	/** Waits for the n-th message (1-based) from n8n. */
	async message(n: number, timeoutMs = 20_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		while (this.messages.length < n) {
			if (Date.now() > deadline) {
				throw new Error(
					`chat: no message ${n} within ${timeoutMs} ms (got ${this.messages.length})`,
				);
			}
			await new Promise<void>((resolve) => {
				this.waiters.push(resolve);
				setTimeout(resolve, 250);
			});
		}
		return this.messages[n - 1];
	}

	send(sessionId: string, chatInput: string): void {
		this.socket.send(JSON.stringify({ sessionId, action: 'sendMessage', chatInput }));
	}

	close(): void {
		this.socket.close();
	}
}

describe('streaming and consent in n8n Chat on a real n8n 2.41.1', () => {
	const apiKey = fakeApiKey(31);
	const streamSpec = {
		id: 'e2eStreaming0001',
		name: 'E2E streaming webhook',
		path: STREAM_PATH,
		credential: { id: 'e2eStreamCred01', name: 'Dedalus emulator (streaming)' },
	};
	const chatSpec = {
		id: 'e2eChatConsent01',
		name: 'E2E chat consent',
		chatWebhookId: CHAT_WEBHOOK_ID,
		servers: GMAIL,
		credential: streamSpec.credential,
	};
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	const streamingChatSpec = {
		id: 'e2eChatStream001',
		name: 'E2E chat streaming',
		chatWebhookId: STREAMING_CHAT_WEBHOOK_ID,
		servers: GMAIL,
		credential: streamSpec.credential,
	};
	let n8n: N8nInstance;
	let browser: Browser;
	const leak = new LeakCheck([apiKey]);

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		[n8n, browser] = await Promise.all([
			startN8n({
				label: 'streaming-chat',
				credentials: [
					dedalusCredential({ ...streamSpec.credential, apiKey, baseUrl: emulator.url }),
				],
				workflows: [
					streamingWebhookWorkflow(streamSpec),
					chatConsentWorkflow(chatSpec),
					chatStreamingWorkflow(streamingChatSpec),
				],
				publish: false,
			}),
			launchChromium(),
		]);
		await publishWorkflows(n8n.rest, n8n.workflowIds, {
			webhookPaths: [STREAM_PATH, `${CHAT_WEBHOOK_ID}/chat`, `${STREAMING_CHAT_WEBHOOK_ID}/chat`],
		});
	}, 300_000);

	afterAll(async () => {
		await browser?.close();
		await n8n?.stop();
		await emulator?.close();
		expect(leak.leaks()).toEqual([]);
	});

	it('a Webhook with Response Mode Streaming receives the answer in pieces before the emulator has finished it', async () => {
		await httpCall(`${emulator.url}/__emulator/chunk-delay`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ms: 300 }),
		});
		const chunks = leak.add(
			'streamed chunks',
			await readStreamingWebhook(n8n.webhookUrl(STREAM_PATH), {
				prompt: 'What is new in n8n?',
				servers: SEARCH,
			}),
		);
		const ours = chunks.filter((chunk) => chunk.metadata?.nodeName === 'Dedalus');
		const items = ours.filter((chunk) => chunk.type === 'item');
		expect(ours[0].type).toBe('begin');
		expect(ours[ours.length - 1].type).toBe('end');
		expect(items.length).toBeGreaterThanOrEqual(3);

		const [entry] = (await admin.completions({ keyId: keyIdOf(apiKey) })) as Array<
			RequestLogEntry & { firstTokenAt?: number; streamEndedAt?: number }
		>;
		expect(entry.stream).toBe(true);
		// The first piece reached the client while the emulator was still writing the answer.
		expect(items[0].receivedAt).toBeLessThan(entry.streamEndedAt as number);
		expect(items[items.length - 1].receivedAt - items[0].receivedAt).toBeGreaterThan(500);

		const [execution] = await n8n.rest.listExecutions(streamSpec.id);
		const done = await waitFinished(n8n, execution.id);
		leak.add('streaming execution', await rawExecution(n8n, execution.id));
		expect(done.status).toBe('success');
		const [output] = nodeOutputJson(done, 'Dedalus') ?? [];
		expect(items.map((chunk) => chunk.content).join('')).toBe(output.content);
		expect(output.content).toContain('What is new in n8n?');
		expect(output.tools_executed).toEqual(['search']);
	});

	/** Starts a hosted-chat run through the chat's webhook and opens its websocket, as @n8n/chat does. */
	async function startChat(sessionId: string): Promise<{ executionId: string; chat: ChatSocket }> {
		const started = await httpCall(n8n.webhookUrl(`${CHAT_WEBHOOK_ID}/chat`), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				action: 'sendMessage',
				sessionId,
				chatInput: "Summarize yesterday's emails",
			}),
		});
		expect(started.status).toBe(200);
		const { executionStarted, executionId, resumeToken } = started.json as {
			executionStarted: boolean;
			executionId: string;
			resumeToken?: string;
		};
		expect(executionStarted).toBe(true);
		const wsUrl = new URL('/chat', n8n.baseUrl.replace(/^http/, 'ws'));
		wsUrl.search = new URLSearchParams({
			sessionId,
			executionId,
			isPublic: 'true',
			...(resumeToken ? { token: resumeToken } : {}),
		}).toString();
		const chat = new ChatSocket(wsUrl.toString());
		await chat.opened();
		return { executionId, chat };
	}

	it('a hosted chat shows the consent message, and the reply after consent continues the run with the answer', async () => {
		const sessionId = 'e2e-chat-session-1';
		const { executionId, chat } = await startChat(sessionId);
		try {
			const consent = leak.add('chat consent message', await chat.message(1));
			expect(consent).toContain(`**${GMAIL}** needs your consent`);
			expect(consent).toContain('reply here');
			const link = /\[Connect [^\]]+\]\(([^)]+)\)/.exec(consent)?.[1];
			expect(link).toContain(`${emulator.url}/oauth/connect?server=`);
			expect((await n8n.rest.getExecution(executionId)).status).toBe('waiting');
			const before = await admin.completions({ keyId: keyIdOf(apiKey), user: /chat/i });
			expect(before.map((entry) => entry.status)).toEqual([401]);

			await grantConsentAsUser(link as string);
			chat.send(sessionId, 'done');
			const answer = leak.add('chat answer', await chat.message(2, 30_000));
			expect(answer).toContain('Summary of 3 emails from yesterday:');

			const done = await waitFinished(n8n, executionId);
			leak.add('chat execution', await rawExecution(n8n, executionId));
			expect(done.status).toBe('success');
			const [output] = nodeOutputJson(done, 'Dedalus') ?? [];
			expect(output.content).toBe(answer);
			// The held-back request went out once more, and only once.
			const after = await admin.completions({ keyId: keyIdOf(apiKey), user: /chat/i });
			expect(after.map((entry) => entry.status)).toEqual([401, 200]);
		} finally {
			chat.close();
		}
	});

	it('a chat reply before consent gets no answer and the run keeps waiting; the authorization page then brings the answer into the chat', async () => {
		await admin.setConsent(GMAIL, keyIdOf(apiKey), false);
		const sessionId = 'e2e-chat-session-early';
		const { executionId, chat } = await startChat(sessionId);
		try {
			const consent = leak.add('chat consent message (early reply)', await chat.message(1));
			const [connect, page] = [...consent.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]);
			expect(page).toContain(`/webhook-waiting/${executionId}`);

			const ofThisWorkflow = { keyId: keyIdOf(apiKey), user: /e2eChatConsent/ };
			const before = await admin.completions(ofThisWorkflow);
			// n8n resumes a chat run with whatever onMessage returns; the node refuses, so n8n sends nothing.
			chat.send(sessionId, 'done?');
			await expect(chat.message(2, 5000)).rejects.toThrow(/no message 2/);
			expect((await n8n.rest.getExecution(executionId)).status).toBe('waiting');
			// Nor was anything sent again: the consent answer's poll_url said "not connected".
			expect(await admin.completions(ofThisWorkflow)).toHaveLength(before.length);

			await grantConsentAsUser(connect);
			expect((await postResume(page)).status).toBe(200);
			// The chat's own check sees the run go on and posts Respond to Chat's answer.
			const answer = leak.add('chat answer after the page', await chat.message(2, 30_000));
			expect(answer).toContain('Summary of 3 emails from yesterday:');
			expect((await waitFinished(n8n, executionId)).status).toBe('success');
			const sent = await admin.completions(ofThisWorkflow);
			expect(sent.slice(before.length).map((entry) => entry.status)).toEqual([200]);
		} finally {
			chat.close();
		}
	});

	it('in Chromium, the hosted chat page shows the Connect link; after consent a reply brings the answer', async () => {
		await admin.setConsent(GMAIL, keyIdOf(apiKey), false);
		const context = await browser.newContext({
			viewport: { width: 900, height: 720 },
			deviceScaleFactor: 1,
		});
		const served = await serveChatWidget(context);
		const page = await context.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => errors.push(String(error)));
		try {
			await page.goto(n8n.webhookUrl(`${CHAT_WEBHOOK_ID}/chat`));
			const input = page.locator('textarea');
			await input.waitFor({ timeout: 30_000 });
			// The page really runs @n8n/chat from the npm package, not some stand-in.
			expect(served).toContain('@n8n/chat/dist/chat.bundle.es.js');
			process.stderr.write(`[e2e] hosted chat page: @n8n/chat ${CHAT_WIDGET_VERSION} from npm\n`);

			await input.fill("Summarize yesterday's emails");
			await input.press('Enter');
			const connect = page.locator('.chat-message a', { hasText: `Connect ${GMAIL}` });
			await connect.waitFor({ timeout: 30_000 });
			const href = (await connect.getAttribute('href')) as string;
			expect(href).toContain(`${emulator.url}/oauth/connect?server=`);
			await expect(connect.getAttribute('target')).resolves.toBe('_blank');
			await expect(page.locator('.chat-message').last().textContent()).resolves.toContain(
				'reply here',
			);
			const artifacts = ensureArtifactsDir();
			await page.screenshot({ path: join(artifacts, 'chat-consent-waiting.png') });
			leak.add('chat page while waiting', await page.content());

			// Connect opens the consent page in a new tab; Allow there.
			const [consentTab] = await Promise.all([context.waitForEvent('page'), connect.click()]);
			await consentTab.waitForLoadState();
			expect(consentTab.url()).toBe(href);
			await Promise.all([consentTab.waitForLoadState(), consentTab.locator('#allow').click()]);
			await expect(consentTab.locator('#result').textContent()).resolves.toContain('Connected');
			await consentTab.close();

			await input.fill('done');
			await input.press('Enter');
			await page
				.locator('.chat-message', { hasText: 'Summary of 3 emails from yesterday:' })
				.waitFor({ timeout: 30_000 });
			// The run ends after Respond to Chat; n8n closes the chat's socket on its next check (3 s).
			const [latest] = await n8n.rest.listExecutions(chatSpec.id);
			expect((await waitFinished(n8n, latest.id)).status).toBe('success');
			await page.locator('.chat-message-typing').waitFor({ state: 'hidden', timeout: 10_000 });
			await page.screenshot({ path: join(artifacts, 'chat-consent-answered.png') });
			leak.add('chat page answered', await page.content());
			expect(errors).toEqual([]);
		} finally {
			await context.close();
		}
	});

	it('a chat in Response Mode Streaming gets the consent message in the stream, and then streamed answers', async () => {
		await admin.setConsent(GMAIL, keyIdOf(apiKey), false);
		const chatUrl = n8n.webhookUrl(`${STREAMING_CHAT_WEBHOOK_ID}/chat`);
		const ask = async (chatInput: string) =>
			(
				await readStreamingWebhook(chatUrl, {
					action: 'sendMessage',
					sessionId: 'e2e-streaming-chat',
					chatInput,
				})
			).filter((chunk) => chunk.metadata?.nodeName === 'Dedalus');

		const consent = leak.add('streamed consent message', await ask("Summarize yesterday's emails"));
		expect(consent.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end']);
		const message = consent[1].content as string;
		expect(message).toContain(`**${GMAIL}** needs your consent`);
		const [connect, page] = [...message.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]);
		expect(page).toContain('/webhook-waiting/');
		const [waiting] = await n8n.rest.listExecutions(streamingChatSpec.id);
		expect((await n8n.rest.getExecution(waiting.id)).status).toBe('waiting');

		// The stream has ended; the authorization page continues the run.
		await grantConsentAsUser(connect);
		const resumed = await postResume(page);
		expect(resumed.status).toBe(200);
		const done = await waitFinished(n8n, waiting.id);
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, 'Dedalus')?.[0].content).toContain('Summary of 3 emails');

		// Connected now: the next chat message streams its answer.
		const answer = leak.add('streamed chat answer', await ask('And the emails from today?'));
		const pieces = answer.filter((chunk) => chunk.type === 'item');
		expect(pieces.length).toBeGreaterThan(1);
		const [latest] = await n8n.rest.listExecutions(streamingChatSpec.id);
		const answered = await waitFinished(n8n, latest.id);
		leak.add('streamed chat execution', await rawExecution(n8n, latest.id));
		expect(pieces.map((chunk) => chunk.content).join('')).toBe(
			nodeOutputJson(answered, 'Dedalus')?.[0].content,
		);
	});
});
