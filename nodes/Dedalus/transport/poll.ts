import type { ZodType } from 'zod';

import type { DedalusClient } from './client';
import { consentPollSchema } from './schemas';
import type { ConsentPoll } from './schemas';

export type ConsentState = 'connected' | 'not_connected' | 'unknown';

const POLL_TIMEOUT_MS = 10_000;

// Second-level labels under which a country code's registrable domains sit (example.co.uk):
// enough to never treat `co.uk` itself as one site. Without a public suffix list, a host that is
// not clearly under the Base URL's own domain is foreign.
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go']);

/** An IPv4 or IPv6 literal (URL.hostname keeps IPv6 in brackets). */
function isIpAddress(host: string): boolean {
	return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** The registrable domain of a host, or the host itself when that cannot be told safely. */
export function registrableDomain(host: string): string {
	const name = host.toLowerCase().replace(/\.$/, '');
	if (isIpAddress(name)) return name;
	const labels = name.split('.');
	if (labels.length < 3) return name;
	const take =
		labels[labels.length - 1].length === 2 && SECOND_LEVEL.has(labels[labels.length - 2]) ? 3 : 2;
	return labels.length <= take ? name : labels.slice(-take).join('.');
}

/**
 * Whether `url` may receive the API key: the Base URL's origin, or an https host under the same
 * registrable domain (api.dedaluslabs.ai -> admin.dedaluslabs.ai). Anything else is foreign.
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
	if (target.protocol !== 'https:') return false;
	// An IP address or a single-label host (localhost) has no domain to share: its origin only.
	const baseHost = base.hostname.toLowerCase();
	if (isIpAddress(baseHost) || !baseHost.includes('.')) return false;
	const site = registrableDomain(baseHost);
	const host = target.hostname.toLowerCase();
	return host === site || host.endsWith(`.${site}`);
}

/**
 * Asks `poll_url` whether the server was connected (Python SDK `lib/oauth_handler.py`):
 * `{connected}` or `{servers: [{server_id | deployment_id, connected}]}`. Only a clear answer
 * counts; a foreign host is not asked at all, and any failure is `unknown`, so the caller sends
 * as it would without a poll.
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
