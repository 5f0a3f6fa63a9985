import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { sendAuthorizationNotice } from '../../../../nodes/Dedalus/authorization/notify';

// Plain jest.fn context, as n8n's own send-and-wait tests mock theirs.
function context(httpRequest: jest.Mock): IExecuteFunctions {
	return {
		getNode: () => ({ name: 'Dedalus' }) as INode,
		getWorkflow: () => ({ id: 'w1', name: 'Mail digest', active: true }),
		getExecutionId: () => 'e1',
		helpers: { httpRequest },
	} as unknown as IExecuteFunctions;
}

const url = 'https://hooks.example/services/SECRET-TOKEN';
const notice = {
	connectUrl: 'https://connect.example/x',
	authorizationUrl: 'https://n8n.example/webhook-waiting/e1',
	servers: ['gmail'],
};

describe('authorization/notify', () => {
	it('POSTs JSON without following redirects and reports only the origin', async () => {
		const httpRequest = jest.fn().mockResolvedValue({});
		const result = await sendAuthorizationNotice(context(httpRequest), url, notice);
		expect(result).toEqual({ sent: true, url: 'https://hooks.example' });
		const [options] = httpRequest.mock.calls[0] as [Record<string, unknown>];
		expect(options).toMatchObject({
			method: 'POST',
			url,
			json: true,
			disableFollowRedirect: true,
		});
		expect(JSON.stringify(options.body)).toContain(notice.authorizationUrl);
	});

	it('reports a failure without throwing and without quoting the URL', async () => {
		const httpRequest = jest
			.fn()
			.mockRejectedValue(Object.assign(new Error(`failed ${url}`), { response: { status: 404 } }));
		const result = await sendAuthorizationNotice(context(httpRequest), url, notice);
		expect(result).toMatchObject({ sent: false, url: 'https://hooks.example' });
		expect(JSON.stringify(result)).toContain('HTTP 404');
		expect(JSON.stringify(result)).not.toContain('SECRET-TOKEN');
	});
});
