import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { NodeOperationError } from 'n8n-workflow';
import type { IHttpRequestOptions } from 'n8n-workflow';

import type { DedalusContext } from './client';
import { isLoopbackHost } from './errors';
import { parseIfString } from './limits';

/** The SDKs refuse smaller keys (`jwk_to_public_key(min_key_size=2048)`). */
const MIN_KEY_BITS = 2048;
const JWKS_TIMEOUT_MS = 15_000;

interface Jwk {
	kty?: unknown;
	use?: unknown;
	alg?: unknown;
	n?: unknown;
	e?: unknown;
}

/** The only algorithm the SDKs seal with; a key that names another one is not theirs. */
const SEAL_ALGORITHM = 'RSA-OAEP-256';

/**
 * The public exponent is odd and at least 3: e = 1 makes "encryption" the identity, so a sealed
 * secret would be readable by anyone; an even e is no RSA key.
 */
function isUsableExponent(e: string): boolean {
	const value = BigInt(`0x${Buffer.from(e, 'base64url').toString('hex') || '0'}`);
	return value >= BigInt(3) && value % BigInt(2) === BigInt(1);
}

/**
 * The authorization server's public encryption key, as the SDKs find it (Python SDK
 * `lib/crypto/encryption.py`, `fetch_encryption_key`): `{AS}/.well-known/jwks.json`, the first RSA
 * key with `use: "enc"`. Public data, so the request carries no credential; redirects are not
 * followed, like the SDK's httpx client. Whoever controls this key reads the sealed secrets, so the
 * Authorization Server must be https (plain http only on this machine, for the emulator) and the
 * key a real RSA-OAEP-256 key: `alg` absent or RSA-OAEP-256, e odd and at least 3, n of 2048 bits
 * or more.
 */
export async function fetchEncryptionKey(
	context: DedalusContext,
	authServerUrl: string,
): Promise<KeyObject> {
	const url = `${authServerUrl.replace(/\/+$/, '')}/.well-known/jwks.json`;
	// Why no key could be had: said to the person, with nothing secret in it.
	const fail = (problem: string) => new NodeOperationError(context.getNode(), problem);
	let server: URL;
	try {
		server = new URL(url);
	} catch {
		throw fail(`The Authorization Server URL is not a URL: ${authServerUrl}`);
	}
	if (
		server.protocol !== 'https:' &&
		!(server.protocol === 'http:' && isLoopbackHost(server.hostname))
	) {
		throw fail(
			`The Authorization Server URL must use https (plain http only for localhost): ${server.origin}`,
		);
	}
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
	const json = parseIfString(response.body);
	if (!json) throw fail(`${url} did not answer with JSON`);
	const body = json.value;
	const keys = (body as { keys?: unknown } | null)?.keys;
	const jwk = (Array.isArray(keys) ? (keys as Jwk[]) : []).find(
		(key) => key && key.kty === 'RSA' && key.use === 'enc',
	);
	if (!jwk || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
		throw fail(`${url} has no RSA key with "use": "enc"`);
	}
	if (jwk.alg !== undefined && jwk.alg !== SEAL_ALGORITHM) {
		throw fail(`${url} has an RSA encryption key for ${String(jwk.alg)}, not ${SEAL_ALGORITHM}`);
	}
	if (!isUsableExponent(jwk.e)) {
		throw fail(`${url} has an RSA encryption key with an unusable exponent`);
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
