import { createHash, randomUUID } from 'crypto';

import { escapeHtml } from './http';
import type { McpServerDef } from './mcp';

interface PendingConsent {
	keyId: string;
	server: string;
	expiresAt: number;
}

const PENDING_TTL_MS = 30 * 60 * 1000;
// A benchmark can trigger thousands of consent 401s; old links are dropped first.
const PENDING_LIMIT = 10_000;

/**
 * Which API key (by keyId) has consented to which protected MCP server. Pending requests map the
 * opaque id in a connect_url back to the key, so the URL itself never carries the key.
 */
export class ConsentStore {
	private readonly granted = new Set<string>();
	private readonly pending = new Map<string, PendingConsent>();

	isGranted(keyId: string, server: string): boolean {
		return this.granted.has(`${keyId} ${server}`);
	}

	set(keyId: string, server: string, granted: boolean): void {
		if (granted) this.granted.add(`${keyId} ${server}`);
		else this.granted.delete(`${keyId} ${server}`);
	}

	list(): Array<{ keyId: string; server: string }> {
		return [...this.granted].map((k) => {
			const [keyId, server] = k.split(' ');
			return { keyId, server };
		});
	}

	createRequest(keyId: string, server: string, now = Date.now()): string {
		if (this.pending.size >= PENDING_LIMIT) {
			const oldest = this.pending.keys().next().value;
			if (oldest !== undefined) this.pending.delete(oldest);
		}
		const id = randomUUID().replace(/-/g, '');
		this.pending.set(id, { keyId, server, expiresAt: now + PENDING_TTL_MS });
		return id;
	}

	/**
	 * Links stay usable until they expire, so a double click or a reload of the result page
	 * does not turn into an error.
	 */
	getRequest(id: string, now = Date.now()): PendingConsent | undefined {
		const p = this.pending.get(id);
		if (!p) return undefined;
		if (p.expiresAt < now) {
			this.pending.delete(id);
			return undefined;
		}
		return p;
	}

	clear(): void {
		this.granted.clear();
		this.pending.clear();
	}
}

/**
 * How the 401 names what is missing. `oauth_required` is the real API's body (Python SDK
 * `lib/oauth_handler.py`); `deployment_id` the same with the other id field some answers use;
 * `legacy` the older `detail.connect_url` / `detail.server` body the docs' recipe reads.
 */
export type ConsentBodyShape = 'oauth_required' | 'deployment_id' | 'legacy';
export const CONSENT_BODY_SHAPES: readonly ConsentBodyShape[] = [
	'oauth_required',
	'deployment_id',
	'legacy',
];

/** The API names a server by an opaque id, not by its slug: so does the emulator. */
export function serverIdOf(slug: string): string {
	return `srv_${createHash('sha256').update(slug).digest('hex').slice(0, 12)}`;
}

export function connectUrl(base: string, server: string, requestId: string): string {
	return `${base}/oauth/connect?server=${encodeURIComponent(serverIdOf(server))}&request=${encodeURIComponent(requestId)}`;
}

export const POLL_PATH = '/v1/oauth/servers';

export function consentRequiredBody(
	url: string,
	server: string,
	shape: ConsentBodyShape,
	base: string,
): Record<string, unknown> {
	if (shape === 'legacy') {
		return {
			connect_url: url,
			detail: {
				connect_url: url,
				message: `Authorization required for MCP server ${server}`,
				server,
			},
		};
	}
	return {
		error: 'oauth_required',
		connect_url: url,
		poll_url: `${base}${POLL_PATH}`,
		[shape === 'deployment_id' ? 'deployment_id' : 'server_id']: serverIdOf(server),
	};
}

export function wwwAuthenticate(server: McpServerDef): string {
	return `Bearer error="invalid_token", resource_metadata="${server.url}/.well-known/oauth-protected-resource"`;
}

function page(title: string, body: string): string {
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.3rem; }
button { font-size: 1rem; padding: .5rem 1.4rem; margin-right: .6rem; border-radius: .3rem; border: 1px solid #888; cursor: pointer; }
#allow { background: #1a7f37; color: #fff; border-color: #1a7f37; }
.note { color: #666; font-size: .85rem; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

export function consentPage(
	server: McpServerDef | undefined,
	serverSlug: string,
	requestId: string,
): string {
	const access = server ? server.access : 'access your account';
	const question = `n8n-nodes-dedalus emulator: allow ${serverSlug} to ${access}?`;
	return page(
		question,
		`<h1 id="question">${escapeHtml(question)}</h1>
<p class="note">This page stands in for the real OAuth consent screen. Nothing leaves this machine.</p>
<form method="post" action="/oauth/connect">
<input type="hidden" name="request" value="${escapeHtml(requestId)}">
<input type="hidden" name="server" value="${escapeHtml(serverSlug)}">
<button type="submit" id="allow" name="decision" value="allow">Allow</button>
<button type="submit" id="deny" name="decision" value="deny">Deny</button>
</form>`,
	);
}

export function resultPage(message: string, ok: boolean): string {
	return page(
		message,
		`<h1 id="result" data-ok="${ok ? 'true' : 'false'}">${escapeHtml(message)}</h1>`,
	);
}
