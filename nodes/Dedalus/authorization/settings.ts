import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { isHttpUrl } from '../../../shared/transport';

export type WhenAuthorizationRequired = 'wait' | 'output' | 'error';

/** Same shape as the `limitWaitTime` option of n8n's send-and-wait nodes. */
export interface WaitLimit {
	limitType?: 'afterTimeInterval' | 'atSpecifiedTime';
	resumeAmount?: number;
	resumeUnit?: 'seconds' | 'minutes' | 'hours' | 'days';
	maxDateAndTime?: string;
}

/** As an AI agent's tool: hand the agent the link, or tell it consent is pending and notify the owner. */
export type ToolAuthorization = 'giveLink' | 'notifyOwner';

/**
 * When the run came from a chat or streams: show the person chatting the Connect link, or tell
 * them consent is pending and notify the owner (Notify URL). A public chat's users would otherwise
 * connect their own accounts for everyone using the API key.
 */
export type ChatAuthorization = 'showLink' | 'notifyOwner';

export interface AuthorizationSettings {
	whenRequired: WhenAuthorizationRequired;
	toolAuthorization: ToolAuthorization;
	chatAuthorization: ChatAuthorization;
	waitLimit?: WaitLimit;
	notifyUrl?: string;
}

const UNIT_MS: Record<string, number> = {
	seconds: 1000,
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};
const LIMIT_TYPES = ['afterTimeInterval', 'atSpecifiedTime'];

/** Node-level settings: read once per run from the `options` collection (item 0, as n8n's own waiting nodes do). */
export function readAuthorizationSettings(
	node: INode,
	options: IDataObject,
): AuthorizationSettings {
	const whenRequired = (options.whenAuthorizationRequired ?? 'wait') as WhenAuthorizationRequired;
	if (!['wait', 'output', 'error'].includes(whenRequired)) {
		throw new NodeOperationError(
			node,
			`When Authorization Is Required has an unknown value "${String(whenRequired)}"`,
		);
	}
	const notifyUrl =
		typeof options.notifyUrl === 'string' && options.notifyUrl.trim() !== ''
			? options.notifyUrl.trim()
			: undefined;
	if (notifyUrl !== undefined && !isHttpUrl(notifyUrl)) {
		// The URL itself is a secret (anyone who has it can post to the channel): not repeated here.
		throw new NodeOperationError(node, 'Notify URL is not an http(s) URL', {
			description:
				'The notice is POSTed as JSON; use a Slack, Discord or Mattermost incoming webhook or an n8n Webhook URL.',
		});
	}
	const toolAuthorization = (options.toolAuthorization ?? 'giveLink') as ToolAuthorization;
	if (!['giveLink', 'notifyOwner'].includes(toolAuthorization)) {
		throw new NodeOperationError(
			node,
			`On Authorization (As a Tool) has an unknown value "${String(toolAuthorization)}"`,
		);
	}
	const chatAuthorization = (options.chatAuthorization ?? 'showLink') as ChatAuthorization;
	if (!['showLink', 'notifyOwner'].includes(chatAuthorization)) {
		throw new NodeOperationError(
			node,
			`On Authorization (In a Chat or Stream) has an unknown value "${String(chatAuthorization)}"`,
		);
	}
	const limit = (options.limitWaitTime as { values?: WaitLimit } | undefined)?.values;
	// The editor draws the outputs with the same rule (outputLayout), so they never disagree.
	const limited = outputLayout({ resource: 'chat', operation: 'complete', options }).length > 1;
	const waitLimit = limited ? limit : undefined;
	// Checked here, before the first request: a bad setting found at pause time would lose the
	// results of items already sent.
	if (waitLimit) waitDeadline(node, waitLimit);
	return { whenRequired, toolAuthorization, chatAuthorization, waitLimit, notifyUrl };
}

/** Checked before the first request when the node runs as a tool: the owner can only be told through Notify URL. */
export function checkToolSettings(node: INode, settings: AuthorizationSettings): void {
	if (settings.toolAuthorization === 'notifyOwner' && settings.notifyUrl === undefined) {
		throw new NodeOperationError(
			node,
			'On Authorization (As a Tool) is set to notify the owner, but Notify URL is empty',
			{
				description:
					'Add a Notify URL (a Slack, Discord or Mattermost incoming webhook, or an n8n Webhook URL).',
			},
		);
	}
}

/** Checked before the first request when the run came from a chat or streams and may pause. */
export function checkChatSettings(node: INode, settings: AuthorizationSettings): void {
	if (settings.chatAuthorization === 'notifyOwner' && settings.notifyUrl === undefined) {
		throw new NodeOperationError(
			node,
			'On Authorization (In a Chat or Stream) is set to notify the owner, but Notify URL is empty',
			{
				description:
					'Add a Notify URL (a Slack, Discord or Mattermost incoming webhook, or an n8n Webhook URL).',
			},
		);
	}
}

function limitError(node: INode, problem: string): NodeOperationError {
	return new NodeOperationError(node, `Limit Wait Time ${problem}`, {
		description:
			'Set Limit Type to After Time Interval (a positive amount and a unit: seconds, minutes, hours or days) or At Specified Time (a date in the future).',
	});
}

/**
 * When the wait runs out, or undefined for "wait indefinitely". Throws on a setting that cannot be
 * a deadline; a date that passed only while the requests were out (`pastIsAnError` false, at
 * pause time) is still the deadline: n8n then times the wait out at once.
 */
export function waitDeadline(
	node: INode,
	limit: WaitLimit | undefined,
	{ now = Date.now(), pastIsAnError = true } = {},
): Date | undefined {
	if (!limit) return undefined;
	const limitType = limit.limitType ?? 'afterTimeInterval';
	if (!LIMIT_TYPES.includes(limitType)) {
		throw limitError(node, `has an unknown limit type "${String(limitType)}"`);
	}
	let deadline: Date;
	if (limitType === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount ?? 1);
		const unit = limit.resumeUnit ?? 'hours';
		if (!Object.prototype.hasOwnProperty.call(UNIT_MS, unit)) {
			throw limitError(node, `has an unknown unit "${String(unit)}"`);
		}
		if (!Number.isFinite(amount) || amount <= 0) {
			throw limitError(node, `needs a positive amount, not ${JSON.stringify(limit.resumeAmount)}`);
		}
		deadline = new Date(now + amount * UNIT_MS[unit]);
	} else {
		deadline = new Date(limit.maxDateAndTime ?? '');
		if (Number.isNaN(deadline.getTime())) {
			throw limitError(node, `has an invalid date "${String(limit.maxDateAndTime ?? '')}"`);
		}
		if (pastIsAnError && deadline.getTime() <= now) {
			throw limitError(node, `is in the past (${deadline.toISOString()})`);
		}
	}
	if (Number.isNaN(deadline.getTime())) throw limitError(node, 'is too far in the future');
	return deadline;
}

export function waitTill(deadline: Date | undefined): Date {
	return deadline ?? WAIT_INDEFINITELY;
}

/** One output of the node as the editor draws it (`type` is NodeConnectionTypes.Main). */
export interface OutputConnection {
	type: 'main';
	displayName?: string;
}

/**
 * The node's outputs for its parameters: Timed Out + Success when Chat > Complete has a Limit Wait
 * Time (its `values` present, even empty: n8n's Workflow fills the fields' defaults in before the
 * editor and execute() read them), else one output. The one rule for both the editor (Dedalus.node.ts embeds this
 * function's compiled source in its `outputs` expression, as n8n's Switch node does) and
 * execute()/webhook() (readAuthorizationSettings, resultOutputs). Because its source text runs
 * inside an n8n expression, it must stay self-contained: no imports, no helpers, no spread.
 */
export function outputLayout(parameters: {
	resource?: unknown;
	operation?: unknown;
	options?: unknown;
}): OutputConnection[] {
	const options = parameters.options as { limitWaitTime?: { values?: unknown } } | undefined;
	const values = options && options.limitWaitTime ? options.limitWaitTime.values : undefined;
	const limited =
		parameters.resource === 'chat' &&
		parameters.operation === 'complete' &&
		typeof values === 'object' &&
		values !== null;
	return limited
		? [
				{ type: 'main', displayName: 'Timed Out' },
				{ type: 'main', displayName: 'Success' },
			]
		: [{ type: 'main' }];
}

/**
 * With a wait limit, n8n sends the untouched input items out of output 0 when the limit runs out,
 * without running any node code. Results therefore go to output 1, so a timeout can never reach
 * the nodes that expect a completion. Without a limit there is one output.
 */
export function resultOutputs(
	settings: AuthorizationSettings,
	items: INodeExecutionData[],
): INodeExecutionData[][] {
	return settings.waitLimit ? [[], items] : [items];
}
