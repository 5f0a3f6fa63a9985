import type { ServerResponse } from 'http';

import { addDedalusFields, type ChatReply } from './completion';
import { sleep } from './http';

export interface StreamOptions {
	id: string;
	created: number;
	model: string;
	reply: ChatReply;
	chunkDelayMs: number;
	/** Emit an `event: error` after the first content chunk instead of finishing (fault injection). */
	failMidway: boolean;
}

const PIECES = 4;

/** Splits on word boundaries where possible so clients that re-join deltas see real text. */
export function splitContent(content: string): string[] {
	if (!content) return [];
	const target = Math.max(1, Math.ceil(content.length / PIECES));
	const out: string[] = [];
	let start = 0;
	while (start < content.length) {
		let end = Math.min(content.length, start + target);
		if (end < content.length) {
			const space = content.indexOf(' ', end);
			if (space >= 0 && space - end < 16) end = space + 1;
		}
		out.push(content.slice(start, end));
		start = end;
	}
	return out;
}

export async function writeChatStream(res: ServerResponse, opts: StreamOptions): Promise<void> {
	res.statusCode = 200;
	res.setHeader('content-type', 'text/event-stream; charset=utf-8');
	res.setHeader('cache-control', 'no-cache');
	res.setHeader('connection', 'keep-alive');
	res.flushHeaders();

	const base = {
		id: opts.id,
		object: 'chat.completion.chunk',
		created: opts.created,
		model: opts.model,
	};
	const send = (payload: unknown) => {
		if (!res.destroyed) res.write(`data: ${JSON.stringify(payload)}\n\n`);
	};
	const pause = async () => {
		if (opts.chunkDelayMs > 0) await sleep(opts.chunkDelayMs);
	};

	send({
		...base,
		choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
	});
	const pieces = splitContent(opts.reply.content);
	for (let i = 0; i < pieces.length; i++) {
		await pause();
		if (res.destroyed) return;
		send({ ...base, choices: [{ index: 0, delta: { content: pieces[i] }, finish_reason: null }] });
		if (opts.failMidway) break;
	}
	if (opts.failMidway) {
		res.end(
			`event: error\ndata: ${JSON.stringify({
				error: { message: 'Upstream provider error', type: 'server_error', code: 'stream_error' },
			})}\n\n`,
		);
		return;
	}
	await pause();
	if (res.destroyed) return;
	const last: Record<string, unknown> = {
		...base,
		choices: [{ index: 0, delta: {}, finish_reason: opts.reply.finishReason }],
		usage: opts.reply.usage,
	};
	addDedalusFields(last, opts.reply, undefined);
	send(last);
	res.end('data: [DONE]\n\n');
}
