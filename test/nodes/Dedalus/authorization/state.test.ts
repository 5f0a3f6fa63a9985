import type { IExecuteFunctions, INode, IWebhookFunctions } from 'n8n-workflow';

import {
	loadPendingAuthorization,
	savePendingAuthorization,
} from '../../../../nodes/Dedalus/authorization/state';
import type { PendingAuthorization } from '../../../../nodes/Dedalus/authorization/state';

// Fast unit tests with plain jest.fn contexts; the engine suites (authorization.engine.test.ts)
// pin the same path through n8n's real context persistence.
const node = { name: 'Dedalus "A" {{ x }}' } as INode;
const state: PendingAuthorization = {
	pauseId: 'p1',
	connectUrl: 'https://connect.example/x',
	servers: ['gmail'],
	pendingItems: [1],
	finishedItems: [{ itemIndex: 0, json: { ok: true } }],
	pausedAt: '2026-01-01T00:00:00.000Z',
};

describe('authorization/state', () => {
	it('saves the pause in the node context', () => {
		const nodeContext: Record<string, unknown> = {};
		const context = { getContext: jest.fn(() => nodeContext) } as unknown as IExecuteFunctions;
		savePendingAuthorization(context, state);
		expect(context.getContext).toHaveBeenCalledWith('node');
		expect(nodeContext.pendingAuthorization).toBe(state);
	});

	it('reads it back through an expression that escapes the node name', () => {
		const evaluateExpression = jest.fn(() => state);
		const context = {
			getNode: () => node,
			evaluateExpression,
		} as unknown as IWebhookFunctions;
		expect(loadPendingAuthorization(context)).toEqual(state);
		const [expression] = evaluateExpression.mock.calls[0] as unknown as [string];
		expect(expression).toMatch(/^\{\{ \$node\["Dedalus/);
		expect(expression.slice(2, -2)).not.toMatch(/[{}']/);
		expect(expression).not.toContain('"A"');
		expect(expression).not.toContain('{{ x }}');
	});

	it('gives undefined for a missing, malformed or unreadable state', () => {
		for (const evaluate of [
			() => undefined,
			() => ({ ...state, pendingItems: ['one'] }),
			() => {
				throw new Error('no such node');
			},
		]) {
			const context = {
				getNode: () => node,
				evaluateExpression: jest.fn(evaluate),
			} as unknown as IWebhookFunctions;
			expect(loadPendingAuthorization(context)).toBeUndefined();
		}
	});
});
