import { NodeOperationError } from 'n8n-workflow';
import type { INode, ISupplyDataFunctions, SupplyData } from 'n8n-workflow';
// Types only: the SDK exists from n8n 2.16 on, so it is loaded inside supplyModel (loadSdk).
import type { OpenAiModel } from '@n8n/ai-node-sdk';

import { readModelId } from '../../shared/parameters';
import { McpCredentialSealer } from '../../shared/mcp/credentials';
import { parseMcpServers } from '../../shared/mcp/servers';
import { DedalusClient } from '../../shared/transport';
import { guardedFetch, installFetch, toDedalusError } from './guard';
import type { OnAuthorization } from './guard';

const DEFAULT_BASE_URL = 'https://api.dedaluslabs.ai';
// Node's timers take at most 2^31-1 ms; a larger value would fire at once.
const MAX_TIMEOUT_MS = 2_147_483_647;
const CLIENT_TIMEOUT_GRACE_MS = 1_000;

interface ChatModelOptions {
	frequencyPenalty?: number;
	maxRetries?: number;
	maxTokens?: number;
	onAuthorization?: OnAuthorization;
	presencePenalty?: number;
	temperature?: number;
	timeout?: number;
	topP?: number;
}

type Sdk = typeof import('@n8n/ai-node-sdk');

/**
 * The Dedalus model for the AI Agent: n8n's own OpenAI-compatible client (the ai-node-sdk's
 * supplyModel) pointed at Dedalus, with `mcp_servers` in every request body, so Dedalus runs the
 * MCP tools on its side while the Agent's own tools come back as tool_calls.
 */
export async function supplyDedalusModel(
	ctx: ISupplyDataFunctions,
	itemIndex: number,
): Promise<SupplyData> {
	try {
		return await supply(ctx, itemIndex);
	} catch (error) {
		// Marked as the sub-node's own configuration problem, n8n shows this message instead of a
		// generic "Error in sub-node".
		const nodeError =
			error instanceof NodeOperationError
				? error
				: new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
		nodeError.functionality = 'configuration-node';
		throw nodeError;
	}
}

async function supply(ctx: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
	const node = ctx.getNode();
	const model = readModelId(node, ctx.getNodeParameter('model', itemIndex, ''), itemIndex);
	let mcpServers = parseMcpServers(
		ctx.getNodeParameter('mcpServers', itemIndex, ''),
		node,
		itemIndex,
	);
	const options = readOptions(node, ctx.getNodeParameter('options', itemIndex, {}), itemIndex);
	const onAuthorization = options.onAuthorization ?? 'error';
	const timeoutMs = options.timeout ?? 60_000;

	const credentials = await ctx.getCredentials('dedalusApi');
	const baseUrl = (String(credentials.baseUrl ?? '') || DEFAULT_BASE_URL).replace(/\/+$/, '');
	// Bring your own key, as the credential's authenticate() sends it: absent when unset, never empty.
	// Added by the guarded fetch, not as the client's defaultHeaders, which n8n's LLM tracing
	// writes into the execution data.
	const providerHeaders: Record<string, string> = {};
	if (credentials.provider) providerHeaders['X-Provider'] = String(credentials.provider);
	if (credentials.providerApiKey)
		providerHeaders['X-Provider-Key'] = String(credentials.providerApiKey);

	// An API-key MCP server's secret, sealed with the Authorization Server's key as in Chat →
	// Complete (shared/mcp/credentials.ts): only the encrypted blob goes into the requests.
	if (ctx.getNodeParameter('useMcpServerCredential', itemIndex, false) === true) {
		const sealer = new McpCredentialSealer(ctx, await DedalusClient.fromCredentials(ctx));
		mcpServers = await sealer.seal(mcpServers, itemIndex);
	}

	const apiKey = String(credentials.apiKey ?? '');
	const secrets = [apiKey, String(credentials.providerApiKey ?? '')].filter(Boolean);
	const sdk = await loadSdk(node);
	const config: OpenAiModel = {
		type: 'openai',
		baseUrl: `${baseUrl}/v1`,
		apiKey,
		model,
		temperature: options.temperature,
		topP: options.topP,
		frequencyPenalty: options.frequencyPenalty,
		presencePenalty: options.presencePenalty,
		maxTokens: options.maxTokens,
		// The guard bounds each attempt as a whole by Timeout; the client's own timer (until the
		// answer starts) is a backstop just behind it, so the guard's clear error is the one seen.
		timeout: Math.min(timeoutMs + CLIENT_TIMEOUT_GRACE_MS, MAX_TIMEOUT_MS),
		maxRetries: options.maxRetries ?? 2,
		// ChatOpenAI's modelKwargs: merged into every request body.
		...(mcpServers.length ? { additionalParams: { mcp_servers: mcpServers } } : {}),
		onFailedAttempt: (error: unknown) => {
			const mapped = toDedalusError(node, error, secrets);
			if (mapped) throw mapped;
		},
	};
	const supplied = sdk.supplyModel(ctx, config);
	// Every request of this model goes through the guard: the keys only to the Base URL's origin,
	// no redirects, consent turned into the chosen answer. Without it, refuse to hand out the model.
	if (
		!installFetch(
			supplied.response,
			guardedFetch({
				node,
				baseUrl,
				onAuthorization,
				providerHeaders,
				secrets,
				mcpServers,
				timeoutMs,
			}),
		)
	) {
		throw new NodeOperationError(
			node,
			'This n8n’s chat model client is not one the Dedalus Chat Model knows how to secure',
			{
				itemIndex,
				description:
					'The model was not handed to the Agent, so no key was sent. Use the Dedalus node as a tool instead, and report the n8n version.',
			},
		);
	}
	return supplied;
}

async function loadSdk(node: INode): Promise<Sdk> {
	try {
		return await import('@n8n/ai-node-sdk');
	} catch {
		throw new NodeOperationError(node, 'The Dedalus Chat Model needs n8n 2.16 or newer', {
			description:
				'This n8n has no @n8n/ai-node-sdk, which AI sub-nodes from community packages need. Use the Dedalus node (on its own or as an AI Agent tool) instead.',
		});
	}
}

const RANGES: Record<string, { label: string; min: number; max: number; integer?: boolean }> = {
	frequencyPenalty: { label: 'Frequency Penalty', min: -2, max: 2 },
	presencePenalty: { label: 'Presence Penalty', min: -2, max: 2 },
	temperature: { label: 'Sampling Temperature', min: 0, max: 2 },
	topP: { label: 'Top P', min: 0, max: 1 },
	maxTokens: {
		label: 'Maximum Number of Tokens',
		min: 1,
		max: Number.MAX_SAFE_INTEGER,
		integer: true,
	},
	maxRetries: { label: 'Max Retries', min: 0, max: 10, integer: true },
	timeout: { label: 'Timeout', min: 1, max: MAX_TIMEOUT_MS, integer: true },
};

/** Expressions can put anything in the options: check each before the model is built. */
function readOptions(node: INode, raw: unknown, itemIndex: number): ChatModelOptions {
	const options = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
	const out: Record<string, unknown> = {};
	for (const [name, range] of Object.entries(RANGES)) {
		const value = options[name];
		if (value === undefined || value === null || value === '') continue;
		if (
			typeof value !== 'number' ||
			!Number.isFinite(value) ||
			value < range.min ||
			value > range.max ||
			(range.integer && !Number.isInteger(value))
		) {
			throw new NodeOperationError(
				node,
				`${range.label} must be ${range.integer ? 'a whole number' : 'a number'} from ${range.min} to ${range.max}, not ${JSON.stringify(value)}`,
				{ itemIndex },
			);
		}
		out[name] = value;
	}
	const onAuthorization = options.onAuthorization;
	if (
		onAuthorization !== undefined &&
		onAuthorization !== 'error' &&
		onAuthorization !== 'answer'
	) {
		throw new NodeOperationError(
			node,
			`On Authorization must be "error" or "answer", not ${JSON.stringify(onAuthorization)}`,
			{ itemIndex },
		);
	}
	if (onAuthorization) out.onAuthorization = onAuthorization;
	return out as ChatModelOptions;
}
