import { startEmulator, type Emulator } from '../../emulator/src';

// Fake keys only: they match the emulator's key pattern and look nothing like production keys.
export const KEY_A = 'dsk-test-alpha-0001';
export const KEY_B = 'dsk-test-bravo-0002';
export const BAD_KEY = 'dsk-invalid-test-0003';

export const GMAIL = 'dedalus-labs/gmail';
export const CALENDAR = 'dedalus-labs/google-calendar';
export const SEARCH = 'dedalus-labs/brave-search';

export interface JsonResponse<T = any> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
}

export async function call<T = any>(
	base: string,
	path: string,
	init: {
		method?: string;
		key?: string | null;
		body?: unknown;
		headers?: Record<string, string>;
	} = {},
): Promise<JsonResponse<T>> {
	const headers: Record<string, string> = { ...(init.headers ?? {}) };
	if (init.key !== null) headers.authorization = `Bearer ${init.key ?? KEY_A}`;
	let body: string | undefined;
	if (init.body !== undefined) {
		body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
		headers['content-type'] ??= 'application/json';
	}
	const res = await fetch(base + path, {
		method: init.method ?? (body ? 'POST' : 'GET'),
		headers,
		body,
	});
	const text = await res.text();
	let parsed: any;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	return { status: res.status, headers: res.headers, body: parsed, text };
}

export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		model: 'openai/gpt-4.1',
		messages: [{ role: 'user', content: 'What came in yesterday?' }],
		...extra,
	};
}

export function chat(
	base: string,
	extra: Record<string, unknown> = {},
	key?: string,
	headers?: Record<string, string>,
) {
	return call(base, '/v1/chat/completions', { body: chatBody(extra), key, headers });
}

export function admin(base: string, path: string, body?: unknown, method?: string) {
	return call(base, `/__emulator/${path}`, { key: null, body, method });
}

/** Posts the consent form the way a browser would: urlencoded, to the connect_url itself. */
export async function decide(
	connectUrl: string,
	decision: 'allow' | 'deny',
): Promise<{ status: number; html: string }> {
	const res = await fetch(connectUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded' },
		body: new URLSearchParams({ decision }).toString(),
	});
	return { status: res.status, html: await res.text() };
}

export interface SseEvent {
	event: string | null;
	data: string;
}

export function parseSse(text: string): SseEvent[] {
	const events: SseEvent[] = [];
	for (const block of text.split('\n\n')) {
		if (!block.trim()) continue;
		let event: string | null = null;
		const data: string[] = [];
		for (const line of block.split('\n')) {
			if (line.startsWith('event: ')) event = line.slice(7);
			else if (line.startsWith('data: ')) data.push(line.slice(6));
		}
		events.push({ event, data: data.join('\n') });
	}
	return events;
}

/** One emulator for the file, reset before each test: `const bed = useEmulator();` then `bed.emu`. */
export function useEmulator(): { emu: Emulator } {
	const bed = {} as { emu: Emulator };
	beforeAll(async () => {
		bed.emu = await startEmulator({ port: 0 });
	});
	afterAll(async () => {
		await bed.emu.close();
	});
	beforeEach(() => {
		bed.emu.reset();
	});
	return bed;
}
