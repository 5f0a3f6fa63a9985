import type { ZodType } from 'zod';

import type { DedalusClient } from './client';
import { consentPollSchema } from './schemas';
import type { ConsentPoll } from './schemas';

export type ConsentState = 'connected' | 'not_connected' | 'unknown';

const POLL_TIMEOUT_MS = 10_000;

// The hosts Dedalus itself runs: its API, admin and authorization servers. Without a public suffix
// list no other "same site" can be told safely (herokuapp.com, vercel.app, github.io, co.uk: every
// tenant of such a suffix is a stranger), so anything else gets the key only at the exact origin.
const DEDALUS_DOMAIN = 'dedaluslabs.ai';

function isDedalusHost(host: string): boolean {
	const name = host.toLowerCase().replace(/\.$/, '');
	return name === DEDALUS_DOMAIN || name.endsWith(`.${DEDALUS_DOMAIN}`);
}

/**
 * Whether `url` may receive the API key (never the provider key: pollConsent strips it): the Base
 * URL's exact origin, or, when the Base URL is itself a Dedalus host, an https Dedalus host on the
 * default port (api.dedaluslabs.ai -> admin.dedaluslabs.ai). Anything else is foreign.
 */
export function mayReceiveApiKey(url: string, baseUrl: string): boolean {
	let target: URL;
	let base: URL;
	try {
		target = new URL(url);
		base = new URL(baseUrl);
	} catch {
		return false;
	}
	if (target.username || target.password) return false;
	if (target.origin === base.origin) return true;
	return (
		base.protocol === 'https:' &&
		isDedalusHost(base.hostname) &&
		target.protocol === 'https:' &&
		target.port === '' &&
		isDedalusHost(target.hostname)
	);
}

/**
 * Asks `poll_url` whether the server was connected (Python SDK `lib/oauth_handler.py`):
 * `{connected}` or `{servers: [{server_id | deployment_id, connected}]}`. Only a clear answer
 * counts; a foreign host is not asked at all (no request, with or without a key), and any
 * failure is `unknown`, so the caller sends as it would without a poll. The poll carries the API
 * key only, never the bring-your-own-key headers: a consent status needs no provider key.
 */
export async function pollConsent(
	client: DedalusClient,
	pollUrl: string,
	serverId: string | undefined,
	signal?: AbortSignal,
): Promise<ConsentState> {
	if (!mayReceiveApiKey(pollUrl, client.baseUrl)) return 'unknown';
	let answer: ConsentPoll;
	try {
		answer = await client.request({
			method: 'GET',
			path: '',
			url: pollUrl,
			// A lenient schema reads any input; request() is typed for schemas whose input is their output.
			schema: consentPollSchema as unknown as ZodType<ConsentPoll>,
			timeoutMs: POLL_TIMEOUT_MS,
			maxRetries: 0,
			withoutProviderKey: true,
			signal,
		});
	} catch {
		return 'unknown';
	}
	if (answer.connected === true) return 'connected';
	const entry =
		serverId === undefined
			? undefined
			: answer.servers?.find(
					(server) => server.server_id === serverId || server.deployment_id === serverId,
				);
	if (entry && typeof entry.connected === 'boolean')
		return entry.connected ? 'connected' : 'not_connected';
	if (answer.connected === false) return 'not_connected';
	return 'unknown';
}
