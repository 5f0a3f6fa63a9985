import { escapeHtml } from '../../../../shared/html';
import { pageJson, renderPage } from '../../../../nodes/Dedalus/authorization/page';

const hostile = '<script>alert("x")</script>&\'';

describe('authorization page', () => {
	it('escapes every text it shows', () => {
		const { html } = renderPage({
			state: 'failed',
			workflowName: hostile,
			nodeName: hostile,
			servers: [hostile],
			message: hostile,
			connectUrl: `https://as.example/connect?a=1&b="${hostile}`,
		});
		expect(html).not.toContain('<script>alert');
		expect(html).toContain(escapeHtml(hostile));
		expect(html).toContain('href="https://as.example/connect?a=1&amp;b=&quot;&lt;script&gt;');
	});

	it('links only http(s) connect URLs', () => {
		const { html } = renderPage({
			state: 'waiting',
			workflowName: 'W',
			nodeName: 'N',
			servers: [],
			connectUrl: 'javascript:alert(1)',
		});
		expect(html).not.toContain('javascript:alert');
		expect(html).not.toContain('id="connect"');
		expect(
			pageJson({
				state: 'waiting',
				workflowName: 'W',
				nodeName: 'N',
				servers: [],
				connectUrl: 'data:text/html,x',
			}),
		).not.toHaveProperty('connect_url');
	});

	it('sets a strict policy that the inline style and script satisfy by nonce', () => {
		const { html, headers } = renderPage(
			{
				state: 'waiting',
				workflowName: 'W',
				nodeName: 'N',
				servers: ['a/b'],
				connectUrl: 'https://as.example/c',
			},
			'NONCE123',
		);
		const csp = headers['Content-Security-Policy'];
		expect(csp).toContain("default-src 'none'");
		expect(csp).toContain("script-src 'nonce-NONCE123'");
		expect(csp).toContain("connect-src 'self'");
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).not.toContain('unsafe-inline');
		expect(headers['Referrer-Policy']).toBe('no-referrer');
		expect(html).toContain('<script nonce="NONCE123">');
		expect(html).toContain('<style nonce="NONCE123">');
		// Self-contained: nothing loads from elsewhere.
		expect(html).not.toMatch(/<(link|img|iframe)\b/);
		expect(html).not.toMatch(/src="http/);
	});

	it('offers Connect in a new tab and a Continue form that works without JavaScript', () => {
		const { html } = renderPage({
			state: 'waiting',
			workflowName: 'Daily summary',
			nodeName: 'Dedalus',
			servers: ['dedalus-labs/gmail'],
			connectUrl: 'https://as.example/c',
		});
		expect(html).toContain(
			'id="connect" href="https://as.example/c" target="_blank" rel="noopener noreferrer"',
		);
		expect(html).toMatch(
			/<form method="post" id="continue-form"><button[^>]*type="submit">Continue<\/button><\/form>/,
		);
		expect(html).toContain('Daily summary');
		expect(html).toContain('dedalus-labs/gmail');
	});

	it('drops the buttons once the workflow continued', () => {
		const { html } = renderPage({
			state: 'continued',
			workflowName: 'W',
			nodeName: 'N',
			servers: [],
		});
		expect(html).toContain('Done: the workflow continued');
		expect(html).not.toContain('continue-form');
		expect(html).not.toContain('<script');
	});
});
