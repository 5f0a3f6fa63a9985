import { crc32, inflateSync } from 'zlib';

import { admin, BAD_KEY, call, KEY_A, useEmulator } from './helpers';

const bed = useEmulator();

const generate = (body: unknown, key?: string) =>
	call(bed.emu.url, '/v1/images/generations', { body, key });

/** Reads a PNG the way a decoder would: signature, chunk CRCs, IHDR, inflated pixel rows. */
function decodePng(png: Buffer): { width: number; height: number; rgb: number[] } {
	expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
	const chunks: Record<string, Buffer[]> = {};
	const order: string[] = [];
	for (let at = 8; at < png.length; ) {
		const length = png.readUInt32BE(at);
		const type = png.toString('latin1', at + 4, at + 8);
		const data = png.subarray(at + 8, at + 8 + length);
		expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)));
		(chunks[type] ??= []).push(data);
		order.push(type);
		at += 12 + length;
	}
	expect(order[0]).toBe('IHDR');
	expect(order[order.length - 1]).toBe('IEND');
	const ihdr = chunks.IHDR[0];
	const width = ihdr.readUInt32BE(0);
	const height = ihdr.readUInt32BE(4);
	expect([ihdr[8], ihdr[9], ihdr[10], ihdr[11], ihdr[12]]).toEqual([8, 2, 0, 0, 0]);
	const pixels = inflateSync(Buffer.concat(chunks.IDAT));
	expect(pixels.length).toBe(height * (1 + width * 3));
	return { width, height, rgb: [pixels[1], pixels[2], pixels[3]] };
}

describe('POST /v1/images/generations', () => {
	it('answers n base64 PNGs for gpt-image-1, with revised_prompt and url as null', async () => {
		const res = await generate({
			model: 'openai/gpt-image-1',
			prompt: 'A lighthouse at dawn',
			n: 2,
			size: '1536x1024',
		});
		expect(res.status).toBe(200);
		expect(res.body.created).toBeGreaterThan(1_700_000_000);
		expect(res.body.data).toHaveLength(2);
		const [a, b] = res.body.data as Array<Record<string, string | null>>;
		expect(a).toEqual({ b64_json: expect.any(String), url: null, revised_prompt: null });
		const first = decodePng(Buffer.from(a.b64_json!, 'base64'));
		expect([first.width, first.height]).toEqual([24, 16]);
		const second = decodePng(Buffer.from(b.b64_json!, 'base64'));
		expect(second.rgb).not.toEqual(first.rgb);

		// Deterministic: the same prompt gives the same bytes.
		const again = await generate({
			model: 'openai/gpt-image-1',
			prompt: 'A lighthouse at dawn',
			size: '1536x1024',
		});
		expect(again.body.data[0].b64_json).toBe(a.b64_json);
	});

	it('answers links by default for dall-e-3 (the default model), served without a key', async () => {
		const res = await generate({ prompt: 'A red bicycle', output_format: 'png' });
		expect(res.status).toBe(200);
		const [image] = res.body.data as Array<Record<string, string | null>>;
		expect(image.b64_json).toBeNull();
		expect(image.revised_prompt).toBe('A red bicycle (emulated image 1 of 1)');
		expect(image.url).toMatch(
			new RegExp(`^${bed.emu.url}/v1/images/files/[0-9a-f]{6}-16x16\\.png$`),
		);

		const download = await fetch(image.url!);
		expect(download.status).toBe(200);
		expect(download.headers.get('content-type')).toBe('image/png');
		const png = Buffer.from(await download.arrayBuffer());
		expect(decodePng(png)).toMatchObject({ width: 16, height: 16 });
		const b64 = await generate({ prompt: 'A red bicycle', response_format: 'b64_json' });
		expect(Buffer.from(b64.body.data[0].b64_json, 'base64')).toEqual(png);

		const log = bed.emu.requests();
		expect(log.map((r) => [r.method, r.status, r.keyId === null])).toEqual([
			['POST', 200, false],
			['GET', 200, true],
			['POST', 200, false],
		]);
	});

	it('answers 404 for a file name it never made', async () => {
		for (const name of ['zzzzzz-16x16.png', 'abcdef-99x99.png', '../etc/passwd']) {
			const res = await fetch(`${bed.emu.url}/v1/images/files/${name}`);
			expect(res.status).toBe(404);
		}
	});

	it.each([
		[{}, ['body', 'prompt'], 'missing'],
		[{ prompt: '   ' }, ['body', 'prompt'], 'string_too_short'],
		[{ prompt: 'x', n: 0 }, ['body', 'n'], 'int_range'],
		[{ prompt: 'x', n: 11 }, ['body', 'n'], 'int_range'],
		[{ prompt: 'x', size: '100x100' }, ['body', 'size'], 'enum'],
		[{ prompt: 'x', response_format: 'file' }, ['body', 'response_format'], 'enum'],
		[{ prompt: 'x', output_format: 'gif' }, ['body', 'output_format'], 'enum'],
		[{ prompt: 'x', output_compression: 101 }, ['body', 'output_compression'], 'less_than_equal'],
	])('refuses %j with a 422 naming the field', async (body, loc, type) => {
		const res = await generate(body);
		expect(res.status).toBe(422);
		expect(res.body.detail).toEqual(
			expect.arrayContaining([expect.objectContaining({ loc, type })]),
		);
	});

	it('refuses chat models, a bad key, and lets faults through', async () => {
		const wrong = await generate({ prompt: 'x', model: 'openai/gpt-4.1' });
		expect(wrong.status).toBe(400);
		expect(wrong.body.detail).toMatch(/does not support image generation/);
		expect((await generate({ prompt: 'x' }, BAD_KEY)).status).toBe(401);
		await admin(bed.emu.url, 'faults', {
			faults: [
				{ status: 503, path: '/v1/images' },
				{ drop: true, path: '/v1/images/files/' },
			],
		});
		expect((await generate({ prompt: 'x' }, KEY_A)).status).toBe(503);
		const ok = await generate({ prompt: 'x' });
		await expect(fetch(ok.body.data[0].url)).rejects.toThrow();
		expect(bed.emu.requests().map((r) => r.fault ?? null)).toEqual([
			null,
			null,
			'status:503',
			null,
			'drop',
		]);
	});
});
