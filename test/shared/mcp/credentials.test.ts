import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import type { INode } from 'n8n-workflow';

import {
	encryptCredential,
	readMcpCredential,
	withCredential,
} from '../../../shared/mcp/credentials';

const node: INode = {
	id: 'n1',
	name: 'Dedalus',
	type: 'dedalus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** The receiving side, written from the SDK's envelope description, independently of the node's code. */
function open(blob: string): string {
	const envelope = Buffer.from(blob, 'base64url');
	expect(envelope[0]).toBe(1);
	const wrapped = envelope.subarray(1, 257);
	const nonce = envelope.subarray(257, 269);
	const sealed = envelope.subarray(269);
	const aesKey = privateDecrypt(
		{ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
		wrapped,
	);
	const decipher = createDecipheriv('aes-256-gcm', aesKey, nonce);
	decipher.setAuthTag(sealed.subarray(sealed.length - 16));
	return Buffer.concat([
		decipher.update(sealed.subarray(0, sealed.length - 16)),
		decipher.final(),
	]).toString('utf8');
}

describe('MCP server credentials', () => {
	it('encrypts the envelope the SDKs send: version 1, RSA-OAEP-SHA256 key, GCM, base64url', () => {
		const credential = readMcpCredential(
			node,
			{ server: 'acme/weather', apiKey: 'wx-SECRET-ü-1' },
			0,
		);
		const blob = encryptCredential(publicKey, credential.envelope);
		expect(blob).toMatch(/^[A-Za-z0-9_-]+$/);
		expect(blob).not.toContain('SECRET');
		// Python's json.dumps(separators=(",", ":")): compact, key order kept, non-ASCII escaped.
		expect(open(blob)).toBe(
			'{"type":"api_key","api_key":"wx-SECRET-\\u00fc-1","header_name":"Authorization","header_template":"Bearer {api_key}","provider_metadata":null}',
		);
		// A fresh AES key and nonce every time.
		expect(encryptCredential(publicKey, credential.envelope)).not.toBe(blob);
	});

	it('reads the credential: connection name from the slug, header and base URL when given', () => {
		expect(readMcpCredential(node, { server: 'acme/weather@2.0.0', apiKey: 'k' }, 0)).toMatchObject(
			{
				server: 'acme/weather',
				connectionName: 'acme-weather',
			},
		);
		const custom = readMcpCredential(
			node,
			{
				server: 'https://mcp.example.com/mcp',
				connectionName: 'github',
				apiKey: 'k',
				headerName: 'X-Api-Key',
				headerTemplate: '{api_key}',
				providerBaseUrl: 'https://ghe.example.com/api/v3',
			},
			0,
		);
		expect(custom.envelope).toEqual({
			type: 'api_key',
			api_key: 'k',
			header_name: 'X-Api-Key',
			header_template: '{api_key}',
			provider_metadata: { base_url: 'https://ghe.example.com/api/v3' },
		});
	});

	it.each([
		[{ server: '', apiKey: 'k' }, 'needs an MCP Server'],
		[{ server: 'acme/weather', apiKey: '' }, 'has an empty API Key'],
		[{ server: 'https://mcp.example.com', apiKey: 'k' }, 'needs a Connection Name'],
		[{ server: 'acme/weather', apiKey: 'k', headerTemplate: 'Token' }, 'without {api_key}'],
	])('refuses %j clearly, without repeating the secret', (data, problem) => {
		let message = '';
		try {
			readMcpCredential(node, data, 4);
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toContain(problem);
		expect(message).not.toContain('Token');
	});

	it('puts the blob on its own server only, in object form; other entries stay as they were', () => {
		expect(
			withCredential(
				['acme/search', { slug: 'acme/weather', version: '1.2.0' }, 'https://x.example/mcp'],
				'acme/weather',
				'acme-weather',
				'BLOB',
			),
		).toEqual([
			'acme/search',
			{
				slug: 'acme/weather',
				version: '1.2.0',
				name: 'acme/weather',
				credentials: { 'acme-weather': 'BLOB' },
			},
			'https://x.example/mcp',
		]);
		expect(withCredential(['acme/weather'], 'acme/weather', 'c', 'B')).toEqual([
			{ slug: 'acme/weather', name: 'acme/weather', credentials: { c: 'B' } },
		]);
		expect(withCredential(['acme/search'], 'acme/weather', 'c', 'B')).toBeUndefined();
	});
});
