import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { MAX_LINK_LENGTH, clipText, parseIfString } from './limits';
import type { ResponseHeaders } from './retry';
import { errorBodySchema } from './schemas';
import type { ErrorBody } from './schemas';

/** What a consent answer says: the link for a person, and what the node needs to follow it up. */
export interface ConsentRequest {
	connectUrl: string;
	/** Where to ask whether consent was given (`poll_url`); only ever asked with the rules of transport/poll.ts. */
	pollUrl?: string;
	/** The API's id of the server (`server_id`, `deployment_id`, or `connect_url`'s `server=`). */
	serverId?: string;
	/** The name a person reads: the requested `mcp_servers` entry, an old `detail.server`, else the id. */
	server?: string;
}

/**
 * A 401 that carries a `connect_url`: an MCP server needs the user's OAuth consent.
 * Kept apart from every other error, because it is the one the node can recover from by waiting.
 */
export class AuthorizationRequiredError extends NodeApiError {
	readonly connectUrl: string;

	readonly server: string | undefined;

	readonly pollUrl: string | undefined;

	readonly serverId: string | undefined;

	readonly requestId: string | undefined;

	constructor(node: INode, consent: ConsentRequest, itemIndex?: number, requestId?: string) {
		const { connectUrl, server } = consent;
		const who = server ? `MCP server "${server}"` : 'An MCP server';
		super(node, { connect_url: connectUrl, ...(server ? { server } : {}) } as JsonObject, {
			message: `${who} needs authorization. Open this link to grant access, then run again: ${connectUrl}`,
			description: withRequestId(`connect_url: ${connectUrl}`, requestId),
			httpCode: '401',
			itemIndex,
		});
		this.connectUrl = connectUrl;
		this.server = server;
		this.pollUrl = consent.pollUrl;
		this.serverId = consent.serverId;
		this.requestId = requestId;
	}

	/** The same consent request with the server named for a person (shared/mcp/server-names.ts). */
	withServer(node: INode, server: string | undefined): AuthorizationRequiredError {
		if (server === this.server) return this;
		return new AuthorizationRequiredError(
			node,
			{ ...this.consent, server },
			this.context.itemIndex as number | undefined,
			this.requestId,
		);
	}

	get consent(): ConsentRequest {
		return {
			connectUrl: this.connectUrl,
			...(this.pollUrl ? { pollUrl: this.pollUrl } : {}),
			...(this.serverId ? { serverId: this.serverId } : {}),
			...(this.server ? { server: this.server } : {}),
		};
	}
}

export function isAuthorizationRequired(error: unknown): error is AuthorizationRequiredError {
	return error instanceof AuthorizationRequiredError;
}

/**
 * The one link rule: only http(s) links of at most `maxLength` characters are ever shown, linked
 * or followed. Self-contained, because the authorization page's script embeds this function's
 * source (authorization/page.ts) so the browser applies the very same rule.
 */
export function isHttpLinkWithin(value: unknown, maxLength: number): boolean {
	if (typeof value !== 'string' || value.length > maxLength) return false;
	try {
		const url = new URL(value);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

const LOOPBACK_HOSTS = /^(localhost|.*\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** This machine (URL.hostname form): the one place where plain http is not readable on the way. */
export function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_HOSTS.test(hostname);
}

/** {@link isHttpLinkWithin} with the node's link length limit. */
export function isHttpUrl(value: string): boolean {
	return isHttpLinkWithin(value, MAX_LINK_LENGTH);
}

export function parseErrorBody(body: unknown): ErrorBody {
	const json = parseIfString(body);
	if (!json) return {};
	const parsed = errorBodySchema.safeParse(json.value);
	return parsed.success ? parsed.data : {};
}

function detailObject(body: ErrorBody) {
	const { detail } = body;
	return detail && typeof detail === 'object' && !Array.isArray(detail) ? detail : undefined;
}

export function findConnectUrl(body: ErrorBody): string | undefined {
	return body.connect_url ?? detailObject(body)?.connect_url ?? undefined;
}

/** `error: "oauth_required"` (Python SDK `lib/oauth_handler.py`), at the top level or under `detail`. */
export function isOAuthRequired(body: ErrorBody): boolean {
	return body.error === 'oauth_required' || detailObject(body)?.error === 'oauth_required';
}

function serverParameter(connectUrl: string): string | undefined {
	try {
		return new URL(connectUrl).searchParams.get('server') ?? undefined;
	} catch {
		return undefined;
	}
}

/** Everything a consent body says, wherever it says it (docs/dedalus-api.md). */
export function readConsentRequest(body: ErrorBody, connectUrl: string): ConsentRequest {
	const detail = detailObject(body);
	const pollUrl = body.poll_url ?? detail?.poll_url ?? undefined;
	const serverId =
		body.server_id ??
		body.deployment_id ??
		detail?.server_id ??
		detail?.deployment_id ??
		serverParameter(connectUrl);
	// API-supplied and shown on the page and in the notice: kept short.
	const server = detail?.server ? clipText(detail.server, 200) : undefined;
	return {
		connectUrl,
		...(pollUrl && isHttpUrl(pollUrl) ? { pollUrl } : {}),
		...(serverId ? { serverId } : {}),
		...(server ? { server } : {}),
	};
}

/** The API's own words, whatever shape the body has; 422 lists are flattened to `field: message; ...`. */
export function apiMessage(body: ErrorBody): string | undefined {
	const { detail, error } = body;
	if (typeof detail === 'string') return detail;
	if (Array.isArray(detail)) {
		return detail
			.map((entry) => {
				const field = (entry.loc ?? []).filter((part) => part !== 'body').join('.');
				return field ? `${field}: ${entry.msg}` : entry.msg;
			})
			.join('; ');
	}
	if (detail && typeof detail === 'object' && detail.message) return detail.message;
	if (typeof error === 'string') return error;
	if (error && typeof error === 'object' && error.message) return error.message;
	return body.message ?? undefined;
}

// Validation errors come as 400 (the docs) or 422 (the OpenAPI): one message for both.
const STATUS_MESSAGES: Record<number, string> = {
	400: 'Dedalus could not accept the request parameters',
	401: 'The Dedalus API key was rejected. Check the API key in the Dedalus credential',
	402: 'The Dedalus account is out of balance or over its quota. Check billing in the Dedalus dashboard',
	403: 'The Dedalus API key is not allowed to do this',
	404: 'Dedalus could not find what was asked for (check the model ID)',
	408: 'Dedalus timed out waiting for the request',
	409: 'Dedalus reported a conflict',
	422: 'Dedalus could not accept the request parameters',
	429: 'Dedalus rate limit reached. Try again later, lower the concurrency or raise the retries',
};

/** Support asks for the request id: every API error shows it when the answer carried one. */
export function requestIdOf(headers: ResponseHeaders | undefined): string | undefined {
	const value = headers?.['x-request-id'];
	const id = Array.isArray(value) ? value[0] : value;
	// An id, not free text: bounded and printable, so a hostile header cannot fill the message.
	return id && /^[\x21-\x7e]{1,128}$/.test(id) ? id : undefined;
}

function withRequestId(description: string | undefined, requestId: string | undefined) {
	if (!requestId) return description;
	return description ? `${description} (request id: ${requestId})` : `Request id: ${requestId}`;
}

/** One mapping from an HTTP error answer to the error the user sees. */
export function toApiError(
	node: INode,
	statusCode: number,
	rawBody: unknown,
	itemIndex: number | undefined,
	retries: number,
	headers?: ResponseHeaders,
): NodeApiError {
	const body = parseErrorBody(rawBody);
	const requestId = requestIdOf(headers);
	const connectUrl = findConnectUrl(body);
	if (statusCode === 401 && (connectUrl !== undefined || isOAuthRequired(body))) {
		if (connectUrl === undefined || !isHttpUrl(connectUrl)) {
			// Consent is what is missing, not a valid key: saying "API key rejected" would send the person the wrong way.
			return new NodeApiError(node, { status: statusCode } as JsonObject, {
				message:
					connectUrl === undefined
						? 'An MCP server needs authorization, but Dedalus sent no consent link to open'
						: 'Dedalus asked for authorization with a connect_url that is not an http(s) link, so it was not followed',
				description: withRequestId(
					'Run the workflow again to get a new link, or grant access to the MCP server in the Dedalus dashboard.',
					requestId,
				),
				httpCode: '401',
				itemIndex,
			});
		}
		return new AuthorizationRequiredError(
			node,
			readConsentRequest(body, connectUrl),
			itemIndex,
			requestId,
		);
	}
	const headline =
		STATUS_MESSAGES[statusCode] ??
		(statusCode >= 500
			? `Dedalus had a server error (${statusCode})`
			: `Dedalus answered ${statusCode}`);
	const message = apiMessage(body);
	// API-supplied: cut short, so a huge detail cannot become a huge error, log line or page.
	const detail = message === undefined ? undefined : clipText(message);
	const afterRetries =
		retries > 0 ? ` (after ${retries} ${retries === 1 ? 'retry' : 'retries'})` : '';
	return new NodeApiError(
		node,
		{ status: statusCode, ...(detail ? { detail } : {}) } as JsonObject,
		{
			message: `${headline}${afterRetries}${detail ? `: ${detail}` : ''}`,
			description: withRequestId(detail, requestId),
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

export type NodeError = NodeApiError | NodeOperationError;

/** n8n's error classes pass through; anything else is wrapped so n8n shows it against the item. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): NodeError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error as Error, { itemIndex });
}
