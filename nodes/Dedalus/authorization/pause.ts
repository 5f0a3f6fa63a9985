import { randomString } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { finishedItem, waitingItem } from '../completion';
import type { ChunkSink, ItemOutcome } from '../completion';
import { consentMessage } from './chat';
import type { ChatStart } from './chat';
import { resumeAccess } from './access';
import { sendAuthorizationNotice } from './notify';
import type { NotificationResult } from './notify';
import { waitDeadline, waitTill } from './settings';
import type { AuthorizationSettings } from './settings';
import { savePendingAuthorization } from './state';

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

/** Where the person who started the run is, when it is not the editor or a plain webhook. */
export interface Conversation {
	/** The run streams (Response Mode Streaming): the consent message goes into the stream. */
	chunks?: ChunkSink;
	/** The run came from a Chat Trigger: its response mode and session. */
	chat?: ChatStart;
	/** The chat or stream gets word that the owner was notified, not the links (settings.ts). */
	ownerOnly?: boolean;
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
	conversation: Conversation = {},
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
		...(conversation.chat ? { chat: conversation.chat } : {}),
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

	// In a chat or a stream the person is right there: tell them where they are.
	const message =
		conversation.chat?.responseMode === 'responseNodes' || conversation.chunks
			? consentMessage({
					servers,
					connectUrl,
					authorizationUrl,
					replyContinues: conversation.chat?.responseMode === 'responseNodes',
					ownerOnly: conversation.ownerOnly,
				})
			: undefined;
	if (message !== undefined && conversation.chunks) {
		const itemIndex = pendingItems[0];
		await conversation.chunks('begin', itemIndex);
		await conversation.chunks('item', itemIndex, message);
		await conversation.chunks('end', itemIndex);
	}

	return pendingItems.map((itemIndex, position) => ({
		...waitingItem(itemIndex, { connectUrl, authorizationUrl, servers, expiresAt, notification }),
		// n8n posts the first item's sendMessage into the chat while the run waits (chat.ts).
		...(position === 0 &&
		message !== undefined &&
		conversation.chat?.responseMode === 'responseNodes'
			? { sendMessage: message }
			: {}),
	}));
}
