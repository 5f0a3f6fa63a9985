// Proves the e2e infrastructure with n8n's own nodes only (no dependency on our package's build):
// import + publish without a browser, webhook trigger, a Wait node paused "On Webhook Call",
// the resume URL and its signature check, and reading executions through the REST API.
import {
	nodeOutputJson,
	nodeRan,
	startN8n,
	type N8nInstance,
	type WorkflowImport,
} from '../../n8n-runner';

const WORKFLOW_ID = 'e2eSmokeWait0001';
const WEBHOOK_PATH = 'e2e-smoke';

/** Webhook (answered by a later node) -> Respond with the resume URL -> Wait for a call -> Set. */
const smokeWorkflow: WorkflowImport = {
	id: WORKFLOW_ID,
	name: 'E2E smoke: wait and resume',
	nodes: [
		{
			id: 'b1f6d7a0-0000-4000-8000-000000000001',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: 'b1f6d7a0-0000-4000-8000-00000000a001',
			parameters: {
				httpMethod: 'POST',
				path: WEBHOOK_PATH,
				responseMode: 'responseNode',
				options: {},
			},
		},
		{
			id: 'b1f6d7a0-0000-4000-8000-000000000002',
			name: 'Respond',
			type: 'n8n-nodes-base.respondToWebhook',
			typeVersion: 1.1,
			position: [220, 0],
			parameters: {
				respondWith: 'json',
				responseBody: '={{ { "resumeUrl": $execution.resumeUrl, "executionId": $execution.id } }}',
				options: {},
			},
		},
		{
			id: 'b1f6d7a0-0000-4000-8000-000000000003',
			name: 'Wait',
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			position: [440, 0],
			webhookId: 'b1f6d7a0-0000-4000-8000-00000000a003',
			parameters: { resume: 'webhook', httpMethod: 'POST', options: {} },
		},
		{
			id: 'b1f6d7a0-0000-4000-8000-000000000004',
			name: 'After Resume',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [660, 0],
			parameters: {
				mode: 'manual',
				assignments: {
					assignments: [
						{ id: 'a1', name: 'resumedWith', value: '={{ $json.body.answer }}', type: 'string' },
						{
							id: 'a2',
							name: 'startedWith',
							value: "={{ $('Webhook').item.json.body.question }}",
							type: 'string',
						},
					],
				},
				options: {},
			},
		},
	],
	connections: {
		Webhook: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
		Respond: { main: [[{ node: 'Wait', type: 'main', index: 0 }]] },
		Wait: { main: [[{ node: 'After Resume', type: 'main', index: 0 }]] },
	},
};

async function postJson(url: string, body: unknown) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, text, json };
}

describe('real n8n: webhook -> wait -> resume (built-in nodes only)', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		const started = Date.now();
		n8n = await startN8n({
			installPackage: false,
			workflows: [smokeWorkflow],
			label: 'smoke',
		});
		process.stderr.write(`[e2e] smoke: n8n prepared and started in ${Date.now() - started} ms\n`);
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('imported and published the workflow for the owner account', async () => {
		const workflow = await n8n.rest.getWorkflow(WORKFLOW_ID);
		expect(workflow).toMatchObject({ id: WORKFLOW_ID, active: true });
		expect(workflow.activeVersionId).toBe(workflow.versionId);
	});

	it('pauses at the Wait node, rejects a bad signature, and resumes on the signed URL', async () => {
		const question = `q-${Date.now()}`;
		const started = await postJson(n8n.webhookUrl(WEBHOOK_PATH), { question });
		expect(started.status).toBe(200);
		const { resumeUrl, executionId } = started.json as { resumeUrl: string; executionId: string };

		// $execution.resumeUrl = <N8N_WEBHOOK_URL>webhook-waiting/<execution id>?signature=<resume token>
		// in 2.x; n8n 1.x signs nothing (the URL is the execution id alone).
		const signed = n8n.install.major >= 2;
		const url = new URL(resumeUrl);
		expect(`${url.protocol}//${url.host}`).toBe(n8n.baseUrl);
		expect(url.pathname).toBe(`/webhook-waiting/${executionId}`);
		if (signed) expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		else expect(url.search).toBe('');

		// The Respond node answers before the Wait node has saved the execution as waiting:
		// poll until it has (a resume sent in between gets 409 "running").
		const waiting = await n8n.rest.waitForStatus(executionId, 'waiting');
		expect(waiting).toMatchObject({ workflowId: WORKFLOW_ID, finished: false });
		expect(waiting.data.resultData.lastNodeExecuted).toBe('Wait');
		// No limit was configured: n8n waits "forever", i.e. until 3000-01-01.
		expect(new Date(waiting.waitTill ?? 0).getUTCFullYear()).toBe(3000);
		expect(nodeRan(waiting, 'After Resume')).toBe(false);
		// The list endpoint agrees.
		const listed = await n8n.rest.listExecutions(WORKFLOW_ID);
		expect(listed.find((e) => e.id === executionId)?.status).toBe('waiting');

		// 2.x: a wrong or missing signature is refused before reaching the node, and changes nothing.
		if (signed) {
			const forged = new URL(resumeUrl);
			forged.searchParams.set('signature', '0'.repeat(64));
			const badSignature = await postJson(forged.toString(), { answer: 'forged' });
			expect(badSignature.status).toBe(401);
			expect(badSignature.json).toEqual({ error: 'Invalid token' });
			forged.searchParams.delete('signature');
			const noSignature = await postJson(forged.toString(), { answer: 'forged' });
			expect(noSignature.status).toBe(401);
		}
		expect((await n8n.rest.getExecution(executionId)).status).toBe('waiting');

		// The signed URL resumes: the Wait node outputs the request, the next node runs.
		const resumed = await postJson(resumeUrl, { answer: 'forty-two' });
		expect(resumed.status).toBe(200);
		const done = await n8n.rest.waitForStatus(executionId, ['success', 'error', 'crashed']);
		expect(done.status).toBe('success');
		expect(done.finished).toBe(true);
		expect(done.waitTill).toBeNull();
		expect(nodeOutputJson(done, 'Wait')?.[0]).toMatchObject({ body: { answer: 'forty-two' } });
		expect(nodeOutputJson(done, 'After Resume')).toEqual([
			{ resumedWith: 'forty-two', startedWith: question },
		]);

		// The same URL again: the execution is finished, n8n answers 409.
		const again = await postJson(resumeUrl, { answer: 'late' });
		expect(again.status).toBe(409);
	});

	it('finds executions by predicate', async () => {
		const found = await n8n.rest.waitForExecution(
			(e) => e.status === 'success' && nodeRan(e, 'After Resume'),
			{ workflowId: WORKFLOW_ID, timeoutMs: 5_000 },
		);
		expect(found.workflowId).toBe(WORKFLOW_ID);
	});
});
