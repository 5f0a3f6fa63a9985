/**
 * The request and response a node's `webhook()` gets from n8n 2.41.1's server (Express 5, n8n's
 * `rawBodyReader` middleware, the body parsed by `webhook-helpers.parseRequestBody` ->
 * `middlewares/body-parser.parseBody`), with only what the nodes and fixtures here touch.
 *
 * What a node sees, as in n8n:
 * - `headers` lower-cased, `query` parsed from the URL (so the resume `signature` is in it),
 *   `params` `{}`;
 * - `body` is `undefined` unless the request had a body n8n parses (here: JSON, the only kind the
 *   tests send; others throw a `Harness:` error); there is no `req.body ??= {}` for webhook routes.
 */
import { parse as parseQueryString } from 'node:querystring';
import { jsonParse } from 'n8n-workflow';

/** Something the harness does not implement (as opposed to something n8n rejects). */
export class HarnessError extends Error {
	constructor(message: string) {
		super(`Harness: ${message}`);
		this.name = 'HarnessError';
	}
}

export interface FakeRequestInit {
	method: string;
	/** Path and query, e.g. `/webhook-waiting/1?signature=abc`. */
	url: string;
	host: string;
	headers?: Record<string, string>;
	/** Sent as JSON unless the headers say otherwise. */
	body?: unknown;
}

export interface FakeRequest {
	method: string;
	url: string;
	headers: Record<string, string>;
	query: Record<string, string | string[]>;
	params: Record<string, string>;
	body: unknown;
	rawBody: Buffer;
	/** The content type without parameters (`@n8n/backend-network` parseIncomingMessage). */
	contentType?: string;
}

export function createFakeRequest(init: FakeRequestInit): FakeRequest {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(init.headers ?? {})) {
		headers[name.toLowerCase()] = value;
	}
	headers.host ??= init.host;

	let rawBody = Buffer.alloc(0);
	if (init.body !== undefined) {
		headers['content-type'] ??= 'application/json';
		rawBody = Buffer.from(JSON.stringify(init.body));
		headers['content-length'] ??= String(rawBody.length);
	}

	const url = new URL(init.url, `http://${headers.host}`);
	return {
		method: init.method.toUpperCase(),
		url: init.url,
		headers,
		query: parseQueryString(url.search.slice(1)) as Record<string, string | string[]>,
		params: {},
		body: undefined,
		rawBody,
		contentType: headers['content-type']?.split(';')[0].trim().toLowerCase(),
	};
}

/** n8n's `middlewares/body-parser.parseBody`, for JSON. */
export function parseBody(req: FakeRequest): void {
	if (req.rawBody.length === 0) return;
	if (req.contentType !== 'application/json') {
		throw new HarnessError(`${String(req.contentType)} bodies are not implemented`);
	}
	req.body = jsonParse(req.rawBody.toString('utf-8'));
}

/** Records what is written to it, with the Express 5 methods the nodes and n8n's route use. */
export class FakeResponse {
	statusCode = 200;
	writableEnded = false;
	private readonly headerMap = new Map<string, string>();
	private body = '';

	status(code: number) {
		this.statusCode = code;
		return this;
	}

	setHeader(name: string, value: string | number) {
		this.headerMap.set(name.toLowerCase(), String(value));
		return this;
	}

	getHeader(name: string) {
		return this.headerMap.get(name.toLowerCase());
	}

	/** Express `res.send` for a string: HTML unless a content type was set. */
	send(body: string) {
		if (!this.headerMap.has('content-type'))
			this.setHeader('content-type', 'text/html; charset=utf-8');
		return this.end(body);
	}

	json(body: unknown) {
		if (!this.headerMap.has('content-type')) {
			this.setHeader('content-type', 'application/json; charset=utf-8');
		}
		return this.end(JSON.stringify(body));
	}

	end(body = '') {
		if (this.writableEnded) return this;
		this.body += body;
		this.writableEnded = true;
		return this;
	}

	headersObject(): Record<string, string> {
		return Object.fromEntries(this.headerMap);
	}

	bodyText(): string {
		return this.body;
	}
}
