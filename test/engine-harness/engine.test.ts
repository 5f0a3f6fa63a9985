/**
 * Proves the test harness: fixture nodes run through n8n-core's real WorkflowExecute, real node
 * contexts and real HTTP helpers. Where n8n behaves in a way a node author might not expect, the
 * test asserts what the engine (and n8n's waiting-webhook code, as the harness reproduces it) does.
 *
 * Marked "checked": the same fixture node (FixtureWait, compiled) behind a Webhook -> Respond to
 * Webhook -> FixtureWait -> HTTP Request workflow on a real n8n 2.41.1 gave the same status codes,
 * bodies, headers, downstream data and saved execution status.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INode } from 'n8n-workflow';
import { chain, createEngine, downstreamNode, triggerNode, type Engine } from './engine';
import { FixtureApi } from './fixtures/FixtureApi.credentials';
import { FixtureCancel } from './fixtures/FixtureCancel.node';
import { FixtureHttp } from './fixtures/FixtureHttp.node';
import { FixtureWait } from './fixtures/FixtureWait.node';

interface Received {
	method?: string;
	url?: string;
	headers: IncomingMessage['headers'];
	body: unknown;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];
let onHang: (() => void) | undefined;
let onSlow: (() => void) | undefined;
let releaseSlow: (() => void) | undefined;

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString();
			const body = text ? (JSON.parse(text) as IDataObject) : undefined;
			received.push({ method: req.method, url: req.url, headers: req.headers, body });
			if (req.url?.startsWith('/hang')) {
				onHang?.();
				return; // never answers
			}
			if (req.url?.startsWith('/slow')) {
				releaseSlow = () => {
					res.writeHead(200, { 'content-type': 'application/json' });
					res.end(JSON.stringify({ slow: true }));
				};
				onSlow?.();
				return;
			}
			const item = (body as { json?: IDataObject } | undefined)?.json;
			if (item?.fail) {
				res.writeHead(500, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ message: `upstream refused item ${String(item.n)}` }));
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ echoed: body }));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
	received.length = 0;
	onHang = undefined;
	onSlow = undefined;
	releaseSlow = undefined;
});

function makeEngine(): Engine {
	return createEngine({
		nodeTypes: {
			'test.fixtureHttp': new FixtureHttp(),
			'test.fixtureWait': new FixtureWait(),
			'test.fixtureCancel': new FixtureCancel(),
		},
		credentialTypes: { fixtureApi: new FixtureApi() },
		credentials: { fixtureApi: { apiKey: 'sk-test-123', baseUrl } },
	});
}

function httpNode(extra: Partial<INode> = {}): INode {
	return {
		id: 'http',
		name: 'Fixture HTTP',
		type: 'test.fixtureHttp',
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
		credentials: { fixtureApi: { id: '1', name: 'Fixture account' } },
		...extra,
	};
}

function waitNode(parameters: INode['parameters'] = {}): INode {
	return {
		id: 'wait',
		name: 'Fixture',
		type: 'test.fixtureWait',
		typeVersion: 1,
		position: [200, 0],
		parameters,
	};
}

const waitingWorkflow = (parameters: INode['parameters'] = {}) => ({
	nodes: [triggerNode(), waitNode(parameters), downstreamNode()],
	connections: chain('Trigger', 'Fixture', 'Downstream'),
});

describe('HTTP with a credential that authenticates with a function (1)', () => {
	it('sends Authorization: Bearer <key> through the real httpRequestWithAuthentication', async () => {
		const engine = makeEngine();
		const result = await engine.run(
			{
				nodes: [triggerNode(), httpNode(), downstreamNode()],
				connections: chain('Trigger', 'Fixture HTTP', 'Downstream'),
			},
			{ items: [{ json: { n: 1 } }] },
		);

		expect(result.status).toBe('success');
		expect(received).toHaveLength(1);
		expect(received[0].headers.authorization).toBe('Bearer sk-test-123');
		// the credential's default region reached authenticate(), as in n8n
		expect(received[0].url).toBe('/echo?region=eu');
		expect(received[0].body).toEqual({ item: 0, json: { n: 1 } });
		expect(result.outputOf('Downstream')).toEqual([
			{
				json: { response: { echoed: { item: 0, json: { n: 1 } } }, region: 'eu' },
				pairedItem: { item: 0 },
			},
		]);
	});

	it('fails like n8n when the node has no credential set', async () => {
		const engine = makeEngine();
		const result = await engine.run({
			nodes: [triggerNode(), httpNode({ credentials: undefined })],
			connections: chain('Trigger', 'Fixture HTTP'),
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('Node does not have any credentials set');
		expect(received).toHaveLength(0);
	});
});

describe('errors, continue-on-fail and pairedItem (2)', () => {
	const items = [{ json: { n: 0 } }, { json: { n: 1, fail: true } }, { json: { n: 2 } }];

	it('continueRegularOutput: failed items carry the error and their pairedItem', async () => {
		const engine = makeEngine();
		const result = await engine.run(
			{
				nodes: [triggerNode(), httpNode({ onError: 'continueRegularOutput' }), downstreamNode()],
				connections: chain('Trigger', 'Fixture HTTP', 'Downstream'),
			},
			{ items },
		);

		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		const output = result.outputOf('Fixture HTTP');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[1].json.error).toEqual(
			expect.stringContaining('The service was not able to process your request'),
		);
		expect(output[0].json.response).toEqual({ echoed: { item: 0, json: { n: 0 } } });
		expect(result.outputOf('Downstream')).toHaveLength(3);
		expect(result.runData['Fixture HTTP'][0].executionStatus).toBe('success');
	});

	it('continueErrorOutput: the engine routes error items to a second output, merged with their input item', async () => {
		const engine = makeEngine();
		const result = await engine.run(
			{
				nodes: [triggerNode(), httpNode({ onError: 'continueErrorOutput' }), downstreamNode()],
				connections: {
					...chain('Trigger', 'Fixture HTTP'),
					'Fixture HTTP': { main: [[{ node: 'Downstream', type: 'main', index: 0 }], []] },
				},
			},
			{ items },
		);

		expect(result.status).toBe('success');
		expect(result.outputOf('Fixture HTTP', 0).map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 2 },
		]);
		const errors = result.outputOf('Fixture HTTP', 1);
		expect(errors).toHaveLength(1);
		expect(errors[0].pairedItem).toEqual({ item: 1 });
		expect(errors[0].json).toMatchObject({ n: 1, fail: true, error: expect.any(String) });
		expect(result.outputOf('Downstream')).toHaveLength(2);
	});

	it('without continue-on-fail the execution fails and the error is in runData', async () => {
		const engine = makeEngine();
		const result = await engine.run(
			{
				nodes: [triggerNode(), httpNode(), downstreamNode()],
				connections: chain('Trigger', 'Fixture HTTP', 'Downstream'),
			},
			{ items },
		);

		expect(result.status).toBe('error');
		expect(result.lastNodeExecuted).toBe('Fixture HTTP');
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.error?.message).toBe('The service was not able to process your request');
		expect(result.runData['Fixture HTTP'][0].executionStatus).toBe('error');
		expect(result.runData['Fixture HTTP'][0].error?.message).toBe(result.error?.message);
		expect(result.runData.Downstream).toBeUndefined();
	});
});

describe('waiting on a webhook and resuming (3-6)', () => {
	const items = [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }];

	it('run() stops with status waiting and waitTill; execute() output is the waiting run data', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });

		expect(waiting.status).toBe('waiting');
		expect(waiting.finished).toBe(false);
		expect(waiting.waitTill).toEqual(new Date('3000-01-01T00:00:00.000Z'));
		expect(waiting.lastNodeExecuted).toBe('Fixture');
		expect(waiting.statusUpdates).toEqual(['waiting']);
		expect(waiting.runData.Fixture).toHaveLength(1);
		expect(waiting.runData.Fixture[0].executionStatus).toBe('waiting');
		expect(waiting.outputOf('Fixture')).toHaveLength(3);
		expect(waiting.runData.Downstream).toBeUndefined();
		// the node goes back on the stack with its original input items
		const [stackEntry] = waiting.data.executionData!.nodeExecutionStack;
		expect(stackEntry.node.name).toBe('Fixture');
		expect(stackEntry.data.main[0]?.map((item) => item.json)).toEqual(
			items.map((item) => item.json),
		);
		// what execute() saved with getContext('node')
		expect(waiting.data.executionData!.contextData['node:Fixture']).toEqual({ pendingItems: [1] });
	});

	it('the resume URL evaluates in execute() to /webhook-waiting/<id>?signature=<resumeToken> (6)', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });
		const token = waiting.data.resumeToken!;

		expect(token).toMatch(/^[0-9a-f]{64}$/);
		const expected = `http://127.0.0.1:5678/webhook-waiting/${waiting.executionId}?signature=${token}`;
		expect(waiting.resumeUrl).toBe(expected);
		expect(waiting.outputOf('Fixture').map((item) => item.json.resumeUrl)).toEqual([
			expected,
			expected,
			expected,
		]);
	});

	it('GET reads the saved context and does not resume; POST with workflowData resumes (3)', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });

		const get = await engine.callWebhook(waiting, { nodeName: 'Fixture', method: 'GET' });
		expect(get.statusCode).toBe(200);
		expect(get.resumed).toBe(false);
		expect(get.result).toBeUndefined();
		expect(get.headers['content-type']).toBe('application/json; charset=utf-8');
		const page = JSON.parse(get.body) as IDataObject;
		expect(page.pendingItems).toEqual([1]);
		// Express 5 + n8n: no body parser on webhook routes, so a GET without body has req.body undefined (checked)
		expect(page.body).toBe('<undefined>');
		// the resume token is part of the URL, so the node sees it in the query (checked)
		expect(page.query).toEqual({ signature: waiting.data.resumeToken });

		// still waiting: another GET works the same
		const again = await engine.callWebhook(waiting, { method: 'GET' });
		expect(again.statusCode).toBe(200);
		expect(again.resumed).toBe(false);

		const post = await engine.callWebhook(waiting, {
			nodeName: 'Fixture',
			method: 'POST',
			body: { code: 'abc' },
		});
		expect(post.resumed).toBe(true);
		expect(post.result?.status).toBe('success');
		expect(post.result?.finished).toBe(true);
		// what webhook() returned became the node's output and reached Downstream; execute() did not run again
		expect(post.result?.outputOf('Fixture')).toEqual([
			{ json: { resumedWith: { code: 'abc' } }, pairedItem: { item: 0 } },
		]);
		expect(post.result?.outputOf('Downstream').map((item) => item.json)).toEqual([
			{ resumedWith: { code: 'abc' } },
		]);
		expect(post.result?.runData.Fixture).toHaveLength(1);
		expect(post.result?.runData.Fixture[0].executionStatus).toBe('success');
		expect(post.result?.runData.Fixture[0].metadata).toEqual({ forwardAllOutputs: true });

		// the execution has finished: n8n answers 409 (checked, message typo included)
		const late = await engine.callWebhook(waiting, { method: 'POST', body: {} });
		expect(late.statusCode).toBe(409);
		expect(late.resumed).toBe(false);
		expect(JSON.parse(late.body)).toEqual({
			code: 409,
			message: `The execution "${waiting.executionId} has finished already.`,
		});
	});

	it('in webhook(), evaluateExpression(raw, i) sees input item i (4) and rawExpressions keeps the "=" (5)', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow({ message: '={{ "item " + $json.n }}' }), {
			items,
		});
		expect(waiting.outputOf('Fixture').map((item) => item.json.message)).toEqual([
			'item 0',
			'item 0',
			'item 0',
		]);

		const get = await engine.callWebhook(waiting, { method: 'GET', query: { count: '3' } });
		const page = JSON.parse(get.body) as IDataObject;
		expect(page.raw).toBe('={{ "item " + $json.n }}');
		// plain getNodeParameter in webhook() resolves against item 0
		expect(page.resolvedForItem0).toBe('item 0');
		// with the "=" stripped, item i resolves against input item i
		expect(page.perItem).toEqual(['item 0', 'item 1', 'item 2']);
		// without stripping, the result keeps a literal leading "="
		expect(page.perItemKeepingEquals).toEqual(['=item 0', '=item 1', '=item 2']);
	});

	it('POST that resumes answers the literal body "firstEntryJson" when the description has no responseData', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });

		const post = await engine.callWebhook(waiting, {
			method: 'POST',
			query: { action: 'resume-with-response' },
			body: { a: 1 },
		});
		expect(post.resumed).toBe(true);
		expect(post.statusCode).toBe(200);
		// webhook-helpers: responseData defaults to 'firstEntryJson', which wins over webhookResponse (checked)
		expect(post.body).toBe('firstEntryJson');
		expect(post.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(post.headers['content-security-policy']).toMatch(/^sandbox /);
		expect(post.result?.outputOf('Downstream').map((item) => item.json)).toEqual([
			{ resumedWith: { a: 1 } },
		]);
	});

	it('noWebhookResponse: the node writes the response itself, with or without resuming', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });

		// (checked for the GET page)
		const page = await engine.callWebhook(waiting, { method: 'GET', query: { action: 'page' } });
		expect(page).toMatchObject({ statusCode: 200, body: '<p>pending</p>', resumed: false });
		expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(page.headers['content-security-policy']).toBeUndefined();

		const done = await engine.callWebhook(waiting, {
			method: 'POST',
			query: { action: 'resume-writing-page' },
			body: { b: 2 },
		});
		expect(done).toMatchObject({ statusCode: 200, body: '<p>done</p>', resumed: true });
		expect(done.result?.outputOf('Downstream').map((item) => item.json)).toEqual([
			{ resumedWith: { b: 2 } },
		]);
	});

	it('a wrong or missing signature gets 401 and never reaches the node', async () => {
		const engine = makeEngine();
		// (checked)
		const waiting = await engine.run(waitingWorkflow(), { items });

		for (const signature of ['0'.repeat(64), null]) {
			const call = await engine.callWebhook(waiting, { method: 'POST', body: {}, signature });
			expect(call).toMatchObject({
				statusCode: 401,
				body: '{"error":"Invalid token"}',
				resumed: false,
			});
			expect(call.webhookResult).toBeUndefined();
		}
		const ok = await engine.callWebhook(waiting, { method: 'POST', body: {} });
		expect(ok.resumed).toBe(true);
	});

	it('a method or path with no matching webhook gets 404', async () => {
		const engine = makeEngine();
		// (checked)
		const waiting = await engine.run(waitingWorkflow(), { items });

		const put = await engine.callWebhook(waiting, { method: 'PUT', body: {} });
		expect(put.statusCode).toBe(404);
		const suffix = await engine.callWebhook(waiting, { method: 'GET', path: 'other' });
		expect(suffix.statusCode).toBe(404);
		expect(JSON.parse(suffix.body).message).toBe(
			`The workflow for execution "${waiting.executionId}" does not contain a waiting webhook with a matching path/method.`,
		);
	});

	it('when webhook() throws, n8n answers 500 and still resumes, with [{ json: {} }] and an error', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items });

		const call = await engine.callWebhook(waiting, {
			method: 'POST',
			query: { action: 'throw' },
			body: {},
		});
		expect(call.statusCode).toBe(500);
		expect(JSON.parse(call.body)).toEqual({
			code: 0,
			message: 'Workflow Webhook Error: Workflow could not be started!',
		});
		expect(call.webhookError?.message).toBe('webhook failed on purpose');
		expect(call.resumed).toBe(true);
		expect(call.result?.status).toBe('error');
		expect(call.result?.finished).toBe(true);
		expect(call.result?.error?.message).toBe('webhook failed on purpose');
		// webhook-helpers replaces resultData: earlier run data is gone, downstream runs on an empty item;
		// the saved execution is status error, finished true (checked)
		expect(call.result?.runData.Trigger).toBeUndefined();
		expect(call.result?.outputOf('Downstream')).toEqual([{ json: {}, pairedItem: { item: 0 } }]);
	});
});

describe('when the wait limit runs out', () => {
	it('the wait tracker restarts the execution: the node passes its input on, no node code runs', async () => {
		const engine = makeEngine();
		const items = [{ json: { n: 0 } }, { json: { n: 1 } }];
		const waiting = await engine.run(waitingWorkflow(), { items });

		const expired = await engine.expireWait(waiting);
		expect(expired.status).toBe('success');
		expect(expired.runData.Fixture).toHaveLength(1);
		expect(expired.outputOf('Fixture')).toEqual([
			{ json: { n: 0 }, pairedItem: { item: 0 } },
			{ json: { n: 1 }, pairedItem: { item: 1 } },
		]);
		expect(expired.outputOf('Downstream').map((item) => item.json)).toEqual([{ n: 0 }, { n: 1 }]);
		await expect(engine.expireWait(waiting)).rejects.toThrow('can so not be started again');
	});
});

describe('concurrent resume requests', () => {
	it('both run webhook(); one resumes, the other gets 500', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(waitingWorkflow(), { items: [{ json: { n: 0 } }] });

		const calls = await Promise.all([
			engine.callWebhook(waiting, { method: 'POST', body: { first: true } }),
			engine.callWebhook(waiting, { method: 'POST', body: { second: true } }),
		]);
		expect(calls.map((call) => call.webhookResult?.workflowData)).toEqual([
			[[{ json: { resumedWith: { first: true } } }]],
			[[{ json: { resumedWith: { second: true } } }]],
		]);
		const [winner, loser] = calls[0].resumed ? calls : [calls[1], calls[0]];
		expect(winner).toMatchObject({ statusCode: 200, body: 'firstEntryJson', resumed: true });
		expect(loser.resumed).toBe(false);
		expect(loser.statusCode).toBe(500);
		expect(JSON.parse(loser.body)).toEqual({
			code: 0,
			message: 'There was a problem executing the workflow',
		});
	});

	it('a call while the resumed execution is still running gets 409', async () => {
		const engine = makeEngine();
		const waiting = await engine.run(
			{
				nodes: [
					triggerNode(),
					waitNode(),
					httpNode({ position: [400, 0], parameters: { path: '/slow' } }),
				],
				connections: chain('Trigger', 'Fixture', 'Fixture HTTP'),
			},
			{ items: [{ json: { n: 0 } }] },
		);
		const slowRequestArrived = new Promise<void>((resolve) => (onSlow = resolve));
		const resuming = engine.callWebhook(waiting, { method: 'POST', body: {} });
		await slowRequestArrived;

		const during = await engine.callWebhook(waiting, { method: 'GET' });
		expect(during.statusCode).toBe(409);
		expect(JSON.parse(during.body).message).toBe(
			`The execution "${waiting.executionId}" is running already.`,
		);

		releaseSlow!();
		const resumed = await resuming;
		expect(resumed.result?.status).toBe('success');
		expect(resumed.result?.outputOf('Fixture HTTP')[0].json.response).toEqual({ slow: true });
	});
});

describe('cancellation and UI messages (7)', () => {
	it('an abort signal passed to run() reaches getExecutionCancelSignal() and cancels the execution', async () => {
		const engine = makeEngine();
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const result = await engine.run(
			{
				nodes: [
					triggerNode(),
					{
						id: 'c',
						name: 'Cancel',
						type: 'test.fixtureCancel',
						typeVersion: 1,
						position: [200, 0],
						parameters: {},
					},
					downstreamNode(),
				],
				connections: chain('Trigger', 'Cancel', 'Downstream'),
			},
			{ abortSignal: controller.signal },
		);

		expect(result.status).toBe('canceled');
		expect(result.outputOf('Cancel')[0].json).toMatchObject({
			hadSignal: true,
			abortedInTime: true,
			handlerCalled: true,
		});
		expect(result.runData.Downstream).toBeUndefined();
		expect(result.error?.message).toBe('The execution was cancelled manually');
		// sendMessageToUI is dropped outside manual mode
		expect(result.uiMessages).toEqual([]);
	});

	it('the cancel signal also aborts a request in flight in httpRequestWithAuthentication', async () => {
		const engine = makeEngine();
		const controller = new AbortController();
		onHang = () => controller.abort();
		const result = await engine.run(
			{
				nodes: [triggerNode(), httpNode({ parameters: { path: '/hang' } })],
				connections: chain('Trigger', 'Fixture HTTP'),
			},
			{ abortSignal: controller.signal },
		);

		expect(received.map((r) => r.url)).toEqual(['/hang?region=eu']);
		expect(result.status).toBe('canceled');
		expect(result.runData['Fixture HTTP'][0].executionStatus).toBe('error');
	});

	it('$execution.mode is production in trigger mode and test in manual mode', async () => {
		const engine = makeEngine();
		const workflow = waitingWorkflow({ message: '={{ $execution.mode }}' });
		const production = await engine.run(workflow);
		expect(production.outputOf('Fixture')[0].json.message).toBe('production');
		const manual = await engine.run(workflow, { mode: 'manual' });
		expect(manual.status).toBe('waiting');
		expect(manual.outputOf('Fixture')[0].json.message).toBe('test');
		const resumed = await engine.callWebhook(manual, { method: 'POST', body: { m: 1 } });
		expect(resumed.result?.status).toBe('success');
		expect(resumed.result?.outputOf('Downstream').map((item) => item.json)).toEqual([
			{ resumedWith: { m: 1 } },
		]);
	});

	it("httpRequestWithAuthentication replaces a node's own abortSignal with the execution's", async () => {
		const engine = makeEngine();
		const result = await engine.run({
			nodes: [triggerNode(), httpNode({ parameters: { ownAbortedSignal: true } })],
			connections: chain('Trigger', 'Fixture HTTP'),
		});
		// the node passed AbortSignal.abort(), yet the request went out and succeeded
		expect(result.status).toBe('success');
		expect(received).toHaveLength(1);
	});

	it('manual mode runs the trigger with the given items and records sendMessageToUI', async () => {
		const engine = makeEngine();
		const controller = new AbortController();
		setTimeout(() => controller.abort(), 100);
		const result = await engine.run(
			{
				nodes: [
					triggerNode(),
					{
						id: 'c',
						name: 'Cancel',
						type: 'test.fixtureCancel',
						typeVersion: 1,
						position: [200, 0],
						parameters: {},
					},
				],
				connections: chain('Trigger', 'Cancel'),
			},
			{ mode: 'manual', items: [{ json: { hello: 'world' } }], abortSignal: controller.signal },
		);

		expect(result.outputOf('Trigger')).toEqual([
			{ json: { hello: 'world' }, pairedItem: { item: 0 } },
		]);
		expect(result.uiMessages).toEqual([
			{ source: '[Node: "Cancel"]', messages: ['waiting for cancellation'] },
		]);
	});
});
