import { mayReceiveApiKey } from '../../../shared/transport/poll';

describe('which poll_url may see the API key', () => {
	it.each([
		['https://admin.dedaluslabs.ai/v1/oauth/servers', 'https://api.dedaluslabs.ai', true],
		['https://dedaluslabs.ai/x', 'https://api.dedaluslabs.ai', true],
		['https://api.dedaluslabs.ai/v1/oauth/servers', 'https://api.dedaluslabs.ai', true],
		['https://ADMIN.DedalusLabs.ai./v1', 'https://api.dedaluslabs.ai', true],
		['http://127.0.0.1:4010/v1/oauth/servers', 'http://127.0.0.1:4010', true],
		['http://admin.dedaluslabs.ai/v1', 'https://api.dedaluslabs.ai', false],
		['https://admin.dedaluslabs.ai:8443/v1', 'https://api.dedaluslabs.ai', false],
		['https://evil.example/v1/oauth/servers', 'https://api.dedaluslabs.ai', false],
		['https://dedaluslabs.ai.evil.example/', 'https://api.dedaluslabs.ai', false],
		['https://evildedaluslabs.ai/', 'https://api.dedaluslabs.ai', false],
		['https://user:pw@admin.dedaluslabs.ai/', 'https://api.dedaluslabs.ai', false],
		['http://127.0.0.1:9999/v1/oauth/servers', 'http://127.0.0.1:4010', false],
		['https://127.0.0.1:4010/', 'http://127.0.0.1:4010', false],
		['http://localhost:1/', 'http://localhost:2', false],
		['https://other.co.uk/', 'https://api.example.co.uk', false],
		['not a url', 'https://api.dedaluslabs.ai', false],
		// Shared hosting suffixes: another tenant of the same suffix is a stranger (issue 17, S1).
		['https://evil.herokuapp.com/poll', 'https://dedalus-gw.herokuapp.com', false],
		['https://evil.vercel.app/poll', 'https://dedalus.vercel.app', false],
		['https://evil.github.io/poll', 'https://dedalus.github.io', false],
		['https://evil.s3.amazonaws.com/poll', 'https://dedalus.s3.amazonaws.com', false],
		['https://admin.example.co.uk/', 'https://api.example.co.uk', false],
		['https://admin.example.com/', 'https://api.example.com', false],
		// A self-hosted gateway's own origin still may.
		['https://dedalus-gw.herokuapp.com/v1/oauth/servers', 'https://dedalus-gw.herokuapp.com', true],
		// A Dedalus host only when the Base URL is a Dedalus one.
		['https://admin.dedaluslabs.ai/v1', 'https://gw.example.com', false],
		['https://admin.dedaluslabs.ai/v1', 'http://127.0.0.1:4010', false],
	])('%s with Base URL %s: %s', (url, base, allowed) => {
		expect(mayReceiveApiKey(url, base)).toBe(allowed);
	});
});
