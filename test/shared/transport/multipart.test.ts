import { multipartBody, multipartBodyWrittenBy } from '../../../shared/transport/multipart';

describe('multipartBody', () => {
	it("parses back, with Node's own multipart reader, into the fields and the file", async () => {
		const file = Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]);
		const upload = multipartBody(
			{ model: 'openai/whisper-1', language: undefined, temperature: 0.2 },
			{ field: 'file', fileName: 'note "1".wav', mimeType: 'audio/wav', data: file },
		);
		expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=----n8n-dedalus-\w{24}$/);
		const form = await new Response(upload.data, {
			headers: { 'content-type': upload.contentType },
		}).formData();
		expect(form.get('model')).toBe('openai/whisper-1');
		expect(form.get('temperature')).toBe('0.2');
		expect(form.has('language')).toBe(false);
		const sent = form.get('file') as File;
		expect(sent.type).toBe('audio/wav');
		// Quotes are written as %22 (the HTML form encoding), which readers decode back.
		expect(sent.name).toBe('note "1".wav');
		expect(Buffer.from(await sent.arrayBuffer())).toEqual(file);
	});

	it('uses a new boundary for every body', () => {
		const file = {
			field: 'file',
			fileName: 'a.wav',
			mimeType: 'audio/wav',
			data: Buffer.from('x'),
		};
		expect(multipartBody({}, file).contentType).not.toBe(multipartBody({}, file).contentType);
	});
});

describe('multipartBodyWrittenBy', () => {
	const part = { field: 'file', fileName: 'a.wav', mimeType: 'audio/wav' };

	it('is the body multipartBody builds, with the bytes written in place', async () => {
		const file = Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]);
		const upload = await multipartBodyWrittenBy(
			{ model: 'm' },
			part,
			file.length,
			async (target) => {
				file.copy(target);
				return true;
			},
		);
		const form = await new Response(upload?.data, {
			headers: { 'content-type': upload?.contentType ?? '' },
		}).formData();
		expect(form.get('model')).toBe('m');
		expect(Buffer.from(await (form.get('file') as File).arrayBuffer())).toEqual(file);
	});

	it('is undefined when the writer did not have exactly the bytes', async () => {
		expect(await multipartBodyWrittenBy({}, part, 4, async () => false)).toBeUndefined();
	});
});
