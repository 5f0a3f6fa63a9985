import { createHash } from 'node:crypto';

/**
 * Idempotency-Key as Stripe-style APIs (and the Stainless SDKs that send the header) treat it:
 * - a POST whose key was seen with the same caller and the same body within the window gets the
 *   stored answer again (marked `Idempotent-Replayed: true`) and runs nothing;
 * - a duplicate that arrives while the first is still running waits for it instead of running
 *   twice, then gets its answer (or, when that was not stored, runs itself);
 * - only 2xx answers are stored: a 401 (consent still missing), 429 or 5xx is forgotten, so a
 *   retry with the same key after the cause is gone really runs;
 * - the same key with another body is a client error (422), not a replay.
 * Streaming requests are left out: a replayed stream is not something the node relies on.
 */
export interface StoredAnswer {
	status: number;
	contentType: string;
	body: string;
}

interface KeyRecord {
	fingerprint: string;
	expiresAt: number;
	answer?: StoredAnswer;
	/** Settles when the first request with this key has answered (undefined: nothing was stored). */
	running?: Promise<StoredAnswer | undefined>;
}

export type IdempotencyDecision =
	| { kind: 'run'; finish(answer: StoredAnswer | undefined): void }
	| { kind: 'replay'; answer: StoredAnswer }
	| { kind: 'conflict' };

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS = 10_000;

export class IdempotencyStore {
	private readonly records = new Map<string, KeyRecord>();
	/** Test control (POST /__emulator/idempotency): off, keys are ignored as by an API without support. */
	enabled = true;

	clear(): void {
		this.records.clear();
		this.enabled = true;
	}

	/**
	 * What to do with a request carrying `key`. `caller` scopes keys per API key (two callers may
	 * use the same key); `fingerprint` identifies the request (method, path, body).
	 */
	async decide(caller: string, key: string, fingerprint: string): Promise<IdempotencyDecision> {
		const id = `${caller}\n${key}`;
		for (;;) {
			const record = this.records.get(id);
			if (record && record.expiresAt < Date.now()) this.records.delete(id);
			const live = this.records.get(id);
			if (!live) return this.claim(id, fingerprint);
			if (live.fingerprint !== fingerprint) return { kind: 'conflict' };
			if (live.answer) return { kind: 'replay', answer: live.answer };
			// Running: wait for the first request, then look again (stored -> replay; else run).
			await live.running;
		}
	}

	private claim(id: string, fingerprint: string): IdempotencyDecision {
		let settle!: (answer: StoredAnswer | undefined) => void;
		const record: KeyRecord = {
			fingerprint,
			expiresAt: Date.now() + WINDOW_MS,
			running: new Promise((resolve) => (settle = resolve)),
		};
		this.records.set(id, record);
		if (this.records.size > MAX_KEYS)
			this.records.delete(this.records.keys().next().value as string);
		let finished = false;
		return {
			kind: 'run',
			finish: (answer) => {
				if (finished) return;
				finished = true;
				record.running = undefined;
				if (answer && answer.status >= 200 && answer.status < 300) record.answer = answer;
				else if (this.records.get(id) === record) this.records.delete(id);
				settle(answer);
			},
		};
	}
}

export function fingerprintOf(method: string, path: string, body: Buffer): string {
	return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
}
