import { sleep } from 'n8n-workflow';

// The retry contract of the official Dedalus SDKs (docs/dedalus-api.md): retry 408/409/429/5xx and
// connection errors, let `x-should-retry` override, honour `retry-after-ms` then `retry-after`
// when it is within 60 s, else exponential backoff from 0.5 s to 8 s with jitter.

const INITIAL_RETRY_DELAY_MS = 500;
const MAX_RETRY_DELAY_MS = 8000;
const MAX_ADVISED_DELAY_MS = 60_000;

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One header's value (n8n lower-cases names; a list gives its first value). */
export function header(headers: ResponseHeaders, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

export function shouldRetry(statusCode: number, headers: ResponseHeaders): boolean {
	const override = header(headers, 'x-should-retry');
	if (override === 'true') return true;
	if (override === 'false') return false;
	return statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/** The delay the server advised, in ms, or undefined when it advised none we accept. */
export function advisedDelayMs(headers: ResponseHeaders, now = Date.now()): number | undefined {
	const ms = header(headers, 'retry-after-ms');
	if (ms !== undefined && ms.trim() !== '') {
		const value = Number(ms);
		if (Number.isFinite(value) && value >= 0 && value <= MAX_ADVISED_DELAY_MS) return value;
	}
	const after = header(headers, 'retry-after');
	if (after !== undefined && after.trim() !== '') {
		const seconds = Number(after);
		const value = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(after) - now;
		if (Number.isFinite(value) && value >= 0 && value <= MAX_ADVISED_DELAY_MS) return value;
	}
	return undefined;
}

/** `retriesSoFar` counts the retries already made (0 before the first retry). */
export function backoffDelayMs(retriesSoFar: number, random = Math.random()): number {
	const delay = Math.min(INITIAL_RETRY_DELAY_MS * 2 ** retriesSoFar, MAX_RETRY_DELAY_MS);
	return delay * (1 - random * 0.25);
}

/** How often a wait looks at the cancel signal: n8n-workflow's `sleep` cannot be interrupted. */
const CANCEL_CHECK_MS = 200;

/** Waits `ms`, or less when `signal` aborts: Stop ends a run within a fraction of a second. */
export async function waitUnlessCancelled(ms: number, signal?: AbortSignal): Promise<void> {
	const until = Date.now() + ms;
	for (let left = ms; left > 0 && !signal?.aborted; left = until - Date.now()) {
		await sleep(signal ? Math.min(left, CANCEL_CHECK_MS) : left);
	}
}

/**
 * Shared by all the requests of one node run: when the API says "slow down" to one request,
 * every request waits, instead of each finding the limit in turn.
 */
export class RequestPacer {
	private notBefore = 0;

	holdAll(delayMs: number): void {
		this.notBefore = Math.max(this.notBefore, Date.now() + delayMs);
	}

	/** Resolves once the hold is over, or as soon as `signal` aborts. */
	async ready(signal?: AbortSignal): Promise<void> {
		for (
			let wait = this.notBefore - Date.now();
			wait > 0 && !signal?.aborted;
			wait = this.notBefore - Date.now()
		) {
			await waitUnlessCancelled(wait, signal);
		}
	}
}
