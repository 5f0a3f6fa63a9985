import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { completeItems, finishedItem, readConcurrency, resultItem } from '../completion';
import type { DedalusContext } from '../../../shared/transport';
import { accessAllowed } from './access';
import type { ParameterSource } from '../completion';
import { consentStillMissing } from './consent-check';
import { renderPage, pageJson } from './page';
import type { PageModel } from './page';
import { resendIdempotencyKey, runOneAttemptAtATime, stillNeeded } from './resume-guard';
import type { PauseMemory, ResendResult } from './resume-guard';
import { readAuthorizationSettings, resultOutputs } from './settings';
import { loadPendingAuthorization } from './state';
import type { PendingAuthorization } from './state';

/**
 * In `webhook()`, getNodeParameter() resolves expressions against input item 0 only. For item i,
 * take the raw value and evaluate each expression in it against item i (docs/architecture.md).
 */
function webhookParameterSource(context: IWebhookFunctions): ParameterSource {
	const resolve = (value: unknown, itemIndex: number): unknown => {
		if (typeof value === 'string') {
			return value.startsWith('=') ? context.evaluateExpression(value.slice(1), itemIndex) : value;
		}
		if (Array.isArray(value)) return value.map((entry) => resolve(entry, itemIndex));
		if (value && typeof value === 'object') {
			return Object.fromEntries(
				Object.entries(value).map(([key, entry]) => [key, resolve(entry, itemIndex)]),
			);
		}
		return value;
	};
	return (name, itemIndex, fallback) =>
		resolve(context.getNodeParameter(name, fallback, { rawExpressions: true }), itemIndex);
}

function continuesOnFail(context: IWebhookFunctions): boolean {
	// IWebhookFunctions has no continueOnFail(); this is the rule n8n's engine applies to the node.
	const node = context.getNode();
	return (
		node.continueOnFail === true ||
		node.onError === 'continueRegularOutput' ||
		node.onError === 'continueErrorOutput'
	);
}

/** What a resend needs from the context it runs in: the resume webhook or a chat message. */
export interface ResendInputs {
	source: ParameterSource;
	options: IDataObject;
	continueOnFail: boolean;
}

// A throw from webhook() makes n8n answer 500, wipe the run data and resume with an empty item,
// so every failure becomes a result that keeps the execution waiting (README, Known limits).
export async function resendCatchingErrors(
	context: DedalusContext,
	state: PendingAuthorization,
	memory: PauseMemory,
	inputs: ResendInputs,
): Promise<ResendResult> {
	try {
		return await resendPendingItems(context, state, memory, inputs);
	} catch (error) {
		return { state: 'failed', message: (error as Error).message };
	}
}

async function resendPendingItems(
	context: DedalusContext,
	state: PendingAuthorization,
	memory: PauseMemory,
	{ source, options, continueOnFail }: ResendInputs,
): Promise<ResendResult> {
	const settings = readAuthorizationSettings(context.getNode(), options);
	const toSend = state.pendingItems.filter((itemIndex) => !memory.finishedItems.has(itemIndex));

	const newest = memory.stillNeeded ?? {
		connectUrl: state.connectUrl,
		servers: state.servers,
		pollUrl: state.pollUrl,
		serverId: state.serverId,
	};
	if (await consentStillMissing(context, newest)) return { state: 'still_waiting', ...newest };

	const outcomes = await completeItems(context, {
		source,
		itemIndices: toSend,
		concurrency: readConcurrency(context.getNode(), options.concurrency),
		continueOnFail,
		stopOnAuthorization: true,
		idempotencyKey: (itemIndex) => resendIdempotencyKey(state.pauseId, itemIndex),
		serverNames: (memory.serverNames ??= new Map(Object.entries(state.serverNames ?? {}))),
	});

	let stillWaiting:
		| { connectUrl: string; server?: string; pollUrl?: string; serverId?: string }
		| undefined;
	let failure: string | undefined;
	for (const outcome of outcomes) {
		if (outcome.status === 'authorization_required') {
			stillWaiting = {
				connectUrl: outcome.error.connectUrl,
				server: outcome.error.server,
				pollUrl: outcome.error.pollUrl,
				serverId: outcome.error.serverId,
			};
		} else if (outcome.status === 'failed' && !continueOnFail) {
			failure ??= outcome.error.message;
		} else if (outcome.status !== 'not_sent') {
			// Kept, so the next attempt does not send this item again.
			memory.finishedItems.set(outcome.itemIndex, finishedItem(outcome, continueOnFail).json);
		}
	}
	if (stillWaiting) {
		memory.stillNeeded = {
			connectUrl: stillWaiting.connectUrl,
			servers: stillWaiting.server ? [stillWaiting.server] : state.servers,
			...(stillWaiting.pollUrl ? { pollUrl: stillWaiting.pollUrl } : {}),
			...(stillWaiting.serverId ? { serverId: stillWaiting.serverId } : {}),
		};
		return { state: 'still_waiting', ...memory.stillNeeded };
	}
	if (failure !== undefined) return { state: 'failed', message: failure };

	const byIndex = new Map<number, IDataObject>(
		state.finishedItems.map(({ itemIndex, json }) => [itemIndex, json as IDataObject]),
	);
	for (const [itemIndex, json] of memory.finishedItems) byIndex.set(itemIndex, json);
	const items: INodeExecutionData[] = [...byIndex.keys()]
		.sort((a, b) => a - b)
		.map((itemIndex) => resultItem(byIndex.get(itemIndex) as IDataObject, itemIndex));
	return { state: 'continued', outputs: resultOutputs(settings, items) };
}

function respond(context: IWebhookFunctions, model: PageModel, statusCode = 200): void {
	const request = context.getRequestObject();
	const response = context.getResponseObject();
	const wantsJson = String(request.headers.accept ?? '').includes('application/json');
	if (wantsJson) {
		response.status(statusCode).setHeader('Cache-Control', 'no-store');
		response.json(pageJson(model));
		return;
	}
	const { html, headers } = renderPage(model);
	response.status(statusCode);
	for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
	response.send(html);
}

export function hasExpired(state: PendingAuthorization, now = Date.now()): boolean {
	return state.expiresAt !== undefined && now >= Date.parse(state.expiresAt);
}

/**
 * The resume URL. GET shows the authorization page and never has a side effect (link previewers
 * and mail scanners fetch GETs). POST sends again the requests that had not completed; only when
 * all of them complete does the execution resume, with every item's result in input order.
 */
export async function handleResumeRequest(
	context: IWebhookFunctions,
): Promise<IWebhookResponseData> {
	const node = context.getNode();
	const base = {
		workflowName: context.getWorkflow().name ?? 'Untitled workflow',
		nodeName: node.name,
	};
	const state = loadPendingAuthorization(context);
	if (!state) {
		respond(context, { ...base, state: 'not_waiting', servers: [] }, 404);
		return { noWebhookResponse: true };
	}
	if (!accessAllowed(context, state.accessToken)) {
		// The same answer n8n 2.x gives a request without the right signature.
		context.getResponseObject().status(401).json({ error: 'Invalid token' });
		return { noWebhookResponse: true };
	}
	const page = { ...base, servers: state.servers, expiresAt: state.expiresAt };
	// Past the wait limit n8n sends the items out of Timed Out: nothing may be sent or resumed.
	if (hasExpired(state)) {
		respond(context, { ...page, state: 'expired' }, 410);
		return { noWebhookResponse: true };
	}

	if (context.getRequestObject().method !== 'POST') {
		const newest = stillNeeded(state.pauseId);
		respond(context, { ...page, state: 'waiting', connectUrl: state.connectUrl, ...newest });
		return { noWebhookResponse: true };
	}

	const inputs: ResendInputs = {
		source: webhookParameterSource(context),
		options: context.getNodeParameter('options', {}) as IDataObject,
		continueOnFail: continuesOnFail(context),
	};
	const { result, first } = await runOneAttemptAtATime(
		state.pauseId,
		async (memory) => await resendCatchingErrors(context, state, memory, inputs),
		state.expiresAt === undefined ? undefined : Date.parse(state.expiresAt),
	);
	if (result === 'already_continued') {
		respond(context, { ...page, state: 'already_continued' });
		return { noWebhookResponse: true };
	}
	if (result.state === 'continued' && hasExpired(state)) {
		// The limit passed while the requests were out: resuming now would race n8n's own timeout.
		respond(
			context,
			{
				...page,
				state: 'expired',
				message:
					'The held-back requests were sent again, but they finished after the wait limit, so their results are not passed on.',
			},
			410,
		);
		return { noWebhookResponse: true };
	}
	if (result.state === 'continued') {
		respond(context, { ...page, state: 'continued' });
		// Only the request that did the work resumes; a concurrent one just reports.
		return first
			? { noWebhookResponse: true, workflowData: result.outputs }
			: { noWebhookResponse: true };
	}
	if (result.state === 'still_waiting') {
		respond(context, {
			...page,
			servers: result.servers,
			state: 'still_waiting',
			connectUrl: result.connectUrl,
		});
		return { noWebhookResponse: true };
	}
	respond(
		context,
		{ ...page, state: 'failed', message: result.message, connectUrl: state.connectUrl },
		502,
	);
	return { noWebhookResponse: true };
}
