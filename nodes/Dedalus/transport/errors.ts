import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { MAX_LINK_LENGTH, clipText } from './limits';
import { errorBodySchema } from './schemas';
import type { ErrorBody } from './schemas';

/**
 * A 401 that carries a `connect_url`: an MCP server needs the user's OAuth consent.
 * Kept apart from every other error, because it is the one the node can recover from by waiting.
 */
export class AuthorizationRequiredError extends NodeApiError {
	readonly connectUrl: string;

	readonly server: string | undefined;

	constructor(node: INode, connectUrl: string, server: string | undefined, itemIndex?: number) {
		const who = server ? `MCP server "${server}"` : 'An MCP server';
		super(node, { connect_url: connectUrl, ...(server ? { server } : {}) } as JsonObject, {
			message: `${who} needs authorization. Open this link to grant access, then run again: ${connectUrl}`,
			description: `connect_url: ${connectUrl}`,
			httpCode: '401',
			itemIndex,
		});
		this.connectUrl = connectUrl;
		this.server = server;
	}
}

export function isAuthorizationRequired(error: unknown): error is AuthorizationRequiredError {
	return error instanceof AuthorizationRequiredError;
}

/** Only http(s) links of a sane length are ever shown, linked or followed. */
export function isHttpUrl(value: string): boolean {
	if (value.length > MAX_LINK_LENGTH) return false;
	try {
		const url = new URL(value);
		return url.protocol === 'https:' || url.protocol === 'http:';
	} catch {
		return false;
	}
}

export function parseErrorBody(body: unknown): ErrorBody {
	let value = body;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return {};
		}
	}
	const parsed = errorBodySchema.safeParse(value);
	return parsed.success ? parsed.data : {};
}

export function findConnectUrl(body: ErrorBody): string | undefined {
	if (body.connect_url) return body.connect_url;
	if (body.detail && typeof body.detail === 'object' && !Array.isArray(body.detail)) {
		return body.detail.connect_url;
	}
	return undefined;
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
	return body.message;
}

const STATUS_MESSAGES: Record<number, string> = {
	400: 'Dedalus rejected the request as malformed',
	401: 'The Dedalus API key was rejected. Check the API key in the Dedalus credential',
	403: 'The Dedalus API key is not allowed to do this',
	404: 'Dedalus could not find what was asked for (check the model ID)',
	408: 'Dedalus timed out waiting for the request',
	409: 'Dedalus reported a conflict',
	422: 'Dedalus could not accept the request parameters',
	429: 'Dedalus rate limit reached. Try again later, lower the concurrency or raise the retries',
};

/** One mapping from an HTTP error answer to the error the user sees. */
export function toApiError(
	node: INode,
	statusCode: number,
	rawBody: unknown,
	itemIndex: number | undefined,
	retries: number,
): NodeApiError {
	const body = parseErrorBody(rawBody);
	const connectUrl = findConnectUrl(body);
	if (statusCode === 401 && connectUrl !== undefined) {
		if (!isHttpUrl(connectUrl)) {
			return new NodeApiError(node, { status: statusCode } as JsonObject, {
				message:
					'Dedalus asked for authorization with a connect_url that is not an http(s) link, so it was not followed',
				httpCode: '401',
				itemIndex,
			});
		}
		let server =
			body.detail && typeof body.detail === 'object' && !Array.isArray(body.detail)
				? body.detail.server
				: undefined;
		// API-supplied and shown on the page and in the notice: kept short.
		if (server !== undefined) server = clipText(server, 200);
		return new AuthorizationRequiredError(node, connectUrl, server, itemIndex);
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
			description: detail,
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
