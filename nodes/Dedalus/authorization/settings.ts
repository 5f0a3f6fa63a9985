import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { isHttpUrl } from '../transport';

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

export interface AuthorizationSettings {
	whenRequired: WhenAuthorizationRequired;
	toolAuthorization: ToolAuthorization;
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
	const limit = (options.limitWaitTime as { values?: WaitLimit } | undefined)?.values;
	const waitLimit = limit && Object.keys(limit).length > 0 ? limit : undefined;
	// Checked here, before the first request: a bad setting found at pause time would lose the
	// results of items already sent.
	if (waitLimit) waitDeadline(node, waitLimit);
	return { whenRequired, toolAuthorization, waitLimit, notifyUrl };
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
