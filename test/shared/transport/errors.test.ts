import type { INode } from 'n8n-workflow';

import {
	AuthorizationRequiredError,
	apiMessage,
	parseErrorBody,
	toApiError,
} from '../../../shared/transport/errors';

const node: INode = {
	id: 'n1',
	name: 'Dedalus',
	type: 'dedalus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('error mapping', () => {
	it('recognises consent: connect_url at the top level or under detail', () => {
		const top = toApiError(node, 401, { connect_url: 'https://as.example/connect?x=1' }, 4, 0);
		expect(top).toBeInstanceOf(AuthorizationRequiredError);
		expect((top as AuthorizationRequiredError).connectUrl).toBe('https://as.example/connect?x=1');
		expect(top.message).toContain('needs authorization');
		expect(top.message).toContain('https://as.example/connect?x=1');
		expect(top.context.itemIndex).toBe(4);

		const nested = toApiError(
			node,
			401,
			JSON.stringify({
				detail: { connect_url: 'https://as.example/c', server: 'dedalus-labs/gmail' },
			}),
			0,
			0,
		);
		expect(nested).toBeInstanceOf(AuthorizationRequiredError);
		expect((nested as AuthorizationRequiredError).server).toBe('dedalus-labs/gmail');
		expect(nested.message).toContain('MCP server "dedalus-labs/gmail" needs authorization');
	});

	it('treats a 401 without connect_url as a bad key, never as consent', () => {
		const error = toApiError(node, 401, { detail: 'Invalid API key' }, 0, 0);
		expect(error).not.toBeInstanceOf(AuthorizationRequiredError);
		expect(error.message).toBe(
			'The Dedalus API key was rejected. Check the API key in the Dedalus credential: Invalid API key',
		);
		expect(error.httpCode).toBe('401');
	});

	it('refuses a connect_url that is not http(s) and does not repeat it', () => {
		const error = toApiError(node, 401, { connect_url: 'javascript:alert(document.cookie)' }, 0, 0);
		expect(error).not.toBeInstanceOf(AuthorizationRequiredError);
		expect(error.message).toContain('not an http(s) link');
		expect(
			JSON.stringify({ message: error.message, description: error.description }),
		).not.toContain('javascript:');
	});

	it.each([
		[
			400,
			{ detail: 'messages must not be empty' },
			'Dedalus could not accept the request parameters: messages must not be empty',
		],
		[403, { error: { message: 'Forbidden model' } }, 'not allowed to do this: Forbidden model'],
		[404, { detail: "Model 'x/y' not found" }, "check the model ID): Model 'x/y' not found"],
		[
			422,
			{
				detail: [
					{ loc: ['body', 'messages', 0, 'role'], msg: 'invalid role', type: 'value_error' },
					{ loc: ['body', 'temperature'], msg: 'too high' },
				],
			},
			'Dedalus could not accept the request parameters: messages.0.role: invalid role; temperature: too high',
		],
		[429, { error: 'slow down' }, 'rate limit reached'],
		[503, '<html>bad gateway</html>', 'Dedalus had a server error (503)'],
	])('status %i reads the body and says what happened', (status, body, message) => {
		const error = toApiError(node, status, body, 1, 0);
		expect(error.message).toContain(message);
		expect(error.httpCode).toBe(String(status));
		expect(error.context.itemIndex).toBe(1);
	});

	it('gives 402 its own message: balance or quota, not a generic error', () => {
		const error = toApiError(node, 402, { detail: 'Insufficient balance' }, 0, 0);
		expect(error.message).toBe(
			'The Dedalus account is out of balance or over its quota. Check billing in the Dedalus dashboard: Insufficient balance',
		);
		expect(error.httpCode).toBe('402');
	});

	it('reads 400 and 422 validation lists the same way', () => {
		const body = { detail: [{ loc: ['body', 'max_turns'], msg: 'must be >= 1' }] };
		expect(toApiError(node, 400, body, 0, 0).message).toBe(
			toApiError(node, 422, body, 0, 0).message,
		);
		expect(toApiError(node, 400, body, 0, 0).message).toContain('max_turns: must be >= 1');
	});

	it('shows x-request-id in the description of every API error, when present', () => {
		const headers = { 'x-request-id': 'req_7Hd92kQ' };
		for (const [status, body] of [
			[400, { detail: 'bad' }],
			[401, { detail: 'Invalid API key' }],
			[402, {}],
			[500, '<html/>'],
			[401, { error: 'oauth_required' }],
			[401, { error: 'oauth_required', connect_url: 'https://a.example/c?server=s1' }],
		] as Array<[number, unknown]>) {
			expect(toApiError(node, status, body, 0, 0, headers).description).toMatch(
				/request id: req_7Hd92kQ/i,
			);
		}
		expect(toApiError(node, 400, { detail: 'bad' }, 0, 0).description).toBe('bad');
		// Not free text: an id that is not one is left out.
		expect(
			String(toApiError(node, 400, {}, 0, 0, { 'x-request-id': 'x'.repeat(500) }).description),
		).not.toContain('xxxx');
	});

	it('reads the real consent body: oauth_required with poll_url and server_id at the top level', () => {
		const error = toApiError(
			node,
			401,
			{
				error: 'oauth_required',
				connect_url: 'https://admin.dedaluslabs.ai/v1/oauth/connect?server=srv_1',
				poll_url: 'https://admin.dedaluslabs.ai/v1/oauth/servers',
				server_id: 'srv_1',
			},
			2,
			0,
		) as AuthorizationRequiredError;
		expect(error).toBeInstanceOf(AuthorizationRequiredError);
		expect(error.consent).toEqual({
			connectUrl: 'https://admin.dedaluslabs.ai/v1/oauth/connect?server=srv_1',
			pollUrl: 'https://admin.dedaluslabs.ai/v1/oauth/servers',
			serverId: 'srv_1',
		});
	});

	it('takes deployment_id, or the server= parameter of connect_url, as the server id', () => {
		const deployment = toApiError(
			node,
			401,
			{ error: 'oauth_required', connect_url: 'https://a.example/c', deployment_id: 'dep_9' },
			0,
			0,
		) as AuthorizationRequiredError;
		expect(deployment.serverId).toBe('dep_9');
		const fromLink = toApiError(
			node,
			401,
			{ error: 'oauth_required', connect_url: 'https://a.example/c?server=srv_2' },
			0,
			0,
		) as AuthorizationRequiredError;
		expect(fromLink.serverId).toBe('srv_2');
		expect(fromLink.pollUrl).toBeUndefined();
	});

	it('accepts nulls in the consent body as missing', () => {
		const error = toApiError(
			node,
			401,
			{
				error: 'oauth_required',
				connect_url: 'https://a.example/c',
				poll_url: null,
				server_id: null,
				detail: null,
			},
			0,
			0,
		) as AuthorizationRequiredError;
		expect(error).toBeInstanceOf(AuthorizationRequiredError);
		expect(error.pollUrl).toBeUndefined();
	});

	it('reports oauth_required without a readable link as a consent problem, never as a bad key', () => {
		for (const body of [
			{ error: 'oauth_required' },
			{ error: 'oauth_required', connect_url: null },
			{ detail: { error: 'oauth_required' } },
		]) {
			const error = toApiError(node, 401, body, 0, 0);
			expect(error).not.toBeInstanceOf(AuthorizationRequiredError);
			expect(error.message).toBe(
				'An MCP server needs authorization, but Dedalus sent no consent link to open',
			);
			expect(error.message).not.toContain('API key');
		}
	});

	it('says how many retries were made', () => {
		expect(toApiError(node, 429, {}, 0, 2).message).toContain('(after 2 retries)');
		expect(toApiError(node, 500, {}, 0, 1).message).toContain('(after 1 retry)');
	});

	it('reads every body shape, and survives bodies that are not JSON', () => {
		expect(apiMessage(parseErrorBody({ message: 'plain' }))).toBe('plain');
		expect(apiMessage(parseErrorBody('not json'))).toBeUndefined();
		expect(apiMessage(parseErrorBody(null))).toBeUndefined();
	});
});
