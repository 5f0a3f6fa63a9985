import { NodeApiError, NodeOperationError, randomString } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	IHttpRequestMethods,
	ICredentialsDecrypted,
	IHttpRequestOptions,
	INode,
	ILoadOptionsFunctions,
	ISupplyDataFunctions,
	IWebhookFunctions,
	JsonObject,
	RequestHelperFunctions,
} from 'n8n-workflow';
import type { ZodType } from 'zod';

import { toApiError } from './errors';
import {
	DEFAULT_MAX_RESPONSE_BYTES,
	ResponseTooLargeError,
	clipText,
	parseIfString,
	readBoundedBytes,
} from './limits';
import type { UploadBody } from './multipart';
import { StreamTextRedactor, redactSecrets, redactValue } from './redact';
import {
	RequestPacer,
	advisedDelayMs,
	backoffDelayMs,
	header,
	shouldRetry,
	waitUnlessCancelled,
} from './retry';
import type { ResponseHeaders } from './retry';

const CREDENTIAL_TYPE = 'dedalusApi';

const DEFAULT_BASE_URL = 'https://api.dedaluslabs.ai';
const DEFAULT_AUTH_SERVER_URL = 'https://as.dedaluslabs.ai';
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 2;

/** Where a Dedalus request can come from: the node's run, its webhook, the editor, the chat model's supplyData. */
export type DedalusContext =
	| IExecuteFunctions
	| IWebhookFunctions
	| ILoadOptionsFunctions
	| ISupplyDataFunctions;

export interface DedalusRequest<T> {
	method: IHttpRequestMethods;
	/** Starts with `/v1`: the base URL carries no version (docs/dedalus-api.md). */
	path: string;
	/**
	 * An absolute URL instead of Base URL + path, for a link Dedalus handed out (`poll_url`). The
	 * caller checks that the URL may see the API key (transport/poll.ts); redirects are not followed.
	 */
	url?: string;
	body?: object;
	/**
	 * A body sent as it is (a multipart upload: transport/multipart.ts; JSON with a file inline:
	 * transport/json-file-body.ts) instead of JSON `body`.
	 */
	upload?: UploadBody;
	/** Accept header; default application/json. */
	accept?: string;
	schema: ZodType<T>;
	itemIndex?: number;
	/** Bounds each attempt as a whole, connect to last byte (not just the gaps between bytes). */
	timeoutMs?: number;
	maxRetries?: number;
	/** Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
	maxResponseBytes?: number;
	signal?: AbortSignal;
	/**
	 * Idempotency-Key for a POST when the caller needs the same key across runs or processes (the
	 * resume path: authorization/resume.ts). Default: a fresh random key per request.
	 */
	idempotencyKey?: string;
	/** Leaves out X-Provider and X-Provider-Key (the consent poll: transport/poll.ts). */
	withoutProviderKey?: boolean;
}

/** A successful answer that is a file (speech): its bytes, bounded by maxResponseBytes. */
export interface BinaryAnswer {
	data: Buffer;
	contentType?: string;
}

export interface FullResponse {
	body: unknown;
	headers: ResponseHeaders;
	statusCode: number;
}

/**
 * The one HTTP path to Dedalus: n8n's authenticated request helper (so n8n's proxy, TLS and
 * credential handling apply), the SDK retry contract, error mapping and response validation.
 */
export class DedalusClient {
	readonly pacer = new RequestPacer();

	/** The API key and the provider key: redacted from every response body (transport/redact.ts). */
	private readonly secrets: string[];

	private constructor(
		private readonly context: DedalusContext,
		readonly baseUrl: string,
		private readonly credentials: ICredentialsDecrypted,
	) {
		const data = credentials.data ?? {};
		this.secrets = [data.apiKey, data.providerApiKey]
			.map((value) => (typeof value === 'string' ? value : ''))
			.filter((value) => value !== '');
	}

	static async fromCredentials(context: DedalusContext): Promise<DedalusClient> {
		const data = await context.getCredentials(CREDENTIAL_TYPE);
		const baseUrl = (String(data.baseUrl ?? '') || DEFAULT_BASE_URL).replace(/\/+$/, '');
		const reference = context.getNode().credentials?.[CREDENTIAL_TYPE];
		const credentials = {
			id: reference?.id ?? '',
			name: reference?.name ?? '',
			type: CREDENTIAL_TYPE,
			data,
		};
		return new DedalusClient(context, baseUrl, credentials);
	}

	get node(): INode {
		return this.context.getNode();
	}

	url(path: string): string {
		return `${this.baseUrl}${path}`;
	}

	/** The API key and the provider key replaced by [redacted] wherever a server echoed them. */
	redact(text: string): string {
		return redactSecrets(text, this.secrets);
	}

	/** {@link redact} for every string of a parsed value (an answer assembled from a stream). */
	redactValue<T>(value: T): T {
		return redactValue(value, this.secrets);
	}

	/** A redactor for text forwarded piece by piece, holding back what may be a key's start. */
	textRedactor(): StreamTextRedactor {
		return new StreamTextRedactor(this.secrets);
	}

	/** One attempt through n8n's authenticated helper, for callers that read the body themselves (stream.ts). */
	async send(options: IHttpRequestOptions): Promise<FullResponse> {
		const send = this.context.helpers
			.httpRequestWithAuthentication as RequestHelperFunctions['httpRequestWithAuthentication'];
		return (await send.call(this.context, CREDENTIAL_TYPE, options, {
			credentialsDecrypted: this.credentials,
		})) as FullResponse;
	}

	/** The DAuth server whose JWKS encrypts MCP server credentials (transport/jwks.ts). */
	get authServerUrl(): string {
		return String(this.credentials.data?.authServerUrl ?? '') || DEFAULT_AUTH_SERVER_URL;
	}

	async request<T>(request: DedalusRequest<T>): Promise<T> {
		return (await this.exchange(request, 'json')) as T;
	}

	/** Like request(), for an answer that is plain text (a transcript as text, srt or vtt): redacted, unparsed. */
	async requestText(request: Omit<DedalusRequest<never>, 'schema'>): Promise<string> {
		return (await this.exchange({ ...request, schema: undefined as never }, 'text')) as string;
	}

	/** Like request(), for an answer that is a file: the 2xx body comes back as bytes, unparsed. */
	async requestBinary(request: Omit<DedalusRequest<never>, 'schema'>): Promise<BinaryAnswer> {
		return (await this.exchange(
			{ ...request, schema: undefined as never },
			'binary',
		)) as BinaryAnswer;
	}

	private async exchange<T>(
		request: DedalusRequest<T>,
		answer: 'json' | 'text' | 'binary',
	): Promise<T | string | BinaryAnswer> {
		const node = this.context.getNode();
		const maxRetries = request.maxRetries ?? DEFAULT_MAX_RETRIES;
		const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		const maxBytes = request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
		// One key for the request and all its retries, as the SDKs do, so a retried POST can be deduplicated.
		const idempotencyKey =
			request.method === 'GET'
				? undefined
				: (request.idempotencyKey ?? `n8n-dedalus-${randomString(24)}`);
		const url = request.url ?? `${this.baseUrl}${request.path}`;
		const options: IHttpRequestOptions = {
			method: request.method,
			url,
			// The body is read here, bounded in size and time, and redacted before it is parsed.
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// n8n's helper re-sends Authorization across origins on a redirect, and X-Provider-Key always.
			disableFollowRedirect: true,
			timeout: timeoutMs,
			headers: {
				Accept: request.accept ?? 'application/json',
				...(request.upload
					? { 'Content-Type': request.upload.contentType }
					: request.body
						? { 'Content-Type': 'application/json' }
						: {}),
				...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
			},
			...(request.upload
				? { body: request.upload.data }
				: request.body
					? { body: request.body as JsonObject }
					: {}),
		};
		const send = this.context.helpers
			.httpRequestWithAuthentication as RequestHelperFunctions['httpRequestWithAuthentication'];
		// The credential's authenticate() adds the bring-your-own-key headers only when they are set.
		const credentialsDecrypted = request.withoutProviderKey
			? {
					...this.credentials,
					data: { ...this.credentials.data, provider: '', providerApiKey: '' },
				}
			: this.credentials;

		for (let retries = 0; ; retries++) {
			await this.pacer.ready(request.signal);
			throwIfCancelled(request.signal, node, request.itemIndex);
			// The timeout covers the whole attempt, connect to last byte: a server that trickles
			// bytes cannot keep the item waiting.
			const deadline = AbortSignal.timeout(timeoutMs);
			const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
			let statusCode: number;
			let headers: ResponseHeaders;
			let bytes: Buffer;
			try {
				// Read once per run: without it n8n loads and decrypts the credential again for every request.
				const response = (await send.call(
					this.context,
					CREDENTIAL_TYPE,
					{ ...options, abortSignal: signal },
					{ credentialsDecrypted },
				)) as FullResponse;
				({ statusCode, headers } = response);
				bytes = await readBoundedBytes(response.body, maxBytes, signal);
			} catch (error) {
				throwIfCancelled(request.signal, node, request.itemIndex);
				if (error instanceof ResponseTooLargeError) {
					throw tooLargeError(node, maxBytes, request.itemIndex);
				}
				if (retries < maxRetries) {
					await this.pacer.ready(request.signal);
					await waitUnlessCancelled(backoffDelayMs(retries), request.signal);
					continue;
				}
				throw connectionError(node, error, request.itemIndex, retries, {
					timedOutAfterMs: deadline.aborted ? timeoutMs : undefined,
				});
			}
			if (answer === 'binary' && statusCode >= 200 && statusCode < 300) {
				return { data: bytes, contentType: header(headers, 'content-type') };
			}
			const body = redactSecrets(bytes.toString('utf8'), this.secrets);

			if (answer === 'text' && statusCode >= 200 && statusCode < 300) return body;
			if (statusCode >= 200 && statusCode < 300) {
				return parseBody(node, body, request.schema, request.itemIndex);
			}
			await this.retryOrThrow({ statusCode, headers }, body, url, request, retries, maxRetries);
		}
	}

	/**
	 * What a non-2xx answer means, for the plain and the streamed request alike (stream.ts): a 3xx
	 * is never followed; a retryable status waits and returns, so the caller tries again (a 429 or
	 * an advised delay holds every request of this run, not just this one); anything else throws.
	 */
	async retryOrThrow(
		response: Pick<FullResponse, 'statusCode' | 'headers'>,
		body: unknown,
		url: string,
		request: { itemIndex?: number; signal?: AbortSignal },
		retries: number,
		maxRetries: number,
	): Promise<void> {
		const node = this.context.getNode();
		const { statusCode, headers } = response;
		if (statusCode >= 300 && statusCode < 400) {
			throw redirectError(node, url, headers, statusCode, request.itemIndex);
		}
		if (retries < maxRetries && shouldRetry(statusCode, headers)) {
			const advised = advisedDelayMs(headers);
			if (advised !== undefined || statusCode === 429) {
				this.pacer.holdAll(advised ?? backoffDelayMs(retries));
			} else {
				await waitUnlessCancelled(backoffDelayMs(retries), request.signal);
			}
			return;
		}
		throw toApiError(node, statusCode, body, request.itemIndex, retries, headers);
	}
}

/** A redirect is never followed: it would carry both keys to wherever it points. */
export function redirectError(
	node: INode,
	url: string,
	headers: ResponseHeaders,
	statusCode: number,
	itemIndex: number | undefined,
): NodeApiError {
	const location = headers.location ?? headers.Location;
	let target = 'another address';
	try {
		target = new URL(String(Array.isArray(location) ? location[0] : location), url).origin;
	} catch {
		// No usable Location: say so in general terms.
	}
	return new NodeApiError(node, { status: statusCode } as JsonObject, {
		message: `Dedalus answered with a redirect (${statusCode}) to ${clipText(target, 200)}, which was not followed so that the API key stays with ${new URL(url).origin}`,
		description:
			'Check the Base URL in the Dedalus credential: it must be the API address itself (for example https://api.dedaluslabs.ai), not one that redirects.',
		httpCode: String(statusCode),
		itemIndex,
	});
}

export function tooLargeError(node: INode, maxBytes: number, itemIndex: number | undefined) {
	const megabytes = Math.round((maxBytes / 1024 / 1024) * 100) / 100;
	return new NodeApiError(node, {} as JsonObject, {
		message: `Dedalus's answer is larger than ${megabytes} MB, so it was not read`,
		description:
			'Raise Max Response Size in the options if such a large answer is expected, or ask for a shorter one (Maximum Number of Tokens).',
		itemIndex,
	});
}

export function throwIfCancelled(signal: AbortSignal | undefined, node: INode, itemIndex?: number) {
	if (signal?.aborted) {
		throw new NodeOperationError(node, 'The execution was canceled before this request was sent', {
			itemIndex,
		});
	}
}

/** Why a request failed before an answer, in words, and the network error code if there is one. */
export function failureOf(
	error: unknown,
	timedOutAfterMs?: number,
): { code: string | undefined; reason: string } {
	// Never wrap the raw error: a request library error carries the request config, headers included.
	// n8n's request helper already wraps network failures (code in httpCode or cause.code); plain errors carry code.
	const failure = error as { code?: string; httpCode?: string; cause?: { code?: string } };
	const code = failure?.cause?.code ?? failure?.code ?? failure?.httpCode ?? undefined;
	const reason =
		timedOutAfterMs !== undefined
			? `the request timed out (no complete answer within ${timedOutAfterMs} ms)`
			: code === 'ECONNABORTED' || code === 'ETIMEDOUT'
				? 'the request timed out'
				: 'the connection failed';
	return { code, reason };
}

export function connectionError(
	node: INode,
	error: unknown,
	itemIndex: number | undefined,
	retries: number,
	{ timedOutAfterMs }: { timedOutAfterMs?: number } = {},
) {
	const { code, reason } = failureOf(error, timedOutAfterMs);
	// No error code in the response object: NodeApiError would swap our message for a generic one.
	return new NodeApiError(node, {} as JsonObject, {
		message: `Could not reach Dedalus: ${reason}${retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`,
		description: `${code ? `${code}. ` : ''}Check the Base URL in the Dedalus credential and the network between n8n and Dedalus.`,
		itemIndex,
	});
}

function parseBody<T>(node: INode, body: unknown, schema: ZodType<T>, itemIndex?: number): T {
	const json = parseIfString(body);
	if (!json) {
		throw new NodeApiError(node, {} as JsonObject, {
			message: 'Dedalus returned a response that is not valid JSON',
			description: clipText(String(body), 200),
			itemIndex,
		});
	}
	const parsed = schema.safeParse(json.value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new NodeApiError(node, {} as JsonObject, {
			message: 'Dedalus returned a response in an unexpected shape',
			description: issue
				? clipText(`${issue.path.join('.') || '(root)'}: ${issue.message}`)
				: undefined,
			itemIndex,
		});
	}
	return parsed.data;
}
