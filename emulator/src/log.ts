import type { CredentialCheck } from './credentials';
import type { LoggedFile } from './files';

export interface RequestLogEntry {
	seq: number;
	time: string;
	method: string;
	path: string;
	/** 0 when the connection was dropped or closed before an answer. */
	status: number;
	/** First 16 hex chars of sha256(key); null when no key was sent. Never the key itself. */
	keyId: string | null;
	model?: string;
	mcp_servers?: string[];
	user?: string;
	metadata?: unknown;
	idempotencyKey?: string;
	/** True when the answer was replayed for a repeated Idempotency-Key: nothing ran again. */
	idempotentReplay?: boolean;
	hasProvider: boolean;
	hasProviderKey: boolean;
	stream?: boolean;
	/** Streamed answers: epoch ms when the first piece of text was written, and when the stream ended. */
	firstTokenAt?: number;
	streamEndedAt?: number;
	durationMs: number;
	fault?: string;
	/** For servers that need an API key: whether the credential opened, and a fingerprint only. */
	mcp_credentials?: CredentialCheck[];
	/** Server-side MCP tool calls this request ran, as `server:tool` (client-tools.ts). */
	mcpToolsRun?: string[];
	/** Names of the client tools the request offered (`tools`). */
	tools?: string[];
	/** Client tools handed back as tool_calls. */
	toolCalls?: string[];
	/** Client tool results the caller sent back (content cut to 500 characters). */
	toolResults?: Array<{ name: string; content: string }>;
	/**
	 * Files and links the request carried (chat: the content parts that are not text; OCR: the
	 * document), by MIME type, size and sha256, never the data (files.ts).
	 */
	files?: LoggedFile[];
}

// Bounded so a long benchmark run cannot grow memory without limit.
const LOG_LIMIT = 50_000;

export class RequestLog {
	private entries: RequestLogEntry[] = [];
	private seq = 0;

	nextSeq(): number {
		return ++this.seq;
	}

	push(entry: RequestLogEntry): void {
		if (this.entries.length >= LOG_LIMIT) this.entries.splice(0, LOG_LIMIT / 10);
		this.entries.push(entry);
	}

	list(path?: string): RequestLogEntry[] {
		const src = path ? this.entries.filter((e) => e.path === path) : this.entries;
		return src.map((e) => ({ ...e }));
	}

	clear(): void {
		this.entries = [];
	}

	reset(): void {
		this.entries = [];
		this.seq = 0;
	}
}

export class Stats {
	inFlight = 0;
	maxInFlight = 0;
	total = 0;

	begin(): void {
		this.total++;
		this.inFlight++;
		if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
	}

	end(): void {
		this.inFlight--;
	}

	reset(): void {
		// Requests still running will call end(), so inFlight must survive a reset.
		this.maxInFlight = this.inFlight;
		this.total = 0;
	}

	snapshot() {
		return { inFlight: this.inFlight, maxInFlight: this.maxInFlight, total: this.total };
	}
}
