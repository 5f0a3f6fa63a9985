import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { searchModels } from '../../../shared/methods/listSearch';

/** A cheap stand-in for the editor's load-options context: only what the transport reads. */
function contextAnswering(body: unknown): ILoadOptionsFunctions {
	return {
		getCredentials: async () => ({ apiKey: 'dsk-test-x', baseUrl: 'https://api.example' }),
		getNode: () => ({
			id: 'n',
			name: 'Dedalus',
			type: 'dedalus',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		helpers: {
			httpRequestWithAuthentication: async () => ({ statusCode: 200, headers: {}, body }),
		},
	} as unknown as ILoadOptionsFunctions;
}

describe('model list search', () => {
	it('accepts null metadata and shows the plain ID where the name is null', async () => {
		const context = contextAnswering({
			object: null,
			data: [
				{ id: 'b/two', provider: null, display_name: null, description: null, capabilities: null },
				{ id: 'a/one', display_name: 'One', description: 'First', version: null, defaults: null },
			],
		});
		expect(await searchModels.call(context)).toEqual({
			results: [
				{ name: 'One (a/one)', value: 'a/one', description: 'First' },
				{ name: 'b/two', value: 'b/two', description: undefined },
			],
		});
		expect((await searchModels.call(context, 'two')).results.map((r) => r.value)).toEqual([
			'b/two',
		]);
	});
});
