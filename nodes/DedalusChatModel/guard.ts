import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import type { McpServerEntry } from '../../shared/mcp/servers';
import { escapeHtml } from '../../shared/html';
import { nameConsentServer } from '../../shared/mcp/server-names';
import { isAuthorizationRequired } from '../../shared/transport';
import { toApiError } from '../../shared/transport/errors';
import { StreamTextRedactor, redactSecrets } from '../../shared/transport/redact';
import { SseDecoder } from '../../shared/transport/sse';
import type { SseEvent } from '../../shared/transport/sse';

/** What the model does when an MCP server needs OAuth consent (a sub-node cannot pause the run). */
export type OnAuthorization = 'error' | 'answer';

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

// Error bodies are short; a hostile one must not be read whole (any non-2xx, retried ones too).
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
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
 * - bounds each attempt as a whole, connect to last byte, by `timeoutMs` (n8n's client bounds only
 *   the wait for the answer to start, then each read);
 * - stops reading an answer larger than MAX_RESPONSE_BYTES and redacts both keys from it, a JSON
 *   answer whole, a streamed one event by event, holding back text that may be a key's start
 *   (transport/redact.ts), so the answer n8n keeps in the run data carries neither;
 * - reads every error answer bounded (MAX_ERROR_BODY_BYTES) and redacted; one worth retrying goes
 *   back to the client as a new small Response (the client retries it), any other maps through
 *   the Dedalus node's one error mapping (the OpenAI client keeps only a body's `error` field);
 * - a consent 401 becomes an error whose link only the execution shows (consentError), or with
 *   `answer` an assistant message that carries the link.
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
	/** Bounds each attempt as a whole, connect to last byte. */
	timeoutMs: number;
}): Fetch {
	const { node, onAuthorization, providerHeaders, secrets, mcpServers, timeoutMs } = options;
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
		const deadline = AbortSignal.timeout(timeoutMs);
		const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
		const timedOut = () =>
			new GuardFailure(
				new NodeApiError(node, {} as JsonObject, {
					// Not worded "timed out": the OpenAI client swaps any error so worded for its own bare one.
					message: `Could not reach Dedalus: no complete answer within ${timeoutMs} ms`,
					description: 'Raise Timeout in the options if long answers are expected.',
				}),
			);
		// Past the deadline the guard's own error; any other failure (a cancel, a refused connection)
		// goes to the OpenAI client as fetch raised it, since the client decides on those.
		const whenTimedOut = async (error: unknown): Promise<never> =>
			await Promise.reject(deadline.aborted ? timedOut() : error);
		const response = await fetch(input, { ...init, headers, redirect: 'manual', signal }).catch(
			whenTimedOut,
		);
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
		const read = async (maxBytes: number) =>
			await readBounded(response, maxBytes).catch(whenTimedOut);
		if (status < 400) {
			if (isEventStream(response))
				return redactedStream(response, node, secrets, timedOut, deadline);
			const answer = await read(MAX_RESPONSE_BYTES);
			if (answer.truncated) throw tooLarge(node);
			return new Response(redactSecrets(answer.text, secrets), {
				status,
				statusText: response.statusText,
				headers: withoutLength(response.headers),
			});
		}
		const body = redactSecrets((await read(MAX_ERROR_BODY_BYTES)).text, secrets);
		// The client retries these itself: it gets the same status and headers, the body bounded.
		if (isRetriable(status)) {
			return new Response(body, {
				status,
				statusText: response.statusText,
				headers: withoutLength(response.headers),
			});
		}

		const error = toApiError(node, status, body, undefined, 0);
		if (!isAuthorizationRequired(error)) throw fail(error);
		const server = nameConsentServer(error, mcpServers, serverNames);
		if (onAuthorization === 'answer') {
			return consentAnswer(init, consentText(server, error.connectUrl));
		}
		throw fail(consentError(node, server, error.connectUrl));
	};
}

function tooLarge(node: INode): GuardFailure {
	return new GuardFailure(
		new NodeApiError(node, {} as JsonObject, {
			message: `Dedalus answered with more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; the answer was not read`,
		}),
	);
}

function isEventStream(response: Response): boolean {
	return (response.headers.get('content-type') ?? '').toLowerCase().includes('text/event-stream');
}

/** The answer's headers for a body the guard rebuilt: the length and encoding no longer apply. */
function withoutLength(headers: Headers): Headers {
	const copy = new Headers(headers);
	copy.delete('content-length');
	copy.delete('content-encoding');
	return copy;
}

/**
 * A streamed answer, event by event: size-capped, bounded in time, and with both keys redacted,
 * also a key split across deltas (the text of choice 0 passes a StreamTextRedactor, whose held
 * tail goes out with the chunk that finishes the choice, or at [DONE] or the end).
 */
function redactedStream(
	response: Response,
	node: INode,
	secrets: string[],
	timedOut: () => GuardFailure,
	deadline: AbortSignal,
): Response {
	const source = response.body;
	if (!source) return response;
	const reader = source.getReader();
	const decoder = new SseDecoder(MAX_RESPONSE_BYTES);
	const text = new StreamTextRedactor(secrets);
	const encoder = new TextEncoder();
	let seen = 0;
	const encode = (event: SseEvent) =>
		encoder.encode(
			`${event.event === 'message' ? '' : `event: ${event.event}\n`}${event.data
				.split('\n')
				.map((line) => `data: ${line}`)
				.join('\n')}\n\n`,
		);
	const rewrite = (event: SseEvent): SseEvent => {
		const data = redactSecrets(event.data, secrets);
		if (event.event !== 'message' || data.trim() === '[DONE]') return { ...event, data };
		let chunk: {
			choices?: Array<{ index?: number; delta?: { content?: unknown }; finish_reason?: unknown }>;
		};
		try {
			chunk = JSON.parse(data) as typeof chunk;
		} catch {
			return { ...event, data };
		}
		const choice = Array.isArray(chunk?.choices)
			? chunk.choices.find((entry) => (entry?.index ?? 0) === 0)
			: undefined;
		if (!choice) return { ...event, data };
		let content = typeof choice.delta?.content === 'string' ? text.push(choice.delta.content) : '';
		if (choice.finish_reason) content += text.flush();
		if (typeof choice.delta?.content === 'string' || content !== '') {
			choice.delta = { ...choice.delta, content };
		}
		return { ...event, data: JSON.stringify(chunk) };
	};
	const failWith = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
		void reader.cancel().catch(() => undefined);
		controller.error(error);
	};
	const stream = new ReadableStream<Uint8Array>({
		async pull(controller) {
			let next: Awaited<ReturnType<typeof reader.read>>;
			try {
				next = await reader.read();
			} catch (error) {
				failWith(controller, deadline.aborted ? timedOut() : error);
				return;
			}
			try {
				if (next.done) {
					for (const event of decoder.end()) controller.enqueue(encode(rewrite(event)));
					const rest = text.flush();
					// Held text that no finishing chunk took: one more delta before the end.
					if (rest !== '') {
						controller.enqueue(
							encode({
								event: 'message',
								data: JSON.stringify({ choices: [{ index: 0, delta: { content: rest } }] }),
							}),
						);
					}
					controller.close();
					return;
				}
				seen += next.value.byteLength;
				if (seen > MAX_RESPONSE_BYTES) {
					failWith(controller, tooLarge(node));
					return;
				}
				for (const event of decoder.push(next.value)) {
					if (event.data.trim() === '[DONE]') {
						const rest = text.flush();
						if (rest !== '') {
							controller.enqueue(
								encode({
									event: 'message',
									data: JSON.stringify({ choices: [{ index: 0, delta: { content: rest } }] }),
								}),
							);
						}
					}
					controller.enqueue(encode(rewrite(event)));
				}
			} catch (error) {
				failWith(controller, error instanceof GuardFailure ? error : tooLarge(node));
			}
		},
		async cancel(reason) {
			await reader.cancel(reason);
		},
	});
	return new Response(stream, {
		status: response.status,
		statusText: response.statusText,
		headers: withoutLength(response.headers),
	});
}

function isRetriable(status: number): boolean {
	return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * The consent error. Its message and description are what a chat or webhook caller may see (the
 * error chunk of a streaming Agent, a chat's error text), so neither carries the link: whoever opens
 * it links their account for everyone using this workflow's API key. The link goes into the error's
 * context, which n8n keeps with the execution and shows only in the editor: `descriptionTemplate`
 * is what the editor's error view shows in place of the description, on this node and on the Agent
 * (an n8n error that wraps ours shares its context); `connectUrl` is the plain link, for an error
 * workflow. docs/chat-model.md has where each field goes.
 */
function consentError(node: INode, server: string | undefined, connectUrl: string): NodeApiError {
	const who = server ? `MCP server "${server}"` : 'An MCP server';
	const error = new NodeApiError(node, {} as JsonObject, {
		message: `${who} needs authorization before the Agent can use it`,
		description: CONSENT_DESCRIPTION,
		httpCode: '401',
	});
	const link = escapeHtml(connectUrl);
	error.context.connectUrl = connectUrl;
	error.context.descriptionTemplate = `Open this link to connect the Dedalus account, then run again: <a target="_blank" href="${link}">${link}</a> . Whoever opens it links their account for everyone who uses this workflow's API key. A chat model cannot pause the run; the Dedalus node can (see the README).`;
	return error;
}

/** The consent error's description: all a chat or webhook caller may learn of it. */
const CONSENT_DESCRIPTION =
	"The workflow's owner finds the link to connect it in this execution, on the Dedalus Chat Model node.";

function redirectTarget(response: Response, from: URL): string {
	const location = response.headers.get('location');
	if (!location) return '';
	try {
		return ` to ${new URL(location, from).origin}`;
	} catch {
		return '';
	}
}

/** At most `maxBytes` of the body; `truncated` when there was more (the rest is not read). */
async function readBounded(
	response: Response,
	maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
	const reader = response.body?.getReader();
	if (!reader) return { text: '', truncated: false };
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		chunks.push(value);
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel().catch(() => undefined);
			const text = Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
			return { text, truncated: true };
		}
	}
	return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
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
