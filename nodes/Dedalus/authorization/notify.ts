import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { chatName, slackEscape } from './text';

/** The notice's own timeout, for the whole request (connect to last byte). */
const NOTICE_TIMEOUT_MS = 15_000;

export interface AuthorizationNotice {
	connectUrl: string;
	/** The page that continues the execution; absent in tool mode, where nothing waits. */
	authorizationUrl?: string;
	servers: string[];
	expiresAt?: string;
}

/**
 * `url` is only the Notify URL's origin: the full URL is a secret (anyone holding a Slack or
 * Discord webhook URL can post to the channel), so it never goes into an output item.
 */
export type NotificationResult =
	| { sent: true; url: string }
	| { sent: false; url: string; error: string };

function sentence(context: IExecuteFunctions, notice: AuthorizationNotice): string {
	const workflow = chatName(context.getWorkflow().name ?? 'an n8n workflow');
	const node = chatName(context.getNode().name);
	const what =
		notice.servers.length > 0
			? `MCP server ${notice.servers.map(chatName).join(', ')}`
			: 'an MCP server';
	if (notice.authorizationUrl === undefined) {
		return (
			`Workflow ${workflow}: node ${node}, used as an AI agent's tool, needs consent for ${what}. ` +
			`Open ${notice.connectUrl} to grant access; the agent can use the tool once that is done.`
		);
	}
	return (
		`Workflow ${workflow} is waiting: node ${node} needs your consent for ${what}. ` +
		`Open ${notice.authorizationUrl} to connect and continue.` +
		(notice.expiresAt ? ` The wait ends at ${notice.expiresAt}.` : '')
	);
}

/**
 * `text` makes Slack and Mattermost show it (escaped their way), `content` Discord (with every
 * mention switched off), and n8n Webhook triggers get the fields.
 */
function noticePayload(context: IExecuteFunctions, notice: AuthorizationNotice): IDataObject {
	const text = sentence(context, notice);
	return {
		text: slackEscape(text),
		content: text,
		allowed_mentions: { parse: [] },
		connect_url: notice.connectUrl,
		authorization_url: notice.authorizationUrl ?? null,
		workflow: context.getWorkflow().name ?? 'an n8n workflow',
		node: context.getNode().name,
		execution_id: context.getExecutionId(),
		expires_at: notice.expiresAt ?? null,
		servers: notice.servers,
	};
}

/**
 * Tells a human that consent is pending. Plain request, deliberately without the Dedalus
 * credential: the API key must never travel to a third party. No redirects: the notice carries
 * the resume URL. A failure is reported, never thrown.
 */
export async function sendAuthorizationNotice(
	context: IExecuteFunctions,
	url: string,
	notice: AuthorizationNotice,
): Promise<NotificationResult> {
	const origin = new URL(url).origin;
	const deadline = AbortSignal.timeout(NOTICE_TIMEOUT_MS);
	try {
		await context.helpers.httpRequest({
			method: 'POST',
			url,
			body: noticePayload(context, notice),
			json: true,
			timeout: NOTICE_TIMEOUT_MS,
			abortSignal: deadline,
			disableFollowRedirect: true,
		});
		return { sent: true, url: origin };
	} catch (error) {
		const failure = error as { code?: string; httpCode?: string; response?: { status?: number } };
		const status = failure.response?.status;
		// Never the error's own message: it can quote the URL.
		const reason = deadline.aborted
			? `it timed out after ${NOTICE_TIMEOUT_MS / 1000} s`
			: status
				? `HTTP ${status}`
				: (failure.code ?? 'the request failed');
		return { sent: false, url: origin, error: `The notification could not be sent: ${reason}` };
	}
}
