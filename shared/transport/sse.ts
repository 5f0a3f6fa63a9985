// Server-sent events as Dedalus (and OpenAI-compatible gateways) stream a chat completion:
// `data: <chunk JSON>` events, a final `data: [DONE]`, and `event: error` when the stream breaks
// after it started. The decoder knows SSE framing only; the assembler knows chat chunks only.

export interface SseEvent {
	/** `message` unless the event named itself (`event: error`). */
	event: string;
	data: string;
}

/** One event (its data lines plus the line being read) grew past the decoder's bound. */
export class SseEventTooLargeError extends Error {
	constructor(readonly maxChars: number) {
		super(`a server-sent event is longer than ${maxChars} characters`);
	}
}

/**
 * Turns a byte stream into events, whatever way the bytes are split into network chunks:
 * lines end with LF, CRLF or CR, an empty line ends an event, `:` lines are comments.
 *
 * Linear in the stream: each character is looked at once when its chunk arrives (the unfinished
 * line is kept as pieces, never searched again), so one 10 MB line costs what 10 MB of short
 * lines cost. One event, data lines and the unfinished line together, is bounded by
 * `maxEventChars` (the caller passes its response size cap: stream.ts).
 */
export class SseDecoder {
	/** Pieces of the line not yet ended, in order. */
	private pending: string[] = [];

	private pendingChars = 0;

	/** The last line ended with CR: an LF first thing in the next chunk belongs to it. */
	private skipLineFeed = false;

	private event = '';

	private data: string[] = [];

	private dataChars = 0;

	private readonly decoder = new TextDecoder();

	/** Characters examined for line ends so far: at most each decoded character once. */
	scannedChars = 0;

	constructor(private readonly maxEventChars = Number.POSITIVE_INFINITY) {}

	push(bytes: Uint8Array | string): SseEvent[] {
		const text = typeof bytes === 'string' ? bytes : this.decoder.decode(bytes, { stream: true });
		const events: SseEvent[] = [];
		let start = 0;
		if (this.skipLineFeed && text.length > 0) {
			this.skipLineFeed = false;
			if (text[0] === '\n') start = 1;
		}
		for (let index = start; index < text.length; index++) {
			this.scannedChars++;
			const char = text[index];
			if (char !== '\n' && char !== '\r') continue;
			this.pending.push(text.slice(start, index));
			const line = this.pending.join('');
			this.pending = [];
			this.pendingChars = 0;
			if (char === '\r') {
				if (index + 1 < text.length) {
					if (text[index + 1] === '\n') index++;
				} else {
					this.skipLineFeed = true;
				}
			}
			start = index + 1;
			const event = this.line(line);
			if (event) events.push(event);
		}
		if (start < text.length) {
			this.pending.push(text.slice(start));
			this.pendingChars += text.length - start;
			this.checkSize();
		}
		return events;
	}

	/** The stream ended: an event without its closing empty line still counts. */
	end(): SseEvent[] {
		const events = this.push(this.decoder.decode());
		if (this.pending.length > 0) {
			const event = this.line(this.pending.join(''));
			this.pending = [];
			this.pendingChars = 0;
			if (event) events.push(event);
		}
		const last = this.line('');
		if (last) events.push(last);
		return events;
	}

	private line(line: string): SseEvent | undefined {
		if (line === '') {
			if (this.data.length === 0) {
				this.event = '';
				return undefined;
			}
			const event = { event: this.event || 'message', data: this.data.join('\n') };
			this.event = '';
			this.data = [];
			this.dataChars = 0;
			return event;
		}
		if (line.startsWith(':')) return undefined;
		const colon = line.indexOf(':');
		const field = colon < 0 ? line : line.slice(0, colon);
		let value = colon < 0 ? '' : line.slice(colon + 1);
		if (value.startsWith(' ')) value = value.slice(1);
		if (field === 'data') {
			this.data.push(value);
			this.dataChars += value.length + 1;
			this.checkSize();
		} else if (field === 'event') this.event = value;
		return undefined;
	}

	private checkSize(): void {
		if (this.dataChars + this.pendingChars > this.maxEventChars) {
			throw new SseEventTooLargeError(this.maxEventChars);
		}
	}
}

/** Fields of a streamed chunk that are not per-choice and arrive in whichever chunk carries them. */
const CARRIED_FIELDS = [
	'id',
	'created',
	'model',
	'system_fingerprint',
	'usage',
	// Dedalus extras: some gateways send them with the first chunk, some with the last, some alone.
	'mcp_tool_results',
	'tools_executed',
	'mcp_server_errors',
] as const;

/**
 * Builds, chunk by chunk, the same object a non-streamed request returns (`chat.completion`),
 * so one output function serves both. Text deltas of choice 0 are handed out as they arrive.
 */
export class ChatChunkAssembler {
	private content = '';

	private role = 'assistant';

	private finishReason: string | null = null;

	private readonly carried: Record<string, unknown> = {};

	private done = false;

	/** Set when the server reported an error inside the stream: nothing after it counts. */
	error: string | undefined;

	/** Feeds one SSE event; returns the new text of choice 0, or '' when the event carried none. */
	accept(event: SseEvent): string {
		if (this.error !== undefined) return '';
		if (event.event === 'error') {
			this.error = streamErrorMessage(event.data);
			return '';
		}
		const data = event.data.trim();
		if (data === '[DONE]') {
			this.done = true;
			return '';
		}
		if (this.done || data === '') return '';
		let chunk: Record<string, unknown>;
		try {
			chunk = JSON.parse(data) as Record<string, unknown>;
		} catch {
			this.error = `a streamed chunk is not valid JSON: ${data.slice(0, 200)}`;
			return '';
		}
		if (!chunk || typeof chunk !== 'object' || Array.isArray(chunk)) return '';
		// OpenAI-style gateways put a failure inside a data line instead of an error event.
		if (chunk.error !== undefined && chunk.choices === undefined) {
			this.error = streamErrorMessage(data);
			return '';
		}
		for (const field of CARRIED_FIELDS) {
			if (chunk[field] !== undefined && chunk[field] !== null) this.carried[field] = chunk[field];
		}
		const choice = (Array.isArray(chunk.choices) ? chunk.choices : []).find(
			(entry: { index?: number }) => (entry?.index ?? 0) === 0,
		) as { delta?: { role?: string; content?: string | null }; finish_reason?: string | null };
		if (!choice) return '';
		if (choice.finish_reason) this.finishReason = choice.finish_reason;
		if (typeof choice.delta?.role === 'string') this.role = choice.delta.role;
		const text = typeof choice.delta?.content === 'string' ? choice.delta.content : '';
		this.content += text;
		return text;
	}

	/** True once `[DONE]` arrived: nothing after it counts, so the stream need not be read on. */
	get finished(): boolean {
		return this.done;
	}

	/** True once `[DONE]` arrived or choice 0 finished. */
	get complete(): boolean {
		return this.done || this.finishReason !== null;
	}

	/** The whole answer in the shape of a non-streamed completion. */
	result(): Record<string, unknown> {
		return {
			object: 'chat.completion',
			...this.carried,
			choices: [
				{
					index: 0,
					message: { role: this.role, content: this.content },
					finish_reason: this.finishReason,
				},
			],
		};
	}
}

function streamErrorMessage(data: string): string {
	try {
		const body = JSON.parse(data) as {
			error?: { message?: string } | string;
			message?: string;
			detail?: string;
		};
		const error = body.error;
		const message =
			(typeof error === 'string' ? error : error?.message) ?? body.message ?? body.detail;
		if (typeof message === 'string' && message !== '') return message.slice(0, 1000);
	} catch {
		// Not JSON: show the raw text, cut.
	}
	return data.slice(0, 1000) || 'the stream reported an error';
}
