import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { IHttpRequestOptions } from 'n8n-workflow';

import type { DedalusContext } from './client';

/** The SDKs refuse smaller keys (`jwk_to_public_key(min_key_size=2048)`). */
const MIN_KEY_BITS = 2048;
const JWKS_TIMEOUT_MS = 15_000;

interface Jwk {
	kty?: unknown;
	use?: unknown;
	n?: unknown;
	e?: unknown;
}

/**
 * The authorization server's public encryption key, as the SDKs find it (Python SDK
 * `lib/crypto/encryption.py`, `fetch_encryption_key`): `{AS}/.well-known/jwks.json`, the first RSA
 * key with `use: "enc"`. Public data, so the request carries no credential; redirects are not
 * followed, like the SDK's httpx client.
 */
export async function fetchEncryptionKey(
	context: DedalusContext,
	authServerUrl: string,
): Promise<KeyObject> {
	const url = `${authServerUrl.replace(/\/+$/, '')}/.well-known/jwks.json`;
	// Why no key could be had: said to the person, with nothing secret in it.
	const fail = (problem: string) => new NodeOperationError(context.getNode(), problem);
	const options: IHttpRequestOptions = {
		method: 'GET',
		url,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: JWKS_TIMEOUT_MS,
		headers: { Accept: 'application/json' },
	};
	let response: { statusCode: number; body: unknown };
	try {
		response = (await context.helpers.httpRequest(options)) as typeof response;
	} catch {
		throw fail(`Could not reach ${url}`);
	}
	if (response.statusCode !== 200) {
		throw fail(`${url} answered ${response.statusCode}`);
	}
	let body = response.body;
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body);
		} catch {
			throw fail(`${url} did not answer with JSON`);
		}
	}
	const keys = (body as { keys?: unknown } | null)?.keys;
	const jwk = (Array.isArray(keys) ? (keys as Jwk[]) : []).find(
		(key) => key && key.kty === 'RSA' && key.use === 'enc',
	);
	if (!jwk || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
		throw fail(`${url} has no RSA key with "use": "enc"`);
	}
	let key: KeyObject;
	try {
		key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
	} catch {
		throw fail(`${url} has an RSA encryption key that cannot be read`);
	}
	const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
	if (bits < MIN_KEY_BITS) {
		throw fail(`${url} has an RSA encryption key of ${bits} bits, fewer than ${MIN_KEY_BITS}`);
	}
	return key;
}
