import { Readable } from 'node:stream';

import {
	ResponseTooLargeError,
	readBoundedBytes,
	readBoundedText,
} from '../../../shared/transport/limits';

describe('readBoundedBytes', () => {
	const signal = () => new AbortController().signal;

	it('returns the bytes of a stream, unchanged', async () => {
		const bytes = Buffer.from([0, 255, 1, 254]);
		const stream = Readable.from([bytes.subarray(0, 2), bytes.subarray(2)]);
		expect(await readBoundedBytes(stream, 4, signal())).toEqual(bytes);
	});

	it('stops past the limit and destroys the stream', async () => {
		const stream = Readable.from([Buffer.alloc(3), Buffer.alloc(3)]);
		await expect(readBoundedBytes(stream, 5, signal())).rejects.toBeInstanceOf(
			ResponseTooLargeError,
		);
		expect(stream.destroyed).toBe(true);
	});

	it('bounds a buffer the helper already read', async () => {
		await expect(readBoundedBytes(Buffer.alloc(6), 5, signal())).rejects.toBeInstanceOf(
			ResponseTooLargeError,
		);
	});

	it('readBoundedText decodes the same bytes as UTF-8', async () => {
		const stream = Readable.from([Buffer.from('grüß')]);
		expect(await readBoundedText(stream, 100, signal())).toBe('grüß');
	});
});
