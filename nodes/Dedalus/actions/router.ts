import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorItem } from '../completion';
import { DedalusClient, asNodeError } from '../../../shared/transport';
import * as audio from './audio';
import * as chat from './chat';
import * as document from './document';
import * as embedding from './embedding';
import * as image from './image';
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

/**
 * Checks every item first (parameters, input files: no bytes read yet), then sends them one after
 * another, so bad input fails before any request and never costs another item its result.
 */
export interface PreparedOperation<P> {
	kind: 'prepared';
	prepare: (this: IExecuteFunctions, itemIndex: number) => Promise<P>;
	send: (
		this: IExecuteFunctions,
		prepared: P,
		itemIndex: number,
		client: DedalusClient,
	) => Promise<INodeExecutionData[]>;
}

type Operation = PerItemOperation | BatchOperation | PreparedOperation<unknown>;

/** The `operation` values of each `resource` (the options in actions/<resource>/index.ts). */
interface OperationsByResource {
	audio: 'speech' | 'transcribe' | 'translate';
	chat: 'complete';
	document: 'extractText';
	embedding: 'create';
	image: 'analyze' | 'generate';
	model: 'get' | 'list';
}

function prepared<P>(operation: Omit<PreparedOperation<P>, 'kind'>): PreparedOperation<unknown> {
	return {
		kind: 'prepared',
		prepare: operation.prepare,
		send: operation.send,
	} as PreparedOperation<unknown>;
}

const operations: {
	[R in keyof OperationsByResource]: Record<OperationsByResource[R], Operation>;
} = {
	audio: {
		speech: prepared(audio.speech),
		transcribe: prepared(audio.transcribe),
		translate: prepared(audio.transcribe),
	},
	chat: { complete: { kind: 'batch', execute: chat.complete.execute } },
	document: { extractText: prepared(document.extractText) },
	embedding: { create: { kind: 'batch', execute: embedding.create.execute } },
	image: {
		analyze: { kind: 'batch', execute: image.analyze.execute },
		generate: prepared(image.generate),
	},
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
	if (entry.kind === 'prepared') return await runPrepared.call(this, entry);

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

async function runPrepared(
	this: IExecuteFunctions,
	operation: PreparedOperation<unknown>,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const results: Array<{ prepared: unknown } | { error: INodeExecutionData }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			results.push({ prepared: await operation.prepare.call(this, itemIndex) });
		} catch (error) {
			const itemError = asNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail()) throw itemError;
			results.push({ error: errorItem(itemError, itemIndex) });
		}
	}
	const output: INodeExecutionData[] = [];
	if (results.every((result) => 'error' in result)) {
		return [results.map((result) => (result as { error: INodeExecutionData }).error)];
	}
	const client = await DedalusClient.fromCredentials(this);
	for (let itemIndex = 0; itemIndex < results.length; itemIndex++) {
		const result = results[itemIndex];
		if ('error' in result) {
			output.push(result.error);
			continue;
		}
		try {
			output.push(...(await operation.send.call(this, result.prepared, itemIndex, client)));
		} catch (error) {
			const itemError = asNodeError(this.getNode(), error, itemIndex);
			if (!this.continueOnFail()) throw itemError;
			output.push(errorItem(itemError, itemIndex));
		}
	}
	return [output];
}
