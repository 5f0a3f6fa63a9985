import { Readable } from 'node:stream';
import type { IBinaryData, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import {
	AUDIO_FILES,
	BinaryInput,
	IMAGE_FILES,
	PDF_FILES,
} from '../../../../nodes/Dedalus/completion/binary-input';

const node = { name: 'Dedalus', type: 'CUSTOM.dedalus', typeVersion: 1 };
const WAV = Buffer.from('RIFF....WAVEfmt ');

/** A webhook() context as on the resume: input items through $input.item, bytes by id. */
function webhookContext(binary: Record<string, IBinaryData>, stored: Buffer) {
	const getBinaryStream = jest.fn(async () => Readable.from([stored]));
	const getBinaryMetadata = jest.fn(async () => ({ fileSize: stored.length }));
	const context = {
		getNode: () => node,
		evaluateExpression: jest.fn((expression: string) =>
			expression === '{{ $input.item }}' ? { json: {}, binary } : undefined,
		),
		helpers: {
			getBinaryStream,
			getBinaryMetadata,
			binaryToBuffer: async (stream: Readable) => {
				const chunks: Buffer[] = [];
				for await (const chunk of stream) chunks.push(chunk as Buffer);
				return Buffer.concat(chunks);
			},
		},
	} as unknown as IWebhookFunctions;
	return { context, getBinaryStream, getBinaryMetadata };
}

function executeContext(binary: Record<string, IBinaryData>) {
	return {
		getNode: () => node,
		getInputData: () => [{ json: {}, binary }],
		helpers: {
			getBinaryDataBuffer: jest.fn(async (_item: number, property: string) =>
				Buffer.from(binary[property].data, 'base64'),
			),
		},
	} as unknown as IExecuteFunctions;
}

describe('BinaryInput', () => {
	it('on the resume, finds the file on the input item and reads a stored one by its id', async () => {
		const stored = {
			id: 'filesystem-v2:abc',
			data: 'filesystem-v2',
			mimeType: 'audio/wav',
			fileName: 'a.wav',
		};
		const { context, getBinaryStream, getBinaryMetadata } = webhookContext({ data: stored }, WAV);
		const input = new BinaryInput(context);
		const info = await input.check(0, 'data', AUDIO_FILES);
		expect(info).toMatchObject({ mimeType: 'audio/wav', fileName: 'a.wav', bytes: WAV.length });
		expect(getBinaryMetadata).toHaveBeenCalledWith('filesystem-v2:abc');
		expect((await input.read(info, 0)).data).toEqual(WAV);
		expect(getBinaryStream).toHaveBeenCalledWith('filesystem-v2:abc');
	});

	it('a stored file over the limit fails on its stored size, before its bytes are read', async () => {
		const stored = {
			id: 'filesystem-v2:big',
			data: 'filesystem-v2',
			mimeType: 'audio/mpeg',
			fileName: 'a.mp3',
		};
		const { context, getBinaryStream } = webhookContext(
			{ data: stored },
			Buffer.alloc(AUDIO_FILES.maxBytes + 1),
		);
		await expect(new BinaryInput(context).check(3, 'data', AUDIO_FILES)).rejects.toThrow(
			'Input Binary Field "data" in item 3 is 25 MB, more than the 25 MB Dedalus accepts for an audio file',
		);
		expect(getBinaryStream).not.toHaveBeenCalled();
	});

	it('counts the bytes of an inline file from its base64 length', async () => {
		const bytes = Buffer.alloc(1001, 7);
		const context = executeContext({
			data: { data: bytes.toString('base64'), mimeType: 'image/png', fileName: 'a.png' },
		});
		expect((await new BinaryInput(context).check(0, 'data', IMAGE_FILES)).bytes).toBe(1001);
	});

	it('takes the first rule the type matches and reads with its limit', async () => {
		const pdf = Buffer.from('%PDF-1.4');
		const context = executeContext({
			doc: {
				data: pdf.toString('base64'),
				mimeType: 'application/pdf; charset=binary',
				fileName: 'x.pdf',
			},
		});
		const input = new BinaryInput(context);
		const info = await input.check(0, 'doc', [IMAGE_FILES, PDF_FILES]);
		expect(info.rule).toBe(PDF_FILES);
		expect(info.mimeType).toBe('application/pdf');
		expect((await input.read(info, 0)).data).toEqual(pdf);
	});

	it('names the binary fields an item has when the asked one is missing', async () => {
		const context = executeContext({ photo: { data: 'eA==', mimeType: 'image/png' } });
		await expect(new BinaryInput(context).check(0, 'data', IMAGE_FILES)).rejects.toMatchObject({
			message: 'Input Binary Field "data" in item 0 does not exist',
			description: 'The item has binary fields "photo".',
		});
	});
});

describe('BinaryInput.readInto', () => {
	const stored = {
		id: 'filesystem-v2:abc',
		data: 'filesystem-v2',
		mimeType: 'audio/wav',
		fileName: 'a.wav',
	};

	it('writes a stored file, chunk by chunk from its stream, into the target', async () => {
		const chunks = [WAV.subarray(0, 5), WAV.subarray(5)];
		const { context, getBinaryStream } = webhookContext({ data: stored }, WAV);
		getBinaryStream.mockImplementation(async () => Readable.from(chunks));
		const input = new BinaryInput(context);
		const info = await input.check(0, 'data', AUDIO_FILES);
		const target = Buffer.alloc(info.bytes);
		expect(await input.readInto(info, target)).toBe(true);
		expect(target).toEqual(WAV);
	});

	it('is false when the stored stream holds more or fewer bytes than the size checked', async () => {
		for (const size of [WAV.length - 1, WAV.length + 1]) {
			const { context } = webhookContext({ data: stored }, WAV);
			const input = new BinaryInput(context);
			const info = { ...(await input.check(0, 'data', AUDIO_FILES)), bytes: size };
			expect(await input.readInto(info, Buffer.alloc(size))).toBe(false);
		}
	});

	it('decodes an inline file straight into the target, and is false on a size mismatch', async () => {
		const inline = { data: WAV.toString('base64'), mimeType: 'audio/wav', fileName: 'a.wav' };
		const input = new BinaryInput(executeContext({ data: inline }));
		const info = await input.check(0, 'data', AUDIO_FILES);
		const target = Buffer.alloc(info.bytes);
		expect(await input.readInto(info, target)).toBe(true);
		expect(target).toEqual(WAV);
		expect(await input.readInto(info, Buffer.alloc(info.bytes + 1))).toBe(false);
	});
});

describe('BinaryInput.readBase64Into', () => {
	// 52 bytes: no multiple of three, so its base64 ends in padding.
	const PDF = Buffer.from('%PDF-1.4 a file whose size is no multiple of three!!');
	const stored = {
		id: 'filesystem-v2:pdf',
		data: 'filesystem-v2',
		mimeType: 'application/pdf',
		fileName: 'a.pdf',
	};
	const slot = (bytes: number) => Buffer.alloc(4 * Math.ceil(bytes / 3));

	it('encodes a stored file from its stream, whatever the chunk sizes, into the target', async () => {
		for (const sizes of [[PDF.length], [1, 1, 1, 2], [2, 5, 4], [4, 1, 3, 7]]) {
			const chunks: Buffer[] = [];
			for (let at = 0, i = 0; at < PDF.length; at += sizes[i % sizes.length], i++) {
				chunks.push(PDF.subarray(at, at + sizes[i % sizes.length]));
			}
			const { context, getBinaryStream } = webhookContext({ data: stored }, PDF);
			getBinaryStream.mockImplementation(async () => Readable.from(chunks));
			const input = new BinaryInput(context);
			const info = await input.check(0, 'data', PDF_FILES);
			const target = slot(info.bytes);
			expect(await input.readBase64Into(info, target)).toBe(true);
			expect(target.toString('latin1')).toBe(PDF.toString('base64'));
		}
	});

	it('is false when the stored stream holds more or fewer bytes than the size checked', async () => {
		for (const size of [PDF.length - 2, PDF.length - 1, PDF.length + 1, PDF.length + 3]) {
			const { context } = webhookContext({ data: stored }, PDF);
			const input = new BinaryInput(context);
			const info = { ...(await input.check(0, 'data', PDF_FILES)), bytes: size };
			expect(await input.readBase64Into(info, slot(size))).toBe(false);
		}
	});

	it('copies an inline file in n8n’s plain base64 as it is, and refuses any other form', async () => {
		const plain = { data: PDF.toString('base64'), mimeType: 'application/pdf', fileName: 'a.pdf' };
		const input = new BinaryInput(executeContext({ data: plain }));
		const info = await input.check(0, 'data', PDF_FILES);
		const target = slot(info.bytes);
		expect(await input.readBase64Into(info, target)).toBe(true);
		expect(target.toString('latin1')).toBe(plain.data);

		const wrapped = plain.data.replace(/(.{16})/g, '$1\n');
		const unpadded = plain.data.replace(/=+$/, '');
		const urlSafe = Buffer.from([0xfb, 0xff, 0xbf]).toString('base64url');
		for (const data of [wrapped, unpadded, `"${plain.data.slice(2)}`]) {
			const other = new BinaryInput(executeContext({ data: { ...plain, data } }));
			const otherInfo = { ...info, binary: { ...plain, data } };
			expect(await other.readBase64Into(otherInfo, slot(info.bytes))).toBe(false);
		}
		const url = { ...info, bytes: 3, binary: { ...plain, data: urlSafe } };
		expect(await input.readBase64Into(url, slot(3))).toBe(false);
	});
});
