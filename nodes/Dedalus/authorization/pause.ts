import { randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { finishedItem } from '../completion';
import type { ItemOutcome } from '../completion';
import { resumeAccess } from './access';
import { sendAuthorizationNotice } from './notify';
import type { NotificationResult } from './notify';
import { waitDeadline, waitTill } from './settings';
import type { AuthorizationSettings } from './settings';
import { savePendingAuthorization } from './state';

const AUTHORIZATION_REQUIRED = 'authorization_required';

/** What the agent reads when the node runs as an AI tool: it never pauses, it hands the link on. */
export function toolAuthorizationItem(
	connectUrl: string,
	server: string | undefined,
	itemIndex: number,
	serverId?: string,
): INodeExecutionData {
	return {
		json: {
			status: AUTHORIZATION_REQUIRED,
			connect_url: connectUrl,
			...(server ? { server } : {}),
			...(serverId ? { server_id: serverId } : {}),
			message:
				`Authorization is needed${server ? ` for MCP server ${server}` : ''} before this tool can answer. ` +
				`Ask the user to open ${connectUrl}, grant access, and then try again.`,
		},
		pairedItem: { item: itemIndex },
	};
}

/**
 * As a tool with "notify the owner": the agent learns that consent is pending, never the link, so
 * a public chat agent cannot hand a stranger the consent for the workflow's Dedalus account.
 */
export function toolPendingItem(
	server: string | undefined,
	ownerNotified: boolean,
	itemIndex: number,
): INodeExecutionData {
	return {
		json: {
			status: AUTHORIZATION_REQUIRED,
			...(server ? { server } : {}),
			message:
				`Authorization is pending${server ? ` for MCP server ${server}` : ''}: ` +
				(ownerNotified
					? 'the owner of this workflow has been notified and has to grant access. '
					: 'the owner of this workflow has to grant access (the notice to them failed). ') +
				'Do not ask the user to authorize anything; tell them this tool is not available yet and to try again later.',
		},
		pairedItem: { item: itemIndex },
	};
}

/** Sends the owner one notice per distinct consent link; true when every notice went out. */
export async function notifyOwner(
	context: IExecuteFunctions,
	outcomes: ItemOutcome[],
	notifyUrl: string,
): Promise<boolean> {
	const links = new Map<string, string[]>();
	for (const outcome of outcomes) {
		if (outcome.status !== 'authorization_required') continue;
		const servers = links.get(outcome.error.connectUrl) ?? [];
		if (outcome.error.server && !servers.includes(outcome.error.server))
			servers.push(outcome.error.server);
		links.set(outcome.error.connectUrl, servers);
	}
	let allSent = true;
	for (const [connectUrl, servers] of links) {
		const result = await sendAuthorizationNotice(context, notifyUrl, { connectUrl, servers });
		allSent &&= result.sent;
	}
	return allSent;
}

export function outputAuthorizationItem(
	connectUrl: string,
	server: string | undefined,
	itemIndex: number,
	serverId?: string,
): INodeExecutionData {
	return {
		json: {
			status: AUTHORIZATION_REQUIRED,
			connect_url: connectUrl,
			...(server ? { server } : {}),
			...(serverId ? { server_id: serverId } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}

/** Which server id got which name in this run, so that the resume names them the same way. */
function serverNames(outcomes: ItemOutcome[]): Record<string, string> {
	const names: Record<string, string> = {};
	for (const outcome of outcomes) {
		if (outcome.status !== 'authorization_required') continue;
		const { serverId, server } = outcome.error;
		if (serverId && server && server !== serverId) names[serverId] = server;
	}
	return names;
}

function uniqueServers(outcomes: ItemOutcome[]): string[] {
	const servers = new Set<string>();
	for (const outcome of outcomes) {
		if (outcome.status === 'authorization_required' && outcome.error.server)
			servers.add(outcome.error.server);
	}
	return [...servers];
}

/**
 * Puts the execution to wait on the resume webhook and returns what the editor shows meanwhile:
 * one item per input item that is held back. Items that finished keep their results in the saved
 * state and are never sent again, because MCP tools can have side effects.
 */
export async function pauseForAuthorization(
	context: IExecuteFunctions,
	outcomes: ItemOutcome[],
	settings: AuthorizationSettings,
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	const node = context.getNode();
	const waiting = outcomes.filter((outcome) => outcome.status === 'authorization_required');
	const last = waiting[waiting.length - 1];
	if (!last || last.status !== 'authorization_required')
		throw new Error('pauseForAuthorization needs an item that requires authorization');

	const finishedItems: Array<{ itemIndex: number; json: IDataObject }> = [];
	const pendingItems: number[] = [];
	for (const outcome of outcomes) {
		if (outcome.status === 'completed' || outcome.status === 'failed') {
			finishedItems.push({
				itemIndex: outcome.itemIndex,
				json: finishedItem(outcome, continueOnFail).json,
			});
		} else {
			pendingItems.push(outcome.itemIndex);
		}
	}

	const deadline = waitDeadline(node, settings.waitLimit, { pastIsAnError: false });
	const expiresAt = deadline?.toISOString();
	const connectUrl = last.error.connectUrl;
	const servers = uniqueServers(outcomes);
	const { authorizationUrl, accessToken } = resumeAccess(
		String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)),
	);

	savePendingAuthorization(context, {
		pauseId: randomString(16),
		connectUrl,
		servers,
		pendingItems,
		finishedItems,
		pausedAt: new Date().toISOString(),
		...(expiresAt ? { expiresAt } : {}),
		...(accessToken ? { accessToken } : {}),
		...(last.error.pollUrl ? { pollUrl: last.error.pollUrl } : {}),
		...(last.error.serverId ? { serverId: last.error.serverId } : {}),
		serverNames: serverNames(outcomes),
	});
	await context.putExecutionToWait(waitTill(deadline));

	let notification: NotificationResult | undefined;
	if (settings.notifyUrl) {
		notification = await sendAuthorizationNotice(context, settings.notifyUrl, {
			connectUrl,
			authorizationUrl,
			servers,
			expiresAt,
		});
	}
	if (context.getMode() === 'manual') {
		context.sendMessageToUI(
			`Dedalus: ${servers.length ? `MCP server ${servers.join(', ')} needs` : 'an MCP server needs'} authorization.\n` +
				`1. Grant access: ${connectUrl}\n2. Then continue the execution: ${authorizationUrl}`,
		);
	}

	return pendingItems.map((itemIndex) => ({
		json: {
			status: AUTHORIZATION_REQUIRED,
			connect_url: connectUrl,
			authorization_url: authorizationUrl,
			servers,
			...(expiresAt ? { expires_at: expiresAt } : {}),
			...(notification ? { notification } : {}),
		},
		pairedItem: { item: itemIndex },
	}));
}
