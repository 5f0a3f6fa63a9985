// (d) The floor: the same chat completion requests our node sends (same body, same headers,
// same prompts), made by a plain HTTP client (undici, keep-alive) with the same concurrency,
// outside n8n. Nothing can do the same work faster through HTTP; the gap to it is n8n's and the
// node's overhead.
import { Agent, request } from 'undici';

import { MODEL, floorHeaders, prompt } from './workflows';

export interface FloorRun {
	items: number;
	wallMs: number;
	failures: number;
}

export async function runFloor(
	emulatorUrl: string,
	items: number,
	concurrency: number,
	/** Extra CA (PEM) to trust, for the HTTPS latency proxy (bench/src/network.ts). */
	ca?: string,
): Promise<FloorRun> {
	const dispatcher = new Agent({ keepAliveTimeout: 10_000, ...(ca ? { connect: { ca } } : {}) });
	const url = `${emulatorUrl}/v1/chat/completions`;
	let next = 0;
	let failures = 0;
	const one = async (i: number) => {
		const res = await request(url, {
			method: 'POST',
			dispatcher,
			headers: floorHeaders(),
			body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: prompt(i) }] }),
		});
		// Read and parse the answer, as any client that uses it would.
		const body = (await res.body.json()) as { choices?: Array<{ message?: { content?: string } }> };
		if (res.statusCode !== 200 || typeof body.choices?.[0]?.message?.content !== 'string')
			failures++;
	};
	const worker = async () => {
		while (next < items) await one(next++);
	};
	const started = performance.now();
	await Promise.all(Array.from({ length: Math.min(concurrency, items) }, worker));
	const wallMs = performance.now() - started;
	await dispatcher.close();
	return { items, wallMs, failures };
}
