import { randomBytes } from 'node:crypto';

import { jsonBodyWithFile } from '../../../shared/transport';

const build = (url: string) => ({
	model: 'mistral/ocr',
	document: { type: 'document_url', document_url: url },
});

describe('jsonBodyWithFile', () => {
	it('is the JSON text of the body with the data URI in place, for sizes across the base64 steps', () => {
		// 786,432 bytes is one step: the pieces must join into the same base64 as one whole encode.
		for (const size of [1, 2, 3, 4, 5, 786_431, 786_432, 786_433, 2 * 786_432 + 2]) {
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
