import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem } from '../completion';
import { DedalusClient, asNodeError } from '../transport';
import * as chat from './chat';
import * as model from './model';

/** One request per item, run one item after another; continue-on-fail per item. */
interface PerItemOperation {
	kind: 'perItem';
	execute: (
		this: IExecuteFunctions,
		itemIndex: number,
		client: DedalusClient,
	) => Promise<INodeExecutionData[]>;
}

/** Runs across all items at once (bounded concurrency, shared pause) and returns the outputs. */
interface BatchOperation {
	kind: 'batch';
	execute: (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;
}

type Operation = PerItemOperation | BatchOperation;

/** The `operation` values of each `resource` (the options in actions/<resource>/index.ts). */
interface OperationsByResource {
	chat: 'complete';
	model: 'get' | 'list';
}

const operations: {
	[R in keyof OperationsByResource]: Record<OperationsByResource[R], Operation>;
} = {
	chat: { complete: { kind: 'batch', execute: chat.complete.execute } },
	model: {
		get: { kind: 'perItem', execute: model.get.execute },
		list: { kind: 'perItem', execute: model.list.execute },
	},
};

function own<T>(table: Record<string, T>, key: unknown): T | undefined {
	return typeof key === 'string' && Object.prototype.hasOwnProperty.call(table, key)
		? table[key]
		: undefined;
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0);
	const operation = this.getNodeParameter('operation', 0);

	const byOperation = own<Record<string, Operation>>(operations, resource);
	const entry = byOperation && own(byOperation, operation);
	if (!entry) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${String(operation)}" is not supported for "${String(resource)}"`,
		);
	}
	if (entry.kind === 'batch') return await entry.execute.call(this);

	const client = await DedalusClient.fromCredentials(this);
	const output: INodeExecutionData[] = [];
	const items = this.getInputData();
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			output.push(...(await entry.execute.call(this, itemIndex, client)));
		} catch (error) {
			const itemError = asNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail()) throw itemError;
			output.push(errorItem(itemError, itemIndex));
		}
	}
	return [output];
}
