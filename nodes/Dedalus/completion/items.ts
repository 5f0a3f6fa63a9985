import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { isAuthorizationRequired } from '../../../shared/transport';
import type { NodeError } from '../../../shared/transport';
import type { ItemOutcome } from './complete-items';

// Every output item the node builds, in one place: the JSON field names are part of the node's
// interface (never renamed once released), and every item carries its pairedItem.

const AUTHORIZATION_REQUIRED = 'authorization_required';

/** A result item: the JSON of a completed request (completion/output.ts) or of a model call. */
export function resultItem(json: IDataObject, itemIndex: number): INodeExecutionData {
	return { json, pairedItem: { item: itemIndex } };
}

export function errorItem(error: NodeError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (isAuthorizationRequired(error)) json.connect_url = error.connectUrl;
	return resultItem(json, itemIndex);
}

export type SentOutcome = Exclude<ItemOutcome, { status: 'not_sent' }>;

/** The output item of a sent item; a failure throws unless continue-on-fail is on. */
export function finishedItem(outcome: SentOutcome, continueOnFail: boolean): INodeExecutionData {
	if (outcome.status === 'completed') return resultItem(outcome.json, outcome.itemIndex);
	if (!continueOnFail) throw outcome.error;
	return errorItem(outcome.error, outcome.itemIndex);
}

/** What a paused item leaves behind while the execution waits for consent. */
export function waitingItem(
	itemIndex: number,
	pause: {
		connectUrl: string;
		authorizationUrl: string;
		servers: string[];
		expiresAt?: string;
		notification?: IDataObject;
	},
): INodeExecutionData {
	return {
		json: {
			status: AUTHORIZATION_REQUIRED,
			connect_url: pause.connectUrl,
			authorization_url: pause.authorizationUrl,
			servers: pause.servers,
			...(pause.expiresAt ? { expires_at: pause.expiresAt } : {}),
			...(pause.notification ? { notification: pause.notification } : {}),
		},
		pairedItem: { item: itemIndex },
	};
}

/** What the agent reads when the node runs as an AI tool: it never pauses, it hands the link on. */
export function toolAuthorizationItem(
	connectUrl: string,
	server: string | undefined,
	itemIndex: number,
	serverId?: string,
): INodeExecutionData {
	const item = outputAuthorizationItem(connectUrl, server, itemIndex, serverId);
	item.json.message =
		`Authorization is needed${server ? ` for MCP server ${server}` : ''} before this tool can answer. ` +
		`Ask the user to open ${connectUrl}, grant access, and then try again.`;
	return item;
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

/** When Authorization Is Required is Output: the link as the item, no pause. */
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
