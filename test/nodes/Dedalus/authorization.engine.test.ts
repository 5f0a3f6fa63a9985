/**
 * Pause on authorization and resume, run through n8n-core's real engine and n8n's waiting-webhook
 * path (test/engine-harness), against the emulator over real HTTP. The same flows run in a real n8n in
 * test/e2e.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';

import type { RunResult } from '../../engine-harness/engine';
import { serverIdOf } from '../../../emulator/src';
import {
	API_KEY,
	GMAIL,
	SEARCH,
	createTestBed,
	dedalusNode,
	items,
	jsonOf,
	runDedalus,
} from './engine-setup';

const CALENDAR = 'dedalus-labs/google-calendar';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

const json = { Accept: 'application/json' };

function sentFor(user: string, status = 200): number {
	return bed
		.completionRequests()
		.filter((request) => request.user === user && request.status === status).length;
}

function expectNoKey(...values: unknown[]): void {
	for (const value of values) expect(JSON.stringify(value) ?? '').not.toContain(API_KEY);
}

async function pauseThreeItems(options: IDataObject = {}, nodeExtra = {}): Promise<RunResult> {
	const node = dedalusNode({ options: { concurrency: 1, ...options } }, nodeExtra);
	return await runDedalus(
		bed,
		node,
		items(
			{ prompt: 'search it', servers: SEARCH },
			{ prompt: 'summarize mail', servers: GMAIL },
			{ prompt: 'third' },
		),
	);
}

describe('waiting for consent', () => {
	it('pauses, and shows only the held-back items with both links', async () => {
		const waiting = await pauseThreeItems();
		expect(waiting.status).toBe('waiting');
		expect(waiting.waitTill?.getUTCFullYear()).toBe(3000);
		const output = waiting.outputOf('Dedalus');
		// Item 0 completed before the pause; 1 needed consent; 2 was not sent (concurrency 1).
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		for (const item of jsonOf(output)) {
			expect(item).toEqual({
				status: 'authorization_required',
				connect_url: expect.stringMatching(
					new RegExp(`^http://127\\.0\\.0\\.1:\\d+/oauth/connect\\?server=${serverIdOf(GMAIL)}&`),
				),
				authorization_url: waiting.resumeUrl,
				servers: [GMAIL],
			});
		}
		expect(bed.completionRequests().map((request) => [request.user, request.status])).toEqual([
			['item-0', 200],
			['item-1', 401],
		]);
		expectNoKey(waiting.data, bed.engine.logs);
	});

	it('GET shows the page and has no side effect: no API call, still waiting', async () => {
		const waiting = await pauseThreeItems();
		const before = bed.completionRequests().length;
		const page = await bed.engine.callWebhook(waiting, { method: 'GET' });
		expect(page.statusCode).toBe(200);
		expect(page.resumed).toBe(false);
		expect(page.headers['content-type']).toContain('text/html');
		expect(page.headers['content-security-policy']).toContain("default-src 'none'");
		expect(page.body).toContain('Authorization needed');
		expect(page.body).toContain(GMAIL);
		expect(page.body).toContain('id="connect"');
		expect(bed.completionRequests()).toHaveLength(before);
		expectNoKey(page);
	});

	it('POST before consent keeps waiting and says consent is still missing, with the newest link', async () => {
		const waiting = await pauseThreeItems();
		const early = await bed.engine.callWebhook(waiting, { method: 'POST', headers: json });
		expect(early.resumed).toBe(false);
		expect(JSON.parse(early.body)).toEqual({
			state: 'still_waiting',
			message: 'Consent is still missing',
			connect_url: expect.stringContaining(`/oauth/connect?server=${serverIdOf(GMAIL)}&`),
			connect_host: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
			connect_insecure: false,
		});
		const html = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(html.body).toContain('Consent is still missing');
		expect(sentFor('item-0')).toBe(1);
	});

	it('after consent a POST resumes: every item in input order, the completed one never sent again', async () => {
		const waiting = await pauseThreeItems();
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		expect(resumed.body).toContain('Done: the workflow continued');
		const result = resumed.result as RunResult;
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [searched, mail, third] = jsonOf(result.outputOf('Downstream'));
		expect(searched.content).toContain('search it');
		expect(mail.content).toContain('Summary of 3 emails');
		expect((mail.mcp_tool_results as IDataObject[])[0]).toMatchObject({
			tool_name: 'list_messages',
			server_name: GMAIL,
		});
		expect(third.content).toContain('third');
		expect([sentFor('item-0'), sentFor('item-1'), sentFor('item-2')]).toEqual([1, 1, 1]);
		expectNoKey(result.data, resumed.body);
	});

	it('two POSTs arriving together send the completions once and resume once', async () => {
		const waiting = await pauseThreeItems();
		await bed.grantConsent();
		await bed.admin('latency', { ms: 100 });
		const [a, b] = await Promise.all([
			bed.engine.callWebhook(waiting, { method: 'POST', headers: json }),
			bed.engine.callWebhook(waiting, { method: 'POST', headers: json }),
		]);
		expect([a.resumed, b.resumed].sort()).toEqual([false, true]);
		expect([JSON.parse(a.body).state, JSON.parse(b.body).state].sort()).toEqual([
			'already_continued',
			'continued',
		]);
		expect([sentFor('item-0'), sentFor('item-1'), sentFor('item-2')]).toEqual([1, 1, 1]);
	});

	it('a wrong signature is refused by n8n and nothing is sent', async () => {
		const waiting = await pauseThreeItems();
		const before = bed.completionRequests().length;
		const refused = await bed.engine.callWebhook(waiting, { method: 'POST', signature: 'forged' });
		expect(refused.statusCode).toBe(401);
		expect(refused.resumed).toBe(false);
		expect(bed.completionRequests()).toHaveLength(before);
	});

	it('resends each held-back item with its own parameters', async () => {
		const node = dedalusNode({ prompt: '={{ "prompt " + $json.n }}', options: { concurrency: 1 } });
		const waiting = await runDedalus(
			bed,
			node,
			items({ n: 'zero', servers: GMAIL }, { n: 'one', servers: SEARCH }),
		);
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		const [zero, one] = jsonOf((resumed.result as RunResult).outputOf('Dedalus'));
		expect(zero.content).toContain('Summary of 3 emails');
		expect(one.content).toContain('prompt one');
		expect(
			bed
				.completionRequests()
				.map((request) => [request.user, request.status, request.mcp_servers]),
		).toEqual([
			['item-0', 401, [GMAIL]],
			['item-0', 200, [GMAIL]],
			['item-1', 200, [SEARCH]],
		]);
	});

	it('an item that completes during a resume that cannot finish yet is not sent again by the next one', async () => {
		const node = dedalusNode({ options: { concurrency: 1 } });
		const waiting = await runDedalus(
			bed,
			node,
			items({ prompt: 'mail', servers: GMAIL }, { prompt: 'calendar', servers: CALENDAR }),
		);
		await bed.grantConsent(GMAIL);
		const partial = await bed.engine.callWebhook(waiting, { method: 'POST', headers: json });
		expect(JSON.parse(partial.body)).toMatchObject({
			state: 'still_waiting',
			connect_url: expect.stringContaining(`server=${serverIdOf(CALENDAR)}&`),
		});
		expect(sentFor('item-0')).toBe(1);
		const page = await bed.engine.callWebhook(waiting, { method: 'GET' });
		expect(page.body).toContain(CALENDAR);
		await bed.grantConsent(CALENDAR);
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		expect(resumed.resumed).toBe(true);
		expect(sentFor('item-0')).toBe(1);
		expect(sentFor('item-1')).toBe(1);
		expect(
			jsonOf((resumed.result as RunResult).outputOf('Dedalus')).map((item) =>
				String(item.content).slice(0, 10),
			),
		).toEqual(['Summary of', expect.any(String)]);
	});

	describe('another error on resume', () => {
		it('without continue-on-fail: the page says so and the execution keeps waiting, a later POST can still finish', async () => {
			const waiting = await pauseThreeItems({ maxRetries: 0 });
			await bed.grantConsent();
			await bed.admin('faults', { faults: [{ status: 400, body: { detail: 'bad request' } }] });
			const failed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(failed.resumed).toBe(false);
			expect(failed.statusCode).toBe(502);
			expect(failed.body).toContain('Dedalus answered with an error');
			expect(failed.body).toContain('Dedalus could not accept the request parameters: bad request');
			const retried = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(retried.resumed).toBe(true);
			expect([sentFor('item-0'), sentFor('item-1'), sentFor('item-2')]).toEqual([1, 1, 1]);
		});

		it('with continue-on-fail: the item gets the error and the run resumes', async () => {
			const waiting = await pauseThreeItems(
				{ maxRetries: 0 },
				{ onError: 'continueRegularOutput' },
			);
			await bed.grantConsent();
			await bed.admin('faults', { faults: [{ status: 503 }] });
			const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			expect(resumed.resumed).toBe(true);
			const [first, failedItem, third] = jsonOf((resumed.result as RunResult).outputOf('Dedalus'));
			expect(first.content).toContain('search it');
			expect(failedItem.error).toContain('Dedalus had a server error (503)');
			expect(third.content).toContain('third');
		});
	});

	describe('with more than one request in flight', () => {
		it('finishes what is in flight, starts nothing new, and sends only the rest after consent', async () => {
			// Item 1 needs consent and answers first; items 0 and 2 are still in flight then.
			await bed.admin('faults', { faults: [{ delayMs: 300 }, { delayMs: 0 }, { delayMs: 300 }] });
			const node = dedalusNode({ options: { concurrency: 3 } });
			const input = items(
				...Array.from({ length: 6 }, (_, n) => ({
					prompt: `p${n}`,
					servers: n === 1 ? GMAIL : SEARCH,
				})),
			);
			const waiting = await runDedalus(bed, node, input);
			expect(waiting.status).toBe('waiting');
			expect(
				bed
					.completionRequests()
					.map((request) => [request.user, request.status])
					.sort(),
			).toEqual([
				['item-0', 200],
				['item-1', 401],
				['item-2', 200],
			]);
			expect(waiting.outputOf('Dedalus').map((item) => item.pairedItem)).toEqual(
				[1, 3, 4, 5].map((item) => ({ item })),
			);
			await bed.grantConsent();
			const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
			const output = (resumed.result as RunResult).outputOf('Dedalus');
			expect(output.map((item) => item.pairedItem)).toEqual(
				[0, 1, 2, 3, 4, 5].map((item) => ({ item })),
			);
			expect(output.map((item) => String(item.json.content).match(/p\d/)?.[0] ?? 'mail')).toEqual([
				'p0',
				'mail',
				'p2',
				'p3',
				'p4',
				'p5',
			]);
			for (let n = 0; n < 6; n++) expect(sentFor(`item-${n}`)).toBe(1);
		});
	});
});

describe('wait limit', () => {
	const limit = {
		limitWaitTime: {
			values: { limitType: 'afterTimeInterval', resumeAmount: 5, resumeUnit: 'seconds' },
		},
	};

	it('sets the deadline, and a timeout leaves through the first output only', async () => {
		const started = Date.now();
		const waiting = await pauseThreeItems(limit);
		expect(waiting.waitTill!.getTime() - started).toBeGreaterThanOrEqual(4900);
		expect(waiting.waitTill!.getTime() - started).toBeLessThan(15000);
		const [first] = jsonOf(waiting.outputOf('Dedalus', 1));
		expect(first.expires_at).toBe(waiting.waitTill!.toISOString());
		const expired = await bed.engine.expireWait(waiting);
		expect(expired.status).toBe('success');
		expect(jsonOf(expired.outputOf('Timed Out'))).toEqual([
			{ prompt: 'search it', servers: SEARCH },
			{ prompt: 'summarize mail', servers: GMAIL },
			{ prompt: 'third' },
		]);
		expect(expired.runData.Downstream).toBeUndefined();
	});

	it('results go to the second output, after a resume as without a pause', async () => {
		const waiting = await pauseThreeItems(limit);
		await bed.grantConsent();
		const resumed = await bed.engine.callWebhook(waiting, { method: 'POST' });
		const result = resumed.result as RunResult;
		expect(result.outputOf('Dedalus', 0)).toEqual([]);
		expect(result.outputOf('Downstream')).toHaveLength(3);
		expect(result.runData['Timed Out']).toBeUndefined();

		bed.emulator.reset();
		await bed.grantConsent();
		const direct = await pauseThreeItems(limit);
		expect(direct.status).toBe('success');
		expect(direct.outputOf('Dedalus', 0)).toEqual([]);
		expect(direct.outputOf('Downstream')).toHaveLength(3);
	});
});

describe('telling a person', () => {
	it('in manual runs sends the editor a message with both links', async () => {
		const node = dedalusNode({});
		const waiting = await runDedalus(bed, node, items({ prompt: 'mail', servers: GMAIL }), {
			mode: 'manual',
		});
		const messages = JSON.stringify(waiting.uiMessages);
		expect(messages).toContain(`/oauth/connect?server=${serverIdOf(GMAIL)}&`);
		expect(messages).toContain(waiting.resumeUrl.replace(/"/g, '\\"'));
		expectNoKey(waiting.uiMessages);
	});

	it('POSTs the notice to notifyUrl, and reports a failed notice without failing', async () => {
		const received: Array<{ body: IDataObject; headers: IDataObject }> = [];
		let answer = 200;
		const listener = createServer((req, res) => {
			let text = '';
			req.on('data', (chunk) => (text += chunk));
			req.on('end', () => {
				received.push({ body: JSON.parse(text), headers: req.headers as IDataObject });
				res.writeHead(answer).end();
			});
		});
		await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
		const notifyUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/notice`;
		try {
			const waiting = await runDedalus(
				bed,
				dedalusNode({ options: { notifyUrl } }),
				items({ prompt: 'mail', servers: GMAIL }),
			);
			const [waitingItem] = jsonOf(waiting.outputOf('Dedalus'));
			expect(waitingItem.notification).toEqual({ sent: true, url: new URL(notifyUrl).origin });
			expect(received).toHaveLength(1);
			const notice = received[0].body;
			expect(notice).toEqual({
				text: expect.stringContaining(waiting.resumeUrl.replace(/&/g, '&amp;')),
				content: expect.stringContaining(waiting.resumeUrl),
				allowed_mentions: { parse: [] },
				connect_url: waitingItem.connect_url,
				authorization_url: waiting.resumeUrl,
				workflow: expect.any(String),
				node: 'Dedalus',
				execution_id: waiting.executionId,
				expires_at: null,
				servers: [GMAIL],
			});
			expect(received[0].headers.authorization).toBeUndefined();
			expectNoKey(received);

			answer = 500;
			const again = await runDedalus(
				bed,
				dedalusNode({ options: { notifyUrl } }),
				items({ prompt: 'mail', servers: GMAIL }),
			);
			expect(again.status).toBe('waiting');
			expect(jsonOf(again.outputOf('Dedalus'))[0].notification).toEqual({
				sent: false,
				url: new URL(notifyUrl).origin,
				error: 'The notification could not be sent: HTTP 500',
			});
		} finally {
			listener.close();
		}
	});
});
