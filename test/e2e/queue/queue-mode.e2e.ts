// The node in n8n's queue mode with real parts (n8n-runner/queue.ts): PostgreSQL, Redis, a main
// process, one worker and two webhook processes (A and B), each on its own port. execute() runs
// in the worker; webhook() (the authorization page and the resume POST) runs in whichever webhook
// process the resume URL's request reaches. `npm run test:e2e:queue`.
import { startEmulator, type Emulator } from '../../../emulator/src';
import {
	EmulatorAdmin,
	GMAIL,
	SEARCH,
	dedalusCredential,
	fakeApiKey,
	grantConsentAsUser,
	httpCall,
	keyIdOf,
	maxOverlap,
	nodeOutput,
	nodeOutputJson,
	nodeRuns,
	postResume,
	startWaitingRun,
	statusesByUser,
	waitFinished,
	type N8nExecution,
	type N8nInstance,
	type StartedRun,
} from '../../../n8n-runner';
import { startQueueCluster, type QueueCluster } from '../../../n8n-runner/queue';
import { startResumeRouter } from '../../../n8n-runner/resume-router';
import {
	NODE,
	UPSTREAM_FIELD,
	authorizationWorkflow,
	type AuthorizationWorkflowSpec,
	type RunItem,
} from '../workflows/authorization';

interface Scenario extends AuthorizationWorkflowSpec {
	apiKey: string;
	keyId: string;
}

function scenario(n: number, slug: string, options: Record<string, unknown> = {}): Scenario {
	const apiKey = fakeApiKey(100 + n);
	return {
		id: `e2eQueueFlow${String(n).padStart(4, '0')}`,
		name: `E2E queue mode ${n}: ${slug}`,
		path: `e2e-queue-${slug}`,
		credential: { id: `e2eQueueCred${String(n).padStart(4, '0')}`, name: `Dedalus queue ${n}` },
		options,
		apiKey,
		keyId: keyIdOf(apiKey),
	};
}

const SCENARIOS = {
	handover: scenario(1, 'handover', { concurrency: 1 }),
	throughput: scenario(2, 'throughput', { concurrency: 3 }),
	race: scenario(3, 'race', { concurrency: 2 }),
	killed: scenario(4, 'killed'),
	recipe: scenario(5, 'recipe', { concurrency: 2 }),
};

/** The same URL on another process: resume URLs name webhook process A; B gets the same path. */
function on(instance: N8nInstance, url: string): string {
	const moved = new URL(url);
	const target = new URL(instance.baseUrl);
	moved.host = target.host;
	return moved.toString();
}

describe('queue mode: main, a worker and two webhook processes on PostgreSQL and Redis', () => {
	let emulator: Emulator;
	let admin: EmulatorAdmin;
	let cluster: QueueCluster;
	let webhookA: N8nInstance;
	let webhookB: N8nInstance;

	beforeAll(async () => {
		emulator = await startEmulator({ port: 0 });
		admin = new EmulatorAdmin(emulator.url);
		const all = Object.values(SCENARIOS);
		const started = Date.now();
		cluster = await startQueueCluster({
			label: 'queue',
			credentials: all.map((s) =>
				dedalusCredential({ ...s.credential, apiKey: s.apiKey, baseUrl: emulator.url }),
			),
			workflows: all.map((s) => authorizationWorkflow(s)),
		});
		[webhookA, webhookB] = cluster.webhooks;
		process.stderr.write(
			`[e2e] queue: PostgreSQL, Redis and 4 n8n processes (n8n ${cluster.main.install.version}) up in ${Date.now() - started} ms\n`,
		);
	}, 600_000);

	afterAll(async () => {
		await cluster?.stop();
		await emulator?.close();
	});

	/** Starts a run through webhook process A; main's REST API sees the execution in PostgreSQL. */
	async function startRun(s: Scenario, items: RunItem[]): Promise<StartedRun> {
		const viaA = {
			...cluster.main,
			webhookUrl: (path: string) => `${webhookA.baseUrl}/webhook/${path}`,
		};
		return await startWaitingRun(viaA, s.path, { items });
	}

	const finished = async (run: StartedRun, timeoutMs = 60_000): Promise<N8nExecution> =>
		await waitFinished(cluster.main, run.executionId, timeoutMs);

	const connectUrlOf = (run: StartedRun): string => {
		const output = nodeOutput(run.waiting, NODE.dedalus) ?? [];
		return (output[0].json as { connect_url: string }).connect_url;
	};

	const completions = async (s: Scenario) =>
		statusesByUser(await admin.completions({ keyId: s.keyId }));

	it('pauses in the worker; webhook A serves the page; after consent a POST to webhook B resumes; the worker finishes with every result in order', async () => {
		const s = SCENARIOS.handover;
		const run = await startRun(s, [
			{ tag: 'q1', prompt: 'what is Dedalus', servers: [SEARCH] },
			{ tag: 'q1', prompt: "Summarize yesterday's emails", servers: [GMAIL] },
			{ tag: 'q1', prompt: 'n8n queue mode', servers: [SEARCH] },
		]);
		expect(new URL(run.resumeUrl).origin).toBe(webhookA.baseUrl);
		// execute() ran in the worker: it logs the job, main only enqueued it.
		expect(cluster.worker.logs()).toContain(`execution ${run.executionId}`);

		const page = await httpCall(run.resumeUrl, { headers: { accept: 'text/html' } });
		expect(page.status).toBe(200);
		expect(page.text).toContain(connectUrlOf(run).replace(/&/g, '&amp;'));
		expect(await completions(s)).toEqual({ 'q1-item-0': [200], 'q1-item-1': [401] });

		await grantConsentAsUser(connectUrlOf(run));
		const resumed = await postResume(on(webhookB, run.resumeUrl), { json: true });
		expect({ status: resumed.status, body: resumed.json }).toMatchObject({
			status: 200,
			body: { state: 'continued' },
		});

		const done = await finished(run);
		expect(done.status).toBe('success');
		expect(nodeOutputJson(done, NODE.downstream)?.map((d) => d[UPSTREAM_FIELD])).toEqual([
			'what is Dedalus',
			"Summarize yesterday's emails",
			'n8n queue mode',
		]);
		expect(
			nodeOutput(done, NODE.dedalus)?.map((item) => String(item.json.content).split('\n')[0]),
		).toEqual([
			'Top results for "what is Dedalus":',
			'Summary of 3 emails from yesterday:',
			'Top results for "n8n queue mode":',
		]);
		expect(await completions(s)).toEqual({
			'q1-item-0': [200],
			'q1-item-1': [401, 200],
			'q1-item-2': [200],
		});
	});

	it('in the worker: at most 3 requests in flight, and a 429 holds every request of the run before it is retried', async () => {
		const s = SCENARIOS.throughput;
		await admin.setLatency(300);
		const faulted = await httpCall(`${emulator.url}/__emulator/faults`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				faults: [
					{ status: 429, headers: { 'retry-after': '1' }, count: 1, path: '/v1/chat/completions' },
				],
			}),
		});
		expect(faulted.status).toBe(200);
		try {
			const res = await httpCall(`${webhookA.baseUrl}/webhook/${s.path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					items: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => ({
						tag: 'q2',
						prompt: `question ${i}`,
						servers: [SEARCH],
					})),
				}),
			});
			expect(res.status).toBe(200);
			const { executionId } = res.json as { executionId: string };
			const done = await waitFinished(cluster.main, executionId, 60_000);
			expect(done.status).toBe('success');
			expect(nodeOutputJson(done, NODE.downstream)?.map((d) => d[UPSTREAM_FIELD])).toEqual(
				[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `question ${i}`),
			);
		} finally {
			await admin.setLatency(0);
		}
		// By `user`: a fault is answered before the key is read, so its log entry has no keyId.
		const log = await admin.completions({ user: /^q2-item-/ });
		expect(maxOverlap(log)).toBeLessThanOrEqual(3);
		expect(maxOverlap(log)).toBeGreaterThanOrEqual(2);
		const limited = log.find((entry) => entry.status === 429);
		expect(limited).toBeDefined();
		const byUser = statusesByUser(log);
		expect(byUser[limited!.user!]).toEqual([429, 200]);
		// Retry-After 1 s: nothing of this run starts within the second after the 429 was answered.
		const answeredAt = Date.parse(limited!.time) + limited!.durationMs;
		const startedDuringHold = log.filter((entry) => {
			const at = Date.parse(entry.time);
			return at > answeredAt + 50 && at < answeredAt + 900;
		});
		expect(startedDuringHold).toEqual([]);
		expect(
			Object.values(byUser).map((statuses) => statuses.filter((c) => c === 200).length),
		).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
	});

	it('two resume POSTs at once, one to each webhook process: each pending item completes once (both may send it with one Idempotency-Key; the emulator replays the first answer), and the run continues once', async () => {
		const s = SCENARIOS.race;
		const run = await startRun(s, [
			{ tag: 'q3', prompt: "Summarize yesterday's emails", servers: [GMAIL] },
			{ tag: 'q3', prompt: 'and the calendar', servers: [GMAIL] },
		]);
		await grantConsentAsUser(connectUrlOf(run));
		const answers = await Promise.all([
			postResume(on(webhookA, run.resumeUrl), { json: true, retryWhileRunning: false }),
			postResume(on(webhookB, run.resumeUrl), { json: true, retryWhileRunning: false }),
		]);
		process.stderr.write(
			`[e2e] queue race: answers ${JSON.stringify(answers.map((a) => [a.status, a.json ?? a.text.slice(0, 120)]))}\n`,
		);
		const done = await finished(run);
		expect(done.status).toBe('success');
		await new Promise((r) => setTimeout(r, 1500));
		const log = await admin.completions({ keyId: s.keyId });
		// Requests the emulator ran (a replayed answer is marked in the log and ran nothing).
		const ran = log.filter((entry) => entry.status === 200 && !entry.idempotentReplay);
		expect(statusesByUser(ran)).toEqual({ 'q3-item-0': [200], 'q3-item-1': [200] });
		const executions = await cluster.main.rest.listExecutions(s.id);
		expect(executions.map((e) => [e.id, e.status])).toEqual([[run.executionId, 'success']]);
		expect(
			nodeRuns(await cluster.main.rest.getExecution(run.executionId), NODE.downstream),
		).toHaveLength(1);
	});

	it('a worker killed during a pause loses nothing: webhook B resumes the run and a new worker finishes it', async () => {
		const s = SCENARIOS.killed;
		const run = await startRun(s, [
			{ tag: 'q4', prompt: "Summarize yesterday's emails", servers: [GMAIL] },
		]);
		process.kill(-cluster.worker.pid, 'SIGKILL');
		for (let i = 0; i < 100 && !cluster.worker.exited(); i++)
			await new Promise((r) => setTimeout(r, 100));
		expect(cluster.worker.exited()).toBe(true);

		await grantConsentAsUser(connectUrlOf(run));
		const resumed = await postResume(on(webhookB, run.resumeUrl), { json: true });
		expect(resumed.json).toMatchObject({ state: 'continued' });
		// The continuation waits in Redis until a worker takes it.
		const worker = await cluster.startWorker();
		const done = await finished(run, 120_000);
		expect(done.status).toBe('success');
		expect(worker.logs()).toContain(`execution ${run.executionId}`);
		expect(nodeOutputJson(done, NODE.downstream)?.map((d) => d[UPSTREAM_FIELD])).toEqual([
			"Summarize yesterday's emails",
		]);
		expect(await completions(s)).toEqual({ 'q4-item-0': [401, 200] });
	});

	it('an API that ignores Idempotency-Key: POSTs to A and B at once send an item twice; routing one resume URL to one process (the docs/scaling.md recipe) sends it once', async () => {
		const s = SCENARIOS.recipe;
		const items = (tag: string) => [
			{ tag, prompt: "Summarize yesterday's emails", servers: [GMAIL] },
			{ tag, prompt: 'and the calendar', servers: [GMAIL] },
		];
		const setIdempotency = async (enabled: boolean) =>
			expect(
				(
					await httpCall(`${emulator.url}/__emulator/idempotency`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ enabled }),
					})
				).status,
			).toBe(200);
		const completedTimes = async (tag: string) =>
			Object.values(
				statusesByUser(
					(await admin.completions({ keyId: s.keyId, user: new RegExp(`^${tag}-`) })).filter(
						(entry) => entry.status === 200,
					),
				),
			).map((statuses) => statuses.length);
		const router = await startResumeRouter([webhookA.baseUrl, webhookB.baseUrl]);
		const viaRouter = (url: string) => {
			const routed = new URL(url);
			routed.host = new URL(router.url).host;
			return routed.toString();
		};
		await setIdempotency(false);
		// Slow answers keep both resends in flight together.
		await admin.setLatency(500);
		try {
			const direct = await startRun(s, items('q5a'));
			await grantConsentAsUser(connectUrlOf(direct));
			await Promise.all([
				postResume(on(webhookA, direct.resumeUrl), { json: true, retryWhileRunning: false }),
				postResume(on(webhookB, direct.resumeUrl), { json: true, retryWhileRunning: false }),
			]);
			expect((await finished(direct)).status).toBe('success');
			expect(Math.max(...(await completedTimes('q5a')))).toBe(2);

			await admin.setConsent(GMAIL, s.keyId, false);
			const routed = await startRun(s, items('q5b'));
			await grantConsentAsUser(connectUrlOf(routed));
			const answers = await Promise.all([
				postResume(viaRouter(routed.resumeUrl), { json: true, retryWhileRunning: false }),
				postResume(viaRouter(routed.resumeUrl), { json: true, retryWhileRunning: false }),
			]);
			expect(answers.map((a) => (a.json as { state?: string }).state).sort()).toEqual([
				'already_continued',
				'continued',
			]);
			const done = await finished(routed);
			expect(done.status).toBe('success');
			expect(await completedTimes('q5b')).toEqual([1, 1]);
			expect(nodeRuns(done, NODE.downstream)).toHaveLength(1);
		} finally {
			await admin.setLatency(0);
			await setIdempotency(true);
			await router.close();
		}
	});
});
