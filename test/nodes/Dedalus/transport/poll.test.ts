import { mayReceiveApiKey, registrableDomain } from '../../../../nodes/Dedalus/transport/poll';

describe('which poll_url may see the API key', () => {
	it.each([
		['https://admin.dedaluslabs.ai/v1/oauth/servers', 'https://api.dedaluslabs.ai', true],
		['https://dedaluslabs.ai/x', 'https://api.dedaluslabs.ai', true],
		['https://api.dedaluslabs.ai/v1/oauth/servers', 'https://api.dedaluslabs.ai', true],
		['http://127.0.0.1:4010/v1/oauth/servers', 'http://127.0.0.1:4010', true],
		['http://admin.dedaluslabs.ai/v1', 'https://api.dedaluslabs.ai', false],
		['https://evil.example/v1/oauth/servers', 'https://api.dedaluslabs.ai', false],
		['https://dedaluslabs.ai.evil.example/', 'https://api.dedaluslabs.ai', false],
		['https://evildedaluslabs.ai/', 'https://api.dedaluslabs.ai', false],
		['https://user:pw@admin.dedaluslabs.ai/', 'https://api.dedaluslabs.ai', false],
		['http://127.0.0.1:9999/v1/oauth/servers', 'http://127.0.0.1:4010', false],
		['https://127.0.0.1:4010/', 'http://127.0.0.1:4010', false],
		['http://localhost:1/', 'http://localhost:2', false],
		['https://other.co.uk/', 'https://api.example.co.uk', false],
		['https://admin.example.co.uk/', 'https://api.example.co.uk', true],
		['not a url', 'https://api.dedaluslabs.ai', false],
	])('%s with Base URL %s: %s', (url, base, allowed) => {
		expect(mayReceiveApiKey(url, base)).toBe(allowed);
	});

	it('never takes a public suffix for a site', () => {
		expect(registrableDomain('api.dedaluslabs.ai')).toBe('dedaluslabs.ai');
		expect(registrableDomain('a.b.example.co.uk')).toBe('example.co.uk');
		expect(registrableDomain('10.0.0.1')).toBe('10.0.0.1');
	});
});
