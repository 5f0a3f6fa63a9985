import type { IWebhookFunctions, INode } from 'n8n-workflow';

import { handleResumeRequest, hasExpired } from '../../../../nodes/Dedalus/authorization/resume';
import type { PendingAuthorization } from '../../../../nodes/Dedalus/authorization/state';

// Fast unit tests with plain jest.fn contexts for the paths of the resume URL that send nothing.
// The sending paths (POST, concurrent POSTs, still 401, errors) run through n8n-core's real
// webhook context in authorization.engine.test.ts.

const state: PendingAuthorization = {
	pauseId: 'resume-unit-1',
	connectUrl: 'https://admin.example/v1/oauth/connect?server=srv_1',
	servers: ['dedalus-labs/gmail'],
	pendingItems: [1],
	finishedItems: [{ itemIndex: 0, json: { content: 'done' } }],
	pausedAt: '2026-01-01T00:00:00.000Z',
};

interface Captured {
	status?: number;
	headers: Record<string, string>;
	body?: unknown;
}

function context(method: string, saved: unknown, accept = 'text/html') {
	const captured: Captured = { headers: {} };
	interface FakeResponse {
		status: jest.Mock;
		setHeader: jest.Mock;
		send: jest.Mock;
		json: jest.Mock;
	}
	const response: FakeResponse = {
		status: jest.fn((code: number): FakeResponse => {
			captured.status = code;
			return response;
		}),
		setHeader: jest.fn((name: string, value: string): FakeResponse => {
			captured.headers[name] = value;
			return response;
		}),
		send: jest.fn((body: unknown) => {
			captured.body = body;
		}),
		json: jest.fn((body: unknown) => {
			captured.body = body;
		}),
	};
	const completionRequest = jest.fn();
	const ctx = {
		getNode: () => ({ name: 'Dedalus', parameters: {} }) as unknown as INode,
		getWorkflow: () => ({ id: 'w1', name: 'Mail digest', active: true }),
		evaluateExpression: jest.fn(() => saved),
		getRequestObject: () => ({ method, headers: { accept } }),
		getResponseObject: () => response,
		getNodeParameter: jest.fn(() => ({})),
		getCredentials: completionRequest,
		helpers: { httpRequestWithAuthentication: completionRequest },
	} as unknown as IWebhookFunctions;
	return { ctx, captured, completionRequest };
}

describe('authorization/resume', () => {
	it('GET shows the waiting page and neither sends nor resumes', async () => {
		const { ctx, captured, completionRequest } = context('GET', state);
		const result = await handleResumeRequest(ctx);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(captured.status).toBe(200);
		expect(String(captured.body)).toContain('Authorization needed');
		expect(String(captured.body)).toContain('dedalus-labs/gmail');
		expect(captured.headers['Content-Security-Policy']).toContain("default-src 'none'");
		expect(completionRequest).not.toHaveBeenCalled();
	});

	it('answers 404 "Nothing is waiting here" when no pause is saved', async () => {
		const { ctx, captured, completionRequest } = context('POST', undefined, 'application/json');
		const result = await handleResumeRequest(ctx);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(captured.status).toBe(404);
		expect(captured.body).toMatchObject({ state: 'not_waiting' });
		expect(completionRequest).not.toHaveBeenCalled();
	});

	it('refuses a POST after the wait limit with 410 and sends nothing', async () => {
		const expired = { ...state, expiresAt: new Date(Date.now() - 1000).toISOString() };
		const { ctx, captured, completionRequest } = context('POST', expired, 'application/json');
		const result = await handleResumeRequest(ctx);
		expect(result).toEqual({ noWebhookResponse: true });
		expect(captured.status).toBe(410);
		expect(captured.body).toMatchObject({ state: 'expired' });
		expect(completionRequest).not.toHaveBeenCalled();
	});

	it('knows when a pause has expired', () => {
		const now = Date.parse('2026-01-01T01:00:00.000Z');
		expect(hasExpired(state, now)).toBe(false);
		expect(hasExpired({ ...state, expiresAt: '2026-01-01T00:59:59.000Z' }, now)).toBe(true);
		expect(hasExpired({ ...state, expiresAt: '2026-01-01T01:00:01.000Z' }, now)).toBe(false);
	});
});
