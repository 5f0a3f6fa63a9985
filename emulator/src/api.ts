import {
	argumentsFor,
	followUpReply,
	lastUserText,
	planClientTools,
	readClientTools,
	toolCallsBody,
	writeToolCallsStream,
} from './client-tools';
import { speechAnswer, transcriptAnswer } from './audio';
import { buildChatReply, chatCompletionBody, responsesBody, type ChatReply } from './completion';
import { connectUrl, consentRequiredBody, POLL_PATH, serverIdOf, wwwAuthenticate } from './consent';
import { checkCredential } from './credentials';
import {
	defaultErrorBody,
	describeFault,
	isDelayOnly,
	faultHeaders,
	MALFORMED_BODY,
	PROXY_HTML,
	type Fault,
} from './faults';
import {
	baseUrlOf,
	BodyTooLargeError,
	headerValue,
	isMultipart,
	isPlainObject,
	MAX_AUDIO_FORM_BYTES,
	MAX_BODY_BYTES,
	MAX_OCR_BODY_BYTES,
	parseJsonBody,
	readBody,
	sendJson,
	sendBytes,
	sendRaw,
	sleep,
} from './http';
import { embeddingsAnswer } from './embeddings';
import { chatFiles, ocrFiles } from './files';
import { fingerprintOf } from './idempotency';
import { isMediaModel } from './media';
import { IMAGE_FILES_PATH, imagesAnswer, pngForName } from './images';
import type { RequestLogEntry } from './log';
import { MCP_SERVERS, mcpLogLabels } from './mcp';
import { parseMultipart } from './multipart';
import { ocrAnswer } from './ocr';
import { SERVED_FILES_PATH, servedFile } from './served-files';
import { padChatBody, padResponsesBody } from './padding';
import { findModel, modelJson, modelNotFound, MODELS_LIST_JSON } from './models';
import type { RouteContext } from './server';
import { writeChatStream } from './sse';
import { turnDelayMs } from './turns';
import { resolveModel, validateChat, validateResponses, type ValidationItem } from './validation';

const MAX_CONTROL_DELAY_MS = 120_000;

/**
 * Uploads are bigger than chat bodies: audio files up to 25 MB in a multipart form (the real
 * API's limit, audio.ts), documents as base64 data URIs for OCR.
 */
function bodyLimitOf(path: string): number {
	if (path === '/v1/audio/transcriptions' || path === '/v1/audio/translations')
		return MAX_AUDIO_FORM_BYTES;
	if (path === '/v1/ocr') return MAX_OCR_BODY_BYTES;
	return MAX_BODY_BYTES;
}

type Body =
	| { kind: 'none' }
	| { kind: 'json'; value: unknown }
	| { kind: 'invalid'; message: string };

function controlNumber(ctx: RouteContext, header: string): number {
	const raw = headerValue(ctx.req, header);
	if (!raw) return 0;
	const n = Number(raw);
	return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_CONTROL_DELAY_MS) : 0;
}

/**
 * Everything under /v1, and the files under /files/ (served-files.ts): logged, counted in stats,
 * subject to latency and faults (a fault reaches /files/ only with a `path` aimed at it).
 */
export async function handleApi(ctx: RouteContext): Promise<void> {
	const { req, res, state } = ctx;
	const started = performance.now();
	state.stats.begin();
	const entry: RequestLogEntry = {
		seq: state.log.nextSeq(),
		time: new Date().toISOString(),
		method: req.method ?? 'GET',
		path: ctx.path,
		status: 0,
		keyId: null,
		hasProvider: req.headers['x-provider'] !== undefined,
		hasProviderKey: req.headers['x-provider-key'] !== undefined,
		durationMs: 0,
	};
	const idem = headerValue(req, 'idempotency-key');
	if (idem) entry.idempotencyKey = idem;
	// Logged at arrival so the log keeps seq order and shows requests still in flight (status 0);
	// finalized on 'finish' so a client reading the log right after its response sees the status.
	state.log.push(entry);
	let finalized = false;
	const finalize = () => {
		if (finalized) return;
		finalized = true;
		entry.status = res.headersSent ? res.statusCode : 0;
		entry.durationMs = Math.round(performance.now() - started);
		state.stats.end();
	};
	res.once('finish', finalize);
	res.once('close', finalize);

	let raw: Buffer;
	const limit = bodyLimitOf(ctx.path);
	try {
		raw = await readBody(req, limit);
	} catch (err) {
		if (err instanceof BodyTooLargeError) {
			sendJson(
				res,
				413,
				{ detail: `Request body too large (more than ${limit} bytes)` },
				{ connection: 'close' },
			);
			return;
		}
		throw err;
	}
	let body: Body = { kind: 'none' };
	const multipart = isMultipart(req);
	if (raw.length > 0 && !multipart) {
		try {
			body = { kind: 'json', value: parseJsonBody(raw) };
		} catch (err) {
			body = { kind: 'invalid', message: (err as Error).message };
		}
	}
	if (body.kind === 'json' && isPlainObject(body.value))
		recordBodyFields(entry, ctx.path, body.value);
	if ((await applyIdempotency(ctx, entry, raw)) === 'answered') return;

	// Taken on arrival, so queued faults follow request order even when delays differ.
	const fault = state.faults.take(ctx.path);
	const delay =
		state.latencyMs + controlNumber(ctx, 'x-emulator-latency-ms') + (fault?.delayMs ?? 0);
	if (delay > 0) {
		await sleep(delay);
		if (res.destroyed) return;
	}

	let streamFault = false;
	if (fault) {
		entry.fault = describeFault(fault);
		if (fault.streamError) streamFault = true;
		else if (!isDelayOnly(fault)) {
			answerFault(ctx, fault);
			return;
		}
	}
	if (headerValue(req, 'x-emulator-malformed') === '1') {
		entry.fault = 'header:malformed';
		sendRaw(res, 200, MALFORMED_BODY, 'application/json');
		return;
	}
	const forced = headerValue(req, 'x-emulator-status');
	if (forced) {
		const status = Number(forced);
		if (Number.isInteger(status) && status >= 100 && status <= 599) {
			entry.fault = `header:status:${status}`;
			sendJson(res, status, defaultErrorBody(status), faultHeaders(status, undefined));
			return;
		}
	}

	const method = req.method ?? 'GET';
	const p = ctx.path;
	if (p === POLL_PATH) {
		if (method !== 'GET') return methodNotAllowed(ctx, 'GET');
		if (!authenticate(ctx, entry)) return;
		return consentPoll(ctx, entry.keyId!);
	}
	if (p === '/v1/models' || p.startsWith('/v1/models/')) {
		if (method !== 'GET') return methodNotAllowed(ctx, 'GET');
		if (!authenticate(ctx, entry)) return;
		if (p === '/v1/models') {
			sendRaw(res, 200, MODELS_LIST_JSON, 'application/json');
			return;
		}
		return getModel(ctx, p.slice('/v1/models/'.length));
	}
	if (p === '/v1/chat/completions') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (obj) return chat(ctx, entry, obj, streamFault);
		return;
	}
	if (p === '/v1/responses') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (obj) return responses(ctx, obj);
		return;
	}
	if (p === '/v1/embeddings') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (obj) sendAnswer(ctx, embeddingsAnswer(obj));
		return;
	}
	if (p === '/v1/images/generations') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (obj) sendAnswer(ctx, imagesAnswer(obj, baseUrlOf(req, ctx.fallbackBase)));
		return;
	}
	if (p.startsWith(IMAGE_FILES_PATH)) {
		if (method !== 'GET') return methodNotAllowed(ctx, 'GET');
		// Like the real API's signed links: no key needed. The log shows whether one was sent.
		entry.keyId = state.keys.authenticate(req).keyId;
		const png = pngForName(p.slice(IMAGE_FILES_PATH.length));
		if (png) sendBytes(res, 200, png, 'image/png');
		else sendJson(res, 404, { detail: 'Not Found' });
		return;
	}
	if (p.startsWith(SERVED_FILES_PATH)) {
		if (method !== 'GET') return methodNotAllowed(ctx, 'GET');
		// A public link: no key needed. The log shows whether one was sent.
		entry.keyId = state.keys.authenticate(req).keyId;
		const file = servedFile(p.slice(SERVED_FILES_PATH.length), Number(ctx.query.get('pad') ?? '0'));
		if (file) sendBytes(res, 200, file.bytes, file.contentType);
		else sendJson(res, 404, { detail: 'Not Found' });
		return;
	}
	if (p === '/v1/audio/speech') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (!obj) return;
		const answer = speechAnswer(obj);
		if ('bytes' in answer) sendBytes(res, 200, answer.bytes, answer.contentType);
		else sendAnswer(ctx, answer);
		return;
	}
	if (p === '/v1/audio/transcriptions' || p === '/v1/audio/translations') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		if (!multipart) {
			sendJson(res, 400, { detail: 'Expected a multipart/form-data body with the audio file' });
			return;
		}
		const form = parseMultipart(raw, headerValue(req, 'content-type')!);
		if (typeof form === 'string') {
			sendJson(res, 400, { detail: form });
			return;
		}
		const model = form.fields.get('model');
		if (model) entry.model = model;
		const answer = transcriptAnswer(
			form,
			p === '/v1/audio/translations' ? 'translate' : 'transcribe',
		);
		if ('text' in answer) sendRaw(res, 200, answer.text, answer.contentType);
		else sendAnswer(ctx, answer);
		return;
	}
	if (p === '/v1/ocr') {
		if (method !== 'POST') return methodNotAllowed(ctx, 'POST');
		if (!authenticate(ctx, entry)) return;
		const obj = requireObject(ctx, body);
		if (obj) sendAnswer(ctx, ocrAnswer(obj));
		return;
	}
	sendJson(res, 404, { detail: 'Not Found' });
}

function sendAnswer(ctx: RouteContext, answer: { status: number; body: unknown }): void {
	sendJson(ctx.res, answer.status, answer.body);
}

/**
 * Idempotency-Key on a POST (idempotency.ts): answers a replay or a conflict here, or lets the
 * request run and records what it answers. Streaming requests are not covered.
 */
async function applyIdempotency(
	ctx: RouteContext,
	entry: RequestLogEntry,
	raw: Buffer,
): Promise<'answered' | undefined> {
	const { req, res, state } = ctx;
	const key = entry.idempotencyKey;
	if (!key || req.method !== 'POST' || entry.stream || !state.idempotency.enabled) return undefined;
	const caller = state.keys.authenticate(req).keyId ?? '';
	const decision = await state.idempotency.decide(
		caller,
		key,
		fingerprintOf('POST', ctx.path, raw),
	);
	if (decision.kind === 'conflict') {
		sendJson(res, 422, {
			detail: 'Keys for idempotent requests can only be used with the same request body',
		});
		return 'answered';
	}
	if (decision.kind === 'replay') {
		entry.idempotentReplay = true;
		entry.keyId = caller || null;
		const { status, contentType, body } = decision.answer;
		sendRaw(res, status, body, contentType, { 'idempotent-replayed': 'true' });
		return 'answered';
	}
	let answered: string | undefined;
	const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
	res.end = ((...args: unknown[]) => {
		if (typeof args[0] === 'string') answered = args[0];
		return end(...args);
	}) as typeof res.end;
	const settle = () =>
		decision.finish(
			answered !== undefined && res.headersSent
				? {
						status: res.statusCode,
						contentType: String(res.getHeader('content-type') ?? 'application/json'),
						body: answered,
					}
				: undefined,
		);
	res.once('finish', settle);
	res.once('close', settle);
	return undefined;
}

function recordBodyFields(entry: RequestLogEntry, path: string, b: Record<string, unknown>): void {
	const model = resolveModel(b.model);
	if (model !== undefined) entry.model = model;
	const mcp = mcpLogLabels(b.mcp_servers);
	if (mcp) entry.mcp_servers = mcp;
	if (typeof b.user === 'string') entry.user = b.user;
	if (b.metadata !== undefined && b.metadata !== null) entry.metadata = b.metadata;
	if (b.stream === true) entry.stream = true;
	const files = path === '/v1/ocr' ? ocrFiles(b.document) : chatFiles(b.messages);
	if (files.length) entry.files = files;
}

function answerFault(ctx: RouteContext, fault: Fault): void {
	const { req, res } = ctx;
	if (fault.drop) {
		req.socket.destroy();
		return;
	}
	if (fault.html) {
		sendRaw(res, fault.status ?? 502, PROXY_HTML, 'text/html', fault.headers);
		return;
	}
	if (fault.malformed) {
		sendRaw(res, fault.status ?? 200, MALFORMED_BODY, 'application/json', fault.headers);
		return;
	}
	const status = fault.status ?? 500;
	sendJson(
		res,
		status,
		fault.body ?? defaultErrorBody(status),
		faultHeaders(status, fault.headers),
	);
}

function methodNotAllowed(ctx: RouteContext, allow: string): void {
	sendJson(ctx.res, 405, { detail: 'Method Not Allowed' }, { allow });
}

/**
 * A bad key answers a bare 401 with no connect_url and no WWW-Authenticate, so it can never be
 * mistaken for the consent case.
 */
function authenticate(ctx: RouteContext, entry: RequestLogEntry): boolean {
	const auth = ctx.state.keys.authenticate(ctx.req);
	entry.keyId = auth.keyId;
	if (auth.ok) return true;
	sendJson(ctx.res, 401, { detail: 'Invalid API key' });
	return false;
}

function requireObject(ctx: RouteContext, body: Body): Record<string, unknown> | undefined {
	if (body.kind === 'none') {
		sendJson(ctx.res, 400, { detail: 'A JSON request body is required' });
		return undefined;
	}
	if (body.kind === 'invalid') {
		sendJson(ctx.res, 400, { detail: `There was an error parsing the body: ${body.message}` });
		return undefined;
	}
	if (!isPlainObject(body.value)) {
		unprocessable(ctx, [
			{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' },
		]);
		return undefined;
	}
	return body.value;
}

function unprocessable(ctx: RouteContext, errors: ValidationItem[]): void {
	sendJson(ctx.res, 422, { detail: errors });
}

function getModel(ctx: RouteContext, rawId: string): void {
	let id: string;
	try {
		// The SDK sends `openai%2Fgpt-4.1`; browsers and curl send the slash as is.
		id = decodeURIComponent(rawId);
	} catch {
		id = rawId;
	}
	const json = modelJson(id);
	if (json) sendRaw(ctx.res, 200, json, 'application/json');
	else sendJson(ctx.res, 404, modelNotFound(id));
}

async function chat(
	ctx: RouteContext,
	entry: RequestLogEntry,
	body: Record<string, unknown>,
	streamFault: boolean,
): Promise<void> {
	const { res, state } = ctx;
	const v = validateChat(body);
	if (!v.ok) return unprocessable(ctx, v.errors);
	const request = v.value;
	if (!findModel(request.model)) {
		sendJson(res, 404, modelNotFound(request.model));
		return;
	}
	if (isMediaModel(request.model)) {
		sendJson(res, 400, {
			detail: `Model '${request.model}' does not support chat completions`,
		});
		return;
	}

	// Checked (and logged) before consent, so a test sees what every attempt carried.
	for (const sel of request.mcp) {
		if (!sel.server?.connection) continue;
		sel.credentialCheck = checkCredential(
			state.encryption,
			sel.server.slug,
			sel.server.connection,
			sel.credentials,
		);
		(entry.mcp_credentials ??= []).push(sel.credentialCheck);
	}
	const keyId = entry.keyId!;
	for (const sel of request.mcp) {
		const server = sel.server;
		if (!server || !server.needsConsent || state.consent.isGranted(keyId, server.slug)) continue;
		const requestId = state.consent.createRequest(keyId, server.slug);
		const base = baseUrlOf(ctx.req, ctx.fallbackBase);
		const url = connectUrl(base, server.slug, requestId);
		sendJson(res, 401, consentRequiredBody(url, server.slug, state.consentBody, base), {
			'www-authenticate': wwwAuthenticate(server),
		});
		return;
	}

	const offered = readClientTools(body);
	if (offered.length) entry.tools = offered.map((tool) => tool.name);
	const plan = planClientTools(body);
	let reply: ChatReply;
	if (plan.kind === 'answer') {
		const mcp = plan.rerunMcp ? buildChatReply(request, new Date()) : undefined;
		reply = followUpReply(plan, mcp, promptChars(request));
		entry.toolResults = plan.results.map((r) => ({
			name: r.name,
			content: r.content.slice(0, 500),
		}));
	} else {
		reply = buildChatReply(request, new Date());
	}
	if (reply.toolResults.length)
		entry.mcpToolsRun = reply.toolResults.map((r) => `${r.server_name}:${r.tool_name}`);
	const turnDelay = turnDelayMs(state, reply.toolResults.length);
	if (turnDelay > 0) {
		await sleep(turnDelay);
		if (res.destroyed) return;
	}
	const id = `chatcmpl-${++state.chatCounter}`;
	const created = Math.floor(Date.now() / 1000);
	if (plan.kind === 'call') {
		const userText = lastUserText(body);
		const calls = plan.tools.map((tool, i) => ({
			id: `call_emu${state.chatCounter}_${i}`,
			name: tool.name,
			arguments: argumentsFor(tool, userText),
		}));
		entry.toolCalls = calls.map((c) => c.name);
		if (request.stream) writeToolCallsStream(res, id, created, request.model, reply, calls);
		else sendJson(res, 200, toolCallsBody(id, created, request.model, reply, calls));
		return;
	}
	if (request.stream) {
		await writeChatStream(res, {
			id,
			created,
			model: request.model,
			reply,
			chunkDelayMs: state.chunkDelayMs + controlNumber(ctx, 'x-emulator-chunk-delay-ms'),
			failMidway: streamFault,
			onFirstToken: () => {
				entry.firstTokenAt = Date.now();
			},
		});
		entry.streamEndedAt = Date.now();
		return;
	}
	if (streamFault) {
		// A stream-error fault hitting a plain request degrades to the nearest plain failure.
		sendJson(res, 500, defaultErrorBody(500));
		return;
	}
	sendJson(
		res,
		200,
		padChatBody(chatCompletionBody(id, created, request.model, reply), state.contentBytes),
	);
}

function promptChars(request: { messages: Array<{ text: string }> }): number {
	let chars = 0;
	for (const m of request.messages) chars += m.text.length;
	return chars;
}

/** The consent poll (`poll_url`): which consent-needing servers this key has connected. */
function consentPoll(ctx: RouteContext, keyId: string): void {
	const servers = MCP_SERVERS.filter((server) => server.needsConsent).map((server) => ({
		server_id: serverIdOf(server.slug),
		name: server.slug,
		connected: ctx.state.consent.isGranted(keyId, server.slug),
	}));
	sendJson(ctx.res, 200, { servers });
}

function responses(ctx: RouteContext, body: Record<string, unknown>): void {
	const { res, state } = ctx;
	const v = validateResponses(body);
	if (!v.ok) return unprocessable(ctx, v.errors);
	const model = findModel(v.value.model);
	if (!model) {
		sendJson(res, 404, modelNotFound(v.value.model));
		return;
	}
	if (isMediaModel(model.id)) {
		sendJson(res, 400, { detail: `Model '${model.id}' does not support responses` });
		return;
	}
	if (model.provider !== 'openai') {
		sendJson(res, 400, {
			detail: `The Responses API supports OpenAI models only, not '${model.id}'`,
		});
		return;
	}
	const n = ++state.responseCounter;
	const hex = n.toString(16).padStart(8, '0');
	const ids = { response: `resp_emu${hex}`, message: `msg_emu${hex}` };
	sendJson(
		res,
		200,
		padResponsesBody(
			responsesBody(ids, Math.floor(Date.now() / 1000), v.value),
			state.contentBytes,
		),
	);
}
