import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import type { McpServerEntry } from '../Dedalus/completion/mcp-servers';
import { nameConsentServer } from '../Dedalus/completion/server-names';
import { isAuthorizationRequired } from '../Dedalus/transport';
import { toApiError } from '../Dedalus/transport/errors';
import { redactSecrets } from '../Dedalus/transport/redact';

/** What the model does when an MCP server needs OAuth consent (a sub-node cannot pause the run). */
export type OnAuthorization = 'error' | 'answer';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// Error bodies are short; a hostile one must not be read whole.
const MAX_ERROR_BODY_BYTES = 64 * 1024;
// A chat answer, server-side tool results included, is far below this; a hostile one stops here.
export const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/**
 * Thrown inside the fetch with the error the user should see: the OpenAI client wraps it as a
 * connection error with this as its cause, and toDedalusError unwraps it, so the model is not
 * asked again and n8n shows our message.
 */
class GuardFailure extends Error {
	constructor(readonly error: NodeApiError) {
		super(error.message);
	}
}

/**
 * The fetch the chat model's OpenAI client uses. Everything about a request to Dedalus that the
 * node must decide happens here, out of sight of n8n's LLM tracing (which logs the client's
 * constructor options into the execution, so the provider key must not be one of them):
 * - sends nothing to any origin but the Base URL's;
 * - adds the bring-your-own-key headers (absent when unset, as the credential does);
 * - follows no redirect: n8n's client would follow it and keep X-Provider-Key on it (fetch drops
 *   only Authorization across origins), so a 3xx is an error naming where it pointed;
 * - stops reading an answer larger than MAX_RESPONSE_BYTES;
 * - reads an error answer (bounded) and maps it through the Dedalus node's one error mapping
 *   (the OpenAI client keeps only a body's `error` field), except the ones worth retrying;
 * - a consent 401 becomes an error with the link in its description, or with `answer` an
 *   assistant message that carries the link.
 */
export function guardedFetch(options: {
	node: INode;
	baseUrl: string;
	onAuthorization: OnAuthorization;
	providerHeaders: Record<string, string>;
	/** The API key and the provider key: redacted from every error body before it is read. */
	secrets: string[];
	/** The requested MCP servers: a consent answer names one of them when it can (server-names.ts). */
	mcpServers: McpServerEntry[];
}): Fetch {
	const { node, onAuthorization, providerHeaders, secrets, mcpServers } = options;
	const serverNames = new Map<string, string>();
	const origin = new URL(options.baseUrl).origin;
	const fail = (error: NodeApiError) => new GuardFailure(error);
	return async (input, init) => {
		const target = new URL(
			typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
		);
		if (target.origin !== origin) {
			throw fail(
				new NodeApiError(node, {} as JsonObject, {
					message: `Refused to send the Dedalus key to ${target.origin}`,
					description: `Only the Base URL's origin (${origin}) receives it.`,
				}),
			);
		}
		const headers = new Headers(init?.headers);
		for (const [name, value] of Object.entries(providerHeaders)) headers.set(name, value);
		const response = await fetch(input, { ...init, headers, redirect: 'manual' });
		const { status } = response;
		if (status >= 300 && status < 400) {
			await response.body?.cancel();
			throw fail(
				new NodeApiError(node, {} as JsonObject, {
					message: `Dedalus answered ${status} with a redirect${redirectTarget(response, target)}; it was not followed`,
					description: `Redirects are never followed, so the API key and the provider key stay with ${origin}. Check the Base URL in the Dedalus credential.`,
					httpCode: String(status),
				}),
			);
		}
		if (status < 400) return capped(response, node);
		if (isRetriable(status)) return response;

		const body = redactSecrets(await readBounded(response), secrets);
		const error = toApiError(node, status, body, undefined, 0);
		if (!isAuthorizationRequired(error)) throw fail(error);
		const server = nameConsentServer(error, mcpServers, serverNames);
		if (onAuthorization === 'answer') {
			return consentAnswer(init, consentText(server, error.connectUrl));
		}
		throw fail(consentError(node, server, error.connectUrl));
	};
}

/** The answer as it streams in, failing once it passes MAX_RESPONSE_BYTES. */
function capped(response: Response, node: INode): Response {
	if (!response.body) return response;
	let seen = 0;
	const limited = response.body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				seen += chunk.byteLength;
				if (seen > MAX_RESPONSE_BYTES) {
					controller.error(
						new GuardFailure(
							new NodeApiError(node, {} as JsonObject, {
								message: `Dedalus answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; the answer was not read`,
							}),
						),
					);
					return;
				}
				controller.enqueue(chunk);
			},
		}),
	);
	return new Response(limited, {
		status: response.status,
		statusText: response.statusText,
		headers: response.headers,
	});
}

function isRetriable(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

function consentError(node: INode, server: string | undefined, connectUrl: string): NodeApiError {
	const who = server ? `MCP server "${server}"` : 'An MCP server';
	return new NodeApiError(node, { connect_url: connectUrl } as JsonObject, {
		message: `${who} needs authorization before the Agent can use it`,
		description: `Open this link to connect the Dedalus account, then run again: ${connectUrl} . Whoever opens it links their account for everyone who uses this workflow's API key. A chat model cannot pause the run; the Dedalus node can (see the README).`,
		httpCode: '401',
	});
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
 * Puts the guarded fetch wherever n8n's ChatOpenAI (@langchain/openai 1.4.4 in n8n 2.41.1) builds
 * an OpenAI client from: the client config of the model and of its `completions` and `responses`
 * halves, and the constructor fields' `configuration`, from which bindTools/withConfig build a
 * new model (the Agent always binds its tools). Clients are built lazily on the first request.
 * False when there is no client config: the caller then refuses the model rather than send keys
 * unguarded.
 */
export function installFetch(model: unknown, fetchImpl: Fetch): boolean {
	let installed = 0;
	for (const holder of [model, field(model, 'completions'), field(model, 'responses')]) {
		const config = field(holder, 'clientConfig');
		if (!config || typeof config !== 'object') continue;
		(config as { fetch?: Fetch }).fetch = fetchImpl;
		// A client built before this point would keep the old fetch.
		if (field(holder, 'client') !== undefined) (holder as { client?: unknown }).client = undefined;
		installed++;
	}
	const configuration = field(field(model, 'fields'), 'configuration');
	if (configuration && typeof configuration === 'object') {
		(configuration as { fetch?: Fetch }).fetch = fetchImpl;
	} else if (installed > 0) {
		// Models derived with bindTools would go out unguarded.
		return false;
	}
	return installed > 0;
}

function field(value: unknown, name: string): unknown {
	return value && typeof value === 'object' ? (value as Record<string, unknown>)[name] : undefined;
}

/**
 * The error a failed attempt becomes, or undefined to let n8n's handler decide (retry or not).
 * What the guard decided passes unchanged; a retriable answer that used up its retries maps
 * through the Dedalus node's error mapping.
 */
export function toDedalusError(
	node: INode,
	error: unknown,
	secrets: string[],
): NodeApiError | undefined {
	const failure = error as {
		status?: unknown;
		error?: unknown;
		cause?: unknown;
		retriesLeft?: unknown;
		attemptNumber?: unknown;
	};
	if (failure?.cause instanceof GuardFailure) return failure.cause.error;
	if (error instanceof GuardFailure) return error.error;
	const status = failure?.status;
	if (typeof status !== 'number') return undefined;
	const retriesLeft = typeof failure.retriesLeft === 'number' ? failure.retriesLeft : 0;
	if (isRetriable(status) && retriesLeft > 0) return undefined;
	const retries = typeof failure.attemptNumber === 'number' ? failure.attemptNumber - 1 : 0;
	const body = redactSecrets(JSON.stringify(failure.error ?? {}), secrets);
	return toApiError(node, status, body, undefined, retries);
}
