/**
 * Issue 9, points 9 and 12 on the page itself: where the link leads, in plain text; no bidi or
 * invisible characters; plain http off localhost marked; shared consent explained.
 */
import { pageJson, renderPage } from '../../../../nodes/Dedalus/authorization/page';
import type { PageModel } from '../../../../nodes/Dedalus/authorization/page';

const INVISIBLE = [
	'\u202E',
	'\u202A',
	'\u2066',
	'\u2069',
	'\u200B',
	'\u200E',
	'\u2060',
	'\uFEFF',
	'\u00AD',
	'\u061C',
	'\u{E0041}',
];

function page(model: Partial<PageModel>): { html: string; json: Record<string, unknown> } {
	const full: PageModel = {
		state: 'waiting',
		workflowName: 'W',
		nodeName: 'N',
		servers: [],
		...model,
	};
	return { html: renderPage(full, 'nonce').html, json: pageJson(full) };
}

function hostLabel(html: string): string | undefined {
	return /<span[^>]*id="connect-host"[^>]*>([^<]*)<\/span>/.exec(html)?.[1];
}

describe('9. the link a person follows is honest', () => {
	it('names the destination host of connect_url in plain text beside the button', () => {
		const { html, json } = page({ connectUrl: 'https://auth.example.com/oauth/connect?x=1' });
		expect(hostLabel(html)).toBe('Opens auth.example.com');
		expect(json.connect_host).toBe('auth.example.com');
	});

	it('shows an internationalised host as punycode, so look-alikes are visible', () => {
		const { html } = page({ connectUrl: 'https://gооgle.com/connect' });
		expect(hostLabel(html)).toBe('Opens xn--ggle-55da.com');
	});

	it('marks a plain-http link that is not localhost, and only that', () => {
		const remote = page({ connectUrl: 'http://auth.example.com/c' });
		expect(remote.html).toContain('id="connect-insecure"');
		expect(remote.html).toMatch(/not encrypted/i);
		expect(remote.json.connect_insecure).toBe(true);
		for (const local of ['http://localhost:3000/c', 'http://127.0.0.1:9/c', 'http://[::1]:9/c']) {
			const shown = page({ connectUrl: local });
			expect(shown.html).not.toContain('id="connect-insecure"');
			expect(shown.json.connect_insecure).toBe(false);
		}
		expect(page({ connectUrl: 'https://auth.example.com/c' }).html).not.toContain(
			'id="connect-insecure"',
		);
	});

	it('strips bidirectional-control and invisible characters from everything it shows', () => {
		const dirty = (text: string) => INVISIBLE.map((char) => `${char}${text}`).join('');
		const { html, json } = page({
			state: 'failed',
			workflowName: dirty('work'),
			nodeName: dirty('node'),
			servers: [dirty('gmail')],
			message: dirty('message'),
			expiresAt: '2030-01-01T00:00:00.000Z',
		});
		for (const char of INVISIBLE) {
			expect(html).not.toContain(char);
			expect(JSON.stringify(json)).not.toContain(char);
		}
		expect(html).toContain('work'.repeat(INVISIBLE.length));
		expect(html).toContain('message'.repeat(INVISIBLE.length));
	});

	it('cuts API-supplied text short', () => {
		const { html } = page({
			state: 'failed',
			message: 'z'.repeat(3_000_000),
			servers: ['s'.repeat(10_000)],
		});
		expect(html.length).toBeLessThan(30_000);
	});
});

describe('12. shared consent is explained on the page', () => {
	it('says whose access the link grants, and to whom', () => {
		const { html } = page({ connectUrl: 'https://auth.example.com/c' });
		expect(html).toContain('id="shared-consent"');
		expect(html).toMatch(/everyone who runs workflows with/);
	});
});
