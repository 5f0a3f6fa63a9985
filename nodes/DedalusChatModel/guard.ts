import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { isAuthorizationRequired } from '../Dedalus/transport';
import { toApiError } from '../Dedalus/transport/errors';

/** What the model does when an MCP server needs OAuth consent (a sub-node cannot pause the run). */
export type OnAuthorization = 'error' | 'answer';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// Error bodies are short; a hostile one must not be read whole.
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Thrown inside the fetch: the OpenAI client wraps it as a connection error with this as its
 * cause, and toDedalusError hands it on unchanged.
 */
class GuardError extends NodeApiError {}

/**
 * The fetch the chat model's OpenAI client uses. n8n's client follows redirects and keeps
 * X-Provider-Key on them (fetch drops only Authorization across origins), so this one:
 * - sends nothing to any origin but the Base URL's;
 * - follows no redirect: a 3xx is an error naming where it pointed;
 * - with `answer`, turns a consent 401 into an assistant message that carries the link.
 */
export function guardedFetch(options: {
	node: INode;
	baseUrl: string;
	onAuthorization: OnAuthorization;
}): Fetch {
	const { node, onAuthorization } = options;
	const origin = new URL(options.baseUrl).origin;
	return async (input, init) => {
		const target = new URL(
			typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
		);
		if (target.origin !== origin) {
			throw new GuardError(node, {} as JsonObject, {
				message: `Refused to send the Dedalus key to ${target.origin}`,
				description: `Only the Base URL's origin (${origin}) receives it.`,
			});
		}
		const response = await fetch(input, { ...init, redirect: 'manual' });
		if (response.status >= 300 && response.status < 400) {
			await response.body?.cancel();
			throw new GuardError(node, {} as JsonObject, {
				message: `Dedalus answered ${response.status} with a redirect${redirectTarget(response, target)}; it was not followed`,
				description: `Redirects are never followed, so the API key and the provider key stay with ${origin}. Check the Base URL in the Dedalus credential.`,
				httpCode: String(response.status),
			});
		}
		if (response.status !== 401 || onAuthorization !== 'answer') return response;

		const text = await readBounded(response);
		const error = toApiError(node, 401, text, undefined, 0);
		if (!isAuthorizationRequired(error)) {
			return new Response(text, { status: 401, headers: response.headers });
		}
		return consentAnswer(init, consentText(error.server, error.connectUrl));
	};
}

function redirectTarget(response: Response, from: URL): string {
	const location = response.headers.get('location');
	if (!location) return '';
	try {
		return ` to ${new URL(location, from).origin}`;
	} catch {
		return '';
	}
}

async function readBounded(response: Response): Promise<string> {
	const reader = response.body?.getReader();
	if (!reader) return '';
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		size += value.byteLength;
		if (size >= MAX_ERROR_BODY_BYTES) {
			await reader.cancel();
			break;
		}
	}
	return Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
}

function consentText(server: string | undefined, connectUrl: string): string {
	const who = server ? `The MCP server "${server}"` : 'An MCP server';
	return `${who} needs your authorization before I can use it. Open this link to connect your account, then ask again: ${connectUrl}`;
}

/** An answer in the shape the request asked for: one JSON completion, or an SSE stream. */
function consentAnswer(init: RequestInit | undefined, content: string): Response {
	let request: { model?: unknown; stream?: unknown } = {};
	try {
		request = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as typeof request;
	} catch {
		// The answer does not depend on the request beyond model and stream.
	}
	const base = {
		id: 'chatcmpl-dedalus-consent',
		created: Math.floor(Date.now() / 1000),
		model: typeof request.model === 'string' ? request.model : 'dedalus',
	};
	if (request.stream === true) {
		const chunk = (delta: object, finish: string | null) =>
			`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
		const body =
			chunk({ role: 'assistant', content }, null) + chunk({}, 'stop') + 'data: [DONE]\n\n';
		return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
	}
	const completion = {
		...base,
		object: 'chat.completion',
		choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
		usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
	};
	return new Response(JSON.stringify(completion), {
		status: 200,
		headers: { 'content-type': 'application/json' },
	});
}

/**
 * Puts the guarded fetch on every OpenAI client config the model holds (ChatOpenAI keeps one per
 * API: itself, `completions`, `responses`; n8n 2.41.1 / @langchain/openai 1.4.4). The clients are
 * built lazily on the first request, so this takes effect for all of them. False when there is
 * no such config: the caller then refuses the model rather than send keys unguarded.
 */
export function installFetch(model: unknown, fetchImpl: Fetch): boolean {
	const holders = [model, field(model, 'completions'), field(model, 'responses')];
	let installed = 0;
	for (const holder of holders) {
		const config = field(holder, 'clientConfig');
		if (!config || typeof config !== 'object') continue;
		(config as { fetch?: Fetch }).fetch = fetchImpl;
		// A client built before this point would keep the old fetch.
		if (field(holder, 'client') !== undefined) (holder as { client?: unknown }).client = undefined;
		installed++;
	}
	return installed > 0;
}

function field(value: unknown, name: string): unknown {
	return value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * The error a failed attempt becomes, or undefined to let n8n's handler decide (retry or not).
 * Answers from Dedalus map through the Dedalus node's one error mapping; a consent 401 keeps the
 * link out of the message (which a chat may show to anyone) and puts it in the description.
 */
export function toDedalusError(node: INode, error: unknown): NodeApiError | undefined {
	const failure = error as {
		status?: unknown;
		error?: unknown;
		cause?: unknown;
		retriesLeft?: unknown;
		attemptNumber?: unknown;
	};
	if (failure?.cause instanceof GuardError) return failure.cause;
	if (error instanceof GuardError) return error;
	const status = failure?.status;
	if (typeof status !== 'number') return undefined;
	const retriable = status === 408 || status === 409 || status === 429 || status >= 500;
	const retriesLeft = typeof failure.retriesLeft === 'number' ? failure.retriesLeft : 0;
	if (retriable && retriesLeft > 0) return undefined;
	const retries = typeof failure.attemptNumber === 'number' ? failure.attemptNumber - 1 : 0;
	const mapped = toApiError(node, status, failure.error, undefined, retriable ? retries : 0);
	if (!isAuthorizationRequired(mapped)) return mapped;
	const who = mapped.server ? `MCP server "${mapped.server}"` : 'An MCP server';
	return new NodeApiError(node, { connect_url: mapped.connectUrl } as JsonObject, {
		message: `${who} needs authorization before the Agent can use it`,
		description: `Open this link to connect the Dedalus account, then run again: ${mapped.connectUrl} . Whoever opens it links their account for everyone who uses this workflow's API key. A chat model cannot pause the run; the Dedalus node can (see the README).`,
		httpCode: '401',
	});
}
