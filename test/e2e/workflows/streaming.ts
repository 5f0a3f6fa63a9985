// Workflows for the streaming and chat e2e tests, in the editor's export format.
//
//   Streaming:  Webhook (POST /webhook/<path>, Response Mode Streaming) -> Dedalus
//   Chat:       Chat Trigger (public hosted chat, Response Mode "Using Response Nodes")
//                 -> Dedalus (prompt = the chat message, MCP server Gmail)
//                 -> Respond to Chat (posts the answer's content into the chat)
import { DEDALUS_NODE_TYPE } from '../../../n8n-runner/package';
import { MODEL_ID } from '../../../n8n-runner/dedalus';
import type { WorkflowImport } from '../../../n8n-runner/n8n';

export interface StreamingWorkflowSpec {
	id: string;
	name: string;
	credential: { id: string; name: string };
}

function uuid(workflowId: string, n: number): string {
	const hex = Buffer.from(workflowId).toString('hex').padEnd(8, '0').slice(-8);
	return `${hex}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function dedalusNode(
	spec: StreamingWorkflowSpec,
	parameters: { prompt: string; mcpServers: string },
	position: [number, number],
) {
	return {
		id: uuid(spec.id, 2),
		name: 'Dedalus',
		type: DEDALUS_NODE_TYPE,
		typeVersion: 1,
		position,
		webhookId: uuid(spec.id, 102),
		parameters: {
			resource: 'chat',
			operation: 'complete',
			model: { __rl: true, mode: 'id', value: MODEL_ID },
			inputType: 'prompt',
			...parameters,
			options: { user: `={{ "${spec.id}-item-" + $itemIndex }}` },
		},
		credentials: { dedalusApi: spec.credential },
	};
}

/** Webhook with Response Mode Streaming -> Dedalus: the caller reads n8n's JSON-lines stream. */
export function streamingWebhookWorkflow(
	spec: StreamingWorkflowSpec & { path: string },
): WorkflowImport {
	return {
		id: spec.id,
		name: spec.name,
		nodes: [
			{
				id: uuid(spec.id, 1),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2.1,
				position: [0, 0],
				webhookId: uuid(spec.id, 101),
				parameters: { httpMethod: 'POST', path: spec.path, responseMode: 'streaming', options: {} },
			},
			dedalusNode(
				spec,
				{ prompt: '={{ $json.body.prompt }}', mcpServers: '={{ $json.body.servers ?? "" }}' },
				[240, 0],
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * The hosted chat: Chat Trigger (public, Response Mode "Using Response Nodes") -> Dedalus ->
 * Respond to Chat. The chat's webhook is POST /webhook/<chatWebhookId>/chat.
 */
export function chatConsentWorkflow(
	spec: StreamingWorkflowSpec & { chatWebhookId: string; servers: string },
): WorkflowImport {
	return chatWorkflow(spec, 'responseNodes');
}

/** The hosted chat in Response Mode Streaming: Chat Trigger -> Dedalus, the answer streamed. */
export function chatStreamingWorkflow(
	spec: StreamingWorkflowSpec & { chatWebhookId: string; servers: string },
): WorkflowImport {
	return chatWorkflow(spec, 'streaming');
}

function chatWorkflow(
	spec: StreamingWorkflowSpec & { chatWebhookId: string; servers: string },
	responseMode: 'responseNodes' | 'streaming',
): WorkflowImport {
	const respond = responseMode === 'responseNodes';
	return {
		id: spec.id,
		name: spec.name,
		nodes: [
			{
				id: uuid(spec.id, 1),
				name: 'When chat message received',
				type: '@n8n/n8n-nodes-langchain.chatTrigger',
				typeVersion: 1.4,
				position: [0, 0],
				webhookId: spec.chatWebhookId,
				parameters: {
					public: true,
					mode: 'hostedChat',
					options: { responseMode },
				},
			},
			dedalusNode(spec, { prompt: '={{ $json.chatInput }}', mcpServers: spec.servers }, [240, 0]),
			...(respond ? [respondToChatNode(spec)] : []),
		],
		connections: {
			'When chat message received': { main: [[{ node: 'Dedalus', type: 'main', index: 0 }]] },
			...(respond
				? { Dedalus: { main: [[{ node: 'Respond to Chat', type: 'main', index: 0 }]] } }
				: {}),
		},
		settings: { executionOrder: 'v1' },
	};
}

function respondToChatNode(spec: StreamingWorkflowSpec) {
	return {
		id: uuid(spec.id, 3),
		name: 'Respond to Chat',
		type: '@n8n/n8n-nodes-langchain.chat',
		typeVersion: 1.3,
		position: [480, 0],
		webhookId: uuid(spec.id, 103),
		parameters: { operation: 'send', message: '={{ $json.content }}', options: {} },
	};
}
