import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem } from '../completion';
import { DedalusClient, asNodeError } from '../transport';
import * as chat from './chat';
import * as model from './model';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0);
	const operation = this.getNodeParameter('operation', 0);

	if (resource === 'chat' && operation === 'complete') {
		// Completions run across all items at once (bounded concurrency, shared pause).
		return await chat.complete.execute.call(this);
	}

	const execute = resource === 'model' ? model[operation as 'get' | 'list']?.execute : undefined;
	if (!execute) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${String(operation)}" is not supported for "${String(resource)}"`,
		);
	}
	const client = await DedalusClient.connect(this);
	const output: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...(await execute.call(this, itemIndex, client)));
		} catch (error) {
			const itemError = asNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail()) throw itemError;
			output.push(errorItem(itemError, itemIndex));
		}
	}
	return [output];
}
