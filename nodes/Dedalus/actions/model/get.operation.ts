import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { resultItem } from '../../completion';
import { readModelId } from '../../../../shared/parameters';
import { DedalusClient, modelSchema } from '../../../../shared/transport';
import { modelLocator } from '../../../../shared/descriptions';

const properties: INodeProperties[] = [modelLocator];

export const description = updateDisplayOptions(
	{ show: { resource: ['model'], operation: ['get'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
	client: DedalusClient,
): Promise<INodeExecutionData[]> {
	const id = readModelId(this.getNode(), this.getNodeParameter('model', itemIndex, ''), itemIndex);
	// The ID keeps its slash in the path (`/v1/models/openai/gpt-4.1`); each part is encoded on its own.
	const path = `/v1/models/${id.split('/').map(encodeURIComponent).join('/')}`;
	const model = await client.request({ method: 'GET', path, schema: modelSchema, itemIndex });
	return [resultItem(model as IDataObject, itemIndex)];
}
