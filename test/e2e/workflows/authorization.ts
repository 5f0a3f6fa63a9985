// Workflows for the authorization e2e tests, in the editor's export format (`n8n import:workflow`).
//
//   Webhook (POST /webhook/<path>, answered by "Respond")
//     -> Split Items (one item per entry of body.items: { tag, prompt, servers })
//     -> Respond (hands the caller { resumeUrl, executionId })
//     -> Dedalus (Chat -> Complete; prompt, MCP servers and user come from each item)
//     -> Downstream, or with a wait limit: output 0 -> Timed Out, output 1 -> Success (Edit Fields
//        nodes that keep their input and add `upstream_prompt` through the paired-item lineage)
import { DEDALUS_NODE_TYPE } from '../../../n8n-runner/package';
import { MODEL_ID } from '../../../n8n-runner/dedalus';
import type { WorkflowImport } from '../../../n8n-runner/n8n';

/** Added by every node after Dedalus: the prompt of the input item its item is paired with. */
export const UPSTREAM_FIELD = 'upstream_prompt';

export const NODE = {
	webhook: 'Webhook',
	split: 'Split Items',
	respond: 'Respond',
	// Expression delimiters in the name on purpose: the node loads its saved state through an
	// expression, and every scenario must pause and resume under any name a user can type.
	dedalus: 'Dedalus }} {{ $json',
	downstream: 'Downstream',
	timedOut: 'Timed Out',
	success: 'Success',
} as const;

/** One input item of the Dedalus node. `servers` goes to MCP Servers through an expression. */
export interface RunItem {
	/** Names the run: every request's `user` is `<tag>-item-<index>`. */
	tag: string;
	prompt: string;
	servers: string[];
}

export interface AuthorizationWorkflowSpec {
	/** Fixed workflow id (up to 16 characters). */
	id: string;
	name: string;
	/** Webhook path: the run starts with POST /webhook/<path> and body `{ items: RunItem[] }`. */
	path: string;
	credential: { id: string; name: string };
	/** A Dedalus MCP Server Credentials credential: turns on Use MCP Server Credential. */
	mcpCredential?: { id: string; name: string };
	/** Extra entries of the Dedalus node's Options collection (concurrency, notifyUrl, limitWaitTime...). */
	options?: Record<string, unknown>;
}

/** Stable, valid UUIDs per workflow: `<8 hex of the id>-0000-4000-8000-<12 hex of n>`. */
function uuid(workflowId: string, n: number): string {
	const hex = Buffer.from(workflowId).toString('hex').padEnd(8, '0').slice(-8);
	return `${hex}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

export function hasWaitLimit(spec: AuthorizationWorkflowSpec): boolean {
	return spec.options?.limitWaitTime !== undefined;
}

export function authorizationWorkflow(spec: AuthorizationWorkflowSpec): WorkflowImport {
	const limited = hasWaitLimit(spec);
	// Each node after Dedalus keeps its input and adds `upstream_prompt`, read through n8n's
	// paired-item lineage ($('Split Items').item): it only resolves when pairedItem is right.
	const after = (n: number, name: string, y: number) => ({
		id: uuid(spec.id, n),
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [900, y],
		parameters: {
			mode: 'manual',
			assignments: {
				assignments: [
					{
						id: uuid(spec.id, 200 + n),
						name: UPSTREAM_FIELD,
						value: `={{ $('${NODE.split}').item.json.prompt }}`,
						type: 'string',
					},
				],
			},
			includeOtherFields: true,
			options: {},
		},
	});
	return {
		id: spec.id,
		name: spec.name,
		nodes: [
			{
				id: uuid(spec.id, 1),
				name: NODE.webhook,
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: uuid(spec.id, 101),
				parameters: {
					httpMethod: 'POST',
					path: spec.path,
					responseMode: 'responseNode',
					options: {},
				},
			},
			{
				id: uuid(spec.id, 2),
				name: NODE.split,
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.items', include: 'noOtherFields', options: {} },
			},
			{
				id: uuid(spec.id, 3),
				name: NODE.respond,
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: {
					respondWith: 'json',
					responseBody:
						'={{ { "resumeUrl": $execution.resumeUrl, "executionId": $execution.id } }}',
					options: {},
				},
			},
			{
				id: uuid(spec.id, 4),
				name: NODE.dedalus,
				type: DEDALUS_NODE_TYPE,
				typeVersion: 1,
				position: [660, 0],
				webhookId: uuid(spec.id, 104),
				parameters: {
					resource: 'chat',
					operation: 'complete',
					model: { __rl: true, mode: 'id', value: MODEL_ID },
					inputType: 'prompt',
					prompt: '={{ $json.prompt }}',
					systemMessage: '',
					mcpServers: '={{ $json.servers }}',
					...(spec.mcpCredential ? { useMcpServerCredential: true } : {}),
					simplifyOutput: true,
					options: {
						whenAuthorizationRequired: 'wait',
						// Per item, so the emulator's log tells the items apart (and $itemIndex is checked on resume).
						user: "={{ $json.tag + '-item-' + $itemIndex }}",
						...spec.options,
					},
				},
				credentials: {
					dedalusApi: spec.credential,
					...(spec.mcpCredential ? { dedalusMcpCredentialsApi: spec.mcpCredential } : {}),
				},
			},
			...(limited
				? [after(5, NODE.timedOut, -120), after(6, NODE.success, 120)]
				: [after(5, NODE.downstream, 0)]),
		],
		connections: {
			[NODE.webhook]: { main: [[{ node: NODE.split, type: 'main', index: 0 }]] },
			[NODE.split]: { main: [[{ node: NODE.respond, type: 'main', index: 0 }]] },
			[NODE.respond]: { main: [[{ node: NODE.dedalus, type: 'main', index: 0 }]] },
			[NODE.dedalus]: {
				main: limited
					? [
							[{ node: NODE.timedOut, type: 'main', index: 0 }],
							[{ node: NODE.success, type: 'main', index: 0 }],
						]
					: [[{ node: NODE.downstream, type: 'main', index: 0 }]],
			},
		},
	};
}

/** A 5-second wait limit in the shape of n8n's send-and-wait nodes. */
export const FIVE_SECOND_LIMIT = {
	limitWaitTime: {
		values: { limitType: 'afterTimeInterval', resumeAmount: 5, resumeUnit: 'seconds' },
	},
};

/** A limit that does not run out during a test: results must then leave through output 1 (Success). */
export const TEN_MINUTE_LIMIT = {
	limitWaitTime: {
		values: { limitType: 'afterTimeInterval', resumeAmount: 10, resumeUnit: 'minutes' },
	},
};
