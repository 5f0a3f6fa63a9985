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

export function loadPendingAuthorization(
	context: IWebhookFunctions,
): PendingAuthorization | undefined {
	const nodeName = JSON.stringify(context.getNode().name);
	let value: unknown;
	try {
		value = context.evaluateExpression(
			`{{ $node[${nodeName}].context[${JSON.stringify(STATE_KEY)}] }}`,
			0,
		);
	} catch {
		return undefined;
	}
	const parsed = pendingAuthorizationSchema.safeParse(value);
	return parsed.success ? (parsed.data as PendingAuthorization) : undefined;
}
