// Benchmark control: pad the answer text of successful chat completions and responses to a
// fixed size (`POST /__emulator/content-size {bytes}`), so throughput and memory can be measured
// with realistic response sizes. 0 (the default, and after a reset) leaves every answer as is.

export const MAX_CONTENT_BYTES = 1024 * 1024;

const FILLER =
	' Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt.';

/** `text` grown to exactly `bytes` ASCII characters with filler; text already that long is kept. */
export function padText(text: string, bytes: number): string {
	if (bytes <= 0 || text.length >= bytes) return text;
	const missing = bytes - text.length;
	return text + FILLER.repeat(Math.ceil(missing / FILLER.length)).slice(0, missing);
}

type Json = Record<string, unknown>;

function tokens(chars: number): number {
	return Math.max(1, Math.ceil(chars / 4));
}

/** Pads a chat.completion body in place (choices[0].message.content and usage). */
export function padChatBody(body: Json, bytes: number): Json {
	const choice = (body.choices as Array<{ message: { content: unknown } }> | undefined)?.[0];
	if (bytes <= 0 || !choice || typeof choice.message.content !== 'string') return body;
	const before = choice.message.content;
	const padded = padText(before, bytes);
	choice.message.content = padded;
	const usage = body.usage as
		| { prompt_tokens: number; completion_tokens: number; total_tokens: number }
		| undefined;
	if (usage && padded.length !== before.length) {
		usage.completion_tokens = tokens(padded.length);
		usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
	}
	return body;
}

/** Pads a Responses API body in place (the message's output_text part, output_text and usage). */
export function padResponsesBody(body: Json, bytes: number): Json {
	if (bytes <= 0 || typeof body.output_text !== 'string') return body;
	const text = padText(body.output_text, bytes);
	body.output_text = text;
	for (const item of (body.output as Array<{ content?: Array<{ type: string; text?: string }> }>) ??
		[]) {
		for (const part of item.content ?? []) if (part.type === 'output_text') part.text = text;
	}
	const usage = body.usage as
		| { input_tokens: number; output_tokens: number; total_tokens: number }
		| undefined;
	if (usage) {
		usage.output_tokens = tokens(text.length);
		usage.total_tokens = usage.input_tokens + usage.output_tokens;
	}
	return body;
}
