import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

export interface AuthorizationNotice {
	connectUrl: string;
	authorizationUrl: string;
	servers: string[];
	expiresAt?: string;
}

export type NotificationResult =
	| { sent: true; url: string }
	| { sent: false; url: string; error: string };

/** `text` and `content` make Slack/Mattermost (`text`), Discord (`content`) and n8n Webhook triggers all show it. */
function noticePayload(context: IExecuteFunctions, notice: AuthorizationNotice): IDataObject {
	const workflow = context.getWorkflow().name ?? 'an n8n workflow';
	const node = context.getNode().name;
	const what =
		notice.servers.length > 0 ? `MCP server ${notice.servers.join(', ')}` : 'an MCP server';
	const sentence =
		`Workflow "${workflow}" is waiting: node "${node}" needs your consent for ${what}. ` +
		`Open ${notice.authorizationUrl} to connect and continue.` +
		(notice.expiresAt ? ` The wait ends at ${notice.expiresAt}.` : '');
	return {
		text: sentence,
		content: sentence,
		connect_url: notice.connectUrl,
		authorization_url: notice.authorizationUrl,
		workflow,
		node,
		execution_id: context.getExecutionId(),
		expires_at: notice.expiresAt ?? null,
		servers: notice.servers,
	};
}

/**
 * Tells a human that consent is pending. Plain request, deliberately without the Dedalus
 * credential: the API key must never travel to a third party. A failure is reported, never thrown.
 */
export async function sendAuthorizationNotice(
	context: IExecuteFunctions,
	url: string,
	notice: AuthorizationNotice,
): Promise<NotificationResult> {
	try {
		await context.helpers.httpRequest({
			method: 'POST',
			url,
			body: noticePayload(context, notice),
			json: true,
			timeout: 15_000,
		});
		return { sent: true, url };
	} catch (error) {
		const status = (error as { httpCode?: string; response?: { status?: number } }).response
			?.status;
		const reason = status ? `HTTP ${status}` : ((error as Error).message ?? 'request failed');
		return { sent: false, url, error: `The notification could not be sent: ${reason}` };
	}
}
