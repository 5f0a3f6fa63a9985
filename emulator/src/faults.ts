import { isPlainObject } from './http';

export interface Fault {
	status?: number;
	count?: number;
	/** Prefix of the request path; any `/v1` path when absent. */
	path?: string;
	headers?: Record<string, string>;
	body?: unknown;
	/** 200 with a body that is not JSON. */
	malformed?: boolean;
	/** 502 with an HTML page, like a proxy in front of the API. */
	html?: boolean;
	/** Destroy the socket without answering. */
	drop?: boolean;
	/** For `stream: true` requests: break the stream with an `event: error` after the first chunk. */
	streamError?: boolean;
	/** Extra wait before answering. Alone (no other field), the request is then answered normally:
	 * tests use it to make answers arrive in another order than the requests. */
	delayMs?: number;
}

/** A fault that only slows a request down. */
export function isDelayOnly(f: Fault): boolean {
	return (
		f.status === undefined &&
		!f.malformed &&
		!f.html &&
		!f.drop &&
		!f.streamError &&
		!f.body &&
		!f.headers
	);
}

interface QueuedFault {
	fault: Fault;
	remaining: number;
}

export class FaultQueue {
	private queue: QueuedFault[] = [];

	add(faults: Fault[]): void {
		for (const fault of faults) this.queue.push({ fault, remaining: fault.count ?? 1 });
	}

	/** Consumes one use of the first fault matching `path`. Cheap when the queue is empty. */
	take(path: string): Fault | undefined {
		if (this.queue.length === 0) return undefined;
		for (let i = 0; i < this.queue.length; i++) {
			const q = this.queue[i];
			if (!path.startsWith(q.fault.path ?? '/v1')) continue;
			// The consent poll is another service (admin.dedaluslabs.ai): only faults aimed at it hit it.
			if (q.fault.path === undefined && path.startsWith('/v1/oauth/')) continue;
			q.remaining--;
			if (q.remaining <= 0) this.queue.splice(i, 1);
			return q.fault;
		}
		return undefined;
	}

	list(): Array<Fault & { remaining: number }> {
		return this.queue.map((q) => ({ ...q.fault, remaining: q.remaining }));
	}

	clear(): void {
		this.queue = [];
	}
}

export function describeFault(f: Fault): string {
	if (f.drop) return 'drop';
	if (f.html) return 'html';
	if (f.malformed) return 'malformed';
	if (f.streamError) return 'stream_error';
	if (isDelayOnly(f)) return `delay:${f.delayMs ?? 0}`;
	return `status:${f.status ?? 500}`;
}

/** Validates an admin payload; returns the faults or an error message for a 400. */
export function parseFaults(value: unknown): Fault[] | string {
	const list = isPlainObject(value) ? value.faults : value;
	if (!Array.isArray(list)) return 'Expected {"faults": [...]}';
	const out: Fault[] = [];
	for (let i = 0; i < list.length; i++) {
		const f = list[i];
		if (!isPlainObject(f)) return `faults[${i}] must be an object`;
		const fault: Fault = {};
		if (f.status !== undefined) {
			if (
				typeof f.status !== 'number' ||
				!Number.isInteger(f.status) ||
				f.status < 100 ||
				f.status > 599
			) {
				return `faults[${i}].status must be an HTTP status code`;
			}
			fault.status = f.status;
		}
		if (f.count !== undefined) {
			if (typeof f.count !== 'number' || !Number.isInteger(f.count) || f.count < 1) {
				return `faults[${i}].count must be a positive integer`;
			}
			fault.count = f.count;
		}
		if (f.path !== undefined) {
			if (typeof f.path !== 'string' || !f.path.startsWith('/'))
				return `faults[${i}].path must start with /`;
			fault.path = f.path;
		}
		if (f.headers !== undefined) {
			if (!isPlainObject(f.headers)) return `faults[${i}].headers must be an object`;
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(f.headers)) {
				if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k))
					return `faults[${i}].headers has an invalid name`;
				headers[k.toLowerCase()] = String(v);
			}
			fault.headers = headers;
		}
		if (f.body !== undefined) fault.body = f.body;
		if (f.delayMs !== undefined) {
			if (
				typeof f.delayMs !== 'number' ||
				!Number.isFinite(f.delayMs) ||
				f.delayMs < 0 ||
				f.delayMs > 600_000
			) {
				return `faults[${i}].delayMs must be a number of milliseconds (0 to 600000)`;
			}
			fault.delayMs = f.delayMs;
		}
		for (const flag of ['malformed', 'html', 'drop', 'streamError'] as const) {
			if (f[flag] !== undefined) {
				if (typeof f[flag] !== 'boolean') return `faults[${i}].${flag} must be a boolean`;
				fault[flag] = f[flag] as boolean;
			}
		}
		out.push(fault);
	}
	return out;
}

const DEFAULT_ERROR_BODIES: Record<number, unknown> = {
	400: { detail: 'Bad request' },
	401: { detail: 'Invalid API key' },
	402: { detail: 'Insufficient balance' },
	403: { detail: 'Forbidden' },
	404: { detail: 'Not Found' },
	408: { detail: 'Request timeout' },
	409: { detail: 'Conflict' },
	422: { detail: [{ loc: ['body'], msg: 'Invalid request', type: 'value_error' }] },
	429: { detail: 'Rate limit exceeded. Please retry later.' },
	500: { detail: 'Internal server error' },
	// docs/dedalus-api.md says some errors may come OpenAI-style; 503 exercises that reader.
	503: {
		error: {
			message: 'Service temporarily unavailable',
			type: 'server_error',
			code: 'service_unavailable',
		},
	},
};

export function defaultErrorBody(status: number): unknown {
	return DEFAULT_ERROR_BODIES[status] ?? { detail: `Emulated error ${status}` };
}

/** 429s carry `retry-after: 1` unless the fault chose its own retry headers. */
export function faultHeaders(
	status: number,
	headers: Record<string, string> | undefined,
): Record<string, string> {
	const out: Record<string, string> = { ...(headers ?? {}) };
	if (status === 429 && out['retry-after'] === undefined && out['retry-after-ms'] === undefined) {
		out['retry-after'] = '1';
	}
	return out;
}

export const MALFORMED_BODY =
	'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "message": ';

export const PROXY_HTML = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;
