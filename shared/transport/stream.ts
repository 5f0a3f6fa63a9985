import { NodeApiError, randomString } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';
import type { ZodType } from 'zod';

import {
	DEFAULT_MAX_RETRIES,
	DEFAULT_TIMEOUT_MS,
	connectionError,
	throwIfCancelled,
	tooLargeError,
} from './client';
import type { DedalusClient, DedalusRequest, FullResponse } from './client';
import { DEFAULT_MAX_RESPONSE_BYTES, MAX_SHOWN_TEXT, clipText, readBoundedText } from './limits';
import { backoffDelayMs, waitUnlessCancelled } from './retry';
import { ChatChunkAssembler, SseDecoder, SseEventTooLargeError } from './sse';
import type { SseEvent } from './sse';
import type { StreamTextRedactor } from './redact';

export interface StreamHandlers {
	/** The answer started (2xx headers): from here on the request is never sent again. */
	onStart(): Promise<void> | void;
	/** New text of the answer, in order. */
	onText(text: string): Promise<void> | void;
}

export interface StreamRequest<T> extends Omit<DedalusRequest<T>, 'method'> {
	body: object;
}

/**
 * A chat completion with `stream: true`, through the same n8n helper, credential and retry
 * contract as every other request: retried only before the answer starts (once text has reached
 * the client, sending again would show it twice), redirects never followed, the timeout bounding
 * the whole stream, the size capped, cancel honoured. Returns the assembled completion, checked
 * against `schema`, so the output is built exactly as for a non-streamed request.
 */
export async function streamChatCompletion<T>(
	client: DedalusClient,
	request: StreamRequest<T>,
	handlers: StreamHandlers,
): Promise<T> {
	const node = client.node;
	const maxRetries = request.maxRetries ?? DEFAULT_MAX_RETRIES;
	const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
	const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
	const idempotencyKey = `n8n-dedalus-${randomString(24)}`;
	const url = client.url(request.path);

	for (let retries = 0; ; retries++) {
		await client.pacer.ready(request.signal);
		throwIfCancelled(request.signal, node, request.itemIndex);
		// Bounds the whole attempt, connect to last byte: a trickling stream cannot hold the item.
		const deadline = AbortSignal.timeout(timeoutMs);
		const local = new AbortController();
		const signal = AbortSignal.any([
			deadline,
			local.signal,
			...(request.signal ? [request.signal] : []),
		]);
		let response: FullResponse;
		try {
			response = await client.send({
				method: 'POST',
				url,
				// include_usage: OpenAI-style providers send usage in a last chunk only when asked.
				body: {
					...request.body,
					stream: true,
					stream_options: { include_usage: true },
				} as JsonObject,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				// n8n's helper would carry Authorization and X-Provider-Key to wherever a redirect points.
				disableFollowRedirect: true,
				timeout: timeoutMs,
				abortSignal: signal,
				headers: {
					Accept: 'text/event-stream',
					'Content-Type': 'application/json',
					'Idempotency-Key': idempotencyKey,
				},
			});
		} catch (error) {
			throwIfCancelled(request.signal, node, request.itemIndex);
			if (retries < maxRetries) {
				await client.pacer.ready(request.signal);
				await waitUnlessCancelled(backoffDelayMs(retries), request.signal);
				continue;
			}
			throw connectionError(node, error, request.itemIndex, retries, {
				timedOutAfterMs: deadline.aborted ? timeoutMs : undefined,
			});
		}

		const { statusCode } = response;
		if (statusCode >= 200 && statusCode < 300) {
			await handlers.onStart();
			const assembled = await readStream(response.body, {
				signal,
				node,
				itemIndex: request.itemIndex,
				maxBytes,
				timeoutMs,
				abort: () => local.abort(),
				isCancelled: () => request.signal?.aborted === true,
				isTimedOut: () => deadline.aborted,
				onText: handlers.onText,
				redact: (text) => client.redact(text),
				textRedactor: client.textRedactor(),
			});
			// A key streamed in pieces is whole only in the assembled text.
			return parseAssembled(node, client.redactValue(assembled), request.schema, request.itemIndex);
		}

		let body: string;
		try {
			body = client.redact(await readBoundedText(response.body, maxBytes, signal));
		} catch {
			// Too large or broken: the status still tells what happened.
			body = '';
		}
		await client.retryOrThrow(response, body, url, request, retries, maxRetries);
	}
}

interface ReadOptions {
	/** Timeout, cancel or a local abort: ends the read, also while the server is silent. */
	signal: AbortSignal;
	node: INode;
	itemIndex?: number;
	maxBytes: number;
	timeoutMs: number;
	abort(): void;
	isCancelled(): boolean;
	isTimedOut(): boolean;
	onText(text: string): Promise<void> | void;
	/** Echoed keys out of every event before it is read (transport/redact.ts). */
	redact(text: string): string;
	/** Echoed keys out of the forwarded text, also when split across events. */
	textRedactor: StreamTextRedactor;
}

async function readStream(stream: unknown, options: ReadOptions): Promise<unknown> {
	const { node, itemIndex } = options;
	// One event can be no larger than the whole answer may be (characters <= bytes in UTF-8).
	const decoder = new SseDecoder(options.maxBytes);
	const assembler = new ChatChunkAssembler();
	const fail = (message: string, description?: string) =>
		new NodeApiError(node, {} as JsonObject, { message, description, itemIndex });
	const take = async (events: SseEvent[]) => {
		for (const event of events) {
			const text = assembler.accept({ ...event, data: options.redact(event.data) });
			const ready = text === '' ? '' : options.textRedactor.push(text);
			if (ready !== '') await options.onText(ready);
		}
	};
	let received = 0;
	let failure: NodeApiError | undefined;
	// n8n's helper does not tie the abort signal to a body it already handed over.
	const destroy = () =>
		(stream as { destroy?: (error?: Error) => void }).destroy?.(new Error('aborted'));
	if (options.signal.aborted) destroy();
	options.signal.addEventListener('abort', destroy, { once: true });
	try {
		for await (const chunk of asReadable(stream)) {
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
			received += bytes.length;
			if (received > options.maxBytes) {
				failure = tooLargeError(node, options.maxBytes, itemIndex);
				break;
			}
			await take(decoder.push(bytes));
			// After [DONE] nothing counts: a server that keeps the connection open must not hold the item.
			if (assembler.error !== undefined || assembler.finished) break;
		}
		if (failure === undefined && assembler.error === undefined && !assembler.finished)
			await take(decoder.end());
	} catch (error) {
		if (error instanceof SseEventTooLargeError) {
			failure = tooLargeError(node, options.maxBytes, itemIndex);
		} else if (options.isCancelled()) {
			failure = fail('The execution was canceled while Dedalus was streaming the answer');
		} else if (options.isTimedOut()) {
			failure = fail(
				`Could not reach Dedalus: the request timed out (no complete answer within ${options.timeoutMs} ms)`,
				'Raise Request Timeout in the options if long answers are expected.',
			);
		} else {
			failure = fail(
				'The connection to Dedalus broke while the answer was being streamed',
				'The part of the answer that arrived was already sent on; the item was not sent again because that would repeat it.',
			);
		}
	} finally {
		options.signal.removeEventListener('abort', destroy);
		// Stops reading whatever remains (after [DONE] or an error event, past the size cap, or on a failure).
		if (failure !== undefined || assembler.error !== undefined || assembler.finished)
			options.abort();
	}
	if (failure) throw failure;
	if (assembler.error !== undefined) {
		throw fail(
			`Dedalus stopped the streamed answer with an error: ${clipText(assembler.error, MAX_SHOWN_TEXT)}`,
		);
	}
	if (!assembler.complete) {
		throw fail(
			'Dedalus ended the streamed answer before it was complete',
			'The stream closed without a finish reason or [DONE].',
		);
	}
	const rest = options.textRedactor.flush();
	if (rest !== '') await options.onText(rest);
	return assembler.result();
}

function asReadable(stream: unknown): AsyncIterable<unknown> | Iterable<unknown> {
	if (stream && typeof (stream as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
		return stream as AsyncIterable<unknown>;
	}
	// A helper without stream support hands over the text: read it as one chunk.
	const text = typeof stream === 'string' ? stream : stream == null ? '' : JSON.stringify(stream);
	return [Buffer.from(text)];
}

function parseAssembled<T>(node: INode, value: unknown, schema: ZodType<T>, itemIndex?: number): T {
	const parsed = schema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new NodeApiError(node, {} as JsonObject, {
			message: 'Dedalus streamed a response in an unexpected shape',
			description: issue
				? clipText(`${issue.path.join('.') || '(root)'}: ${issue.message}`)
				: undefined,
			itemIndex,
		});
	}
	return parsed.data;
}
