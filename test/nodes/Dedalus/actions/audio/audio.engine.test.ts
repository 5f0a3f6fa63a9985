/**
 * Audio → Transcribe, Translate and Generate Speech through n8n-core's engine against the
 * emulator over HTTP: multipart uploads from a binary property, json and text answers, speech as
 * binary data, and every bad input file refused before any request.
 */
import type { IBinaryData } from 'n8n-workflow';

import { markedWav } from '../../../../../emulator/src/audio';
import { API_KEY, createTestBed, items, runDedalus } from '../../engine-setup';
import { binaryFile, bytesOf, fileItems, model, operationNode, requestsTo } from '../media-setup';

const { bed, setUp, tearDown } = createTestBed();
beforeAll(setUp);
afterAll(tearDown);
beforeEach(() => bed.emulator.reset());

function audioNode(operation: string, parameters: Record<string, unknown> = {}, extra = {}) {
	return operationNode(
		'audio',
		operation,
		{ model: model('openai/whisper-1'), binaryPropertyName: 'data', ...parameters },
		extra,
	);
}

function voiceNote(text: string, fileName = 'note.wav'): { binary: Record<string, IBinaryData> } {
	return { binary: { data: binaryFile(markedWav(text), fileName, 'audio/wav') } };
}

const UPLOADS = ['/v1/audio/transcriptions', '/v1/audio/translations'];
function uploads() {
	return bed.emulator.requests().filter((entry) => UPLOADS.includes(entry.path));
}

describe('Audio → Transcribe and Translate', () => {
	it('uploads the file as multipart and returns the transcript, one item per input item', async () => {
		const result = await runDedalus(
			bed,
			audioNode('transcribe', { options: { language: 'de', temperature: 0.2, prompt: 'names' } }),
			fileItems(voiceNote('call the plumber'), voiceNote('buy milk')),
		);
		expect(result.status).toBe('success');
		const output = result.outputOf('Dedalus');
		expect(output.map((item) => item.json.text)).toEqual(['call the plumber', 'buy milk']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(requestsTo(bed, '/v1/audio/transcriptions')).toHaveLength(2);
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('returns verbose JSON as an object and subtitles as text', async () => {
		const verbose = await runDedalus(
			bed,
			audioNode('transcribe', { options: { responseFormat: 'verbose_json' } }),
			fileItems(voiceNote('hello there')),
		);
		expect(verbose.outputOf('Dedalus')[0].json).toMatchObject({
			text: 'hello there',
			duration: expect.any(Number),
		});
		const srt = await runDedalus(
			bed,
			audioNode('transcribe', { options: { responseFormat: 'srt' } }),
			fileItems(voiceNote('hello there')),
		);
		expect(srt.outputOf('Dedalus')[0].json.text).toMatch(/^1\n00:00:00,000 --> .*\nhello there/);
	});

	it('translates into English through /v1/audio/translations', async () => {
		const result = await runDedalus(bed, audioNode('translate'), fileItems(voiceNote('hallo')));
		expect(result.outputOf('Dedalus')[0].json.text).toBe('English translation: hallo');
		expect(requestsTo(bed, '/v1/audio/translations')).toHaveLength(1);
	});

	it('takes a file whose MIME type n8n did not know from its extension', async () => {
		const item = {
			binary: { data: binaryFile(markedWav('x'), 'memo.m4a', 'application/octet-stream') },
		};
		const result = await runDedalus(bed, audioNode('transcribe'), fileItems(item));
		expect(result.status).toBe('success');
	});

	it('gives a file name without a known extension the one of its MIME type', async () => {
		const item = { binary: { data: binaryFile(markedWav('named'), 'voice-note', 'audio/wav') } };
		const result = await runDedalus(bed, audioNode('transcribe'), fileItems(item));
		expect(result.error?.message).toBeUndefined();
		expect(result.outputOf('Dedalus')[0].json.text).toBe('named');
	});

	describe('bad input files fail before any request, naming item, field and limit', () => {
		const cases: Array<[string, { binary?: Record<string, IBinaryData> }, RegExp]> = [
			[
				'a missing property',
				{ binary: { other: binaryFile(markedWav('x'), 'a.wav', 'audio/wav') } },
				/^Input Binary Field "data" in item 1 does not exist$/,
			],
			['no binary data at all', {}, /^Input Binary Field "data" in item 1 does not exist$/],
			[
				'a file of the wrong type',
				{ binary: { data: binaryFile(Buffer.from('png'), 'a.png', 'image/png') } },
				/^Input Binary Field "data" in item 1 is image\/png, not an audio file$/,
			],
			[
				'an empty file',
				{ binary: { data: binaryFile(Buffer.alloc(0), 'a.wav', 'audio/wav') } },
				/^Input Binary Field "data" in item 1 is an empty file$/,
			],
			[
				'a file over 25 MB',
				{
					binary: {
						data: { ...binaryFile(markedWav('x'), 'a.wav', 'audio/wav'), bytes: 26 * 1024 * 1024 },
					},
				},
				/^Input Binary Field "data" in item 1 is 26 MB, more than the 25 MB Dedalus accepts for an audio file$/,
			],
		];
		it.each(cases)('%s', async (_name, bad, message) => {
			const result = await runDedalus(
				bed,
				audioNode('transcribe'),
				fileItems(voiceNote('fine'), bad),
			);
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(message);
			expect(uploads()).toHaveLength(0);
		});

		it('with continue-on-fail the bad item is an error item and the good one is transcribed', async () => {
			const result = await runDedalus(
				bed,
				audioNode('transcribe', {}, { onError: 'continueRegularOutput' }),
				fileItems({}, voiceNote('still here')),
			);
			const output = result.outputOf('Dedalus');
			expect(output[0].json.error).toBe('Input Binary Field "data" in item 0 does not exist');
			expect(output[0].pairedItem).toEqual({ item: 0 });
			expect(output[1].json.text).toBe('still here');
		});
	});
});

describe('Audio → Generate Speech', () => {
	it('returns the audio as binary data with file name and MIME type', async () => {
		const result = await runDedalus(
			bed,
			operationNode('audio', 'speech', {
				model: model('openai/gpt-4o-mini-tts'),
				input: '={{ $json.text }}',
				voice: 'coral',
				options: { responseFormat: 'wav', speed: 1.5, instructions: 'calm' },
			}),
			items({ text: 'good morning' }),
		);
		expect(result.status).toBe('success');
		const [item] = result.outputOf('Dedalus');
		expect(item.binary?.data).toMatchObject({ mimeType: 'audio/wav', fileName: 'speech.wav' });
		const audio = bytesOf(item);
		expect(audio.subarray(0, 4).toString('latin1')).toBe('RIFF');
		expect(item.json).toMatchObject({ voice: 'coral', format: 'wav', bytes: audio.length });
		expect(item.pairedItem).toEqual({ item: 0 });

		// The emulator's speech carries its text: transcribing it gives the text back.
		const back = await runDedalus(
			bed,
			audioNode('transcribe'),
			fileItems({ binary: { data: item.binary?.data as IBinaryData } }),
		);
		expect(back.outputOf('Dedalus')[0].json.text).toBe('good morning');
	});

	it('an error answer is read as text and redacted, like every Dedalus answer', async () => {
		await bed.admin('faults', {
			faults: [
				{ path: '/v1/audio/speech', status: 400, body: { detail: `key ${API_KEY} is odd` } },
			],
		});
		const result = await runDedalus(
			bed,
			operationNode('audio', 'speech', {
				model: model('openai/tts-1'),
				input: 'hi',
				voice: 'alloy',
			}),
			items({}),
		);
		expect(result.status).toBe('error');
		expect(JSON.stringify(result.error)).toContain('[redacted]');
		expect(JSON.stringify(result.data)).not.toContain(API_KEY);
	});

	it('refuses a text over 4096 characters before any request', async () => {
		const result = await runDedalus(
			bed,
			operationNode('audio', 'speech', {
				model: model('openai/tts-1'),
				input: '={{ $json.text }}',
				voice: 'alloy',
			}),
			items({ text: 'x'.repeat(4097) }),
		);
		expect(result.error?.message).toBe(
			'Text in item 0 has 4097 characters, more than the 4096 allowed',
		);
		expect(requestsTo(bed, '/v1/audio/speech')).toHaveLength(0);
	});
});
