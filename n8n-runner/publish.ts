import { sleep, type N8nRestClient } from './rest';

/**
 * Publishes (activates) imported workflows through the running instance's REST API, as the
 * editor's Publish button does: `POST /rest/workflows/:id/activate {versionId}`. With many
 * workflows this is much faster than `n8n publish:workflow` before start (one CLI process of
 * about 6 s per workflow): start with `publish: false`, then call this once the owner is logged in.
 *
 * n8n 2.41 publishes through an outbox: the call returns before the webhooks are registered.
 * Pass the Webhook trigger paths to wait until each one answers (see waitForWebhooks).
 */
export async function publishWorkflows(
	rest: N8nRestClient,
	workflowIds: string[],
	{ webhookPaths = [], timeoutMs = 30_000 }: { webhookPaths?: string[]; timeoutMs?: number } = {},
): Promise<void> {
	for (const id of workflowIds) {
		const workflow = await rest.getWorkflow(id);
		const versionId = workflow.versionId;
		if (typeof versionId !== 'string') throw new Error(`workflow ${id} has no versionId`);
		const published = await rest.request<Record<string, unknown>>(
			'POST',
			`/rest/workflows/${encodeURIComponent(id)}/activate`,
			{
				versionId,
			},
		);
		if (published.active !== true) {
			throw new Error(
				`workflow ${id} is not active after publishing: ${JSON.stringify(published).slice(0, 300)}`,
			);
		}
	}
	await waitForWebhooks(rest.baseUrl, webhookPaths, timeoutMs);
}

/**
 * Waits until production webhooks are registered, without triggering them: a GET to a path
 * registered for POST only answers 404 "This webhook is not registered for GET requests. Did you
 * mean to make a POST request?", an unknown path "The requested webhook ... is not registered.".
 */
export async function waitForWebhooks(
	baseUrl: string,
	paths: string[],
	timeoutMs = 30_000,
	{ throwOnTimeout = true }: { throwOnTimeout?: boolean } = {},
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (const path of paths) {
		const url = `${baseUrl}/webhook/${path.replace(/^\//, '')}`;
		for (;;) {
			const res = await fetch(url, { method: 'GET' });
			const text = await res.text();
			if (res.status !== 404 || /Did you mean to make a/.test(text)) break;
			if (Date.now() > deadline) {
				if (!throwOnTimeout) return;
				throw new Error(
					`webhook ${path} not registered after ${timeoutMs} ms: ${text.slice(0, 200)}`,
				);
			}
			await sleep(200);
		}
	}
}
