// Shared pieces of the engine tests of the non-chat operations (embedding, image, audio,
// document): a Dedalus node with only the given parameters, and input items that carry files.
import type { IBinaryData, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import type { TestBed } from '../engine-setup';

export function operationNode(
	resource: string,
	operation: string,
	parameters: IDataObject,
	extra: Partial<INode> = {},
): INode {
	return {
		id: 'dedalus-node',
		name: 'Dedalus',
		type: 'CUSTOM.dedalus',
		typeVersion: 1,
		position: [200, 0],
		parameters: { resource, operation, ...parameters },
		credentials: { dedalusApi: { id: 'cred-1', name: 'Dedalus' } },
		...extra,
	};
}

export function model(id: string) {
	return { __rl: true, mode: 'id', value: id };
}

/** A file as n8n keeps it on an item when no binary data service stores it elsewhere. */
export function binaryFile(data: Buffer, fileName: string, mimeType: string): IBinaryData {
	const extension = fileName.includes('.') ? fileName.split('.').pop() : undefined;
	return {
		data: data.toString('base64'),
		fileName,
		mimeType,
		...(extension ? { fileExtension: extension } : {}),
		fileSize: `${data.length} B`,
	};
}

export function fileItems(
	...entries: Array<{ json?: IDataObject; binary?: Record<string, IBinaryData> }>
): INodeExecutionData[] {
	return entries.map(({ json = {}, binary }) => ({ json, ...(binary ? { binary } : {}) }));
}

/** Requests the emulator logged on one path. */
export function requestsTo(bed: TestBed, path: string) {
	return bed.emulator.requests().filter((entry) => entry.path === path);
}

/** The bytes of an output item's binary field (inline in the harness: no binary data service). */
export function bytesOf(item: INodeExecutionData, field = 'data'): Buffer {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`no binary field ${field}`);
	return Buffer.from(binary.data, 'base64');
}
