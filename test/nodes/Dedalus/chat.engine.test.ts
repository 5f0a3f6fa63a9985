/**
 * Consent inside n8n Chat, through n8n-core's real engine: the pause from a Chat Trigger run, the
 * chat message that resumes it (test/engine-harness/chat-message.ts follows n8n's chat service), and the
 * authorization page still working beside it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IConnections, IDataObject, INode } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { startEmulator, type Emulator } from '../../../emulator/src';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { sendChatMessage } from '../../engine-harness/chat-message';
import { TestEngine, downstreamNode, type RunResult } from '../../engine-harness/engine';
import { TEST_TRIGGER_TYPE, TestTrigger } from '../../engine-harness/fixtures/TestTrigger.node';
import { API_KEY, GMAIL, dedalusNode, jsonOf } from './engine-setup';

const CHAT_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';
/** Any name a user can type must work, expression syntax included (docs/security.md). */
const CHAT = 'Chat }} {{ $json';

/**
 * Stands in for n8n's Chat Trigger: the test trigger with the parameters the node reads from it
 * (n8n keeps only the parameters a node type describes, so they must be declared).
 */
class ChatTriggerStandIn extends TestTrigger {
	constructor() {
		super();
		this.description = {
			...this.description,
			name: 'chatTrigger',
			properties: [
				...this.description.properties,
				{ displayName: 'Public', name: 'public', type: 'boolean', default: false },
				{ displayName: 'Mode', name: 'mode', type: 'string', default: 'hostedChat' },
				{
					displayName: 'Options',
					name: 'options',
					type: 'collection',
					default: {},
					options: [
						{
							displayName: 'Response Mode',
							name: 'responseMode',
							type: 'string',
							default: 'lastNode',
						},
					],
				},
			],
		};
	}
}

let emulator: Emulator;
let engine: TestEngine;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	engine = new TestEngine({
		nodeTypes: { 'CUSTOM.dedalus': new Dedalus(), [CHAT_TRIGGER_TYPE]: new ChatTriggerStandIn() },
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url } },
	});
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());

function chatTrigger(responseMode: string): INode {
	return {
		id: 'chat',
		name: CHAT,
		type: CHAT_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { public: true, mode: 'hostedChat', options: { responseMode } },
	};
}

async function runFromChat(
	responseMode: string,
	options: IDataObject = {},
	prompts = ["Summarize yesterday's emails"],
): Promise<RunResult> {
	const node = dedalusNode({ prompt: '={{ $json.chatInput }}', mcpServers: GMAIL, options });
	const limited = options.limitWaitTime !== undefined;
	const connections: IConnections = {
		[CHAT]: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
		Dedalus: {
			main: limited
				? [
						[{ node: 'Timed Out', type: 'main', index: 0 }],
						[{ node: 'Downstream', type: 'main', index: 0 }],
					]
				: [[{ node: 'Downstream', type: 'main', index: 0 }]],
		},
	};
	return await engine.run(
		{
			nodes: [
				chatTrigger(responseMode),
				node,
				downstreamNode(),
				downstreamNode('Timed Out', [400, -200]),
			],
			connections,
		},
		{
			mode: 'webhook',
			startNode: CHAT,
			items: prompts.map((chatInput) => ({
				json: { sessionId: 's1', action: 'sendMessage', chatInput },
			})),
		},
	);
}

const completions = () =>
	emulator
		.requests()
		.filter((entry) => entry.path === '/v1/chat/completions')
		.map((entry) => entry.status);

async function grant() {
	await fetch(`${emulator.url}/__emulator/consent`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ server: GMAIL, apiKey: API_KEY, granted: true }),
	});
}

describe('consent inside n8n Chat', () => {
	it('posts the consent message into the chat, then a reply after consent sends once and hands on the answer', async () => {
		const waiting = await runFromChat('responseNodes', {}, ['first question', 'second question']);
		expect(waiting.status).toBe('waiting');
		const [first, second] = waiting.outputOf('Dedalus');
		const message = first.sendMessage as string;
		expect(typeof message).toBe('string');
		expect(message).toContain(`**${GMAIL}** needs your consent`);
		expect(message).toContain(`](${(first.json as { connect_url: string }).connect_url})`);
		expect(message).toContain('reply here');
		// One message for the chat, not one per item.
		expect(second.sendMessage).toBeUndefined();

		// A reply before consent: the run keeps waiting and nothing is sent twice later.
		const early = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done?' });
		expect(early).toMatchObject({ resumed: false, reason: 'error' });
		expect(early.resumed === false && early.error?.message).toContain('Still not connected');
		expect(engine.loadExecution(waiting.executionId)?.status).toBe('waiting');
		// The consent answer's poll_url said "not connected": nothing was sent again (as for the page).
		expect(completions()).toEqual([401, 401]);

		await grant();
		const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
		if (!reply.resumed) throw reply.error ?? new Error(reply.reason);
		expect(reply.run.status).toBe('success');
		const answers = jsonOf(reply.run.outputOf('Downstream'));
		expect(answers.map((answer) => answer.content)).toEqual([
			expect.stringContaining('Summary of 3 emails from yesterday:'),
			expect.stringContaining('Summary of 3 emails from yesterday:'),
		]);
		expect(reply.run.outputOf('Downstream').map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
		]);
		expect(completions()).toEqual([401, 401, 200, 200]);
		// The chat cannot resume it twice.
		const again = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'again' });
		expect(again).toMatchObject({ resumed: false, reason: 'not_resumable' });
		expect(JSON.stringify(reply.run.data)).not.toContain(API_KEY);
	});

	it('with a wait limit, the results of a chat resume leave through Success, not Timed Out', async () => {
		const waiting = await runFromChat('responseNodes', {
			limitWaitTime: {
				values: { limitType: 'afterTimeInterval', resumeAmount: 10, resumeUnit: 'minutes' },
			},
		});
		expect(waiting.outputOf('Dedalus', 1)[0].sendMessage).toContain('needs your consent');
		await grant();
		const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
		if (!reply.resumed) throw reply.error ?? new Error(reply.reason);
		expect(reply.run.status).toBe('success');
		expect(jsonOf(reply.run.outputOf('Downstream'))[0].content).toContain('Summary of 3 emails');
		expect(reply.run.runData['Timed Out']).toBeUndefined();
	});

	it('after the wait limit, a chat reply sends nothing and resumes nothing', async () => {
		const waiting = await runFromChat('responseNodes', {
			limitWaitTime: {
				values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'seconds' },
			},
		});
		await grant();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
		expect(reply).toMatchObject({ resumed: false, reason: 'error' });
		expect(reply.resumed === false && reply.error?.message).toContain('expired');
		expect(completions()).toEqual([401]);
		expect(engine.loadExecution(waiting.executionId)?.status).toBe('waiting');
	});

	it('the authorization page and the chat share one resend: after the page continued, the chat has nothing to resume', async () => {
		const waiting = await runFromChat('responseNodes');
		await grant();
		const page = await engine.callWebhook(waiting, { method: 'POST' });
		expect(page.statusCode).toBe(200);
		const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
		expect(reply).toMatchObject({ resumed: false, reason: 'not_resumable' });
		expect(completions()).toEqual([401, 200]);
	});

	it.each(['streaming', 'lastNode'])(
		'a chat in Response Mode %s gets no chat message on the items (nothing would show or resume it)',
		async (responseMode) => {
			const waiting = await runFromChat(responseMode);
			expect(waiting.status).toBe('waiting');
			expect(waiting.outputOf('Dedalus')[0].sendMessage).toBeUndefined();
		},
	);

	it('a run that did not come from a chat pauses exactly as before', async () => {
		const node = dedalusNode({ mcpServers: GMAIL });
		const result = await engine.run(
			{
				nodes: [
					{ ...chatTrigger('responseNodes'), name: 'Unused chat' },
					{
						id: 't',
						name: 'Trigger',
						type: TEST_TRIGGER_TYPE,
						typeVersion: 1,
						position: [0, 200],
						parameters: {},
					},
					node,
				],
				connections: {
					'Unused chat': { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
					Trigger: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
				},
			},
			{ mode: 'webhook', startNode: 'Trigger', items: [{ json: { prompt: 'emails' } }] },
		);
		expect(result.status).toBe('waiting');
		expect(result.outputOf('Dedalus')[0].sendMessage).toBeUndefined();
	});

	// Issue 17, S4: only a reply in the chat session that started the run continues it.
	it('a chat message from another session sends nothing and resumes nothing', async () => {
		const waiting = await runFromChat('responseNodes');
		await grant();
		const stranger = await sendChatMessage(engine, waiting, {
			sessionId: 'attacker-chosen-session',
			chatInput: 'done',
		});
		expect(stranger).toMatchObject({ resumed: false, reason: 'error' });
		expect(stranger.resumed === false && stranger.error?.message).toBe(
			'This chat message is not from the chat that is waiting for authorization',
		);
		expect(completions()).toEqual([401]);
		expect(engine.loadExecution(waiting.executionId)?.status).toBe('waiting');
		// The chat that started the run still can.
		const owner = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
		expect(owner.resumed).toBe(true);
		expect(completions()).toEqual([401, 200]);
	});

	it.each(['streaming', 'lastNode'])(
		'a pause from a chat in Response Mode %s is not continued by a chat message',
		async (responseMode) => {
			const waiting = await runFromChat(responseMode);
			await grant();
			const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
			expect(reply).toMatchObject({ resumed: false, reason: 'error' });
			expect(completions()).toEqual([401]);
		},
	);

	it('a pause from a plain trigger is not continued by any chat message', async () => {
		const waiting = await engine.run(
			{
				nodes: [
					{
						id: 't',
						name: 'Trigger',
						type: TEST_TRIGGER_TYPE,
						typeVersion: 1,
						position: [0, 200],
						parameters: {},
					},
					dedalusNode({ mcpServers: GMAIL }),
				],
				connections: { Trigger: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] } },
			},
			{ mode: 'webhook', startNode: 'Trigger', items: [{ json: { prompt: 'emails' } }] },
		);
		expect(waiting.status).toBe('waiting');
		await grant();
		const reply = await sendChatMessage(engine, waiting, {
			sessionId: 'attacker-chosen-session',
			chatInput: 'done',
		});
		expect(reply).toMatchObject({ resumed: false, reason: 'error' });
		expect(completions()).toEqual([401]);
		expect(engine.loadExecution(waiting.executionId)?.status).toBe('waiting');
	});

	// Issue 17, S8.
	it('the consent message says that consent is shared by everyone using the API key', async () => {
		const waiting = await runFromChat('responseNodes');
		expect(waiting.outputOf('Dedalus')[0].sendMessage).toContain(
			'used by everyone who runs workflows with that key',
		);
	});

	it('notify the owner: the chat learns consent is pending, the owner gets the link, a reply continues after consent', async () => {
		const notices: string[] = [];
		const owner = createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				notices.push(body);
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => owner.listen(0, '127.0.0.1', resolve));
		const notifyUrl = `http://127.0.0.1:${(owner.address() as AddressInfo).port}/hook`;
		try {
			const waiting = await runFromChat('responseNodes', {
				chatAuthorization: 'notifyOwner',
				notifyUrl,
			});
			expect(waiting.status).toBe('waiting');
			const [first] = waiting.outputOf('Dedalus');
			const message = first.sendMessage as string;
			expect(message).toContain("needs the consent of this workflow's owner");
			expect(message).not.toMatch(/https?:/);
			expect(notices).toHaveLength(1);
			expect(notices[0]).toContain((first.json as { connect_url: string }).connect_url);
			await grant();
			const reply = await sendChatMessage(engine, waiting, { sessionId: 's1', chatInput: 'done' });
			expect(reply.resumed).toBe(true);
		} finally {
			owner.close();
		}
	});

	it('notify the owner without a Notify URL fails before anything is sent', async () => {
		const result = await runFromChat('responseNodes', { chatAuthorization: 'notifyOwner' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'On Authorization (In a Chat or Stream) is set to notify the owner, but Notify URL is empty',
		);
		expect(completions()).toEqual([]);
	});
});
