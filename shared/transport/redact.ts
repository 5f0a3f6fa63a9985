/** What replaces a secret that a server echoed back. */
export const REDACTED = '[redacted]';

// JSON's short escapes; any character may also be written \uXXXX, hex digits in either case.
const SHORT_ESCAPES: Record<string, string> = {
	'"': '\\"',
	'\\': '\\\\',
	'/': '\\/',
	'\b': '\\b',
	'\f': '\\f',
	'\n': '\\n',
	'\r': '\\r',
	'\t': '\\t',
};

const patterns = new Map<string, RegExp>();

function literal(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Matches `secret` in every way JSON can write it, character by character: as itself, as
 * `\uXXXX` (either case) or as a short escape (`\/`). The match never starts inside an escape
 * (an odd run of backslashes before it), so redacting keeps JSON text valid JSON.
 */
function escapedForms(secret: string): RegExp {
	let pattern = patterns.get(secret);
	if (pattern) return pattern;
	const units = [...Array(secret.length).keys()].map((index) => {
		const char = secret[index];
		const hex = [...secret.charCodeAt(index).toString(16).padStart(4, '0')]
			.map((digit) => (/[a-f]/.test(digit) ? `[${digit}${digit.toUpperCase()}]` : digit))
			.join('');
		const forms = [literal(char), `\\\\u${hex}`];
		if (SHORT_ESCAPES[char]) forms.push(literal(SHORT_ESCAPES[char]));
		return `(?:${forms.join('|')})`;
	});
	pattern = new RegExp(`(?<!(?:^|[^\\\\])\\\\(?:\\\\\\\\)*)${units.join('')}`, 'g');
	// A credential holds two secrets; the cache only saves rebuilding them per body.
	if (patterns.size > 16) patterns.clear();
	patterns.set(secret, pattern);
	return pattern;
}

/** Every form of every secret in `text` replaced by [redacted] (no JSON parsing). */
function redactText(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		if (secret === '') continue;
		result = result.replace(escapedForms(secret), REDACTED);
		// The raw form also where the escape-aware pattern steps aside (after a lone backslash).
		if (result.includes(secret)) result = result.split(secret).join(REDACTED);
	}
	return result;
}

/** Every string (and key) in a parsed JSON value redacted; the same value when nothing changed. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
	if (typeof value === 'string') return redactText(value, secrets) as T;
	if (Array.isArray(value)) {
		// A copy only from the first changed element on: an answer's long lists of numbers
		// (embeddings) pass through without a new array each.
		let items: unknown[] | undefined;
		for (let index = 0; index < value.length; index++) {
			const item: unknown = value[index];
			if (item === null || (typeof item !== 'string' && typeof item !== 'object')) continue;
			const redacted = redactValue(item, secrets);
			if (redacted !== item) {
				items ??= value.slice();
				items[index] = redacted;
			}
		}
		return (items ?? value) as T;
	}
	if (value !== null && typeof value === 'object') {
		let changed = false;
		const entries = Object.entries(value).map(([key, item]) => {
			const redactedKey = redactText(key, secrets);
			const redacted = redactValue(item as unknown, secrets);
			changed ||= redactedKey !== key || redacted !== item;
			return [redactedKey, redacted] as const;
		});
		return (changed ? Object.fromEntries(entries) : value) as T;
	}
	return value;
}

/**
 * Replaces every occurrence of the given secrets in `text` by [redacted]: raw, and in every JSON
 * escaping (`\uXXXX` in either case, `\/`), then, when the text is JSON, once more in every string
 * after parsing (a string that is itself JSON with an escaped key in it). Applied to every response
 * body before it is parsed, so nothing built from a body (an error, the execution data, n8n's log,
 * the authorization page) can carry the API key or the provider key.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
	if (!secrets.some((secret) => secret !== '')) return text;
	const result = redactText(text, secrets);
	const start = result.trimStart()[0];
	if (start !== '{' && start !== '[' && start !== '"') return result;
	let parsed: unknown;
	try {
		parsed = JSON.parse(result);
	} catch {
		return result;
	}
	const redacted = redactValue(parsed, secrets);
	return redacted === parsed ? result : JSON.stringify(redacted);
}

// The start of a Dedalus API key: text ending in one is held back until the key can be judged whole.
const KEY_START = 'dsk-';
const KEY_BODY = /^[A-Za-z0-9_-]*$/;

/**
 * Redacts text that is handed on piece by piece (streamed deltas forwarded with sendChunk), where
 * a key split across pieces would be whole only in what the reader puts together. The end of what
 * arrived is held back while it could still be the start of a secret (a prefix of one of them, or
 * `dsk-`/`dsk_` and key characters), up to the longest secret or 128 characters; the rest is
 * redacted and handed on. Everything handed on, joined, is the redacted whole text.
 */
export class StreamTextRedactor {
	private held = '';

	private readonly maxHeld: number;

	private readonly secrets: string[];

	constructor(secrets: readonly string[]) {
		this.secrets = secrets.filter((secret) => secret !== '');
		this.maxHeld = Math.max(128, ...this.secrets.map((secret) => secret.length));
	}

	/** New text in; what may be handed on now out (possibly ''). */
	push(text: string): string {
		this.held = redactText(this.held + text, this.secrets);
		const keep = this.heldBackFrom(this.held);
		const ready = this.held.slice(0, keep);
		this.held = this.held.slice(keep);
		return ready;
	}

	/** The text ended: whatever was held back, redacted. */
	flush(): string {
		const rest = redactText(this.held, this.secrets);
		this.held = '';
		return rest;
	}

	private heldBackFrom(text: string): number {
		for (let index = Math.max(0, text.length - this.maxHeld + 1); index < text.length; index++) {
			const tail = text.slice(index);
			if (this.secrets.some((secret) => secret.length > tail.length && secret.startsWith(tail)))
				return index;
			if (isKeyStart(tail)) return index;
		}
		return text.length;
	}
}

/** `d`, `ds`, `dsk`, `dsk-`/`dsk_` or `dsk-` followed by key characters. */
function isKeyStart(tail: string): boolean {
	if (tail.length <= KEY_START.length - 1) return KEY_START.startsWith(tail);
	return (
		tail.startsWith('dsk') &&
		(tail[3] === '-' || tail[3] === '_') &&
		KEY_BODY.test(tail.slice(KEY_START.length))
	);
}
