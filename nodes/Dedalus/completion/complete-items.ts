import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode } from 'n8n-workflow';

import {
	DedalusClient,
	asNodeError,
	chatCompletionSchema,
	isAuthorizationRequired,
	streamChatCompletion,
} from '../../../shared/transport';
import type {
	AuthorizationRequiredError,
	DedalusContext,
	NodeError,
} from '../../../shared/transport';
import { checkAttachments, withAttachments } from './attachments';
import type { CheckedAttachments } from './attachments';
import { McpCredentialSealer } from '../../../shared/mcp/credentials';
import { completionOutput, mcpServerErrorHints } from './output';
import { readCompletionParameters } from './parameters';
import type { CompletionParameters, ParameterSource } from './parameters';
import { buildCompletionBody } from './request';
import { nameConsentServer } from '../../../shared/mcp/server-names';
import type { ServerNames } from '../../../shared/mcp/server-names';

/** Requests in flight by default: fast, yet gentle with provider rate limits (README, Throughput). */
export const DEFAULT_CONCURRENCY = 5;
const MAX_CONCURRENCY = 50;

/** The Concurrency option, checked: a node-level setting, read once per run. */
export function readConcurrency(node: INode, value: unknown): number {
	if (value === undefined || value === null || value === '') return DEFAULT_CONCURRENCY;
	const concurrency = Number(value);
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
		throw new NodeOperationError(
			node,
			`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${JSON.stringify(value)}`,
		);
	}
	return concurrency;
}

export type ItemOutcome =
	| { status: 'completed'; itemIndex: number; json: IDataObject; hints: string[] }
	| { status: 'failed'; itemIndex: number; error: NodeError }
	| { status: 'authorization_required'; itemIndex: number; error: AuthorizationRequiredError }
	| { status: 'not_sent'; itemIndex: number };

export interface CompleteItemsOptions {
	source: ParameterSource;
	itemIndices: number[];
	/** Requests in flight at most. 1 sends the items one after another. */
	concurrency: number;
	continueOnFail: boolean;
	/** Once an item needs consent, start no new request: the run pauses and sends the rest later. */
	stopOnAuthorization: boolean;
	signal?: AbortSignal;
	/** Set when the run streams its answer (a Webhook or Chat Trigger in Response Mode Streaming). */
	chunks?: ChunkSink;
	/** A fixed Idempotency-Key per item (see DedalusRequest); default a random one per request. */
	idempotencyKey?: (itemIndex: number) => string;
	/** Server ids named so far in this pause; learns the names this call finds. */
	serverNames?: ServerNames;
}

/** Where streamed text goes: n8n's `sendChunk`, one begin/item.../end sequence per item. */
export type ChunkSink = (
	type: 'begin' | 'item' | 'end',
	itemIndex: number,
	content?: string,
) => Promise<void> | void;

type Prepared =
	| {
			itemIndex: number;
			parameters: CompletionParameters;
			body: IDataObject;
			files: CheckedAttachments;
	  }
	| ItemOutcome;

/**
 * Sends the chat completions of the given items with bounded concurrency and returns one outcome
 * per item, in the order given, whatever order the answers arrive in.
 * Parameters of every item are validated before any request; without continue-on-fail the first
 * invalid item throws before anything is sent.
 */
export async function completeItems(
	context: DedalusContext,
	options: CompleteItemsOptions,
): Promise<ItemOutcome[]> {
	const node = context.getNode();
	const prepared: Prepared[] = [];
	for (const itemIndex of options.itemIndices) {
		try {
			const parameters = readCompletionParameters(node, options.source, itemIndex);
			// Input files are checked (type, size, not empty) here; their bytes are read when sent.
			const files = await checkAttachments(context, parameters, itemIndex);
			prepared.push({ itemIndex, parameters, body: buildCompletionBody(parameters), files });
		} catch (error) {
			const itemError = asNodeError(node, error, itemIndex);
			if (!options.continueOnFail) throw itemError;
			prepared.push({ status: 'failed', itemIndex, error: itemError });
		}
	}

	const outcomes: ItemOutcome[] = prepared.map((entry) =>
		'status' in entry ? entry : { status: 'not_sent', itemIndex: entry.itemIndex },
	);
	let toSend = prepared.filter(
		(entry): entry is Exclude<Prepared, ItemOutcome> => !('status' in entry),
	);
	if (toSend.length === 0) return outcomes;

	const client = await DedalusClient.fromCredentials(context);
	const positionOf = new Map(
		options.itemIndices.map((itemIndex, position) => [itemIndex, position]),
	);
	const names: ServerNames = options.serverNames ?? new Map();

	// MCP server secrets are encrypted into every body before the first request, so a missing key
	// fails the items while nothing has been sent.
	if (toSend.some((entry) => entry.parameters.useMcpCredential)) {
		const sealer = new McpCredentialSealer(context, client);
		const sealed: typeof toSend = [];
		for (const entry of toSend) {
			if (!entry.parameters.useMcpCredential) {
				sealed.push(entry);
				continue;
			}
			try {
				entry.body.mcp_servers = await sealer.seal(entry.parameters.mcpServers, entry.itemIndex);
				sealed.push(entry);
			} catch (error) {
				const itemError = asNodeError(node, error, entry.itemIndex);
				if (!options.continueOnFail) throw itemError;
				outcomes[positionOf.get(entry.itemIndex) as number] = {
					status: 'failed',
					itemIndex: entry.itemIndex,
					error: itemError,
				};
			}
		}
		toSend = sealed;
		if (toSend.length === 0) return outcomes;
	}
	let next = 0;
	let stopped = false;

	const sendOne = async ({
		itemIndex,
		parameters,
		body,
		files,
	}: (typeof toSend)[number]): Promise<ItemOutcome> => {
		let withFiles: IDataObject;
		try {
			withFiles = await withAttachments(context, body, parameters, files, itemIndex);
		} catch (error) {
			return { status: 'failed', itemIndex, error: asNodeError(node, error, itemIndex) };
		}
		const request = {
			path: '/v1/chat/completions',
			body: withFiles,
			schema: chatCompletionSchema,
			itemIndex,
			timeoutMs: parameters.options.timeoutMs,
			maxRetries: parameters.options.maxRetries,
			maxResponseBytes: parameters.options.maxResponseBytes,
			signal: options.signal,
			idempotencyKey: options.idempotencyKey?.(itemIndex),
		};
		const chunks = options.chunks;
		let begun = false;
		try {
			const response = chunks
				? await streamChatCompletion(client, request, {
						onStart: async () => {
							begun = true;
							await chunks('begin', itemIndex);
						},
						onText: async (text) => await chunks('item', itemIndex, text),
					})
				: await client.request({ method: 'POST', ...request });
			return {
				status: 'completed',
				itemIndex,
				json: completionOutput(response, parameters),
				hints: mcpServerErrorHints(response),
			};
		} catch (error) {
			if (isAuthorizationRequired(error)) {
				const server = nameConsentServer(error.consent, parameters.mcpServers, names);
				return {
					status: 'authorization_required',
					itemIndex,
					error: error.withServer(node, server),
				};
			}
			return { status: 'failed', itemIndex, error: asNodeError(node, error, itemIndex) };
		} finally {
			// Closes the item's message in the client also when the stream broke halfway.
			if (chunks && begun) await chunks('end', itemIndex);
		}
	};

	const worker = async () => {
		while (!stopped && !options.signal?.aborted && next < toSend.length) {
			const entry = toSend[next++];
			const outcome = await sendOne(entry);
			outcomes[positionOf.get(entry.itemIndex) as number] = outcome;
			if (outcome.status === 'authorization_required' && options.stopOnAuthorization)
				stopped = true;
			if (outcome.status === 'failed' && !options.continueOnFail) stopped = true;
		}
	};
	const workers = Math.max(1, Math.min(options.concurrency, toSend.length));
	await Promise.all(Array.from({ length: workers }, worker));
	return outcomes;
}

/** Without continue-on-fail, the first failed item (in input order) fails the node. */
export function throwFirstFailure(outcomes: ItemOutcome[], continueOnFail: boolean): void {
	if (continueOnFail) return;
	const failed = outcomes.find((outcome) => outcome.status === 'failed');
	if (failed && failed.status === 'failed') throw failed.error;
}
