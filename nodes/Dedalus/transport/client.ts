import { NodeApiError, NodeOperationError, randomString, sleep } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	IHttpRequestMethods,
	ICredentialsDecrypted,
	IHttpRequestOptions,
	INode,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
	RequestHelperFunctions,
} from 'n8n-workflow';
import type { ZodType } from 'zod';

import { toApiError } from './errors';
import { RequestPacer, advisedDelayMs, backoffDelayMs, shouldRetry } from './retry';
import type { ResponseHeaders } from './retry';

const CREDENTIAL_TYPE = 'dedalusApi';

const DEFAULT_BASE_URL = 'https://api.dedaluslabs.ai';
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

export type DedalusContext = IExecuteFunctions | IWebhookFunctions | ILoadOptionsFunctions;

export interface DedalusRequest<T> {
	method: IHttpRequestMethods;
	/** Starts with `/v1`: the base URL carries no version (docs/dedalus-api.md). */
	path: string;
	body?: object;
	schema: ZodType<T>;
	itemIndex?: number;
	timeoutMs?: number;
	maxRetries?: number;
	signal?: AbortSignal;
	/**
	 * Idempotency-Key for a POST when the caller needs the same key across runs or processes (the
	 * resume path: authorization/resume.ts). Default: a fresh random key per request.
	 */
	idempotencyKey?: string;
}

interface FullResponse {
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

	private constructor(
		private readonly context: DedalusContext,
		private readonly baseUrl: string,
		private readonly credentials: ICredentialsDecrypted,
	) {}

	static async connect(context: DedalusContext): Promise<DedalusClient> {
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

	async request<T>(request: DedalusRequest<T>): Promise<T> {
		const node = this.context.getNode();
		const maxRetries = request.maxRetries ?? DEFAULT_MAX_RETRIES;
		// One key for the request and all its retries, as the SDKs do, so a retried POST can be deduplicated.
		const idempotencyKey =
			request.method === 'GET'
				? undefined
				: (request.idempotencyKey ?? `n8n-dedalus-${randomString(24)}`);
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
			headers: {
				Accept: 'application/json',
				...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
			},
			...(request.body ? { body: request.body as JsonObject } : {}),
			...(request.signal ? { abortSignal: request.signal } : {}),
		};
		const send = this.context.helpers
			.httpRequestWithAuthentication as RequestHelperFunctions['httpRequestWithAuthentication'];

		for (let retries = 0; ; retries++) {
			await this.pacer.ready();
			throwIfCancelled(request.signal, node, request.itemIndex);
			let response: FullResponse;
			try {
				// Read once per run: without it n8n loads and decrypts the credential again for every request.
				response = (await send.call(this.context, CREDENTIAL_TYPE, options, {
					credentialsDecrypted: this.credentials,
				})) as FullResponse;
			} catch (error) {
				throwIfCancelled(request.signal, node, request.itemIndex);
				if (retries < maxRetries) {
					await this.pacer.ready();
					await sleep(backoffDelayMs(retries));
					continue;
				}
				throw connectionError(node, error, request.itemIndex, retries);
			}

			const { statusCode, headers } = response;
			if (statusCode >= 200 && statusCode < 300) {
				return parseBody(node, response.body, request.schema, request.itemIndex);
			}
			if (retries < maxRetries && shouldRetry(statusCode, headers)) {
				const advised = advisedDelayMs(headers);
				if (advised !== undefined || statusCode === 429) {
					// The server told us to slow down: hold every request of this run, not just this one.
					this.pacer.holdAll(advised ?? backoffDelayMs(retries));
				} else {
					await sleep(backoffDelayMs(retries));
				}
				continue;
			}
			throw toApiError(node, statusCode, response.body, request.itemIndex, retries);
		}
	}
}

function throwIfCancelled(signal: AbortSignal | undefined, node: INode, itemIndex?: number) {
	if (signal?.aborted) {
		throw new NodeOperationError(node, 'The execution was canceled before this request was sent', {
			itemIndex,
		});
	}
}

function connectionError(
	node: INode,
	error: unknown,
	itemIndex: number | undefined,
	retries: number,
) {
	// Never wrap the raw error: a request library error carries the request config, headers included.
	// n8n's request helper already wraps network failures (code in httpCode or cause.code); plain errors carry code.
	const failure = error as { code?: string; httpCode?: string; cause?: { code?: string } };
	const code = failure?.cause?.code ?? failure?.code ?? failure?.httpCode ?? undefined;
	const reason =
		code === 'ECONNABORTED' || code === 'ETIMEDOUT'
			? 'the request timed out'
			: 'the connection failed';
	// No error code in the response object: NodeApiError would swap our message for a generic one.
	return new NodeApiError(node, {} as JsonObject, {
		message: `Could not reach Dedalus: ${reason}${retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : ''}`,
		description: `${code ? `${code}. ` : ''}Check the Base URL in the Dedalus credential and the network between n8n and Dedalus.`,
		itemIndex,
	});
}

function parseBody<T>(node: INode, body: unknown, schema: ZodType<T>, itemIndex?: number): T {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			throw new NodeApiError(node, {} as JsonObject, {
				message: 'Dedalus returned a response that is not valid JSON',
				description: String(value).slice(0, 200),
				itemIndex,
			});
		}
	}
	const parsed = schema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new NodeApiError(node, {} as JsonObject, {
			message: 'Dedalus returned a response in an unexpected shape',
			description: issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : undefined,
			itemIndex,
		});
	}
	return parsed.data;
}
