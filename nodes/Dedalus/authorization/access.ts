import { timingSafeEqual } from 'node:crypto';
import { randomString } from 'n8n-workflow';
import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * Who may use the resume URL. n8n 2.x signs `$execution.resumeUrl` (`?signature=`) and refuses
 * any request without the right signature before the node sees it. n8n 1.x signs nothing: the
 * URL is the execution id, which counts up, so anyone could open the page (and its connect_url)
 * or resume the run. There the node adds its own random token to the URL it hands out and
 * refuses requests without it, the way n8n 2.x does.
 */
const TOKEN_PARAM = 'token';

export interface ResumeAccess {
	/** What the node hands out: the resume URL, plus the node's token when n8n did not sign it. */
	authorizationUrl: string;
	/** Saved with the pause; only when n8n did not sign the URL. */
	accessToken?: string;
}

export function resumeAccess(resumeUrl: string): ResumeAccess {
	const url = new URL(resumeUrl);
	if (url.searchParams.has('signature')) return { authorizationUrl: resumeUrl };
	const accessToken = randomString(32);
	url.searchParams.set(TOKEN_PARAM, accessToken);
	return { authorizationUrl: url.toString(), accessToken };
}

/** Whether a resume request carries the pause's token (always true when n8n signs the URL). */
export function accessAllowed(
	context: IWebhookFunctions,
	accessToken: string | undefined,
): boolean {
	if (accessToken === undefined) return true;
	const given = context.getRequestObject().query?.[TOKEN_PARAM];
	return typeof given === 'string' && sameSecret(given, accessToken);
}

/** Compares a given value with a saved one in time that does not tell how much of it matched. */
export function sameSecret(given: string, saved: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(saved);
	return a.length === b.length && timingSafeEqual(a, b);
}
