import type { INode } from 'n8n-workflow';

import {
	AuthorizationRequiredError,
	apiMessage,
	parseErrorBody,
	toApiError,
} from '../../../../nodes/Dedalus/transport/errors';

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
			'Dedalus rejected the request as malformed: messages must not be empty',
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
