import { NodeApiError } from 'n8n-workflow';
import type { IHttpRequestOptions, JsonObject } from 'n8n-workflow';

import type { BinaryAnswer, DedalusClient, DedalusContext } from './client';
import { failureOf, throwIfCancelled } from './client';
import { ResponseTooLargeError, clipText, readBoundedBytes } from './limits';
import { header } from './retry';
import type { ResponseHeaders } from './retry';

/**
 * Whether a file link may be fetched: https anywhere, or the Base URL's own origin
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

/** The link as an error may show it: without a user name, password, query or fragment. */
function shownLink(link: string): string {
	try {
		const url = new URL(link);
		return clipText(`${url.origin === 'null' ? url.protocol : url.origin}${url.pathname}`, 200);
	} catch {
		return clipText(link, 200);
	}
}

/** How download errors name the file, so each caller's user reads about what they know. */
export interface DownloadWording {
	/** The file as a sentence's subject: "The file Dedalus linked to", "Document URL in item 2". */
	subject: string;
	/** The description under "<subject> is larger than N MB": where the limit comes from. */
	tooLargeHint: string;
}

/**
 * Fetches a file by link (a generated image's `url`, a document link a user gave) with n8n's
 * plain request helper: no credential, so neither key goes along; only links mayDownload allows;
 * no redirect is followed; the answer is bounded in time and size like every Dedalus answer.
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
		wording,
	}: {
		itemIndex: number;
		timeoutMs: number;
		maxBytes: number;
		signal?: AbortSignal;
		wording: DownloadWording;
	},
): Promise<BinaryAnswer> {
	const node = context.getNode();
	const { subject } = wording;
	if (!mayDownload(link, client.baseUrl)) {
		throw new NodeApiError(node, {} as JsonObject, {
			message: `${subject} is not an https:// link (${shownLink(link)}), so it was not fetched`,
			description:
				'Only https:// links without a user name or password are fetched; plain http only on the Base URL of the Dedalus credential.',
			itemIndex,
		});
	}
	throwIfCancelled(signal, node, itemIndex);
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
		throwIfCancelled(signal, node, itemIndex);
		if (error instanceof ResponseTooLargeError) {
			throw new NodeApiError(node, {} as JsonObject, {
				message: `${subject} is larger than ${Math.round((maxBytes / 1024 / 1024) * 100) / 100} MB, so it was not read`,
				description: wording.tooLargeHint,
				itemIndex,
			});
		}
		const { code, reason } = failureOf(error, deadline.aborted ? timeoutMs : undefined);
		throw new NodeApiError(node, {} as JsonObject, {
			message: `${subject} could not be fetched: ${reason}`,
			description: `${code ? `${code}. ` : ''}Check that ${clipText(new URL(link).origin, 200)} is reachable from n8n.`,
			itemIndex,
		});
	}
	const { statusCode, headers } = response;
	if (statusCode < 200 || statusCode >= 300) {
		throw new NodeApiError(node, { status: statusCode } as JsonObject, {
			message:
				statusCode >= 300 && statusCode < 400
					? `${subject} answered with a redirect (${statusCode}), which is not followed`
					: `${subject} could not be fetched (HTTP ${statusCode})`,
			description: clipText(new URL(link).origin, 200),
			httpCode: String(statusCode),
			itemIndex,
		});
	}
	return { data, contentType: header(headers, 'content-type') };
}
