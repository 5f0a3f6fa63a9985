/**
 * Issue 9, the authorization points (3, 4, 5, 9, 11, 12), through n8n-core's real engine and
 * n8n's waiting-webhook path (test/helpers), against the emulator over real HTTP.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import type { RunResult } from '../../../engine-harness/engine';
import {
	GMAIL,
	SEARCH,
	createTestBed,
	dedalusNode,
	items,
	jsonOf,
	runDedalus,
} from '../engine-setup';
import { startHostileServer } from './hostile-server';
import type { HostileServer } from './hostile-server';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

function pauseNode(options: IDataObject = {}, extra: Partial<INode> = {}): INode {
	return dedalusNode({ options: { concurrency: 1, ...options } }, extra);
}

const mailAndSearch = () =>
	items({ prompt: 'search it', servers: SEARCH }, { prompt: 'summarize mail', servers: GMAIL });

describe('3. any node name a user can type pauses and resumes', () => {
	it.each(['Dedalus }} x', 'Dedalus {{ $json }}', 'a "quoted" \\ name\u2028`${x}`', '{{}}'])(
		'%s',
		async (name) => {
			const waiting = await runDedalus(bed, pauseNode({}, { name }), mailAndSearch());
			expect(waiting.status).toBe('waiting');
			const page = await bed.engine.callWebhook(waiting, { method: 'GET' });
			expect(page.statusCode).toBe(200);
			expect(page.body).toContain('Authorization needed');
			await bed.grantConsent();
			const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(resumed.resumed).toBe(true);
			const result = resumed.result as RunResult;
			expect(result.status).toBe('success');
			expect(result.outputOf('Downstream')).toHaveLength(2);
		},
	);
});

function limit(values: IDataObject): IDataObject {
	return { limitWaitTime: { values } };
}

describe('4. Limit Wait Time is checked before the first request', () => {
	it.each([
		[{ limitType: 'afterTimeInterval', resumeAmount: 0, resumeUnit: 'minutes' }, 'amount'],
		[{ limitType: 'afterTimeInterval', resumeAmount: -5, resumeUnit: 'minutes' }, 'amount'],
		[{ limitType: 'afterTimeInterval', resumeAmount: 5, resumeUnit: 'weeks' }, 'unit "weeks"'],
		[
			{ limitType: 'afterTimeInterval', resumeAmount: 5, resumeUnit: 'toString' },
			'unit "toString"',
		],
		[{ limitType: 'atNoon' }, 'limit type "atNoon"'],
		[{ limitType: 'atSpecifiedTime', maxDateAndTime: 'someday' }, 'date "someday"'],
		[{ limitType: 'atSpecifiedTime', maxDateAndTime: '2020-01-01T00:00:00Z' }, 'in the past'],
	])('%j fails the node naming the %s, and sends nothing', async (values, problem) => {
		const result = await runDedalus(bed, pauseNode(limit(values)), mailAndSearch());
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('Limit Wait Time');
		expect(result.error?.message).toContain(problem);
		expect(bed.completionRequests()).toEqual([]);
	});

	it('a date in the future is accepted and becomes the deadline', async () => {
		const date = new Date(Date.now() + 3_600_000).toISOString();
		const waiting = await runDedalus(
			bed,
			pauseNode(limit({ limitType: 'atSpecifiedTime', maxDateAndTime: date })),
			mailAndSearch(),
		);
		expect(waiting.status).toBe('waiting');
		expect(waiting.waitTill?.toISOString()).toBe(date);
	});
});

describe('5. after the wait limit', () => {
	const oneSecond = limit({
		limitType: 'afterTimeInterval',
		resumeAmount: 1,
		resumeUnit: 'seconds',
	});
	const json = { Accept: 'application/json' };

	it('a POST after expiresAt is refused with an "expired" page and sends nothing', async () => {
		const waiting = await runDedalus(bed, pauseNode(oneSecond), mailAndSearch());
		await bed.grantConsent();
		await new Promise((resolve) => setTimeout(resolve, 1200));
		const sent = bed.completionRequests().length;
		const page = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(page.resumed).toBe(false);
		expect(page.statusCode).toBe(410);
		expect(page.body).toContain('This authorization expired');
		expect(page.body).not.toContain('Done');
		expect(page.body).not.toContain('id="connect"');
		const asJson = await bed.engine.callWebhook(waiting, { method: 'POST', headers: json });
		expect(JSON.parse(asJson.body)).toMatchObject({ state: 'expired' });
		const get = await bed.engine.callWebhook(waiting, { method: 'GET' });
		expect(get.body).toContain('This authorization expired');
		expect(bed.completionRequests()).toHaveLength(sent);

		const expired = await bed.engine.expireWait(waiting);
		expect(jsonOf(expired.outputOf('Timed Out'))).toHaveLength(2);
	});

	it('a resend that finishes after expiresAt does not resume and never says Done', async () => {
		const twoSeconds = limit({
			limitType: 'afterTimeInterval',
			resumeAmount: 2,
			resumeUnit: 'seconds',
		});
		const waiting = await runDedalus(bed, pauseNode(twoSeconds), mailAndSearch());
		await bed.grantConsent();
		await bed.admin('latency', { ms: 2500 });
		const page = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(page.resumed).toBe(false);
		expect(page.body).toContain('This authorization expired');
		expect(page.body).not.toContain('Done');
		const expired = await bed.engine.expireWait(waiting);
		expect(jsonOf(expired.outputOf('Timed Out'))).toHaveLength(2);
		expect(expired.runData.Downstream).toBeUndefined();
	});
});

describe('9. the notice', () => {
	let listener: HostileServer;
	beforeAll(async () => {
		listener = await startHostileServer();
	});
	afterAll(async () => await listener.close());
	beforeEach(() => {
		listener.received.length = 0;
		listener.answer((_, response) => response.writeHead(200).end('ok'));
	});

	const markup = 'Dedalus <!channel> @here <https://evil.example|click> @everyone';

	it('escapes chat markup, and keeps the Notify URL out of the waiting items', async () => {
		const notifyUrl = `${listener.url}/services/T000/B000/SECRETTOKEN`;
		const waiting = await runDedalus(
			bed,
			pauseNode({ notifyUrl }, { name: markup }),
			items({ prompt: 'mail', servers: GMAIL }),
		);
		expect(waiting.status).toBe('waiting');
		const notice = JSON.parse(listener.received[0].body) as IDataObject;
		for (const text of [notice.text, notice.content] as string[]) {
			expect(text).not.toContain('<!channel>');
			expect(text).not.toContain('<https://evil.example|click>');
			expect(text).not.toMatch(/@(here|everyone|channel)\b/);
		}
		expect(notice.text).toContain('‹!channel›');
		expect(notice.allowed_mentions).toEqual({ parse: [] });
		const output = waiting.outputOf(markup);
		expect(JSON.stringify(output)).not.toContain('SECRETTOKEN');
		// (The parameter itself is stored with the workflow, as every n8n parameter is.)
		expect(JSON.stringify(waiting.data.resultData)).not.toContain('SECRETTOKEN');
		expect(jsonOf(output)[0].notification).toEqual({ sent: true, url: listener.url });
	});

	it('a notice that trickles its answer gives up at its 15 s timeout, as a whole', async () => {
		listener.answer((_, response) => {
			response.writeHead(200);
			const drip = setInterval(() => {
				if (response.destroyed) return clearInterval(drip);
				response.write('.');
			}, 500);
			setTimeout(() => {
				clearInterval(drip);
				response.end();
			}, 40_000).unref();
		});
		const started = Date.now();
		const waiting = await runDedalus(
			bed,
			pauseNode({ notifyUrl: `${listener.url}/slow` }),
			items({ prompt: 'mail', servers: GMAIL }),
		);
		const elapsed = Date.now() - started;
		expect(waiting.status).toBe('waiting');
		expect(elapsed).toBeLessThan(20_000);
		expect(jsonOf(waiting.outputOf('Dedalus'))[0].notification).toEqual({
			sent: false,
			url: listener.url,
			error: 'The notification could not be sent: it timed out after 15 s',
		});
	}, 60_000);
});
