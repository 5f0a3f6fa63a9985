// Shared pieces of the engine tests of the non-chat operations (embedding, image, audio,
// document): a Dedalus node with only the given parameters, and input items that carry files.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IBinaryData, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { DedalusApi } from '../../../../credentials/DedalusApi.credentials';
import { Dedalus } from '../../../../nodes/Dedalus/Dedalus.node';
import { createEngine } from '../../../engine-harness/engine';
import { API_KEY } from '../engine-setup';
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

export interface RecordedRequest {
	method: string;
	path: string;
	body: unknown;
}

/**
 * Points the bed's engine at a recording proxy in front of the emulator, so a test can read the
 * JSON bodies the node sent (the emulator's log keeps no message content). Everything else passes
 * through unchanged, consent links and all. `url` is the proxy's address: the credential's Base URL.
 */
export async function recordRequests(
	bed: TestBed,
): Promise<{ recorded: RecordedRequest[]; url: string; close(): Promise<void> }> {
	const recorded: RecordedRequest[] = [];
	const target = new URL(bed.emulator.url);
	const proxy = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			let body: unknown = undefined;
			try {
				body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
			} catch {
				body = undefined;
			}
			recorded.push({ method: req.method ?? '', path: req.url ?? '', body });
			const forward = request(
				{
					host: target.hostname,
					port: target.port,
					method: req.method,
					path: req.url,
					headers: req.headers,
				},
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			forward.on('error', () => res.destroy());
			// A client that gives up (a timeout, a canceled execution) closes the emulator's side too.
			res.on('close', () => {
				if (!res.writableFinished) forward.destroy();
			});
			forward.end(raw);
		});
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
	bed.engine = createEngine({
		nodeTypes: { 'CUSTOM.dedalus': new Dedalus() },
		credentialTypes: { dedalusApi: new DedalusApi() },
		credentials: { dedalusApi: { apiKey: API_KEY, baseUrl: url } },
	});
	return {
		recorded,
		url,
		close: async () => await new Promise<void>((resolve) => proxy.close(() => resolve())),
	};
}

/** The user message content parts of each chat completion the node sent. */
export function sentUserParts(recorded: RecordedRequest[]): Array<Array<Record<string, unknown>>> {
	return recorded
		.filter((entry) => entry.path === '/v1/chat/completions' && entry.method === 'POST')
		.map((entry) => {
			const messages = (entry.body as { messages: Array<{ role: string; content: unknown }> })
				.messages;
			const user = messages.filter((message) => message.role === 'user').pop();
			return Array.isArray(user?.content)
				? (user.content as Array<Record<string, unknown>>)
				: [{ type: 'text', text: user?.content }];
		});
}
