import { isValidKey } from './auth';
import { CONSENT_BODY_SHAPES } from './consent';
import type { ConsentBodyShape } from './consent';
import { parseFaults } from './faults';
import { isPlainObject, parseJsonBody, readBody, sendJson } from './http';
import { findServer } from './mcp';
import { parseTurns } from './turns';
import { MAX_CONTENT_BYTES } from './padding';
import type { RouteContext } from './server';

type Json = Record<string, unknown>;

async function readJson(ctx: RouteContext): Promise<Json | undefined> {
	const raw = await readBody(ctx.req);
	try {
		const v = parseJsonBody(raw);
		if (v === undefined) return {};
		if (isPlainObject(v)) return v;
	} catch {
		// fall through to the 400
	}
	sendJson(ctx.res, 400, { detail: 'Expected a JSON object body' });
	return undefined;
}

/** Test controls under /__emulator/: no auth, never logged, never counted in stats. */
export async function handleAdmin(ctx: RouteContext): Promise<void> {
	const { req, res, state } = ctx;
	const route = `${req.method} ${ctx.path.replace(/\/+$/, '')}`;
	switch (route) {
		case 'GET /__emulator/stats':
			return sendJson(res, 200, state.stats.snapshot());

		case 'GET /__emulator/latency':
			return sendJson(res, 200, { ms: state.latencyMs });
		case 'POST /__emulator/latency': {
			const body = await readJson(ctx);
			if (!body) return;
			const ms = body.ms;
			if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
				return sendJson(res, 400, { detail: 'Expected {"ms": <non-negative number>}' });
			}
			state.latencyMs = ms;
			return sendJson(res, 200, { ms });
		}

		case 'GET /__emulator/chunk-delay':
			return sendJson(res, 200, { ms: state.chunkDelayMs });
		case 'POST /__emulator/chunk-delay': {
			const body = await readJson(ctx);
			if (!body) return;
			const ms = body.ms;
			if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) {
				return sendJson(res, 400, { detail: 'Expected {"ms": <number from 0 to 60000>}' });
			}
			state.chunkDelayMs = ms;
			return sendJson(res, 200, { ms });
		}

		case 'GET /__emulator/idempotency':
			return sendJson(res, 200, { enabled: state.idempotency.enabled });
		case 'POST /__emulator/idempotency': {
			// Off: the emulator ignores Idempotency-Key, like an API that does not support it.
			const body = await readJson(ctx);
			if (!body) return;
			if (typeof body.enabled !== 'boolean') {
				return sendJson(res, 400, { detail: 'Expected {"enabled": <boolean>}' });
			}
			state.idempotency.enabled = body.enabled;
			return sendJson(res, 200, { enabled: body.enabled });
		}

		case 'GET /__emulator/turns':
			return sendJson(res, 200, { modelTurnMs: state.modelTurnMs, toolCallMs: state.toolCallMs });
		case 'POST /__emulator/turns': {
			const body = await readJson(ctx);
			if (!body) return;
			const turns = parseTurns(body);
			if (!turns) {
				return sendJson(res, 400, {
					detail: 'Expected {"modelTurnMs": <ms>, "toolCallMs": <ms>}, non-negative numbers',
				});
			}
			state.modelTurnMs = turns.modelTurnMs;
			state.toolCallMs = turns.toolCallMs;
			return sendJson(res, 200, turns);
		}

		case 'GET /__emulator/connections':
			return sendJson(res, 200, { opened: state.connectionsOpened });

		case 'GET /__emulator/content-size':
			return sendJson(res, 200, { bytes: state.contentBytes });
		case 'POST /__emulator/content-size': {
			const body = await readJson(ctx);
			if (!body) return;
			const bytes = body.bytes;
			if (
				typeof bytes !== 'number' ||
				!Number.isInteger(bytes) ||
				bytes < 0 ||
				bytes > MAX_CONTENT_BYTES
			) {
				return sendJson(res, 400, {
					detail: `Expected {"bytes": <integer from 0 to ${MAX_CONTENT_BYTES}>}`,
				});
			}
			state.contentBytes = bytes;
			return sendJson(res, 200, { bytes });
		}

		case 'GET /__emulator/faults':
			return sendJson(res, 200, { faults: state.faults.list() });
		case 'POST /__emulator/faults': {
			const body = await readJson(ctx);
			if (!body) return;
			const faults = parseFaults(body);
			if (typeof faults === 'string') return sendJson(res, 400, { detail: faults });
			state.faults.add(faults);
			return sendJson(res, 200, { queued: faults.length, faults: state.faults.list() });
		}
		case 'DELETE /__emulator/faults':
			state.faults.clear();
			return sendJson(res, 200, { faults: [] });

		case 'GET /__emulator/consent':
			return sendJson(res, 200, { consents: state.consent.list() });
		case 'POST /__emulator/consent': {
			const body = await readJson(ctx);
			if (!body) return;
			return setConsent(ctx, body);
		}

		case 'GET /__emulator/consent-body':
			return sendJson(res, 200, { shape: state.consentBody });
		case 'POST /__emulator/consent-body': {
			const body = await readJson(ctx);
			if (!body) return;
			if (!CONSENT_BODY_SHAPES.includes(body.shape as ConsentBodyShape)) {
				return sendJson(res, 400, {
					detail: `Expected {"shape": one of ${CONSENT_BODY_SHAPES.join(', ')}}`,
				});
			}
			state.consentBody = body.shape as ConsentBodyShape;
			return sendJson(res, 200, { shape: state.consentBody });
		}

		case 'POST /__emulator/reset':
			state.reset();
			return sendJson(res, 200, { ok: true });
		case 'POST /__emulator/reset-consent':
			state.consent.clear();
			return sendJson(res, 200, { ok: true });

		case 'GET /__emulator/requests':
			return sendJson(res, 200, { requests: state.log.list(ctx.query.get('path') ?? undefined) });
		case 'DELETE /__emulator/requests':
			state.log.clear();
			return sendJson(res, 200, { requests: [] });

		default:
			return sendJson(res, 404, { detail: 'Not Found' });
	}
}

function setConsent(ctx: RouteContext, body: Json): void {
	const { res, state } = ctx;
	const server = typeof body.server === 'string' ? findServer(body.server) : undefined;
	if (!server)
		return sendJson(res, 400, { detail: 'Expected "server": a known MCP server slug or URL' });
	if (typeof body.granted !== 'boolean')
		return sendJson(res, 400, { detail: 'Expected "granted": true or false' });
	let keyId: string | undefined;
	if (typeof body.apiKey === 'string') {
		if (!isValidKey(body.apiKey))
			return sendJson(res, 400, { detail: 'apiKey is not a valid emulator key' });
		keyId = state.keys.keyIdOf(body.apiKey);
	} else if (typeof body.keyId === 'string' && /^[0-9a-f]{16}$/.test(body.keyId)) {
		keyId = body.keyId;
	}
	if (!keyId) return sendJson(res, 400, { detail: 'Expected "apiKey" or "keyId" (16 hex chars)' });
	state.consent.set(keyId, server.slug, body.granted);
	sendJson(res, 200, { keyId, server: server.slug, granted: body.granted });
}
