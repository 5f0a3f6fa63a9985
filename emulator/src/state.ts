import { KeyRegistry } from './auth';
import { ConsentStore } from './consent';
import type { ConsentBodyShape } from './consent';
import { EncryptionKeys } from './credentials';
import { FaultQueue } from './faults';
import { IdempotencyStore } from './idempotency';
import { RequestLog, Stats } from './log';

/** Everything a test can change or inspect; one instance per emulator. */
export class EmulatorState {
	readonly keys = new KeyRegistry();
	readonly consent = new ConsentStore();
	readonly faults = new FaultQueue();
	readonly log = new RequestLog();
	readonly stats = new Stats();
	readonly idempotency = new IdempotencyStore();
	/** The DAuth key pair: JWKS endpoint and decryption of MCP server credentials. */
	readonly encryption = new EncryptionKeys();
	latencyMs: number;
	/** How a consent 401 reads (consent.ts); POST /__emulator/consent-body changes it. */
	consentBody: ConsentBodyShape;
	/** Tool-loop pricing (turns.ts): per model turn and per server-side MCP tool call; 0 = off. */
	modelTurnMs = 0;
	toolCallMs = 0;
	/** Benchmark control (padding.ts): answers padded to this many characters; 0 = as generated. */
	contentBytes = 0;
	/**
	 * Pause before each piece of a streamed answer (sse.ts), so a test can see chunks reach a client
	 * before the answer is finished. The `x-emulator-chunk-delay-ms` request header adds to it.
	 */
	chunkDelayMs = 0;
	/** TCP connections accepted since the last reset (benchmarks: does a client reuse connections?). */
	connectionsOpened = 0;
	chatCounter = 0;
	responseCounter = 0;

	constructor(
		private readonly initialLatencyMs: number,
		private readonly initialConsentBody: ConsentBodyShape = 'oauth_required',
	) {
		this.latencyMs = initialLatencyMs;
		this.consentBody = initialConsentBody;
	}

	/** Latency goes back to the value the emulator was started with (e.g. the CLI's --latency). */
	reset(): void {
		this.consent.clear();
		this.faults.clear();
		this.log.reset();
		this.stats.reset();
		this.idempotency.clear();
		this.latencyMs = this.initialLatencyMs;
		this.consentBody = this.initialConsentBody;
		this.modelTurnMs = 0;
		this.toolCallMs = 0;
		this.contentBytes = 0;
		this.chunkDelayMs = 0;
		this.connectionsOpened = 0;
		this.chatCounter = 0;
		this.responseCounter = 0;
	}
}
