/** The small rules behind issue 9's bounds (points 7 and 8), unit by unit. */
import { isHttpUrl } from '../../../../shared/transport';
import { MAX_LINK_LENGTH, clipText } from '../../../../shared/transport/limits';
import { redactSecrets } from '../../../../shared/transport/redact';

describe('limits', () => {
	it('clips long text and says how much was left out', () => {
		expect(clipText('abc', 5)).toBe('abc');
		expect(clipText('abcdefgh', 5)).toBe('abcde… (3 more characters)');
	});

	it('does not follow a connect_url longer than 8192 characters', () => {
		const base = 'https://auth.example.com/c?x=';
		expect(isHttpUrl(base + 'a'.repeat(MAX_LINK_LENGTH - base.length))).toBe(true);
		expect(isHttpUrl(base + 'a'.repeat(MAX_LINK_LENGTH))).toBe(false);
	});
});

describe('redaction', () => {
	it('replaces each secret, raw and as JSON escapes it, and leaves other text alone', () => {
		const key = 'dsk-a/b"c';
		const body = JSON.stringify({ detail: `key ${key} twice ${key}` });
		expect(body).toContain('dsk-a/b\\"c');
		expect(redactSecrets(body, [key, ''])).toBe(
			JSON.stringify({ detail: 'key [redacted] twice [redacted]' }),
		);
		expect(redactSecrets('nothing here', [key])).toBe('nothing here');
	});
});
