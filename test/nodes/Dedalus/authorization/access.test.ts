// The node's own resume URL token for n8n versions that do not sign the resume URL (n8n 1.x).
// The real 1.x runs: test/e2e/compat.e2e.ts and authorization.e2e.ts scenario 3 on 1.123.81/1.85.4.
import type { IWebhookFunctions } from 'n8n-workflow';

import { accessAllowed, resumeAccess } from '../../../../nodes/Dedalus/authorization/access';

function requestWith(query: Record<string, unknown>): IWebhookFunctions {
	return { getRequestObject: () => ({ query }) } as unknown as IWebhookFunctions;
}

describe('resume URL access', () => {
	it('leaves a URL that n8n signed alone: n8n checks the signature itself', () => {
		const signed = 'https://n8n.example.com/webhook-waiting/7?signature=abc';
		expect(resumeAccess(signed)).toEqual({ authorizationUrl: signed });
		expect(accessAllowed(requestWith({}), undefined)).toBe(true);
	});

	it('adds a random token to an unsigned URL, a new one per pause', () => {
		const first = resumeAccess('https://n8n.example.com/webhook-waiting/7');
		const second = resumeAccess('https://n8n.example.com/webhook-waiting/7');
		expect(first.accessToken).toMatch(/^[0-9a-zA-Z]{32}$/);
		expect(first.authorizationUrl).toBe(
			`https://n8n.example.com/webhook-waiting/7?token=${first.accessToken}`,
		);
		expect(second.accessToken).not.toBe(first.accessToken);
	});

	it('lets through only the exact token', () => {
		const { accessToken } = resumeAccess('http://127.0.0.1:5678/webhook-waiting/3');
		expect(accessAllowed(requestWith({ token: accessToken }), accessToken)).toBe(true);
		expect(accessAllowed(requestWith({}), accessToken)).toBe(false);
		expect(accessAllowed(requestWith({ token: `${accessToken}x` }), accessToken)).toBe(false);
		expect(accessAllowed(requestWith({ token: 'x'.repeat(32) }), accessToken)).toBe(false);
		expect(accessAllowed(requestWith({ token: [accessToken, accessToken] }), accessToken)).toBe(
			false,
		);
	});
});
