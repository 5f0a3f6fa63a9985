import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * What one n8n process remembers about a pause between resume requests.
 *
 * n8n runs `webhook()` in full for every resume request, even two that arrive together, and
 * `webhook()` cannot save node context. So this memory is what guarantees that a completion is
 * sent once: concurrent POSTs share one attempt, and items that finished during an attempt that
 * could not resume yet are not sent again by the next one. It lives in the process; across
 * processes (queue mode with several webhook processes: README, Scaling) the guarantee comes from
 * resendIdempotencyKey() below.
 */
export type ResendResult =
	| { state: 'continued'; outputs: INodeExecutionData[][] }
	| {
			state: 'still_waiting';
			connectUrl: string;
			servers: string[];
			pollUrl?: string;
			serverId?: string;
	  }
	| { state: 'failed'; message: string };

/** What consent is still missing: the link, the servers, and how to ask whether it was given. */
export interface StillNeeded {
	connectUrl: string;
	servers: string[];
	pollUrl?: string;
	serverId?: string;
}

export interface PauseMemory {
	finishedItems: Map<number, IDataObject>;
	/** The newest answer to a resume attempt that still needed consent: the page shows it. */
	stillNeeded?: StillNeeded;
	/** Server ids named so far in this pause (shared/mcp/server-names.ts). */
	serverNames?: Map<string, string>;
	attempt?: Promise<ResendResult>;
	continued: boolean;
	/** When the pause continued, or when its wait limit ends (ms since epoch): after either, n8n refuses resumes. */
	over?: number;
}

/** A memory is dropped only this long after its pause can no longer be resumed (late requests still get a true answer). */
const FORGET_AFTER_MS = 10 * 60_000;
const pauses = new Map<string, PauseMemory>();
let lastSweep = 0;

/**
 * Never forgets a pause that can still be resumed, however many others come and go: forgetting
 * would send its finished items again. Entries are only created by requests that carry the
 * execution's resume signature (n8n checks it first), so only real pauses take memory.
 */
function forgetFinishedPauses(now: number): void {
	if (now - lastSweep < 60_000) return;
	lastSweep = now;
	for (const [pauseId, memory] of pauses) {
		if (!memory.attempt && memory.over !== undefined && now - memory.over > FORGET_AFTER_MS) {
			pauses.delete(pauseId);
		}
	}
}

function pauseMemory(pauseId: string, expiresAt: number | undefined): PauseMemory {
	let memory = pauses.get(pauseId);
	if (!memory) {
		forgetFinishedPauses(Date.now());
		memory = { finishedItems: new Map(), continued: false, over: expiresAt };
		pauses.set(pauseId, memory);
	}
	return memory;
}

/** What the newest attempt learnt about the consent still needed; reading it creates nothing. */
export function stillNeeded(pauseId: string): StillNeeded | undefined {
	return pauses.get(pauseId)?.stillNeeded;
}

/**
 * Runs `attempt` unless one is already running for this pause (then waits for it) or the pause
 * has already continued. `first` tells the caller whether its own request did the work: only
 * that request may hand n8n the data to resume with.
 */
export async function runOneAttemptAtATime(
	pauseId: string,
	attempt: (memory: PauseMemory) => Promise<ResendResult>,
	expiresAt?: number,
): Promise<{ result: ResendResult | 'already_continued'; first: boolean }> {
	const memory = pauseMemory(pauseId, expiresAt);
	if (memory.continued) return { result: 'already_continued', first: false };
	if (memory.attempt) {
		const result = await memory.attempt;
		return { result: result.state === 'continued' ? 'already_continued' : result, first: false };
	}
	memory.attempt = attempt(memory);
	try {
		const result = await memory.attempt;
		if (result.state === 'continued') {
			memory.continued = true;
			memory.over = Math.min(memory.over ?? Infinity, Date.now());
			memory.finishedItems.clear();
		}
		return { result, first: true };
	} finally {
		memory.attempt = undefined;
	}
}

/**
 * The Idempotency-Key of one item's resend: the same in every process and every attempt of a
 * pause, so two webhook processes that resend the same item at once (or one after the other) make
 * Dedalus run it once and answer the second with the first's result. n8n gives a node no store
 * that all its processes share while webhook() runs: node context is saved only with the
 * execution, and workflow static data only by trigger webhooks and at the end of an execution,
 * never by a resume webhook and never under a lock (n8n 2.41 waiting-webhooks.js). So the key is
 * derived from the saved pause itself.
 * A key is never reused for another request: the pause id is random and the body is the item's.
 * Retrying after consent with the same key works because a 401 is not stored under a key.
 */
export function resendIdempotencyKey(pauseId: string, itemIndex: number): string {
	return `n8n-dedalus-resume-${pauseId}-${itemIndex}`;
}
