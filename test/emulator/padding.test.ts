// The benchmark's response-size control: POST /__emulator/content-size {bytes}.
import { padText } from '../../emulator/src/padding';
import { admin, call, chat, useEmulator } from './helpers';

const bed = useEmulator();

describe('content-size control', () => {
	it('pads text to exactly the size asked, keeping the generated start, and leaves longer text alone', () => {
		expect(padText('hello', 0)).toBe('hello');
		expect(padText('hello', 3)).toBe('hello');
		const padded = padText('hello', 4096);
		expect(padded).toHaveLength(4096);
		expect(padded.startsWith('hello ')).toBe(true);
		expect(/^[\x20-\x7e]*$/.test(padded)).toBe(true);
	});

	it('is off by default: answers are as generated', async () => {
		expect((await admin(bed.emu.url, 'content-size')).body).toEqual({ bytes: 0 });
		const res = await chat(bed.emu.url);
		expect(res.body.choices[0].message.content).toBe(
			'Echo from openai/gpt-4.1: What came in yesterday?',
		);
	});

	it('pads chat completions and responses, updates usage, and goes back to 0 on reset', async () => {
		expect((await admin(bed.emu.url, 'content-size', { bytes: 4096 })).body).toEqual({
			bytes: 4096,
		});

		const res = await chat(bed.emu.url);
		expect(res.status).toBe(200);
		const content = res.body.choices[0].message.content as string;
		expect(content).toHaveLength(4096);
		expect(content.startsWith('Echo from openai/gpt-4.1: What came in yesterday? ')).toBe(true);
		expect(res.body.usage.completion_tokens).toBe(1024);
		expect(res.body.usage.total_tokens).toBe(res.body.usage.prompt_tokens + 1024);
		expect(res.text.length).toBeGreaterThan(4096);
		expect(res.text.length).toBeLessThan(4096 + 512);

		const resp = await call(bed.emu.url, '/v1/responses', {
			body: { model: 'openai/gpt-4.1', input: 'Hi' },
		});
		expect(resp.status).toBe(200);
		expect(resp.body.output_text).toHaveLength(4096);
		expect(resp.body.output[0].content[0].text).toBe(resp.body.output_text);
		expect(resp.body.usage.output_tokens).toBe(1024);

		await admin(bed.emu.url, 'reset', {});
		expect((await admin(bed.emu.url, 'content-size')).body).toEqual({ bytes: 0 });
		expect((await chat(bed.emu.url)).body.choices[0].message.content).toHaveLength(
			'Echo from openai/gpt-4.1: What came in yesterday?'.length,
		);
	});

	it('rejects a size that is not a non-negative integer up to 1 MiB', async () => {
		for (const bytes of [-1, 1.5, '4096', 2 * 1024 * 1024]) {
			const res = await admin(bed.emu.url, 'content-size', { bytes });
			expect(res.status).toBe(400);
		}
		expect((await admin(bed.emu.url, 'content-size')).body).toEqual({ bytes: 0 });
	});
});
