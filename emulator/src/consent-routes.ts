import { consentPage, resultPage } from './consent';
import { isPlainObject, parseJsonBody, readBody, sendHtml } from './http';
import { findServer } from './mcp';
import type { RouteContext } from './server';

const UNKNOWN_REQUEST =
	'This consent link is unknown or has expired. Run the request again to get a new one.';

/** The browser side of the OAuth consent: GET shows the question, POST records the answer. */
export async function handleConsent(ctx: RouteContext): Promise<void> {
	const { req, res, state } = ctx;
	if (req.method === 'GET') {
		// Read-only on purpose: link previews and prefetchers must not grant anything.
		const id = ctx.query.get('request') ?? '';
		const pending = state.consent.getRequest(id);
		if (!pending) return sendHtml(res, 400, resultPage(UNKNOWN_REQUEST, false));
		return sendHtml(res, 200, consentPage(findServer(pending.server), pending.server, id));
	}
	if (req.method !== 'POST') {
		res.setHeader('allow', 'GET, POST');
		return sendHtml(res, 405, resultPage('Method not allowed', false));
	}

	const raw = await readBody(req);
	const form = parseForm(raw, String(req.headers['content-type'] ?? ''));
	// A form posted to the connect_url itself carries the request id in the query string.
	const id = form.get('request') ?? ctx.query.get('request') ?? '';
	const decision = form.get('decision') ?? ctx.query.get('decision');
	const pending = state.consent.getRequest(id);
	if (!pending) return sendHtml(res, 400, resultPage(UNKNOWN_REQUEST, false));
	if (decision === 'allow') {
		state.consent.set(pending.keyId, pending.server, true);
		return sendHtml(res, 200, resultPage('Connected. You can close this tab.', true));
	}
	if (decision === 'deny')
		return sendHtml(res, 200, resultPage('Access denied. You can close this tab.', false));
	return sendHtml(res, 400, resultPage('Missing decision: expected allow or deny.', false));
}

function parseForm(raw: Buffer, contentType: string): Map<string, string> {
	const out = new Map<string, string>();
	if (raw.length === 0) return out;
	if (contentType.includes('application/json')) {
		try {
			const v = parseJsonBody(raw);
			if (isPlainObject(v)) {
				for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out.set(k, val);
			}
		} catch {
			// A broken body simply carries no fields; the missing decision gives the 400.
		}
		return out;
	}
	for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) if (!out.has(k)) out.set(k, v);
	return out;
}
