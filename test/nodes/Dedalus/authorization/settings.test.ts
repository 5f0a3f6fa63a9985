import { WAIT_INDEFINITELY } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import {
	checkToolSettings,
	readAuthorizationSettings,
	waitDeadline,
	waitTill,
} from '../../../../nodes/Dedalus/authorization/settings';

const node = { name: 'Dedalus' } as INode;
const now = Date.UTC(2026, 0, 1);

describe('authorization/settings', () => {
	it('defaults to waiting, giving the agent the link, without a limit or notice', () => {
		expect(readAuthorizationSettings(node, {})).toEqual({
			whenRequired: 'wait',
			toolAuthorization: 'giveLink',
			chatAuthorization: 'showLink',
			waitLimit: undefined,
			notifyUrl: undefined,
		});
	});

	it('refuses unknown choices and a Notify URL that is not http(s), without quoting it', () => {
		expect(() => readAuthorizationSettings(node, { whenAuthorizationRequired: 'x' })).toThrow(
			/When Authorization Is Required/,
		);
		expect(() => readAuthorizationSettings(node, { toolAuthorization: 'x' })).toThrow(
			/On Authorization \(As a Tool\)/,
		);
		expect(() => readAuthorizationSettings(node, { chatAuthorization: 'x' })).toThrow(
			/On Authorization \(In a Chat or Stream\)/,
		);
		expect(() => readAuthorizationSettings(node, { notifyUrl: 'ftp://secret.example' })).toThrow(
			/^Notify URL is not an http\(s\) URL$/,
		);
	});

	it('asks for a Notify URL when a tool is to notify the owner', () => {
		const settings = readAuthorizationSettings(node, { toolAuthorization: 'notifyOwner' });
		expect(() => checkToolSettings(node, settings)).toThrow(/Notify URL is empty/);
		settings.notifyUrl = 'https://hooks.example/x';
		expect(() => checkToolSettings(node, settings)).not.toThrow();
	});

	it('computes deadlines from an interval or a date, and refuses bad ones', () => {
		expect(waitDeadline(node, { resumeAmount: 2, resumeUnit: 'minutes' }, { now })).toEqual(
			new Date(now + 120_000),
		);
		const at = new Date(now + 1000).toISOString();
		expect(
			waitDeadline(node, { limitType: 'atSpecifiedTime', maxDateAndTime: at }, { now }),
		).toEqual(new Date(at));
		expect(() => waitDeadline(node, { resumeAmount: 0 }, { now })).toThrow(/positive amount/);
		expect(() => waitDeadline(node, { resumeUnit: 'weeks' as never }, { now })).toThrow(
			/unknown unit/,
		);
		const past = { limitType: 'atSpecifiedTime' as const, maxDateAndTime: '2020-01-01' };
		expect(() => waitDeadline(node, past, { now })).toThrow(/in the past/);
		// At pause time a date that passed while the requests were out is still the deadline.
		expect(waitDeadline(node, past, { now, pastIsAnError: false })).toEqual(new Date('2020-01-01'));
		expect(waitDeadline(node, undefined)).toBeUndefined();
		expect(waitTill(undefined)).toBe(WAIT_INDEFINITELY);
	});
});
