/**
 * Issue 17, S5: redaction in every encoding JSON allows and across streamed pieces. The engine
 * paths are in hardening/transport.engine.test.ts ("8.") and streaming.engine.test.ts.
 */
import { StreamTextRedactor, redactSecrets, redactValue } from '../../../shared/transport/redact';

const KEY = 'dsk-live/Abc+123';
const unicode = (text: string, upper = false) =>
	[...text]
		.map((char) => {
			const hex = char.charCodeAt(0).toString(16).padStart(4, '0');
			return `\\u${upper ? hex.toUpperCase() : hex}`;
		})
		.join('');

describe('redactSecrets', () => {
	it.each([
		['raw', KEY],
		['JSON.stringify', JSON.stringify(KEY).slice(1, -1)],
		['\\/ for /', KEY.replace('/', '\\/')],
		['\\u002b for +', KEY.replace('+', '\\u002b')],
		['\\u002B for +', KEY.replace('+', '\\u002B')],
		['every character \\u-escaped', unicode(KEY)],
		['every character \\u-escaped, upper-case hex', unicode(KEY, true)],
		['mixed', `${unicode('dsk')}-live\\/Abc\\u002B123`],
	])('finds the key written %s, and the JSON stays valid', (_name, form) => {
		const body = `{"detail":"invalid key ${form}!"}`;
		const redacted = redactSecrets(body, [KEY]);
		expect(JSON.parse(redacted)).toEqual({ detail: 'invalid key [redacted]!' });
	});

	it('finds the key in a string that is itself JSON, after parsing', () => {
		const inner = `{"key":"${unicode(KEY)}"}`;
		const body = JSON.stringify({ result: inner });
		const parsed = JSON.parse(redactSecrets(body, [KEY])) as { result: string };
		expect(JSON.parse(parsed.result)).toEqual({ key: '[redacted]' });
	});

	it('does not start inside an escape: an escaped backslash before the key is kept', () => {
		const body = JSON.stringify({ path: `C:\\${KEY}` });
		expect(JSON.parse(redactSecrets(body, [KEY]))).toEqual({ path: 'C:\\[redacted]' });
	});

	it('leaves text without a secret unchanged, byte for byte', () => {
		const body = '{ "a" : "b\\u0064" }';
		expect(redactSecrets(body, [KEY])).toBe(body);
	});

	it('redactValue reaches every string and key', () => {
		expect(redactValue({ [KEY]: [1, { x: `a${KEY}b` }] }, [KEY])).toEqual({
			'[redacted]': [1, { x: 'a[redacted]b' }],
		});
	});
});

describe('StreamTextRedactor', () => {
	const PROVIDER = 'sk-provider-SECRET-9';

	function forward(pieces: string[], secrets: string[]) {
		const redactor = new StreamTextRedactor(secrets);
		const sent = pieces.map((piece) => redactor.push(piece));
		sent.push(redactor.flush());
		return sent;
	}

	it('never hands on a key split four characters per piece, neither whole nor in parts', () => {
		const text = `your key is ${KEY} and ${PROVIDER}, done`;
		const pieces: string[] = [];
		for (let index = 0; index < text.length; index += 4) pieces.push(text.slice(index, index + 4));
		const sent = forward(pieces, [KEY, PROVIDER]);
		expect(sent.join('')).toBe('your key is [redacted] and [redacted], done');
		// No piece carries a secret's first characters: they were held until the key was whole.
		expect(sent.some((piece) => piece.includes('dsk-') || piece.includes('sk-pro'))).toBe(false);
	});

	it('holds back any dsk- key start until it ends, but hands on other text at once', () => {
		const redactor = new StreamTextRedactor([KEY]);
		expect(redactor.push('hello ')).toBe('hello ');
		expect(redactor.push('dsk_other')).toBe('');
		expect(redactor.push('key. Bye')).toBe('dsk_otherkey. Bye');
	});
});
