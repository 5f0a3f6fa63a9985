import { consentMessage } from '../../../../nodes/Dedalus/authorization/chat';

const base = {
	connectUrl: 'https://admin.dedaluslabs.ai/v1/oauth/connect?server=gmail',
	authorizationUrl: 'https://n8n.example.com/webhook-waiting/42?signature=abc',
};

/** The link targets of a Markdown text, as markdown-it would read `[text](target)`. */
function linkTargets(markdown: string): string[] {
	return [...markdown.matchAll(/(?<!\\)\]\(([^)\s]+)\)/g)].map((match) => match[1]);
}

describe('consentMessage', () => {
	it('names the server, links Connect with its host, and says that a reply continues', () => {
		const text = consentMessage({ ...base, servers: ['dedalus-labs/gmail'], replyContinues: true });
		expect(text).toContain('**dedalus-labs/gmail** needs your consent');
		expect(text).toContain(
			`[Connect dedalus-labs/gmail](${base.connectUrl}) (opens admin.dedaluslabs.ai)`,
		);
		expect(text).toContain('reply here');
		expect(linkTargets(text)).toEqual([base.connectUrl, base.authorizationUrl]);
	});

	it('points at the authorization page when a reply cannot continue the run', () => {
		const text = consentMessage({ ...base, servers: ['a/b', 'c/d'], replyContinues: false });
		expect(text).toContain('**a/b, c/d** need your consent');
		expect(text).toContain('[Connect now]');
		expect(linkTargets(text)).toEqual([base.connectUrl, base.authorizationUrl]);
	});

	it('an API-supplied server name cannot add links or markup', () => {
		const text = consentMessage({
			...base,
			servers: ['x](https://evil.example/)**<img src=x onerror=alert(1)>'],
			replyContinues: true,
		});
		expect(linkTargets(text)).toEqual([base.connectUrl, base.authorizationUrl]);
		expect(text).not.toMatch(/(?<!\\)<img/);
	});

	it('a link target cannot end the Markdown link early', () => {
		const text = consentMessage({
			...base,
			connectUrl: 'https://admin.dedaluslabs.ai/connect?next=(a) b',
			servers: ['s'],
			replyContinues: true,
		});
		expect(linkTargets(text)[0]).toBe('https://admin.dedaluslabs.ai/connect?next=%28a%29%20b');
	});
});

describe('consentMessage follows the page rules for what it shows', () => {
	it('strips hidden characters from names and marks a plain-http link off localhost', () => {
		const text = consentMessage({
			connectUrl: 'http://consent.example.com/connect',
			authorizationUrl: base.authorizationUrl,
			servers: ['gm\u202Eail\u200B'],
			replyContinues: true,
		});
		expect(text).toContain('**gmail**');
		expect(text).toContain('(opens consent.example.com, not encrypted)');
	});
});
