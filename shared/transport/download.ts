import { NodeApiError } from 'n8n-workflow';
import type { IHttpRequestOptions, JsonObject } from 'n8n-workflow';

import type { BinaryAnswer, DedalusClient, DedalusContext } from './client';
import { connectionError, tooLargeError } from './client';
import { ResponseTooLargeError, clipText, readBoundedBytes } from './limits';
import { header } from './retry';
import type { ResponseHeaders } from './retry';

/**
 * Whether a file link from an answer may be fetched: https anywhere, or the Base URL's own origin
 * (the address the credential already trusts, which may be plain http for a local gateway).
 */
export function mayDownload(link: string, baseUrl: string): boolean {
	let url: URL;
	try {
		url = new URL(link);
	} catch {
		return false;
	}
	if (url.username !== '' || url.password !== '') return false;
	return url.protocol === 'https:' || url.origin === new URL(baseUrl).origin;
}

/**
 * Fetches a file a Dedalus answer links to (a generated image's `url`) with n8n's plain request
 * helper: no credential, so neither key goes along; no redirect is followed; the answer is bounded
 * in time and size like every Dedalus answer.
 */
export async function downloadFile(
	context: DedalusContext,
	client: DedalusClient,
	link: string,
	{
		itemIndex,
		timeoutMs,
		maxBytes,
		signal,
	}: { itemIndex: number; timeoutMs: number; maxBytes: number; signal?: AbortSignal },
): Promise<BinaryAnswer> {
	const node = context.getNode();
	if (!mayDownload(link, client.baseUrl)) {
		throw new NodeApiError(node, {} as JsonObject, {
			message: `Dedalus answered with a file link that is not https (${clipText(link, 200)}), so it was not fetched`,
			itemIndex,
		});
	}
	const deadline = AbortSignal.timeout(timeoutMs);
	const abortSignal = signal ? AbortSignal.any([deadline, signal]) : deadline;
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: link,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: timeoutMs,
		abortSignal,
	};
	let response: { body: unknown; headers: ResponseHeaders; statusCode: number };
	let data: Buffer;
	try {
		response = (await context.helpers.httpRequest(options)) as typeof response;
		data = await readBoundedBytes(response.body, maxBytes, abortSignal);
	} catch (error) {
		if (error instanceof ResponseTooLargeError) throw tooLargeError(node, maxBytes, itemIndex);
		throw connectionError(node, error, itemIndex, 0, {
			timedOutAfterMs: deadline.aborted ? timeoutMs : undefined,
		});
	}
	const { statusCode, headers } = response;
	if (statusCode < 200 || statusCode >= 300) {
		throw new NodeApiError(node, { status: statusCode } as JsonObject, {
			message:
				statusCode >= 300 && statusCode < 400
					? `The file Dedalus linked to answered with a redirect (${statusCode}), which is not followed`
					: `The file Dedalus linked to could not be fetched (HTTP ${statusCode})`,
			description: clipText(new URL(link).origin, 200),
			httpCode: String(statusCode),
			itemIndex,
		});
	}
	return { data, contentType: header(headers, 'content-type') };
}
