import { randomBytes } from 'node:crypto';

import {
	Base64Writer,
	base64Size,
	jsonBodyWithFile,
	jsonBodyWrittenBy,
} from '../../../shared/transport';

const build = (url: string) => ({
	model: 'mistral/ocr',
	document: { type: 'document_url', document_url: url },
});

describe('jsonBodyWithFile', () => {
	it('is the JSON text of the body with the data URI in place, for sizes across the base64 steps', () => {
		// 49,152 bytes is one step: the pieces must join into the same base64 as one whole encode.
		for (const size of [1, 2, 3, 4, 5, 49_151, 49_152, 49_153, 2 * 49_152 + 2, 1_000_001]) {
			const data = randomBytes(size);
			const body = jsonBodyWithFile(build, { mimeType: 'application/pdf', data });
			expect(body.contentType).toBe('application/json');
			expect(body.data.toString('utf8')).toBe(
				JSON.stringify(build(`data:application/pdf;base64,${data.toString('base64')}`)),
			);
		}
	});

	it('escapes the MIME type and the other fields as JSON', () => {
		const data = Buffer.from('%PDF');
		const weird = 'application/pdf"; x="\\';
		const body = jsonBodyWithFile(
			(url) => ({ model: 'a"b\u0000c', document: { document_url: url } }),
			{ mimeType: weird, data },
		);
		expect(JSON.parse(body.data.toString('utf8'))).toEqual({
			model: 'a"b\u0000c',
			document: { document_url: `data:${weird};base64,JVBERg==` },
		});
	});

	it('refuses a body that does not hold the file exactly once', () => {
		const file = { mimeType: 'image/png', data: Buffer.from([1]) };
		expect(() => jsonBodyWithFile(() => ({ model: 'x' }), file)).toThrow('exactly once');
		expect(() => jsonBodyWithFile((url) => ({ a: url, b: url }), file)).toThrow('exactly once');
	});
});

describe('Base64Writer', () => {
	const file = randomBytes(100_003);

	it('writes the same base64 as one whole encode, whatever the sizes of the pieces', () => {
		for (const step of [1, 2, 4, 7, 65_536, 100_003]) {
			const target = Buffer.alloc(base64Size(file.length));
			const writer = new Base64Writer(target, file.length);
			for (let at = 0; at < file.length; at += step) {
				expect(writer.write(file.subarray(at, at + step))).toBe(true);
			}
			expect(writer.end()).toBe(true);
			expect(target.toString('latin1')).toBe(file.toString('base64'));
		}
	});

	it('refuses more bytes than the file has, and ends false on fewer', () => {
		const more = new Base64Writer(Buffer.alloc(base64Size(10)), 10);
		expect(more.write(file.subarray(0, 8))).toBe(true);
		expect(more.write(file.subarray(0, 3))).toBe(false);
		const fewer = new Base64Writer(Buffer.alloc(base64Size(10)), 10);
		expect(fewer.write(file.subarray(0, 9))).toBe(true);
		expect(fewer.end()).toBe(false);
		expect(() => new Base64Writer(Buffer.alloc(8), 10)).toThrow('wrong size');
	});
});

describe('jsonBodyWrittenBy', () => {
	it('lets the writer fill the base64 slot of the body in place', async () => {
		const data = randomBytes(1001);
		const body = await jsonBodyWrittenBy(build, 'application/pdf', data.length, async (target) => {
			const writer = new Base64Writer(target, data.length);
			return writer.write(data) && writer.end();
		});
		expect(body?.contentType).toBe('application/json');
		expect(body?.data.toString('utf8')).toBe(
			JSON.stringify(build(`data:application/pdf;base64,${data.toString('base64')}`)),
		);
	});

	it('is undefined when the writer could not fill it', async () => {
		expect(await jsonBodyWrittenBy(build, 'application/pdf', 5, async () => false)).toBeUndefined();
	});
});
