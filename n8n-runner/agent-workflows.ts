import { DEDALUS_CHAT_MODEL_TYPE } from './package';
import type { WorkflowImport } from './n8n';

/** The n8n tool the Agent owns: counts the words of its input, so its result is easy to check. */
export const WORD_COUNT_TOOL = 'word_count';

export interface AgentWorkflowSpec {
	id: string;
	name: string;
	/** Webhook path: POST { question } answers the Agent's output (`{ output }`). */
	path: string;
	credential: { id: string; name: string };
	mcpServers: string;
	onAuthorization?: 'error' | 'answer';
	/** Give the Agent the word_count Code tool (default true). */
	withTool?: boolean;
	/** The Webhook streams the Agent's answer (n8n's NDJSON chunks) instead of answering at the end. */
	streaming?: boolean;
}

function uuid(spec: AgentWorkflowSpec, n: number): string {
	// Stable per workflow and node, shaped like the UUIDs n8n gives nodes.
	const hex = Buffer.from(spec.id).toString('hex').slice(0, 8).padEnd(8, '0');
	return `${hex}-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Webhook -> AI Agent (+ Dedalus Chat Model with MCP servers, + the word_count Code tool). */
export function agentWorkflow(spec: AgentWorkflowSpec): WorkflowImport {
	const withTool = spec.withTool ?? true;
	const nodes: WorkflowImport['nodes'] = [
		{
			id: uuid(spec, 1),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: spec.streaming ? 2.1 : 2,
			position: [0, 0],
			webhookId: uuid(spec, 11),
			parameters: spec.streaming
				? { httpMethod: 'POST', path: spec.path, responseMode: 'streaming', options: {} }
				: {
						httpMethod: 'POST',
						path: spec.path,
						responseMode: 'lastNode',
						responseData: 'firstEntryJson',
						options: {},
					},
		},
		{
			id: uuid(spec, 2),
			name: 'AI Agent',
			type: '@n8n/n8n-nodes-langchain.agent',
			typeVersion: 3.1,
			position: [240, 0],
			parameters: {
				promptType: 'define',
				text: '={{ $json.body.question }}',
				options: {},
			},
		},
		{
			id: uuid(spec, 3),
			name: 'Dedalus Chat Model',
			type: DEDALUS_CHAT_MODEL_TYPE,
			typeVersion: 1,
			position: [160, 220],
			parameters: {
				model: { __rl: true, mode: 'list', value: 'openai/gpt-4.1' },
				mcpServers: spec.mcpServers,
				options: spec.onAuthorization ? { onAuthorization: spec.onAuthorization } : {},
			},
			credentials: { dedalusApi: spec.credential },
		},
	];
	const connections: WorkflowImport['connections'] = {
		Webhook: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
		'Dedalus Chat Model': {
			ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]],
		},
	};
	if (withTool) {
		nodes.push({
			id: uuid(spec, 4),
			name: WORD_COUNT_TOOL,
			type: '@n8n/n8n-nodes-langchain.toolCode',
			typeVersion: 1.3,
			position: [360, 220],
			parameters: {
				description: 'Counts the words of a text. Input: the text.',
				language: 'javaScript',
				jsCode:
					"const text = typeof query === 'string' ? query : JSON.stringify(query);\nreturn `${text.split(/\\s+/).filter(Boolean).length} words`;",
			},
		});
		connections[WORD_COUNT_TOOL] = {
			ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]],
		};
	}
	return { id: spec.id, name: spec.name, nodes, connections };
}
