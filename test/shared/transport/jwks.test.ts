/**
 * Issue 17, S7: the JWKS key that seals MCP server secrets must be a real RSA-OAEP-256 key from an
 * encrypted Authorization Server. Cheap unit tests with a recorded httpRequest; the whole path is
 * in test/nodes/Dedalus/mcp-credentials.engine.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import type { INode } from 'n8n-workflow';

import { fetchEncryptionKey } from '../../../shared/transport/jwks';
import type { DedalusContext } from '../../../shared/transport/client';

const node = { name: 'Dedalus', type: 'CUSTOM.dedalus', typeVersion: 1, position: [0, 0] } as INode;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
	format: 'jwk',
}) as JsonWebKey;

function contextAnswering(keys: object[]) {
	const httpRequest = jest.fn(async () => ({ statusCode: 200, body: { keys } }));
	const context = { getNode: () => node, helpers: { httpRequest } } as unknown as DedalusContext;
	return { context, httpRequest };
}

const base64url = (bytes: number[]) => Buffer.from(bytes).toString('base64url');

describe('the JWKS encryption key', () => {
	it('accepts an RSA-OAEP-256 key with e = 65537, or without alg', async () => {
		for (const key of [
			{ ...rsa, use: 'enc', alg: 'RSA-OAEP-256' },
			{ ...rsa, use: 'enc' },
		]) {
			const { context } = contextAnswering([key]);
			const found = await fetchEncryptionKey(context, 'https://as.dedaluslabs.ai');
			expect(found.asymmetricKeyDetails?.modulusLength).toBe(2048);
		}
	});

	it.each([
		['e = 1 (the sealed secret would be readable without any private key)', { e: base64url([1]) }],
		['an even exponent', { e: base64url([1, 0, 0]) }],
		['alg RSA1_5', { alg: 'RSA1_5' }],
		['alg RSA-OAEP (SHA-1)', { alg: 'RSA-OAEP' }],
	])('refuses %s', async (_name, change) => {
		const { context } = contextAnswering([{ ...rsa, use: 'enc', ...change }]);
		await expect(fetchEncryptionKey(context, 'https://as.dedaluslabs.ai')).rejects.toThrow(
			/encryption key/,
		);
	});

	it('refuses a plain-http Authorization Server off loopback, before any request', async () => {
		const { context, httpRequest } = contextAnswering([{ ...rsa, use: 'enc' }]);
		await expect(fetchEncryptionKey(context, 'http://as.example')).rejects.toThrow(/https/);
		expect(httpRequest).not.toHaveBeenCalled();
	});

	it.each(['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010'])(
		'allows plain http on loopback (%s, the emulator)',
		async (url) => {
			const { context, httpRequest } = contextAnswering([{ ...rsa, use: 'enc' }]);
			await fetchEncryptionKey(context, url);
			expect(httpRequest).toHaveBeenCalledTimes(1);
		},
	);
});
