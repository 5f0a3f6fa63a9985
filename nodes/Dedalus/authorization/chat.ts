import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { ParameterSource } from '../completion';
import { sameSecret } from './access';
import { runOneAttemptAtATime } from './resume-guard';
import { hasExpired, resendCatchingErrors } from './resume';
import { expressionString, pendingAuthorizationOf } from './state';
import { SHARED_CONSENT, linkFacts, shownText } from './text';

// Consent inside n8n Chat (docs/streaming-and-chat.md). How n8n 2.41 drives a chat:
// - Chat Trigger in Response Mode "Using Response Nodes": the first message starts the run and the
//   chat opens a websocket. While the run waits, n8n posts the `sendMessage` of the first item of
//   the waiting node's output into the chat; the next chat message calls the node type's
//   `onMessage(context, message)` and then resumes the run with what it returns as the waiting
//   node's output (n8n cli chat/chat-service.ts, chat-execution-manager.ts).
// - Response Mode "Streaming": the chat shows the run's chunks; a later message starts a new run,
//   so consent there is a message in the stream and the authorization page continues the run.
// The message is Markdown text, not n8n 2.x's `with-buttons` object: @n8n/chat (1.37) only draws
// buttons whose link has n8n's own origin and follows them with a background GET, so a Connect
// button to Dedalus would not even appear. A Markdown link opens in a new tab, on 1.x as on 2.x.

const CHAT_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';

export type ChatResponseMode = 'responseNodes' | 'streaming' | 'lastNode' | 'other';

export interface ChatStart {
	responseMode: ChatResponseMode;
	/** The chat session that sent the first message ('' when the trigger's item had none). */
	sessionId: string;
}

/** The Chat Trigger this run started from, with its response mode, or undefined for any other start. */
export function chatStartOf(context: IExecuteFunctions): ChatStart | undefined {
	let trigger: INode | undefined;
	try {
		trigger = context
			.getParentNodes(context.getNode().name, { includeNodeParameters: true })
			.find((node) => node.type === CHAT_TRIGGER_TYPE && !node.disabled) as INode | undefined;
	} catch {
		trigger = undefined;
	}
	if (!trigger) return undefined;
	// A workflow may hold a Chat Trigger beside another trigger: only a run it started counts.
	let executed = false;
	try {
		executed =
			context.evaluateExpression(`{{ $(${expressionString(trigger.name)}).isExecuted }}`, 0) ===
			true;
	} catch {
		executed = false;
	}
	if (!executed) return undefined;
	const mode = (trigger.parameters?.options as IDataObject | undefined)?.responseMode;
	const responseMode: ChatResponseMode =
		mode === 'responseNodes' || mode === 'streaming' || mode === 'lastNode' ? mode : 'other';
	let sessionId: unknown;
	try {
		sessionId = context.evaluateExpression(
			`{{ $(${expressionString(trigger.name)}).first().json.sessionId }}`,
			0,
		);
	} catch {
		sessionId = undefined;
	}
	return { responseMode, sessionId: typeof sessionId === 'string' ? sessionId : '' };
}

/** Markdown special characters in API-supplied names are shown as text, never as markup. */
function markdownText(text: string): string {
	// Names sit inside a line, so only inline markup matters (list and heading marks need a line start).
	return text.replace(/[\\`*_{}[\]()!|<>~]/g, (character) => `\\${character}`);
}

/** A link target that cannot end the Markdown link early. Only http(s) links get here (errors.ts). */
function markdownHref(url: string): string {
	return new URL(url).href.replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/ /g, '%20');
}

export interface ConsentMessage {
	servers: string[];
	connectUrl: string;
	/** The resume URL: its page shows the same link and a Continue button. */
	authorizationUrl: string;
	/** True when the next chat message continues the run (Response Mode "Using Response Nodes"). */
	replyContinues: boolean;
	/**
	 * On Authorization (In a Chat or Stream) = notify the owner: the person chatting gets neither
	 * link (the page shows the Connect link too), only word that the owner was asked.
	 */
	ownerOnly?: boolean;
}

function serverNamesText(servers: string[]): string {
	return servers.length > 0
		? servers.map((server) => markdownText(shownText(server, 200))).join(', ')
		: 'An MCP server';
}

/** What a chat user reads when an MCP server needs their consent. */
export function consentMessage({
	servers,
	connectUrl,
	authorizationUrl,
	replyContinues,
	ownerOnly,
}: ConsentMessage): string {
	const names = serverNamesText(servers);
	if (ownerOnly) {
		return [
			`**${names}** ${servers.length > 1 ? 'need' : 'needs'} the consent of this workflow's owner before I can answer.`,
			'',
			replyContinues
				? 'The owner has been asked. Once they have connected it, reply here and I will continue.'
				: 'The owner has been asked. Please try again later.',
		].join('\n');
	}
	// The same facts the authorization page shows beside its Connect button (text.ts).
	const facts = linkFacts(connectUrl);
	const host = markdownText(facts?.host ?? new URL(connectUrl).host);
	const opens = facts?.insecure ? `opens ${host}, not encrypted` : `opens ${host}`;
	const page = `[the authorization page](${markdownHref(authorizationUrl)})`;
	// A reply before consent cannot be answered (continueFromChat): the page is the way out.
	const next = replyContinues
		? `2. Then reply here (for example "done") and I will continue. No answer? Continue on ${page}.`
		: `2. Then continue on ${page}.`;
	return [
		`**${names}** ${servers.length > 1 ? 'need' : 'needs'} your consent before I can answer.`,
		'',
		`1. [Connect ${servers.length === 1 ? names : 'now'}](${markdownHref(connectUrl)}) (${opens})`,
		next,
		'',
		SHARED_CONSENT,
	].join('\n');
}

function executeParameterSource(context: IExecuteFunctions): ParameterSource {
	return (name, itemIndex, fallback) => context.getNodeParameter(name, itemIndex, fallback);
}

/**
 * The node type's `onMessage`: a chat message arrived while the run waits for consent. Sends the
 * held-back requests again (once, shared with the authorization page's POST) and returns every
 * item's result, which n8n then hands on as the node's output.
 *
 * n8n resumes the run with whatever this returns: only a throw keeps it waiting. So when consent
 * is still missing, this throws (n8n logs it; the run stays resumable from the chat or the page).
 *
 * n8n calls this for any chat message that names the waiting execution, whatever started it and
 * whoever sends it: only a message from the chat session that started the run, paused in
 * Response Mode "Using Response Nodes", continues it; any other throws before anything is sent.
 */
export async function continueFromChat(
	context: IExecuteFunctions,
	message?: INodeExecutionData,
): Promise<INodeExecutionData[][]> {
	const node = context.getNode();
	const state = pendingAuthorizationOf(context);
	if (!state) {
		throw new NodeOperationError(node, 'This node is not waiting for authorization');
	}
	if (state.chat?.responseMode !== 'responseNodes') {
		throw new NodeOperationError(
			node,
			'This run did not wait for a chat reply; continue it on its authorization page',
		);
	}
	const sessionId = message?.json?.sessionId;
	if (
		typeof sessionId !== 'string' ||
		state.chat.sessionId === '' ||
		!sameSecret(sessionId, state.chat.sessionId)
	) {
		throw new NodeOperationError(
			node,
			'This chat message is not from the chat that is waiting for authorization',
		);
	}
	// Past the wait limit n8n sends the items out of Timed Out: nothing may be sent or resumed.
	if (hasExpired(state)) {
		throw new NodeOperationError(node, 'This authorization expired (the wait limit has passed)');
	}
	const { result } = await runOneAttemptAtATime(
		state.pauseId,
		async (memory) =>
			await resendCatchingErrors(context, state, memory, {
				source: executeParameterSource(context),
				options: context.getNodeParameter('options', 0, {}) as IDataObject,
				continueOnFail: context.continueOnFail(),
			}),
		state.expiresAt === undefined ? undefined : Date.parse(state.expiresAt),
	);
	if (result === 'already_continued') {
		throw new NodeOperationError(node, 'This run has already continued');
	}
	if (result.state === 'still_waiting') {
		throw new NodeOperationError(
			node,
			`Still not connected: ${result.servers.join(', ') || 'an MCP server'} needs consent first`,
			{ description: `Open ${result.connectUrl}, grant access, then send another chat message.` },
		);
	}
	if (result.state === 'failed') {
		throw new NodeOperationError(node, result.message);
	}
	if (hasExpired(state)) {
		// The limit passed while the requests were out: resuming now would race n8n's own timeout.
		throw new NodeOperationError(
			node,
			'The answers came after the wait limit, so they are not passed on',
		);
	}
	if (result.outputs.length > 1) {
		// n8n hands on only the first output of a node resumed from a chat, unless told to forward
		// all of them (as it does for a resume webhook); results belong on output 1 (settings.ts).
		const executeData = context.getExecuteData();
		executeData.metadata = { ...executeData.metadata, forwardAllOutputs: true };
	}
	return result.outputs;
}
