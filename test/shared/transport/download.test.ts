import { mayDownload } from '../../../shared/transport/download';

describe('mayDownload', () => {
	const base = 'http://127.0.0.1:4010';
	it.each([
		['https://files.example.com/a.png', true],
		['http://127.0.0.1:4010/v1/images/files/a.png', true],
		['http://127.0.0.1:4011/a.png', false],
		['http://files.example.com/a.png', false],
		['https://user:pass@files.example.com/a.png', false],
		['file:///etc/passwd', false],
		['not a url', false],
	])('%s -> %s', (link, allowed) => {
		expect(mayDownload(link, base)).toBe(allowed);
	});
});
