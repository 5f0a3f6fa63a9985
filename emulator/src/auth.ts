import { createHash } from 'crypto';
import type { IncomingMessage } from 'http';

import { headerValue } from './http';

const KEY_PATTERN = /^dsk[-_][A-Za-z0-9_-]{4,}$/;
const KEY_CACHE_LIMIT = 10_000;

export type AuthResult = { ok: true; keyId: string } | { ok: false; keyId: string | null };

/**
 * Identifies API keys by a short hash so nothing downstream (consent store, request log)
 * ever holds the raw key. The cache keeps benchmarks from paying one sha256 per request.
 */
export class KeyRegistry {
	private readonly cache = new Map<string, string>();

	keyIdOf(key: string): string {
		let id = this.cache.get(key);
		if (id === undefined) {
			id = createHash('sha256').update(key).digest('hex').slice(0, 16);
			if (this.cache.size >= KEY_CACHE_LIMIT) this.cache.clear();
			this.cache.set(key, id);
		}
		return id;
	}

	authenticate(req: IncomingMessage): AuthResult {
		const key = extractKey(req);
		if (key === undefined) return { ok: false, keyId: null };
		const keyId = this.keyIdOf(key);
		if (!isValidKey(key)) return { ok: false, keyId };
		return { ok: true, keyId };
	}
}

export function isValidKey(key: string): boolean {
	return KEY_PATTERN.test(key) && !key.startsWith('dsk-invalid');
}

function extractKey(req: IncomingMessage): string | undefined {
	const auth = headerValue(req, 'authorization');
	if (auth) {
		const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
		// A malformed Authorization header still counts as "a key was sent, and it is bad".
		return m ? m[1] : auth;
	}
	const apiKey = headerValue(req, 'x-api-key');
	return apiKey ? apiKey.trim() : undefined;
}
