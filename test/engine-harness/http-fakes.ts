/**
 * Express-like request and response objects for calling a node's `webhook()` the way n8n 2.41.1's
 * server does (Express 5, n8n's `rawBodyReader` middleware, body parsed later by
 * `webhook-helpers.parseRequestBody` -> `middlewares/body-parser.parseBody`).
 *
 * What a node sees, as in n8n:
 * - `headers` lower-cased, `query` parsed from the URL (so the resume `signature` is in it),
 *   `params` `{}`;
 * - `body` is `undefined` unless the request had a body with a content type n8n parses
 *   (`application/json`, `application/x-www-form-urlencoded`, `text/plain`); there is no
 *   `req.body ??= {}` for webhook routes in n8n;
 * - `rawBody` is the raw bytes (a Buffer), `contentType`/`encoding` are set from the header.
 */
import { EventEmitter } from 'node:events';
import { parse as parseQueryString, stringify as stringifyQuery } from 'node:querystring';
import { jsonParse } from 'n8n-workflow';

export type QueryValue = string | string[];

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
	/** A string or Buffer is sent as is; anything else is serialised per the content type (JSON by default). */
	body?: unknown;
}

export interface FakeRequest {
	method: string;
	url: string;
	originalUrl: string;
	path: string;
	headers: Record<string, string>;
	query: Record<string, QueryValue>;
	params: Record<string, string>;
	body: unknown;
	rawBody?: Buffer;
	contentType?: string;
	encoding?: BufferEncoding;
	cookies: Record<string, string>;
	hostname: string;
	protocol: string;
	secure: boolean;
	ip: string;
	readRawBody(): Promise<void>;
	get(name: string): string | undefined;
	header(name: string): string | undefined;
}

export function createFakeRequest(init: FakeRequestInit): FakeRequest {
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(init.headers ?? {}))
		headers[name.toLowerCase()] = value;
	headers.host ??= init.host;

	let rawBody: Buffer | undefined;
	if (init.body !== undefined) {
		if (Buffer.isBuffer(init.body)) {
			rawBody = init.body;
		} else if (typeof init.body === 'string') {
			rawBody = Buffer.from(init.body);
			headers['content-type'] ??= 'text/plain';
		} else {
			headers['content-type'] ??= 'application/json';
			const serialised = headers['content-type'].startsWith('application/x-www-form-urlencoded')
				? stringifyQuery(init.body as Record<string, string>)
				: JSON.stringify(init.body);
			rawBody = Buffer.from(serialised);
		}
		headers['content-length'] ??= String(rawBody.length);
	}

	const parsedUrl = new URL(init.url, `http://${headers.host}`);
	const query = parseQueryString(parsedUrl.search.slice(1)) as Record<string, QueryValue>;

	// `@n8n/backend-network` parseIncomingMessage: content type without parameters, charset.
	let contentType: string | undefined;
	let encoding: BufferEncoding | undefined;
	if (headers['content-type']) {
		const [type, ...parameters] = headers['content-type'].split(';').map((part) => part.trim());
		contentType = type.toLowerCase();
		const charset = parameters.find((p) => p.toLowerCase().startsWith('charset='));
		encoding = (charset ? charset.split('=')[1].toLowerCase() : 'utf-8') as BufferEncoding;
	}

	const request: FakeRequest = {
		method: init.method.toUpperCase(),
		url: init.url,
		originalUrl: init.url,
		path: parsedUrl.pathname,
		headers,
		query,
		params: {},
		body: undefined,
		contentType,
		encoding,
		cookies: {},
		hostname: parsedUrl.hostname,
		protocol: 'http',
		secure: false,
		ip: '127.0.0.1',
		async readRawBody() {
			request.rawBody = rawBody ?? Buffer.alloc(0);
		},
		get: (name: string) => headers[name.toLowerCase()],
		header: (name: string) => headers[name.toLowerCase()],
	};
	return request;
}

/** n8n's `middlewares/body-parser.parseBody`, without XML. */
export async function parseBody(req: FakeRequest): Promise<void> {
	if (req.contentType?.startsWith('multipart/')) {
		throw new HarnessError('multipart/form-data bodies are not implemented');
	}
	await req.readRawBody();
	const { rawBody, contentType, encoding } = req;
	if (!rawBody?.length) return;
	const text = () => stripBom(rawBody.toString(encoding));
	if (contentType === 'application/json') {
		req.body = jsonParse(text());
	} else if (contentType?.endsWith('/xml') || contentType?.endsWith('+xml')) {
		throw new HarnessError('XML bodies are not implemented');
	} else if (contentType === 'application/x-www-form-urlencoded') {
		req.body = parseQueryString(text(), undefined, undefined, { maxKeys: 1000 });
	} else if (contentType === 'text/plain') {
		req.body = rawBody.toString(encoding);
	}
}

const stripBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/** Records what is written to it, with the Express 5 methods nodes and n8n use. */
export class FakeResponse extends EventEmitter {
	statusCode = 200;
	readonly locals: Record<string, unknown> = {};
	private readonly headerMap = new Map<string, string | string[]>();
	private readonly chunks: Buffer[] = [];
	headersSent = false;
	writableEnded = false;
	/** Set by `res.render(view, options)` (n8n uses it for form pages); recorded, not rendered. */
	rendered?: { view: string; options?: unknown };

	constructor(readonly req: FakeRequest) {
		super();
	}

	get finished() {
		return this.writableEnded;
	}

	get closed() {
		return this.writableEnded;
	}

	status(code: number) {
		this.statusCode = code;
		return this;
	}

	sendStatus(code: number) {
		this.statusCode = code;
		return this.send(String(code));
	}

	setHeader(name: string, value: string | number | readonly string[]) {
		this.headerMap.set(name.toLowerCase(), Array.isArray(value) ? [...value] : String(value));
		return this;
	}

	setHeaders(headers: Map<string, string> | Headers) {
		headers.forEach((value, name) => this.setHeader(name, value));
		return this;
	}

	getHeader(name: string) {
		return this.headerMap.get(name.toLowerCase());
	}

	getHeaders() {
		return Object.fromEntries(this.headerMap);
	}

	hasHeader(name: string) {
		return this.headerMap.has(name.toLowerCase());
	}

	removeHeader(name: string) {
		this.headerMap.delete(name.toLowerCase());
	}

	set(field: string | Record<string, string>, value?: string | string[]) {
		if (typeof field === 'string') {
			this.setHeader(field, value ?? '');
		} else {
			for (const [name, v] of Object.entries(field)) this.setHeader(name, v);
		}
		return this;
	}

	header(field: string | Record<string, string>, value?: string | string[]) {
		return this.set(field, value);
	}

	get(name: string) {
		return this.getHeader(name);
	}

	type(type: string) {
		const mime = type.includes('/') ? type : (MIME_SHORTHANDS[type] ?? `application/${type}`);
		return this.setHeader('content-type', mime);
	}

	contentType(type: string) {
		return this.type(type);
	}

	writeHead(statusCode: number, headers?: Record<string, string>) {
		this.statusCode = statusCode;
		if (headers) this.set(headers);
		this.headersSent = true;
		return this;
	}

	write(chunk: string | Buffer) {
		this.headersSent = true;
		this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
		return true;
	}

	end(chunk?: string | Buffer) {
		if (this.writableEnded) return this;
		if (chunk !== undefined) this.write(chunk);
		this.headersSent = true;
		this.writableEnded = true;
		this.emit('finish');
		this.emit('close');
		return this;
	}

	send(body?: unknown) {
		if (body === undefined || body === null) return this.end();
		if (Buffer.isBuffer(body)) {
			if (!this.hasHeader('content-type'))
				this.setHeader('content-type', 'application/octet-stream');
			return this.end(body);
		}
		if (typeof body === 'object' || typeof body === 'number' || typeof body === 'boolean') {
			return this.json(body);
		}
		if (!this.hasHeader('content-type')) this.setHeader('content-type', 'text/html; charset=utf-8');
		return this.end(String(body));
	}

	json(body: unknown) {
		if (!this.hasHeader('content-type'))
			this.setHeader('content-type', 'application/json; charset=utf-8');
		return this.end(JSON.stringify(body));
	}

	redirect(statusOrUrl: number | string, url?: string) {
		const [code, location] =
			typeof statusOrUrl === 'number' ? [statusOrUrl, url ?? ''] : [302, statusOrUrl];
		this.statusCode = code;
		this.setHeader('location', location);
		return this.end();
	}

	render(view: string, options?: unknown) {
		this.rendered = { view, options };
		if (!this.hasHeader('content-type')) this.setHeader('content-type', 'text/html; charset=utf-8');
		return this.end(`<rendered view="${view}">`);
	}

	flushHeaders() {
		this.headersSent = true;
	}

	/** Response headers as plain strings (multi-valued headers joined with `, `). */
	headersObject(): Record<string, string> {
		const out: Record<string, string> = {};
		for (const [name, value] of this.headerMap)
			out[name] = Array.isArray(value) ? value.join(', ') : value;
		return out;
	}

	bodyText(): string {
		return Buffer.concat(this.chunks).toString('utf-8');
	}
}

const MIME_SHORTHANDS: Record<string, string> = {
	html: 'text/html; charset=utf-8',
	text: 'text/plain; charset=utf-8',
	json: 'application/json; charset=utf-8',
	txt: 'text/plain; charset=utf-8',
};
