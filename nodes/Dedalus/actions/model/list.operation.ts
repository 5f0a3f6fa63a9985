import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { resultItem } from '../../completion';
import { DedalusClient, modelListSchema } from '../../../../shared/transport';

const properties: INodeProperties[] = [];

export const description = updateDisplayOptions(
	{ show: { resource: ['model'], operation: ['list'] } },
	properties,
);

/** One output item per model; the list does not depend on the input, so it is fetched once per input item. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	const list = await client.request({
		method: 'GET',
		path: '/v1/models',
		schema: modelListSchema,
		itemIndex,
	});
	return list.data.map((model) => resultItem(model as IDataObject, itemIndex));
}
