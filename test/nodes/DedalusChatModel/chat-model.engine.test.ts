/**
 * The Dedalus Chat Model through n8n-core's real sub-node path (getInputConnectionData ->
 * supplyData in a SupplyDataContext -> the ai-node-sdk's supplyModel -> n8n's OpenAI client)
 * against the emulator over HTTP: hybrid tools, consent as an error or an answer, BYOK headers,
 * and the guard that keeps the keys on the Base URL's origin.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IConnections, IDataObject, INode } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { DedalusMcpCredentialsApi } from '../../../credentials/DedalusMcpCredentialsApi.credentials';
import { startEmulator } from '../../../emulator/src';
import type { Emulator, RequestLogEntry } from '../../../emulator/src';
import { DedalusChatModel } from '../../../nodes/DedalusChatModel/DedalusChatModel.node';
import { createEngine, triggerNode } from '../../engine-harness/engine';
import type { Engine, RunOptions } from '../../engine-harness/engine';
import {
	MODEL_CONSUMER_TYPE,
	ModelConsumer,
} from '../../engine-harness/fixtures/ModelConsumer.node';

const API_KEY = 'dsk-test-chatmodel-SECRET-0001';
const PROVIDER_KEY = 'sk-provider-SECRET-0002';
const GMAIL = 'dedalus-labs/gmail';
const SEARCH = 'dedalus-labs/brave-search';

let emulator: Emulator;

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
});
afterAll(async () => await emulator.close());
beforeEach(async () => {
	await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
});

function engineFor(credentials: Record<string, string>): Engine {
	return createEngine({
		nodeTypes: {
			'CUSTOM.dedalusChatModel': new DedalusChatModel(),
			[MODEL_CONSUMER_TYPE]: new ModelConsumer(),
		},
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: credentials },
	});
}

async function ask(
	engine: Engine,
	question: string,
	parameters: IDataObject,
	extraCredentials: INode['credentials'] = {},
	runOptions: Omit<RunOptions, 'items'> = {},
) {
	const model: INode = {
		id: 'model',
		name: 'Dedalus Chat Model',
		type: 'CUSTOM.dedalusChatModel',
		typeVersion: 1,
		position: [200, 200],
		parameters: {
			model: { __rl: true, mode: 'id', value: 'openai/gpt-4.1' },
			...parameters,
		},
		credentials: { dedalusApi: { id: 'cred-1', name: 'Dedalus' }, ...extraCredentials },
	};
	const agent: INode = {
		id: 'agent',
		name: 'Agent',
		type: MODEL_CONSUMER_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: {},
	};
	const connections: IConnections = {
		Trigger: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
		'Dedalus Chat Model': {
			ai_languageModel: [[{ node: 'Agent', type: 'ai_languageModel', index: 0 }]],
		},
	};
	return await engine.run(
		{ nodes: [triggerNode(), model, agent], connections },
		{ items: [{ json: { question } }], ...runOptions },
	);
}

function completions(): RequestLogEntry[] {
	return emulator.requests().filter((entry) => entry.path === '/v1/chat/completions');
}

async function grant(server: string) {
	await fetch(`${emulator.url}/__emulator/consent`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ server, apiKey: API_KEY, granted: true }),
	});
}

describe('Dedalus Chat Model under an agent', () => {
	it('runs the MCP tool on Dedalus and hands the agent its own tool, then answers with both', async () => {
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		const result = await ask(engine, 'Search the web for Dedalus and run word_count on it', {
			mcpServers: SEARCH,
		});
		expect(result.status).toBe('success');
		const [output] = result.outputOf('Agent');
		const { answer, toolRuns } = output.json as {
			answer: string;
			toolRuns: Array<{ name: string; result: string }>;
		};
		expect(toolRuns).toEqual([
			{
				name: 'word_count',
				input: 'Search the web for Dedalus and run word_count on it',
				result: '10 words',
			},
		]);
		expect(answer).toContain('Top results for "Search the web for Dedalus');
		expect(answer).toContain('- word_count: 10 words');

		const [first, second, ...rest] = completions();
		expect(rest).toEqual([]);
		expect(first).toMatchObject({
			status: 200,
			mcp_servers: [SEARCH],
			mcpToolsRun: [`${SEARCH}:search`],
			toolCalls: ['word_count'],
		});
		expect(second).toMatchObject({
			status: 200,
			mcp_servers: [SEARCH],
			toolResults: [{ name: 'word_count', content: '10 words' }],
		});
		expect(second.mcpToolsRun).toBeUndefined();
		expect(JSON.stringify(result.data)).not.toContain('SECRET');
	});

	it('sends the bring-your-own-key headers from the credential', async () => {
		const engine = engineFor({
			apiKey: API_KEY,
			baseUrl: emulator.url,
			provider: 'openai',
			providerApiKey: PROVIDER_KEY,
		});
		const result = await ask(engine, 'Hello', {});
		expect(result.status).toBe('success');
		expect(completions()).toEqual([
			expect.objectContaining({ status: 200, hasProvider: true, hasProviderKey: true }),
		]);
		expect(completions()[0].mcp_servers).toBeUndefined();
		expect(JSON.stringify(result.data)).not.toContain('SECRET');
	});

	it('fails by default when consent is needed: the link only in what the execution shows the owner', async () => {
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		// As a streaming webhook: n8n sends the failed node's description as the error chunk.
		const result = await ask(
			engine,
			'Summarize my emails',
			{ mcpServers: GMAIL },
			{},
			{ mode: 'webhook', streaming: true },
		);
		expect(result.status).toBe('error');
		const error = result.error as unknown as {
			message: string;
			description: string;
			context: { connectUrl?: string; descriptionTemplate?: string };
		};
		// The API names the server by an id; the requested entry is named instead (server-names.ts).
		expect(error.message).toBe(
			`MCP server "${GMAIL}" needs authorization before the Agent can use it`,
		);
		// What a chat or webhook caller may see: message and description, neither with the link.
		expect(error.description).toBe(
			"The workflow's owner finds the link to connect it in this execution, on the Dedalus Chat Model node.",
		);
		const link = /http:\/\/127\.0\.0\.1:\d+\/oauth\/connect\?server=[^\s"<]+/;
		const connectUrl = error.context.connectUrl ?? '';
		expect(connectUrl).toMatch(new RegExp(`^${link.source}$`));
		// What the editor's error view shows instead of the description, the link as a link.
		const shown = connectUrl.replace(/&/g, '&amp;');
		expect(error.context.descriptionTemplate).toBe(
			`Open this link to connect the Dedalus account, then run again: <a target="_blank" href="${shown}">${shown}</a> . Whoever opens it links their account for everyone who uses this workflow's API key. A chat model cannot pause the run; the Dedalus node can (see the README).`,
		);
		const errorChunks = result.chunks.filter((chunk) => chunk.type === 'error');
		expect(errorChunks.map((chunk) => chunk.content)).toEqual([error.description]);
		expect(JSON.stringify(result.chunks)).not.toMatch(/oauth\/connect/);

		// The chat model node's own run, which the owner opens in the execution, keeps the same.
		const [modelRun] = result.runData['Dedalus Chat Model'];
		const modelError = JSON.parse(JSON.stringify(modelRun.error)) as typeof error;
		expect(modelError).toMatchObject({
			message: error.message,
			description: error.description,
			context: { connectUrl, descriptionTemplate: error.context.descriptionTemplate },
		});
		// A 401 is not retried.
		expect(completions().map((entry) => entry.status)).toEqual([401]);
		expect(JSON.stringify(result.data)).not.toContain('SECRET');
	});

	it('answers with the link when On Authorization is "answer"', async () => {
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		const result = await ask(engine, 'Summarize my emails', {
			mcpServers: GMAIL,
			options: { onAuthorization: 'answer' },
		});
		expect(result.status).toBe('success');
		const [output] = result.outputOf('Agent');
		expect(output.json.answer).toMatch(
			/^The MCP server "dedalus-labs\/gmail" needs your authorization before I can use it\. Open this link to connect your account, then ask again: http:\/\/127\.0\.0\.1:\d+\/oauth\/connect\?server=\S+/,
		);
	});

	it('uses the MCP server once consent is given', async () => {
		await grant(GMAIL);
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		const result = await ask(engine, 'Summarize my emails', { mcpServers: GMAIL });
		expect(result.status).toBe('success');
		expect(result.outputOf('Agent')[0].json.answer).toContain('Summary of 3 emails from yesterday');
		expect(completions()[0].mcpToolsRun).toEqual([`${GMAIL}:list_messages`]);
	});

	it('redacts the keys from an error answer that echoes them', async () => {
		await fetch(`${emulator.url}/__emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				faults: [
					{ status: 400, body: { detail: `bad request from ${API_KEY} / ${PROVIDER_KEY}` } },
				],
			}),
		});
		const engine = engineFor({
			apiKey: API_KEY,
			baseUrl: emulator.url,
			provider: 'openai',
			providerApiKey: PROVIDER_KEY,
		});
		const result = await ask(engine, 'Hello', {});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Dedalus could not accept the request parameters: bad request from [redacted] / [redacted]',
		);
		expect(JSON.stringify(result.data)).not.toContain('SECRET');
	});

	it('rejects a bad MCP server entry before any request', async () => {
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		const result = await ask(engine, 'Hello', { mcpServers: 'not a slug' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('MCP Servers in item 0 has an invalid entry "not a slug"');
		expect(completions()).toEqual([]);
	});

	it('rejects an option out of range before any request', async () => {
		const engine = engineFor({ apiKey: API_KEY, baseUrl: emulator.url });
		const result = await ask(engine, 'Hello', { options: { timeout: 2 ** 31 } });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Timeout must be a whole number from 1 to 2147483647/);
		expect(completions()).toEqual([]);
	});
});

describe('Dedalus Chat Model keeps the keys on the Base URL origin', () => {
	it('follows no redirect: the other origin never sees a request, the error names it', async () => {
		const elsewhere: string[] = [];
		const other = createServer((req, res) => {
			elsewhere.push(JSON.stringify(req.headers));
			res.end('{}');
		});
		await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
		const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
		const redirecting = createServer((req, res) => {
			res.writeHead(307, { location: `${otherUrl}${req.url ?? '/'}` });
			res.end();
		});
		await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
		const baseUrl = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}`;
		try {
			const engine = engineFor({
				apiKey: API_KEY,
				baseUrl,
				providerApiKey: PROVIDER_KEY,
				provider: 'openai',
			});
			const result = await ask(engine, 'Hello', { options: { maxRetries: 0 } });
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				`Dedalus answered 307 with a redirect to ${otherUrl}; it was not followed`,
			);
			expect(elsewhere).toEqual([]);
			expect(JSON.stringify(result.data)).not.toContain('SECRET');
		} finally {
			other.close();
			redirecting.close();
		}
	});

	it('stops reading an answer larger than 10 MB', async () => {
		const huge = createServer((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			const chunk = Buffer.alloc(1024 * 1024, 'a');
			for (let i = 0; i < 12; i++) res.write(chunk);
			res.end();
		});
		await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
		try {
			const engine = engineFor({
				apiKey: API_KEY,
				baseUrl: `http://127.0.0.1:${(huge.address() as AddressInfo).port}`,
			});
			const result = await ask(engine, 'Hello', { options: { maxRetries: 0 } });
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'Dedalus answered with more than 10 MB; the answer was not read',
			);
		} finally {
			huge.close();
		}
	});
});

/** A local server for one test; closed (connections too) when the test ends. */
async function serve(
	handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
	const server = createServer(handler);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

const byokCredentials = (baseUrl: string) => ({
	apiKey: API_KEY,
	baseUrl,
	provider: 'openai',
	providerApiKey: PROVIDER_KEY,
});

describe('Dedalus Chat Model bounds and redacts every answer (issue 17)', () => {
	it('S2: reads a retriable error answer bounded: a 60 MB 500 is not read whole', async () => {
		let written = 0;
		const server = await serve((_req, res) => {
			res.writeHead(500, { 'content-type': 'application/json' });
			const head = `{"detail":"failed for ${API_KEY}","padding":"`;
			res.write(head);
			written += head.length;
			const piece = Buffer.alloc(1024 * 1024, 'a');
			const more = () => {
				while (written < 60 * 1024 * 1024 && !res.destroyed) {
					written += piece.length;
					if (!res.write(piece)) return void res.once('drain', more);
				}
				if (!res.destroyed) res.end('"}');
			};
			res.on('close', () => res.destroy());
			more();
		});
		try {
			const result = await ask(engineFor(byokCredentials(server.url)), 'Hello', {
				options: { maxRetries: 0 },
			});
			expect(result.status).toBe('error');
			expect(JSON.stringify(result.data)).not.toContain('SECRET');
			// 64 KB were read; what the server got out is its socket buffers, far below 60 MB.
			expect(written).toBeLessThan(16 * 1024 * 1024);
		} finally {
			await server.close();
		}
	});

	it('S6: redacts both keys from a 2xx answer that echoes them', async () => {
		const server = await serve((req, res) => {
			const echoed = `${String(req.headers.authorization)} ${String(req.headers['x-provider-key'])}`;
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(
				JSON.stringify({
					id: 'c1',
					object: 'chat.completion',
					created: 1,
					model: 'openai/gpt-4.1',
					choices: [
						{
							index: 0,
							message: { role: 'assistant', content: `you sent ${echoed}` },
							finish_reason: 'stop',
						},
					],
				}),
			);
		});
		try {
			const result = await ask(engineFor(byokCredentials(server.url)), 'Hello', {});
			expect(result.status).toBe('success');
			expect(result.outputOf('Agent')[0].json.answer).toBe('you sent Bearer [redacted] [redacted]');
			expect(JSON.stringify(result.data)).not.toContain('SECRET');
		} finally {
			await server.close();
		}
	});

	it('bounds the whole request by Timeout, not just the start and each read', async () => {
		const server = await serve((_req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			// A byte every 100 ms: every read is quick, the answer never completes in time.
			let sent = 0;
			const timer = setInterval(() => {
				if (res.destroyed || sent++ > 60) {
					clearInterval(timer);
					res.end();
					return;
				}
				res.write(' ');
			}, 100);
			res.on('close', () => clearInterval(timer));
		});
		try {
			const result = await ask(engineFor({ apiKey: API_KEY, baseUrl: server.url }), 'Hello', {
				options: { maxRetries: 0, timeout: 1000 },
			});
			expect(result.status).toBe('error');
			expect(result.error?.message).toBe(
				'Could not reach Dedalus: no complete answer within 1000 ms',
			);
		} finally {
			await server.close();
		}
	});
});

describe('Dedalus Chat Model with an MCP server credential', () => {
	const WEATHER = 'dedalus-labs/weather';
	const SECRET = 'wx-live-SECRET-chatmodel';

	it('seals the secret for the server as Chat → Complete does; the secret is nowhere else', async () => {
		const engine = createEngine({
			nodeTypes: {
				'CUSTOM.dedalusChatModel': new DedalusChatModel(),
				[MODEL_CONSUMER_TYPE]: new ModelConsumer(),
			},
			credentialTypes: {
				dedalusApi: new DedalusApi(),
				dedalusMcpCredentialsApi: new DedalusMcpCredentialsApi(),
			},
			credentials: {
				dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url, authServerUrl: emulator.url },
				dedalusMcpCredentialsApi: { server: WEATHER, apiKey: SECRET },
			},
		});
		const result = await ask(
			engine,
			'What is the weather in Berlin?',
			{ mcpServers: WEATHER, useMcpServerCredential: true },
			{ dedalusMcpCredentialsApi: { id: 'cred-2', name: 'Weather key' } },
		);
		expect(result.status).toBe('success');
		const [first] = completions();
		expect(first.mcp_credentials).toEqual([
			expect.objectContaining({ server: WEATHER, status: 'ok' }),
		]);
		for (const artefact of [result.data, emulator.requests(), engine.logs]) {
			expect(JSON.stringify(artefact)).not.toContain(SECRET);
		}
	});

	it('a credential for a server the model does not use fails before any request', async () => {
		const engine = createEngine({
			nodeTypes: {
				'CUSTOM.dedalusChatModel': new DedalusChatModel(),
				[MODEL_CONSUMER_TYPE]: new ModelConsumer(),
			},
			credentialTypes: {
				dedalusApi: new DedalusApi(),
				dedalusMcpCredentialsApi: new DedalusMcpCredentialsApi(),
			},
			credentials: {
				dedalusApi: { apiKey: API_KEY, baseUrl: emulator.url, authServerUrl: emulator.url },
				dedalusMcpCredentialsApi: { server: WEATHER, apiKey: SECRET },
			},
		});
		const result = await ask(
			engine,
			'Hello',
			{ mcpServers: SEARCH, useMcpServerCredential: true },
			{ dedalusMcpCredentialsApi: { id: 'cred-2', name: 'Weather key' } },
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(
			/^The MCP server credential is for dedalus-labs\/weather/,
		);
		expect(completions()).toEqual([]);
	});
});
