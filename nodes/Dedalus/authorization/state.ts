import { z } from 'zod';
import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

// What `execute()` leaves for the resume webhook. `webhook()` has no getContext(), but n8n persists
// node context with the waiting execution and an expression can read it (docs/architecture.md).
const STATE_KEY = 'pendingAuthorization';

const pendingAuthorizationSchema = z.object({
	pauseId: z.string(),
	connectUrl: z.string(),
	servers: z.array(z.string()),
	/** Input items whose requests must be sent again after consent, in input order. */
	pendingItems: z.array(z.number().int().nonnegative()),
	/** Output items of the input items that finished before the pause; never sent again. */
	finishedItems: z.array(
		z.object({ itemIndex: z.number().int().nonnegative(), json: z.record(z.unknown()) }),
	),
	pausedAt: z.string(),
	expiresAt: z.string().optional(),
	/** The node's own resume URL token where n8n does not sign the URL (access.ts). */
	accessToken: z.string().optional(),
	/** From the consent answer: where to ask whether consent was given, and for which server id. */
	pollUrl: z.string().optional(),
	serverId: z.string().optional(),
	/** Server ids already put to a requested MCP server (shared/mcp/server-names.ts). */
	serverNames: z.record(z.string()).optional(),
	/**
	 * Set when the run started from a Chat Trigger: its response mode and chat session. Only a
	 * message of that session, in Response Mode "Using Response Nodes", continues the run (chat.ts).
	 */
	chat: z.object({ responseMode: z.string(), sessionId: z.string() }).optional(),
});

export type PendingAuthorization = z.infer<typeof pendingAuthorizationSchema> & {
	finishedItems: Array<{ itemIndex: number; json: IDataObject }>;
};

export function savePendingAuthorization(
	context: IExecuteFunctions,
	state: PendingAuthorization,
): void {
	context.getContext('node')[STATE_KEY] = state;
}

/**
 * A JavaScript string literal for `text` with every character but letters and digits written as
 * a \uXXXX escape: it cannot contain `{{`, `}}`, quotes or line breaks, so any node name a user
 * can type survives n8n's expression template and parser.
 */
export function expressionString(text: string): string {
	let literal = '"';
	for (let index = 0; index < text.length; index++) {
		const char = text[index];
		literal += /[A-Za-z0-9]/.test(char)
			? char
			: `\\u${text.charCodeAt(index).toString(16).padStart(4, '0')}`;
	}
	return `${literal}"`;
}

export function loadPendingAuthorization(
	context: IWebhookFunctions,
): PendingAuthorization | undefined {
	const nodeName = expressionString(context.getNode().name);
	let value: unknown;
	try {
		value = context.evaluateExpression(
			`{{ $node[${nodeName}].context[${expressionString(STATE_KEY)}] }}`,
			0,
		);
	} catch {
		return undefined;
	}
	const parsed = pendingAuthorizationSchema.safeParse(value);
	return parsed.success ? (parsed.data as PendingAuthorization) : undefined;
}

/**
 * The same state, read where n8n gives an execute context over the waiting execution's data
 * (the node's `onMessage`, when a chat message resumes it): node context is readable directly.
 */
export function pendingAuthorizationOf(
	context: IExecuteFunctions,
): PendingAuthorization | undefined {
	const parsed = pendingAuthorizationSchema.safeParse(context.getContext('node')[STATE_KEY]);
	return parsed.success ? (parsed.data as PendingAuthorization) : undefined;
}
