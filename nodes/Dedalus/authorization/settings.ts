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

export interface AuthorizationSettings {
	whenRequired: WhenAuthorizationRequired;
	waitLimit?: WaitLimit;
	notifyUrl?: string;
}

const UNIT_MS = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

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
		throw new NodeOperationError(node, `Notify URL "${notifyUrl}" is not an http(s) URL`, {
			description:
				'The notice is POSTed as JSON; use a Slack, Discord or Mattermost incoming webhook or an n8n Webhook URL.',
		});
	}
	const limit = (options.limitWaitTime as { values?: WaitLimit } | undefined)?.values;
	return {
		whenRequired,
		waitLimit: limit && Object.keys(limit).length > 0 ? limit : undefined,
		notifyUrl,
	};
}

/** When the wait runs out, or undefined for "wait indefinitely". */
export function waitDeadline(
	node: INode,
	limit: WaitLimit | undefined,
	now = Date.now(),
): Date | undefined {
	if (!limit) return undefined;
	let deadline: Date;
	if ((limit.limitType ?? 'afterTimeInterval') === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount ?? 1);
		const unit = UNIT_MS[limit.resumeUnit ?? 'hours'];
		if (!Number.isFinite(amount) || amount <= 0 || unit === undefined) {
			throw new NodeOperationError(node, 'Limit Wait Time needs a positive amount and a unit');
		}
		deadline = new Date(now + amount * unit);
	} else {
		deadline = new Date(limit.maxDateAndTime ?? '');
	}
	if (Number.isNaN(deadline.getTime())) {
		throw new NodeOperationError(node, 'Limit Wait Time has an invalid date');
	}
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
