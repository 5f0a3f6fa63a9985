import { chatCompletionSchema } from '../../../shared/transport';
import {
	ChatChunkAssembler,
	SseDecoder,
	SseEventTooLargeError,
} from '../../../shared/transport/sse';
import type { SseEvent } from '../../../shared/transport/sse';

function decodeAll(parts: string[]): SseEvent[] {
	const decoder = new SseDecoder();
	const events = parts.flatMap((part) => decoder.push(Buffer.from(part)));
	return [...events, ...decoder.end()];
}

const chunk = (payload: object) => `data: ${JSON.stringify(payload)}\n\n`;

describe('SseDecoder', () => {
	const stream =
		': keep-alive comment\n' +
		'data: {"a":1}\n\n' +
		'event: error\ndata: {"error":{"message":"boom"}}\n\n' +
		'data: line one\ndata: line two\n\n' +
		'data: [DONE]\n\n';
	const expected: SseEvent[] = [
		{ event: 'message', data: '{"a":1}' },
		{ event: 'error', data: '{"error":{"message":"boom"}}' },
		{ event: 'message', data: 'line one\nline two' },
		{ event: 'message', data: '[DONE]' },
	];

	it('reads events, named events, multi-line data and skips comments', () => {
		expect(decodeAll([stream])).toEqual(expected);
	});

	it('gives the same events whatever way the bytes are split', () => {
		for (let size = 1; size <= 7; size++) {
			const parts: string[] = [];
			for (let i = 0; i < stream.length; i += size) parts.push(stream.slice(i, i + size));
			expect(decodeAll(parts)).toEqual(expected);
		}
	});

	it('accepts CRLF and CR line ends, also when CRLF is split between chunks', () => {
		expect(decodeAll(['data: x\r', '\n\r\ndata: y\r\r'])).toEqual([
			{ event: 'message', data: 'x' },
			{ event: 'message', data: 'y' },
		]);
	});

	it('keeps a multi-byte character split between chunks', () => {
		const bytes = Buffer.from('data: grüße\n\n');
		const decoder = new SseDecoder();
		const events = [...decoder.push(bytes.subarray(0, 10)), ...decoder.push(bytes.subarray(10))];
		expect(events).toEqual([{ event: 'message', data: 'grüße' }]);
	});

	it('counts a last event that has no closing empty line', () => {
		expect(decodeAll(['data: tail'])).toEqual([{ event: 'message', data: 'tail' }]);
	});

	// Issue 17, S3: a 9.5 MB line in 16 KB chunks used to be searched again on every chunk
	// (2.9 s of CPU). The work is counted, not timed: each character is looked at once.
	it('looks at each character once, also in one 4 MB line sent in 16 KB chunks', () => {
		const line = `data: ${'x'.repeat(4 * 1024 * 1024)}\n\n`;
		const decoder = new SseDecoder();
		const events: SseEvent[] = [];
		for (let offset = 0; offset < line.length; offset += 16 * 1024) {
			events.push(...decoder.push(Buffer.from(line.slice(offset, offset + 16 * 1024))));
		}
		events.push(...decoder.end());
		expect(events).toHaveLength(1);
		expect(events[0].data).toHaveLength(4 * 1024 * 1024);
		expect(decoder.scannedChars).toBeGreaterThan(0);
		expect(decoder.scannedChars).toBeLessThanOrEqual(line.length);
	});

	it('bounds one event: its data lines and the unfinished line together', () => {
		const overLines = new SseDecoder(1000);
		expect(() => overLines.push(`data: ${'x'.repeat(600)}\ndata: ${'y'.repeat(600)}\n`)).toThrow(
			SseEventTooLargeError,
		);
		const overOneLine = new SseDecoder(1000);
		overOneLine.push(`data: ${'x'.repeat(600)}`);
		expect(() => overOneLine.push('x'.repeat(600))).toThrow(SseEventTooLargeError);
		// Many small events each within the bound pass, whatever their total.
		const many = new SseDecoder(1000);
		expect(many.push(`data: ${'z'.repeat(500)}\n\n`.repeat(10))).toHaveLength(10);
	});
});

describe('ChatChunkAssembler', () => {
	function assemble(stream: string) {
		const assembler = new ChatChunkAssembler();
		const texts = decodeAll([stream]).map((event) => assembler.accept(event));
		return { assembler, texts: texts.filter((text) => text !== '') };
	}
	const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm' };

	it('hands out text deltas and builds a completion with usage from the final chunk', () => {
		const { assembler, texts } = assemble(
			chunk({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }) +
				chunk({ ...base, choices: [{ index: 0, delta: { content: 'Hel' } }] }) +
				chunk({ ...base, choices: [{ index: 0, delta: { content: 'lo' } }] }) +
				chunk({
					...base,
					choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
					usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
				}) +
				'data: [DONE]\n\n',
		);
		expect(texts).toEqual(['Hel', 'lo']);
		expect(assembler.complete).toBe(true);
		const result = assembler.result();
		expect(chatCompletionSchema.parse(result)).toMatchObject({
			id: 'chatcmpl-1',
			model: 'm',
			choices: [{ message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
			usage: { total_tokens: 3 },
		});
	});

	it.each([
		['the first chunk', 0],
		['the last chunk', 2],
		['a chunk of their own', 3],
	])('takes the Dedalus extras from %s', (_where, at) => {
		const extras = {
			mcp_tool_results: [{ tool_name: 'search', result: 'x' }],
			tools_executed: ['search'],
			mcp_server_errors: { broken: { message: 'down' } },
		};
		const chunks = [
			{ ...base, choices: [{ index: 0, delta: { content: 'a' } }] },
			{ ...base, choices: [{ index: 0, delta: { content: 'b' } }] },
			{ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
		] as Array<Record<string, unknown>>;
		if (at === 3) chunks.push({ ...base, choices: [], ...extras });
		else Object.assign(chunks[at], extras);
		const { assembler } = assemble(chunks.map(chunk).join('') + 'data: [DONE]\n\n');
		expect(assembler.result()).toMatchObject({
			...extras,
			choices: [{ message: { content: 'ab' } }],
		});
	});

	it('only choice 0 makes the text', () => {
		const { texts } = assemble(
			chunk({ ...base, choices: [{ index: 1, delta: { content: 'other' } }] }) +
				chunk({ ...base, choices: [{ index: 0, delta: { content: 'mine' } }] }),
		);
		expect(texts).toEqual(['mine']);
	});

	it('is not complete when the stream ends without a finish reason or [DONE]', () => {
		const { assembler } = assemble(
			chunk({ ...base, choices: [{ index: 0, delta: { content: 'a' } }] }),
		);
		expect(assembler.complete).toBe(false);
	});

	it('records an error event with the API message and ignores what follows', () => {
		const { assembler, texts } = assemble(
			chunk({ ...base, choices: [{ index: 0, delta: { content: 'a' } }] }) +
				'event: error\ndata: {"error":{"message":"Upstream provider error","code":"stream_error"}}\n\n' +
				chunk({ ...base, choices: [{ index: 0, delta: { content: 'late' } }] }),
		);
		expect(texts).toEqual(['a']);
		expect(assembler.error).toBe('Upstream provider error');
	});

	it('records an error object sent as data, and a chunk that is not JSON', () => {
		expect(assemble('data: {"error":{"message":"quota"}}\n\n').assembler.error).toBe('quota');
		expect(assemble('data: {not json\n\n').assembler.error).toContain('not valid JSON');
	});
});
