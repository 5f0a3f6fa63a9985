/**
 * API-key MCP servers: the secret comes from a Dedalus MCP Server Credentials credential, is
 * encrypted with the emulator's JWKS key, opened by the emulator's private key, and appears in
 * nothing the run leaves behind. Run through n8n-core's engine against the emulator over HTTP.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { DedalusApi } from '../../../credentials/DedalusApi.credentials';
import { DedalusMcpCredentialsApi } from '../../../credentials/DedalusMcpCredentialsApi.credentials';
import { startEmulator } from '../../../emulator/src';
import type { Emulator } from '../../../emulator/src';
import { Dedalus } from '../../../nodes/Dedalus/Dedalus.node';
import { chain, createEngine, downstreamNode, triggerNode } from '../../engine-harness/engine';
import type { Engine } from '../../engine-harness/engine';
import { API_KEY, GMAIL, SEARCH, dedalusNode, items, jsonOf } from './engine-setup';

const WEATHER = 'dedalus-labs/weather';
const SECRET = 'wx-live-SECRET-7d1f3a9b';

let emulator: Emulator;
let engine: Engine;
let jwksHost: Server;
let jwksUrl = '';
let jwksAnswer: unknown = { keys: [] };
let jwksFetches = 0;
const dedalus: ICredentialDataDecryptedObject = { apiKey: API_KEY };
const mcp: ICredentialDataDecryptedObject = {};

beforeAll(async () => {
	emulator = await startEmulator({ port: 0 });
	Object.assign(dedalus, { baseUrl: emulator.url, authServerUrl: emulator.url });
	engine = createEngine({
		nodeTypes: { 'CUSTOM.dedalus': new Dedalus() },
		credentialTypes: {
			dedalusApi: new DedalusApi(),
			dedalusMcpCredentialsApi: new DedalusMcpCredentialsApi(),
		},
		credentials: { dedalusApi: dedalus, dedalusMcpCredentialsApi: mcp },
	});
	jwksHost = createServer((_req, res) => {
		jwksFetches++;
		res.setHeader('content-type', 'application/json');
		res.end(JSON.stringify(jwksAnswer));
	});
	await new Promise<void>((resolve) => jwksHost.listen(0, '127.0.0.1', resolve));
	jwksUrl = `http://127.0.0.1:${(jwksHost.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await emulator.close();
	await new Promise((resolve) => jwksHost.close(resolve));
});
beforeEach(() => {
	emulator.reset();
	dedalus.authServerUrl = emulator.url;
	for (const key of Object.keys(mcp)) delete mcp[key];
	Object.assign(mcp, { server: WEATHER, apiKey: SECRET });
});

function credentialNode(extra: IDataObject = {}, nodeExtra = {}) {
	const node = dedalusNode({ useMcpServerCredential: true, ...extra }, nodeExtra);
	node.credentials = {
		...node.credentials,
		dedalusMcpCredentialsApi: { id: 'cred-2', name: 'Weather key' },
	};
	return node;
}

async function run(
	node = credentialNode(),
	input = items({ prompt: 'weather?', servers: WEATHER }),
) {
	return await engine.run(
		{
			nodes: [triggerNode(), node, downstreamNode()],
			connections: chain('Trigger', node.name, 'Downstream'),
		},
		{ items: input },
	);
}

function completions() {
	return emulator.requests().filter((entry) => entry.path === '/v1/chat/completions');
}

describe('API-key MCP servers with credentials from an n8n credential', () => {
	it('encrypts the secret for the server, which the emulator decrypts; the secret is nowhere else', async () => {
		const result = await run(
			credentialNode(),
			items(
				{ prompt: 'weather?', servers: `${SEARCH}, ${WEATHER}` },
				{ prompt: 'again', servers: WEATHER },
			),
		);
		expect(result.status).toBe('success');
		const [first, second] = jsonOf(result.outputOf('Dedalus'));
		expect(first.tools_executed).toEqual(['search', 'get_forecast']);
		expect(second.content).toContain('Forecast for Berlin');
		const checks = completions().map((entry) => entry.mcp_credentials);
		const fingerprint = createHash('sha256').update(SECRET).digest('hex').slice(0, 16);
		expect(checks).toEqual([
			[
				{
					server: WEATHER,
					connection: 'dedalus-labs-weather',
					status: 'ok',
					keyFingerprint: fingerprint,
					headerName: 'Authorization',
				},
			],
			[
				{
					server: WEATHER,
					connection: 'dedalus-labs-weather',
					status: 'ok',
					keyFingerprint: fingerprint,
					headerName: 'Authorization',
				},
			],
		]);
		// Only the servers that need it got it: brave-search stays a plain string on the wire.
		expect(completions()[0].mcp_servers).toEqual([SEARCH, WEATHER]);
		for (const artefact of [result.data, emulator.requests(), engine.logs]) {
			expect(JSON.stringify(artefact)).not.toContain(SECRET);
		}
	});

	it('fetches the JWKS once per run, however many items use it', async () => {
		jwksAnswer = await (await fetch(`${emulator.url}/.well-known/jwks.json`)).json();
		dedalus.authServerUrl = jwksUrl;
		jwksFetches = 0;
		const result = await run(
			credentialNode({ options: { concurrency: 3 } }),
			items(...Array.from({ length: 6 }, () => ({ prompt: 'w', servers: WEATHER }))),
		);
		expect(result.status).toBe('success');
		expect(jwksFetches).toBe(1);
		expect(completions().map((entry) => entry.mcp_credentials?.[0].status)).toEqual(
			Array(6).fill('ok'),
		);
	});

	it('the resume after consent sends the encrypted secret again, through the same path', async () => {
		const waiting = await run(
			credentialNode(),
			items({ prompt: 'mail and weather', servers: `${GMAIL}, ${WEATHER}` }),
		);
		expect(waiting.status).toBe('waiting');
		await fetch(`${emulator.url}/__emulator/consent`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ server: GMAIL, apiKey: API_KEY, granted: true }),
		});
		const resumed = await engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		const [item] = jsonOf(resumed.result!.outputOf('Dedalus'));
		expect(item.tools_executed).toEqual(['list_messages', 'get_forecast']);
		expect(completions().map((entry) => entry.mcp_credentials?.[0].status)).toEqual(['ok', 'ok']);
		expect(JSON.stringify([resumed.body, resumed.result!.data, emulator.requests()])).not.toContain(
			SECRET,
		);
	});

	it('without the credential switch the server reports that it needs credentials', async () => {
		const result = await run(dedalusNode({}));
		expect(jsonOf(result.outputOf('Dedalus'))[0].mcp_server_errors).toMatchObject({
			[WEATHER]: { code: 'credentials_required' },
		});
	});

	it('a JWKS that cannot be fetched fails the items before anything is sent', async () => {
		dedalus.authServerUrl = `${emulator.url}/nowhere`;
		const result = await run(credentialNode({}, { onError: 'continueRegularOutput' }));
		const [item] = jsonOf(result.outputOf('Downstream'));
		expect(item.error).toMatch(
			/^Could not get the Dedalus encryption key for MCP server credentials: .*\/nowhere\/\.well-known\/jwks\.json answered 404$/,
		);
		expect(completions()).toHaveLength(0);
		expect(JSON.stringify(result.data)).not.toContain(SECRET);
	});

	it('a JWKS without an encryption key fails the node before anything is sent', async () => {
		dedalus.authServerUrl = jwksUrl;
		jwksAnswer = { keys: [{ kty: 'RSA', use: 'sig', n: 'AQAB', e: 'AQAB' }] };
		const result = await run(
			credentialNode(),
			items({ prompt: 'a', servers: WEATHER }, { prompt: 'b', servers: WEATHER }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('has no RSA key with "use": "enc"');
		expect(completions()).toHaveLength(0);
	});

	it('a credential for a server the item does not use is a clear item error', async () => {
		const result = await run(
			credentialNode({}, { onError: 'continueRegularOutput' }),
			items({ prompt: 'x', servers: SEARCH }),
		);
		const [item] = jsonOf(result.outputOf('Downstream'));
		expect(item.error).toBe(
			`The MCP server credential is for ${WEATHER}, which is not among the MCP Servers of item 0`,
		);
		expect(completions()).toHaveLength(0);
	});
});
