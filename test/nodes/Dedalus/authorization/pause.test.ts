import { NodeApiError } from 'n8n-workflow';
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { pauseForAuthorization } from '../../../../nodes/Dedalus/authorization/pause';
import type { ItemOutcome } from '../../../../nodes/Dedalus/completion';
import { AuthorizationRequiredError } from '../../../../shared/transport';

// Fast unit tests with plain jest.fn contexts; authorization.engine.test.ts runs the same pause
// through n8n-core's real execute context and waiting execution.

const node = { name: 'Dedalus', parameters: {} } as unknown as INode;
const connectUrl = 'https://admin.example/v1/oauth/connect?server=srv_1';
const resumeUrl = 'https://n8n.example/webhook-waiting/e1?signature=abc';

function consent(itemIndex: number): ItemOutcome {
	return {
		status: 'authorization_required',
		itemIndex,
		error: new AuthorizationRequiredError(
			node,
			{ connectUrl, serverId: 'srv_1', server: 'dedalus-labs/gmail' },
			itemIndex,
		),
	};
}

function context(mode = 'trigger') {
	const nodeContext: Record<string, unknown> = {};
	const ctx = {
		getNode: () => node,
		getWorkflow: () => ({ id: 'w1', name: 'Mail digest', active: true }),
		getExecutionId: () => 'e1',
		getMode: () => mode,
		getContext: jest.fn(() => nodeContext),
		evaluateExpression: jest.fn(() => resumeUrl),
		putExecutionToWait: jest.fn(async () => {}),
		sendMessageToUI: jest.fn(),
		helpers: { httpRequest: jest.fn() },
	} as unknown as IExecuteFunctions;
	return { ctx, nodeContext };
}

describe('authorization/pause', () => {
	it('saves finished results, waits indefinitely, and returns one waiting item per held-back item', async () => {
		const { ctx, nodeContext } = context();
		const outcomes: ItemOutcome[] = [
			{ status: 'completed', itemIndex: 0, json: { content: 'first' }, hints: [] },
			consent(1),
			{ status: 'not_sent', itemIndex: 2 },
		];
		const items = await pauseForAuthorization(
			ctx,
			outcomes,
			{ whenRequired: 'wait', toolAuthorization: 'giveLink', chatAuthorization: 'showLink' },
			false,
		);

		const saved = nodeContext.pendingAuthorization as Record<string, unknown>;
		expect(saved).toMatchObject({
			connectUrl,
			pendingItems: [1, 2],
			finishedItems: [{ itemIndex: 0, json: { content: 'first' } }],
			serverId: 'srv_1',
		});
		expect(saved).not.toHaveProperty('expiresAt');
		const [waitTill] = (ctx.putExecutionToWait as jest.Mock).mock.calls[0] as [Date];
		expect(waitTill.getUTCFullYear()).toBeGreaterThanOrEqual(3000);

		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(items[0].json).toMatchObject({
			status: 'authorization_required',
			connect_url: connectUrl,
			authorization_url: resumeUrl,
		});
		// Not a manual run: nothing goes to the editor.
		expect(ctx.sendMessageToUI).not.toHaveBeenCalled();
	});

	it('keeps a failed item as an error result when continue-on-fail is on', async () => {
		const { ctx, nodeContext } = context();
		const failed: ItemOutcome = {
			status: 'failed',
			itemIndex: 0,
			error: new NodeApiError(node, {}, { message: 'Dedalus had a server error (500)' }),
		};
		await pauseForAuthorization(
			ctx,
			[failed, consent(1)],
			{ whenRequired: 'wait', toolAuthorization: 'giveLink', chatAuthorization: 'showLink' },
			true,
		);
		const saved = nodeContext.pendingAuthorization as { finishedItems: unknown[] };
		expect(saved.finishedItems).toEqual([
			{
				itemIndex: 0,
				json: expect.objectContaining({ error: 'Dedalus had a server error (500)' }),
			},
		]);
	});

	it('with a wait limit, waits until the deadline and says when it ends', async () => {
		const { ctx, nodeContext } = context();
		const before = Date.now();
		const items = await pauseForAuthorization(
			ctx,
			[consent(0)],
			{
				whenRequired: 'wait',
				toolAuthorization: 'giveLink',
				chatAuthorization: 'showLink',
				waitLimit: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'hours' },
			},
			false,
		);
		const [waitTill] = (ctx.putExecutionToWait as jest.Mock).mock.calls[0] as [Date];
		expect(waitTill.getTime() - before).toBeGreaterThanOrEqual(2 * 3_600_000 - 1000);
		expect(waitTill.getTime() - before).toBeLessThanOrEqual(2 * 3_600_000 + 60_000);
		expect((nodeContext.pendingAuthorization as { expiresAt: string }).expiresAt).toBe(
			waitTill.toISOString(),
		);
		expect(items[0].json.expires_at).toBe(waitTill.toISOString());
	});

	it('tells the editor both links in a manual run', async () => {
		const { ctx } = context('manual');
		await pauseForAuthorization(
			ctx,
			[consent(0)],
			{ whenRequired: 'wait', toolAuthorization: 'giveLink', chatAuthorization: 'showLink' },
			false,
		);
		const [message] = (ctx.sendMessageToUI as jest.Mock).mock.calls[0] as [string];
		expect(message).toContain(connectUrl);
		expect(message).toContain(resumeUrl);
	});

	it('refuses to pause when no item needs consent', async () => {
		const { ctx } = context();
		await expect(
			pauseForAuthorization(
				ctx,
				[{ status: 'completed', itemIndex: 0, json: {}, hints: [] }],
				{ whenRequired: 'wait', toolAuthorization: 'giveLink', chatAuthorization: 'showLink' },
				false,
			),
		).rejects.toThrow('needs an item that requires authorization');
		expect(ctx.putExecutionToWait).not.toHaveBeenCalled();
	});
});
