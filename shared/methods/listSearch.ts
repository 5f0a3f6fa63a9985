import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { DedalusClient, modelListSchema } from '../transport';

export async function searchModels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const client = await DedalusClient.fromCredentials(this);
	const { data } = await client.request({
		method: 'GET',
		path: '/v1/models',
		schema: modelListSchema,
	});
	const needle = filter?.trim().toLowerCase() ?? '';
	const results = data
		.filter(
			(model) =>
				needle === '' || `${model.id} ${model.display_name ?? ''}`.toLowerCase().includes(needle),
		)
		.sort((a, b) => a.id.localeCompare(b.id))
		.map((model) => ({
			name: model.display_name ? `${model.display_name} (${model.id})` : model.id,
			value: model.id,
			description: model.description ?? undefined,
		}));
	return { results };
}
